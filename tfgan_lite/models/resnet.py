"""The ResNet-block generator of CycleGAN, and its preset pair.

Johnson et al. 2016 (https://arxiv.org/abs/1603.08155, supplementary
material) and Zhu et al. 2017 (CycleGAN, https://arxiv.org/abs/1703.10593,
Appendix 7.2): ``c7s1-64, d128, d256, R256 x n, u128, u64, c7s1-3``, where

* ``c7s1-k``: 7x7 convolution, stride 1, k filters, instance norm, ReLU
  (the last one ends in tanh instead, without norm);
* ``dk``: 3x3 convolution, stride 2, instance norm, ReLU;
* ``Rk``: a residual block of two 3x3 convolutions with k filters;
* ``uk``: 3x3 transposed convolution, stride 2, instance norm, ReLU.

Convolutions that keep the size pad by reflection, as in the paper, to
avoid dark borders. ``width`` scales every filter count (64 in the paper)
and ``blocks`` sets n (9 at 256x256, 6 at 128x128).
"""

from __future__ import annotations

import keras

from tfgan_lite._validation import check_int
from tfgan_lite.models import _image, patchgan

__all__ = ["ReflectionPadding2D", "resnet_cyclegan", "resnet_generator"]


@keras.saving.register_keras_serializable(package="tfgan_lite")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads height and width by mirroring the image (no edge repeat).

    Args:
        padding: Pixels added on each side of both spatial axes.
        **kwargs: Passed to ``keras.layers.Layer``.

    Example:
        >>> x = keras.ops.reshape(keras.ops.arange(6.0), (1, 2, 3, 1))
        >>> padded = ReflectionPadding2D(1)(x)
        >>> keras.ops.convert_to_numpy(padded)[0, 1, :, 0]
        array([1., 0., 1., 2., 1.], dtype=float32)
    """

    def __init__(self, padding: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.padding = check_int(padding, "padding", minimum=0)

    def call(self, x):
        p = self.padding
        return keras.ops.pad(x, [[0, 0], [p, p], [p, p], [0, 0]], "reflect")

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        grow = 2 * self.padding
        return (
            n,
            None if h is None else h + grow,
            None if w is None else w + grow,
            c,
        )

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding}


def _conv(h, filters: int, kernel: int, *, stride: int = 1, name: str):
    if stride == 1 and kernel > 1:
        h = ReflectionPadding2D(kernel // 2, name=f"{name}_pad")(h)
    return keras.layers.Conv2D(
        filters,
        kernel,
        strides=stride,
        padding="valid" if stride == 1 else "same",
        kernel_initializer=_image.init(),
        # Instance norm's offset makes a bias redundant.
        use_bias=False,
        name=name,
    )(h)


def _norm_relu(h, name: str):
    h = _image.instance_norm(name=f"{name}_norm")(h)
    return keras.layers.ReLU(name=f"{name}_relu")(h)


def resnet_generator(
    image_shape: tuple[int, int, int] = (256, 256, 3),
    *,
    width: int = 64,
    blocks: int = 9,
    out_channels: int | None = None,
    name: str = "generator",
) -> keras.Model:
    """Builds the CycleGAN ResNet generator: images to images in [-1, 1].

    Args:
        image_shape: (height, width, channels) of the input; sides must be
            multiples of 4 (two stride-2 layers).
        width: Filters of c7s1 (64 in the paper); d and R use 2 and 4
            times as many.
        blocks: Residual blocks (9 for 256x256, 6 for 128x128).
        out_channels: Channels of the output; None keeps the input's.
        name: The model's name.

    Returns:
        A functional ``keras.Model`` from (N, H, W, C) to
        (N, H, W, out_channels), ending in tanh.

    Raises:
        TypeError, ValueError: For a bad image_shape, width, blocks or
            out_channels.

    Example:
        >>> g = resnet_generator((32, 32, 3), width=4, blocks=2)
        >>> g.output_shape
        (None, 32, 32, 3)
    """
    shape = _image.check_image_shape(image_shape, "image_shape", multiple=4)
    width = check_int(width, "width", minimum=1)
    blocks = check_int(blocks, "blocks", minimum=0)
    out_channels = _image.check_out_channels(out_channels, shape)
    images = keras.Input(shape)
    h = _norm_relu(_conv(images, width, 7, name="c7s1"), "c7s1")
    for factor in (2, 4):
        label = f"d{width * factor}"
        h = _norm_relu(_conv(h, width * factor, 3, stride=2, name=label), label)
    for i in range(blocks):
        label = f"r{i}"
        r = _norm_relu(_conv(h, width * 4, 3, name=f"{label}_a"), f"{label}_a")
        r = _conv(r, width * 4, 3, name=f"{label}_b")
        r = _image.instance_norm(name=f"{label}_b_norm")(r)
        h = keras.layers.Add(name=f"{label}_add")([h, r])
    for factor in (2, 1):
        label = f"u{width * factor}"
        h = keras.layers.Conv2DTranspose(
            width * factor,
            3,
            strides=2,
            padding="same",
            kernel_initializer=_image.init(),
            use_bias=False,
            name=label,
        )(h)
        h = _norm_relu(h, label)
    h = ReflectionPadding2D(3, name="out_pad")(h)
    h = keras.layers.Conv2D(
        out_channels, 7, kernel_initializer=_image.init(), name="out"
    )(h)
    return _image.tanh_model(images, h, name)


def resnet_cyclegan(
    image_shape: tuple[int, int, int] = (256, 256, 3),
    *,
    width: int = 64,
    blocks: int = 9,
    out_channels: int | None = None,
) -> tuple[keras.Model, keras.Model]:
    """One direction of the paper's CycleGAN: ResNet G, 70x70 PatchGAN D.

    The generator maps `image_shape` to images with `out_channels`; the
    discriminator scores those outputs. A CycleGAN calls this twice (the
    second time with the two domains' shapes swapped) for G, D_Y and F, D_X.

    Args:
        image_shape: (height, width, channels) of the source domain.
        width: Base filter count of both networks (64 in the paper).
        blocks: Residual blocks of the generator.
        out_channels: Channels of the target domain; None: the same.

    Returns:
        ``(generator, discriminator)``.

    Example:
        >>> g, d = resnet_cyclegan((16, 16, 1), width=4, blocks=1)
        >>> g.output_shape, d.output_shape
        ((None, 16, 16, 1), (None, 2, 2, 1))
    """
    generator = resnet_generator(
        image_shape, width=width, blocks=blocks, out_channels=out_channels
    )
    return generator, patchgan._discriminator_for(generator, width=width)
