"""The 8x8 digits bundled with scikit-learn: the offline default dataset.

The module is not called ``digits.py`` so that the package attribute
``tfgan_lite.data.digits`` is only ever the function, never this module.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tfgan_lite._validation import check_bool
from tfgan_lite.data.arrays import from_arrays

__all__ = [
    "digits",
]

# Pixel values of the UCI digits are counts of set pixels in 4x4 blocks.
_DIGITS_RANGE = (0, 16)


def digits(
    *,
    image_size: tuple[int, int] = (28, 28),
    channels: int = 1,
    batch_size: int = 64,
    seed: int = 0,
    with_labels: bool = False,
) -> tf.data.Dataset:
    """The 1,797 real 8x8 handwritten digits bundled with scikit-learn.

    The offline default: the images ship inside scikit-learn, so nothing is
    downloaded. They come from the UCI "Optical Recognition of Handwritten
    Digits" set (https://archive.ics.uci.edu/dataset/80), with pixel values
    0..16, which are mapped to [-1, 1] and resized with bilinear
    interpolation to `image_size`. See
    https://scikit-learn.org/stable/modules/generated/sklearn.datasets.load_digits.html.

    Args:
        image_size: Output (height, width).
        channels: 1 (grayscale) or 3 (the gray value repeated).
        batch_size: Examples per batch; 1797 // batch_size batches per epoch.
        seed: Seed of the shuffle.
        with_labels: If True, elements are ``(images, labels)`` with int64
            labels 0..9.

    Returns:
        A ``tf.data.Dataset`` of float32 batches of shape
        (batch_size, height, width, channels), or of ``(images, labels)``.

    Raises:
        ImportError: If scikit-learn is not installed.
        ValueError: If an argument is out of range, or `batch_size` > 1797.

    Examples:
        >>> ds = digits(image_size=(32, 32), batch_size=128)
        >>> next(iter(ds)).shape
        TensorShape([128, 32, 32, 1])
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:
        raise ImportError(
            "digits() needs scikit-learn, which bundles the images: "
            "pip install scikit-learn."
        ) from error
    # Checked here because it decides whether labels are passed on at all.
    check_bool(with_labels, "with_labels")
    bunch = load_digits()
    labels = bunch.target.astype(np.int64) if with_labels else None
    return from_arrays(
        bunch.images.astype(np.float32),
        labels,
        image_size=image_size,
        channels=channels,
        batch_size=batch_size,
        seed=seed,
        value_range=_DIGITS_RANGE,
    )
