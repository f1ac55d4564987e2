"""What every source of ``tfgan_lite.data`` shares.

* The arguments all image sources take (``image_size``, ``channels``,
  ``batch_size``, ``seed``, ``with_labels``), checked once by
  :func:`image_options`.
* The checks that only data has: channel counts, value ranges, labels per
  image, a batch that fits the data, and the rank, dtype and values of
  in-memory arrays. General checks come from ``tfgan_lite._validation``.
* The preprocessing steps listed in the ``tfgan_lite.data`` docstring
  (scale, crop, convert channels, resize) and the tail of every pipeline
  (cache, shuffle, batch, prefetch).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import tensorflow as tf

from tfgan_lite._validation import (
    check_bool,
    check_int,
    check_size,
    find_non_finite,
)

CACHE_LIMIT_BYTES = 2 * 1024**3

# Shuffle buffer for sources too large to cache: 10,000 64x64 RGB images are
# about 0.5 GB of float32, and mix examples from many files.
STREAM_SHUFFLE_BUFFER = 10_000

# Fixed-size sources are preprocessed this many examples at a time: one
# vectorized resize is far cheaper than thousands of tiny ones.
PREPROCESS_CHUNK = 256

# ITU-R BT.601 luma weights; they sum to 1 so the range [-1, 1] is kept.
LUMA_WEIGHTS = (0.299, 0.587, 0.114)

UINT8_RANGE = (0.0, 255.0)


# --------------------------------------------------------------------------
# Arguments shared by the image sources.


class ImageOptions(NamedTuple):
    """The checked arguments of an image source.

    Attributes:
        image_size: Output (height, width).
        channels: Output channels, 1 or 3.
        batch_size: Examples per batch.
        seed: Seed of the shuffle (and of the file order, for tfds).
        with_labels: Whether elements are ``(images, labels)`` pairs.
    """

    image_size: tuple[int, int]
    channels: int
    batch_size: int
    seed: int
    with_labels: bool


def image_options(
    image_size: Any,
    channels: Any,
    batch_size: Any,
    seed: Any,
    with_labels: Any,
    /,
    *,
    native: tuple[int, int, int] | None = None,
) -> ImageOptions:
    """Checks the arguments every image source takes, in one order.

    Args:
        image_size, channels, batch_size, seed, with_labels: What the caller
            passed to the source, in the order of ``ImageOptions`` (and of
            every source's signature), so that the call reads the same in
            each source.
        native: The source's own (height, width, channels), which a None
            `image_size` or `channels` keeps; None where the source has no
            native size, so that None is refused like any other bad value.

    Returns:
        The arguments as an ``ImageOptions`` of plain Python values.

    Raises:
        TypeError, ValueError: If an argument has the wrong type or value.
    """
    if native is not None:
        if image_size is None:
            image_size = native[:2]
        if channels is None:
            channels = native[2]
    return ImageOptions(
        image_size=check_size(image_size, "image_size"),
        channels=check_channels(channels),
        batch_size=check_int(batch_size, "batch_size", minimum=1),
        seed=check_int(seed, "seed", minimum=0),
        with_labels=check_bool(with_labels, "with_labels"),
    )


# --------------------------------------------------------------------------
# Checks that only data has.


def check_channels(channels: Any) -> int:
    """Returns `channels` as an int after checking it is 1 or 3.

    Raises:
        ValueError: If `channels` is anything but 1 or 3 (bools included).
    """
    if isinstance(channels, bool) or channels not in (1, 3):
        raise ValueError(
            f"`channels` must be 1 (grayscale) or 3 (RGB), got "
            f"channels={channels!r}."
        )
    return int(channels)


def check_value_range(value_range: Any) -> tuple[float, float]:
    """Returns a (low, high) pair of finite floats with low < high.

    Raises:
        TypeError: If `value_range` is not a pair of numbers.
        ValueError: If an end is not finite or not a float32, or if
            low >= high or the two are too close to tell apart in float32.
    """
    try:
        low, high = (float(v) for v in value_range)
    except OverflowError:
        low, high = -math.inf, math.inf  # An int too large: refused below.
    except (TypeError, ValueError):
        raise TypeError(
            f"`value_range` must be a (low, high) pair of numbers, got "
            f"{value_range!r} of type {type(value_range).__name__}. Pass "
            f"for example value_range=(0, 1)."
        ) from None
    # Scaling runs in float32: ends beyond its range overflow to inf, and a
    # half-width below its smallest normal number divides 0 by 0 (NaN).
    limits = np.finfo(np.float32)
    if not (
        math.isfinite(low)
        and math.isfinite(high)
        and max(abs(low), abs(high)) <= float(limits.max)
        and (high - low) / 2 >= float(limits.tiny)
    ):
        raise ValueError(
            f"`value_range` must be finite with low < high, within float32 "
            f"(|end| <= {limits.max:.4g}, high - low >= "
            f"{2 * limits.tiny:.4g}), got value_range={value_range!r}."
        )
    return low, high


def check_batch_fits(batch_size: int, num_examples: int, source: str) -> None:
    """Refuses a batch larger than the data, which would yield no batch.

    Raises:
        ValueError: If `batch_size` > `num_examples`.
    """
    # With drop_remainder=True such a dataset would yield nothing at all.
    if batch_size > num_examples:
        raise ValueError(
            f"batch_size={batch_size} is larger than the {num_examples} "
            f"examples of {source}, so no full batch can be formed. Pass a "
            f"batch_size of at most {num_examples}."
        )


def check_numeric(
    array: np.ndarray,
    name: str,
    *,
    what: str = "be numeric",
    fix: str = "",
    allow_bool: bool = False,
) -> None:
    """Refuses arrays of strings, objects and (unless allowed) bools.

    Raises:
        TypeError: If `array` does not hold numbers.
    """
    is_bool = array.dtype == bool
    if (is_bool and not allow_bool) or (
        not is_bool and not np.issubdtype(array.dtype, np.number)
    ):
        fix = f" {fix}" if fix else ""
        raise TypeError(f"`{name}` must {what}, got dtype {array.dtype}.{fix}")


def _format_index(index: tuple[int, ...]) -> str:
    return ", ".join(str(i) for i in index)


def check_finite(
    array: np.ndarray,
    name: str,
    *,
    what: str = "non-finite values",
    fix: str = "",
) -> None:
    """Refuses NaN and inf, naming how many there are and the first one.

    Raises:
        ValueError: If `array` holds a NaN or an infinite value.
    """
    found = find_non_finite(array)
    if found is not None:
        count, first = found
        fix = f" {fix}" if fix else ""
        raise ValueError(
            f"`{name}` holds {count} {what}; the first is "
            f"{name}[{_format_index(first)}].{fix}"
        )


def check_image_array(images: np.ndarray) -> np.ndarray:
    """Checks rank, dtype and channels; returns an (N, H, W, C) array.

    Raises:
        TypeError: If `images` does not hold real numbers.
        ValueError: If `images` is empty, has the wrong rank, or has other
            than 1 or 3 channels.
    """
    check_numeric(
        images,
        "images",
        what="hold numbers",
        fix="Pass uint8 in [0, 255] or floats with a `value_range`.",
    )
    if np.issubdtype(images.dtype, np.complexfloating):
        raise TypeError(
            f"`images` must be real numbers, got dtype {images.dtype}."
        )
    if images.ndim == 3:
        images = images[..., np.newaxis]  # (N, H, W) grayscale.
    if images.ndim != 4:
        raise ValueError(
            f"`images` must have shape (N, H, W) or (N, H, W, C), got shape "
            f"{images.shape} (rank {images.ndim}). For a single image, add "
            f"the batch axis: images[np.newaxis]."
        )
    if images.shape[0] == 0:
        raise ValueError("`images` is empty: pass at least one image.")
    if 0 in images.shape[1:3]:
        raise ValueError(
            f"`images` must have a positive height and width, got shape "
            f"{images.shape}."
        )
    if images.shape[-1] not in (1, 3):
        hint = " Drop the alpha channel: images[..., :3]." * (
            images.shape[-1] == 4
        )
        raise ValueError(
            f"`images` must have 1 or 3 channels on the last axis, got "
            f"shape {images.shape} with {images.shape[-1]} channels.{hint}"
        )
    return images


def check_values(images: np.ndarray, value_range: tuple[float, float]) -> None:
    """Refuses NaN, inf and values outside the declared range.

    Raises:
        ValueError: If a value of `images` is not finite or lies outside
            `value_range`.
    """
    check_finite(
        images,
        "images",
        what="non-finite values (NaN or inf)",
        fix="Remove or repair those images first.",
    )
    low, high = value_range
    outside = (images < low) | (images > high)
    count = int(outside.sum())
    if count:
        first = tuple(int(i) for i in np.argwhere(outside)[0])
        raise ValueError(
            f"`images` holds {count} values outside value_range={low, high} "
            f"(min {images.min()}, max {images.max()}); the first is "
            f"images[{_format_index(first)}]. Pass the range the data is "
            f"really in, e.g. value_range=(0, 255) or (-1, 1)."
        )


def check_labels(labels: Any, num_examples: int) -> np.ndarray:
    """Returns `labels` as an array after checking one entry per image.

    Raises:
        TypeError: If `labels` is not numeric (bools are accepted).
        ValueError: If the length of `labels` is not `num_examples`.
    """
    labels = np.asarray(labels)
    check_numeric(
        labels,
        "labels",
        what="be numeric (class ids or vectors)",
        fix="Map class names to integers first.",
        allow_bool=True,
    )
    if labels.ndim == 0 or labels.shape[0] != num_examples:
        raise ValueError(
            f"`labels` must have one entry per image: expected length "
            f"{num_examples}, got shape {labels.shape}."
        )
    return labels


# --------------------------------------------------------------------------
# Preprocessing; each step works on one image (H, W, C) or a batch of them.


def scale_to_unit_range(
    images: tf.Tensor, value_range: tuple[float, float]
) -> tf.Tensor:
    """Maps [low, high] linearly onto [-1, 1]."""
    low, high = value_range
    # (x - mid) / half is exact at low, mid and high for (0, 255), (0, 1)
    # and (-1, 1), unlike x * (2 / (high - low)) - 1.
    mid = (low + high) / 2.0
    half = (high - low) / 2.0
    return (tf.cast(images, tf.float32) - mid) / half


def center_crop(images: tf.Tensor, size: tuple[int, int]) -> tf.Tensor:
    """The centered (height, width) window of each image."""
    height, width = size
    shape = tf.shape(images)
    top = (shape[-3] - height) // 2
    left = (shape[-2] - width) // 2
    return images[..., top : top + height, left : left + width, :]


def convert_channels(images: tf.Tensor, channels: int) -> tf.Tensor:
    """Repeats grayscale to RGB, or reduces RGB to luma."""
    have = images.shape[-1]
    if have == channels:
        return images
    if have == 1:
        return tf.repeat(images, channels, axis=-1)
    weights = tf.constant(LUMA_WEIGHTS, tf.float32)
    return tf.reduce_sum(images * weights, axis=-1, keepdims=True)


def resize(images: tf.Tensor, image_size: tuple[int, int]) -> tf.Tensor:
    """Antialiased bilinear resize; a no-op at the right static size."""
    if tuple(images.shape[-3:-1]) == image_size:
        return images  # Statically the right size: leave values untouched.
    # Antialiasing matters when shrinking (CelebA, CycleGAN); when enlarging
    # it is plain bilinear interpolation.
    return tf.image.resize(
        images, image_size, method="bilinear", antialias=True
    )


def preprocess(
    images: tf.Tensor,
    *,
    value_range: tuple[float, float],
    image_size: tuple[int, int],
    channels: int,
    crop: tuple[int, int] | None = None,
) -> tf.Tensor:
    """Scales, crops, converts channels and resizes, in that order."""
    x = scale_to_unit_range(images, value_range)
    if crop is not None:
        x = center_crop(x, crop)
    # Reduce to grayscale before resizing and expand to RGB after: both
    # steps are linear, so the order only changes the cost.
    if channels < x.shape[-1]:
        x = convert_channels(x, channels)
    x = resize(x, image_size)
    x = convert_channels(x, channels)
    # Float rounding in the resize can step a hair outside [-1, 1].
    return tf.clip_by_value(x, -1.0, 1.0)


def map_images(
    ds: tf.data.Dataset, fn, *, with_labels: bool, fixed_shape: bool
) -> tf.data.Dataset:
    """Applies `fn` to the images of `ds` (images or (images, labels))."""
    if with_labels:

        def apply(images, labels):
            return fn(images), labels
    else:
        apply = fn
    if not fixed_shape:
        return ds.map(apply, num_parallel_calls=tf.data.AUTOTUNE)
    return (
        ds.batch(PREPROCESS_CHUNK)
        .map(apply, num_parallel_calls=tf.data.AUTOTUNE)
        .unbatch()
    )


# --------------------------------------------------------------------------
# The tail of every pipeline.


def from_slices(images: Any, labels: Any = None) -> tf.data.Dataset:
    """One element per row of `images`, paired with `labels` if given."""
    if labels is None:
        return tf.data.Dataset.from_tensor_slices(images)
    return tf.data.Dataset.from_tensor_slices((images, labels))


def _example_bytes(ds: tf.data.Dataset) -> int | None:
    """Bytes of one example from its element spec; None if not static."""
    total = 0
    for spec in tf.nest.flatten(ds.element_spec):
        elements = spec.shape.num_elements()
        if elements is None:
            return None
        total += elements * spec.dtype.size
    return total


def finish(
    ds: tf.data.Dataset, *, num_examples: int, batch_size: int, seed: int
) -> tf.data.Dataset:
    """Caches (if it fits), shuffles, batches and prefetches.

    Args:
        ds: Preprocessed examples.
        num_examples: How many there are; negative if unknown.
        batch_size: Examples per batch; the last partial batch is dropped.
        seed: Seed of the shuffle.

    Returns:
        The batched dataset, reshuffled every epoch.
    """
    # Unknown sizes are streamed: caching them could exhaust memory.
    cache = False
    if num_examples >= 0:
        ds = ds.apply(tf.data.experimental.assert_cardinality(num_examples))
        example_bytes = _example_bytes(ds)
        if example_bytes is not None:
            cache = num_examples * example_bytes <= CACHE_LIMIT_BYTES
    if cache:
        ds = ds.cache()
        buffer = num_examples
    else:
        buffer = STREAM_SHUFFLE_BUFFER
        if num_examples >= 0:
            buffer = min(buffer, num_examples)
    ds = ds.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=True)
    return ds.prefetch(tf.data.AUTOTUNE)


def image_dataset(
    ds: tf.data.Dataset,
    *,
    options: ImageOptions,
    num_examples: int,
    value_range: tuple[float, float] = UINT8_RANGE,
    fixed_shape: bool,
    decode: Callable[[tf.Tensor], tf.Tensor] | None = None,
    crop: tuple[int, int] | None = None,
) -> tf.data.Dataset:
    """Preprocesses the images of `ds`, then caches, shuffles and batches.

    Args:
        ds: Raw images, or ``(images, labels)`` when
            ``options.with_labels``.
        options: The source's checked arguments.
        num_examples: Elements in `ds`; negative if unknown.
        value_range: The (low, high) range of the raw pixels.
        fixed_shape: Whether every raw image has the same static shape, so
            that chunks of them can be preprocessed at once.
        decode: Turns an element of `ds` into an image tensor first (for
            example a file path into its pixels); None if it is one.
        crop: A centered (height, width) crop after scaling; None for none.

    Returns:
        Batches of float32 images in [-1, 1], or ``(images, labels)``.
    """

    def to_unit_range(x):
        return preprocess(
            x if decode is None else decode(x),
            value_range=value_range,
            image_size=options.image_size,
            channels=options.channels,
            crop=crop,
        )

    ds = map_images(
        ds,
        to_unit_range,
        with_labels=options.with_labels,
        fixed_shape=fixed_shape,
    )
    return finish(
        ds,
        num_examples=num_examples,
        batch_size=options.batch_size,
        seed=options.seed,
    )
