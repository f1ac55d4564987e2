"""What the image-to-image presets (ResNet, U-Net, PatchGAN) share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras

from tfgan_lite._validation import check_int

# CycleGAN and pix2pix initialise every convolution from N(0, 0.02).
INIT_STDDEV = 0.02


def init() -> keras.initializers.Initializer:
    """The N(0, 0.02) weight initializer of pix2pix and CycleGAN."""
    return keras.initializers.RandomNormal(stddev=INIT_STDDEV)


def instance_norm(name: str | None = None) -> keras.layers.Layer:
    """Instance normalization (Ulyanov et al. 2016,
    https://arxiv.org/abs/1607.08022).

    ``GroupNormalization(groups=-1)`` puts every channel in a group of its
    own, so each image's channels are normalised over height and width:
    instance normalization, with a learned per-channel scale and offset.
    epsilon is 1e-5, the value of the CycleGAN implementation.
    """
    return keras.layers.GroupNormalization(groups=-1, epsilon=1e-5, name=name)


def check_image_shape(value: Any, name: str, *, multiple: int) -> tuple:
    """Returns (height, width, channels) with sides divisible by `multiple`.

    Raises:
        TypeError: If `value` is not a sequence of three ints.
        ValueError: If a side is not a positive multiple of `multiple`, or
            the channel count is not positive.
    """
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str)
        or len(value) != 3
    ):
        raise TypeError(
            f"`{name}` must be a (height, width, channels) triple, got "
            f"{value!r} of type {type(value).__name__}. Pass for example "
            f"{name}=(256, 256, 3)."
        )
    height, width, channels = value
    sides = []
    for side, label in ((height, "height"), (width, "width")):
        side = check_int(side, f"{name}[{label}]", minimum=multiple)
        if side % multiple:
            raise ValueError(
                f"`{name}` must have sides divisible by {multiple} (the "
                f"network halves them {multiple.bit_length() - 1} times), "
                f"got {name}={tuple(value)!r}. Resize the images, e.g. to "
                f"{max(multiple, side // multiple * multiple)}."
            )
        sides.append(side)
    return (*sides, check_int(channels, f"{name}[channels]", minimum=1))


def check_out_channels(out_channels: Any, shape: tuple) -> int:
    """Returns the output channel count; None keeps those of `shape`.

    Raises:
        TypeError, ValueError: If `out_channels` is not a positive int.
    """
    if out_channels is None:
        out_channels = shape[2]
    return check_int(out_channels, "out_channels", minimum=1)


def tanh_model(inputs, h, name: str) -> keras.Model:
    """The model named `name` from `inputs` to tanh(h), in [-1, 1].

    The tanh runs in float32, so that the images come out as float32 under
    a mixed-precision policy too.
    """
    out = keras.layers.Activation("tanh", dtype="float32", name="tanh")(h)
    return keras.Model(inputs, out, name=name)
