"""The 70x70 PatchGAN discriminator of pix2pix and CycleGAN.

Isola et al. 2017 (pix2pix, https://arxiv.org/abs/1611.07004, Section 3.2.2
and Appendix 6.1.2) score overlapping image patches rather than whole
images: C64-C128-C256-C512, where Ck is a 4x4 convolution with k filters,
instance normalization (none on C64) and LeakyReLU(0.2); C64 to C256 have
stride 2 and C512 stride 1, and a last 4x4 convolution gives one logit per
patch. Each logit sees a 70x70 window of the input
(:func:`receptive_field`), whatever the image size, so one network works at
any size and sees texture rather than layout. CycleGAN uses it for both
discriminators (Zhu et al. 2017, https://arxiv.org/abs/1703.10593,
Section 4).
"""

from __future__ import annotations

import keras

from tfgan_lite._validation import check_int
from tfgan_lite.models import _image

__all__ = ["patchgan_discriminator", "receptive_field"]

_KERNEL = 4
_SLOPE = 0.2


def patchgan_discriminator(
    image_shape: tuple[int, int, int] = (256, 256, 3),
    *,
    width: int = 64,
    name: str = "discriminator",
) -> keras.Model:
    """Builds a 70x70 PatchGAN: images to a map of patch logits.

    Args:
        image_shape: (height, width, channels) of the images; sides must be
            multiples of 8 (three stride-2 layers).
        width: Filters of the first layer (64 in the paper); the others
            have 2, 4 and 8 times as many.
        name: The model's name.

    Returns:
        A functional ``keras.Model`` from (N, H, W, C) to raw logits of
        shape (N, H / 8, W / 8, 1), one per 70x70 patch.

    Raises:
        TypeError, ValueError: For a bad image_shape or width.

    Example:
        >>> d = patchgan_discriminator((32, 32, 3), width=4)
        >>> d.output_shape
        (None, 4, 4, 1)
        >>> receptive_field(d)
        70
    """
    shape = _image.check_image_shape(image_shape, "image_shape", multiple=8)
    width = check_int(width, "width", minimum=1)
    images = keras.Input(shape)
    h = images
    for i, (factor, stride) in enumerate(((1, 2), (2, 2), (4, 2), (8, 1))):
        h = keras.layers.Conv2D(
            width * factor,
            _KERNEL,
            strides=stride,
            padding="same",
            kernel_initializer=_image.init(),
            # The normalization's offset makes a bias redundant.
            use_bias=i == 0,
            name=f"c{width * factor}_{i}",
        )(h)
        if i:
            h = _image.instance_norm(name=f"norm_{i}")(h)
        h = keras.layers.LeakyReLU(_SLOPE)(h)
    logits = keras.layers.Conv2D(
        1,
        _KERNEL,
        padding="same",
        kernel_initializer=_image.init(),
        name="patch_logits",
    )(h)
    return keras.Model(images, logits, name=name)


def _discriminator_for(generator: keras.Model, *, width: int) -> keras.Model:
    """A PatchGAN that scores the outputs of an image-to-image generator."""
    return patchgan_discriminator(generator.output_shape[1:], width=width)


def receptive_field(model: keras.Model) -> int:
    """The side, in input pixels, of the window that one output sees.

    Read from the model's convolutions, output to input: a layer of kernel
    k and stride s widens a window of r outputs to (r - 1) * s + k inputs.

    Args:
        model: A functional model whose spatial layers are all ``Conv2D``
            with square kernels and strides, in one chain.

    Returns:
        The receptive field's side.
    """
    field = 1
    for layer in reversed(model.layers):
        if isinstance(layer, keras.layers.Conv2D):
            field = (field - 1) * layer.strides[0] + layer.kernel_size[0]
    return field
