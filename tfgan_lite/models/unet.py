"""The U-Net generator of pix2pix, an alternative CycleGAN generator.

Isola et al. 2017 (https://arxiv.org/abs/1611.07004, Appendix 6.1.1),
after Ronneberger et al. 2015 (https://arxiv.org/abs/1505.04597): an
encoder of 4x4 stride-2 convolutions C64-C128-C256-C512-C512-..., each
halving the image side, and a mirrored decoder of 4x4 stride-2 transposed
convolutions whose inputs are concatenated with the encoder's map of the
same size (skip connections), so that fine detail skips the bottleneck.
Encoder layers use LeakyReLU(0.2), decoder layers ReLU, and all but the
first and the last use instance normalization; the output is tanh. Filters
are scaled by ``width`` (64 in the paper) and capped at 8 * width; the
depth is how many times the side is halved (8 at 256x256).
"""

from __future__ import annotations

import keras

from tfgan_lite._validation import check_int, check_optional_int
from tfgan_lite.models import _image, patchgan

__all__ = ["unet_cyclegan", "unet_generator"]

_KERNEL = 4
_SLOPE = 0.2
_MAX_FACTOR = 8


def _filters(width: int, level: int) -> int:
    return width * min(2**level, _MAX_FACTOR)


def _stride2(layer_class, filters: int, name: str) -> keras.layers.Layer:
    """A 4x4 stride-2 (transposed) convolution, as every U-Net layer is."""
    return layer_class(
        filters,
        _KERNEL,
        strides=2,
        padding="same",
        kernel_initializer=_image.init(),
        name=name,
    )


def unet_generator(
    image_shape: tuple[int, int, int] = (256, 256, 3),
    *,
    width: int = 64,
    depth: int | None = None,
    out_channels: int | None = None,
    name: str = "generator",
) -> keras.Model:
    """Builds a U-Net generator: images to images in [-1, 1].

    Args:
        image_shape: (height, width, channels) of the input; sides must be
            multiples of 2**depth.
        width: Filters of the first encoder layer (64 in the paper).
        depth: Stride-2 stages; None halves down to a 1x1 bottleneck
            (log2 of the smaller side), at most 8.
        out_channels: Channels of the output; None keeps the input's.
        name: The model's name.

    Returns:
        A functional ``keras.Model`` from (N, H, W, C) to
        (N, H, W, out_channels), ending in tanh.

    Raises:
        TypeError, ValueError: For a bad image_shape, width, depth or
            out_channels.

    Example:
        >>> unet_generator((32, 32, 1), width=4).output_shape
        (None, 32, 32, 1)
    """
    depth = check_optional_int(depth, "depth", minimum=1)
    if depth is None:
        shape = _image.check_image_shape(image_shape, "image_shape", multiple=1)
        depth = min(min(shape[:2]).bit_length() - 1, 8)
    shape = _image.check_image_shape(
        image_shape, "image_shape", multiple=2**depth
    )
    width = check_int(width, "width", minimum=1)
    out_channels = _image.check_out_channels(out_channels, shape)
    images = keras.Input(shape)
    skips = []
    h = images
    for level in range(depth):
        down = _stride2(
            keras.layers.Conv2D, _filters(width, level), f"down{level}"
        )
        h = down(h)
        # No norm at the first layer (pix2pix) nor at a 1x1 bottleneck,
        # where instance norm would zero every channel.
        if 0 < level < depth - 1:
            h = _image.instance_norm(name=f"down{level}_norm")(h)
        h = keras.layers.LeakyReLU(_SLOPE)(h)
        skips.append(h)
    for level in reversed(range(depth - 1)):
        up = _stride2(
            keras.layers.Conv2DTranspose, _filters(width, level), f"up{level}"
        )
        h = up(h)
        h = _image.instance_norm(name=f"up{level}_norm")(h)
        h = keras.layers.ReLU()(h)
        h = keras.layers.Concatenate(name=f"skip{level}")([h, skips[level]])
    h = _stride2(keras.layers.Conv2DTranspose, out_channels, "out")(h)
    return _image.tanh_model(images, h, name)


def unet_cyclegan(
    image_shape: tuple[int, int, int] = (256, 256, 3),
    *,
    width: int = 64,
    depth: int | None = None,
    out_channels: int | None = None,
) -> tuple[keras.Model, keras.Model]:
    """One direction of a CycleGAN: U-Net G, 70x70 PatchGAN D.

    Args:
        image_shape: (height, width, channels) of the source domain.
        width: Base filter count of both networks.
        depth: Stride-2 stages of the U-Net; None: down to 1x1.
        out_channels: Channels of the target domain; None: the same.

    Returns:
        ``(generator, discriminator)``; call twice for a CycleGAN.

    Example:
        >>> g, d = unet_cyclegan((16, 16, 3), width=4)
        >>> g.output_shape, d.output_shape
        ((None, 16, 16, 3), (None, 2, 2, 1))
    """
    generator = unet_generator(
        image_shape, width=width, depth=depth, out_channels=out_channels
    )
    return generator, patchgan._discriminator_for(generator, width=width)
