"""Stacked digits: three digits as the channels of one image, 1,000 modes.

The stacked-MNIST benchmark of VEEGAN (Srivastava et al. 2017,
https://arxiv.org/abs/1705.07761) and PacGAN (Lin et al. 2018,
https://arxiv.org/abs/1712.04086, Section 5) draws three digits at random
and stacks them as the red, green and blue channels: the 10 x 10 x 10
class combinations are 1,000 modes of known, uniform frequency, so a
classifier on each channel counts the modes a generator captures. Here the
digits are the bundled scikit-learn digits, so the benchmark runs offline.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tfgan_lite._validation import check_bool, check_int, check_size
from tfgan_lite.data.arrays import from_arrays
from tfgan_lite.data.sklearn_digits import digits

__all__ = [
    "stacked_digits",
    "stacked_digits_arrays",
]

_NUM_DIGITS = 1_797


def stacked_digits_arrays(
    n: int, *, image_size: tuple[int, int] = (28, 28), seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Draws n stacked-digit images and their mode ids.

    Each image takes three digits drawn uniformly with replacement from the
    1,797 bundled digits (resized to `image_size`, in [-1, 1]) as its three
    channels; its mode id is 100 a + 10 b + c for the digits' classes a, b,
    c.

    Args:
        n: Number of images.
        image_size: (height, width) of each digit.
        seed: Seed of the draw.

    Returns:
        ``(images, mode_ids)``: float32 (n, height, width, 3) in [-1, 1] and
        int64 (n,) in [0, 1000).

    Raises:
        TypeError, ValueError: For a non-positive `n`, a bad `image_size`
            or a negative `seed`.

    Examples:
        >>> images, ids = stacked_digits_arrays(5, seed=0)
        >>> images.shape, int(ids.min()) >= 0, int(ids.max()) < 1000
        ((5, 28, 28, 3), True, True)
    """
    n = check_int(n, "n", minimum=1)
    image_size = check_size(image_size, "image_size")
    seed = check_int(seed, "seed", minimum=0)
    # One batch holds every digit; the shuffle is undone by the labels.
    source = digits(
        image_size=image_size, batch_size=_NUM_DIGITS, with_labels=True
    )
    images, labels = (t.numpy() for t in next(iter(source)))
    picks = np.random.default_rng(seed).integers(0, len(images), (n, 3))
    stacked = np.concatenate([images[picks[:, i]] for i in range(3)], axis=-1)
    mode_ids = labels[picks] @ np.array([100, 10, 1])
    return stacked.astype(np.float32), mode_ids.astype(np.int64)


def stacked_digits(
    n: int = 25_600,
    *,
    image_size: tuple[int, int] = (28, 28),
    batch_size: int = 64,
    seed: int = 0,
    with_labels: bool = False,
) -> tf.data.Dataset:
    """A dataset of stacked digits, 1,000 equally likely modes.

    Args:
        n: Number of images drawn once (PacGAN trains on 25,600; each takes
            about 9 KB of memory at 28x28).
        image_size: (height, width) of each digit.
        batch_size: Images per batch.
        seed: Seed of the draw and of the shuffle.
        with_labels: If True, elements are ``(images, mode_ids)``.

    Returns:
        A ``tf.data.Dataset`` of float32 batches (batch_size, height, width,
        3) in [-1, 1], or of ``(images, mode_ids)``.

    Raises:
        TypeError, ValueError: For a bad argument, or `batch_size` > `n`.

    Examples:
        >>> ds = stacked_digits(256, batch_size=32)
        >>> next(iter(ds)).shape
        TensorShape([32, 28, 28, 3])
    """
    with_labels = check_bool(with_labels, "with_labels")
    images, mode_ids = stacked_digits_arrays(
        n, image_size=image_size, seed=seed
    )
    return from_arrays(
        images,
        mode_ids if with_labels else None,
        value_range=(-1.0, 1.0),
        batch_size=batch_size,
        seed=seed,
    )
