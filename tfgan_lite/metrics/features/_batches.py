"""Batches of images, checked and prepared for a feature extractor.

Every image, real or generated, goes through the same checks and the same
fixed preprocessing (see the ``tfgan_lite.metrics.features`` docstring).
"""

from __future__ import annotations

import collections.abc
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import tensorflow as tf

from tfgan_lite._pixels import to_uint8
from tfgan_lite._validation import find_non_finite
from tfgan_lite.data import _pipeline
from tfgan_lite.metrics.features.extractor import FeatureExtractor

# Float images may step this far outside [-1, 1] (a tanh in float16, a
# resize overshoot) and are clipped; further out, they were not scaled.
_RANGE_TOLERANCE = 1e-3

# Rows per chunk when a numpy array is checked before any feature is
# computed: a few MB at a time, however large the array.
_CHECK_CHUNK = 4096


def batches(images: Any, batch_size: int) -> Iterator[tuple[Any, str]]:
    """Yields (batch, description) pairs, one batch in memory at a time."""
    if isinstance(images, tf.data.Dataset):
        yield from _dataset_batches(images, batch_size)
    elif isinstance(images, (np.ndarray, tf.Tensor)):
        yield from _array_batches(np.asarray(images), batch_size, "images")
    elif isinstance(images, collections.abc.Iterator):
        for index, item in enumerate(images):
            if isinstance(item, (tuple, list)):
                item = item[0]  # (images, labels, ...)
            where = f"batch {index} of `images`"
            yield from _array_batches(np.asarray(item), batch_size, where)
    else:
        hint = (
            " Stack a list of images first: np.stack(images)."
            if isinstance(images, (list, tuple))
            else ""
        )
        raise TypeError(
            f"`images` must be a numpy array, a tf.data.Dataset or an "
            f"iterator of batches, got {type(images).__name__}.{hint}"
        )


def _array_batches(
    array: np.ndarray, batch_size: int, where: str
) -> Iterator[tuple[np.ndarray, str]]:
    array = _check_array(array, where)
    # Checked in full before the first feature is computed, so that a bad
    # value at the end fails in seconds, not after an hour of features.
    _check_values_in_chunks(array, where)
    for start in range(0, len(array), batch_size):
        stop = min(start + batch_size, len(array))
        yield array[start:stop], f"{where}[{start}:{stop}]"


def _dataset_batches(
    ds: tf.data.Dataset, batch_size: int
) -> Iterator[tuple[np.ndarray, str]]:
    spec = ds.element_spec
    if isinstance(spec, (tuple, list)) and spec:
        spec = spec[0]  # (images, labels, ...): the labels are not needed.
        ds = ds.map(lambda first, *rest: first)
    if not isinstance(spec, tf.TensorSpec):
        raise TypeError(
            f"A dataset for `images` must yield image tensors or (images, "
            f"labels) tuples, got elements {ds.element_spec}."
        )
    _check_dtype(spec.dtype.as_numpy_dtype, "the dataset's images")
    rank = spec.shape.rank
    # Rank 3 is (H, W, C) for one image with 1 or 3 (or unknown) channels,
    # else a batch of grayscale images (N, H, W).
    last = spec.shape[-1] if rank else None
    single = rank == 2 or (rank == 3 and last in (1, 3, None))
    if rank == 4 or (rank == 3 and not single):
        ds = ds.unbatch()  # Re-batched below, to `batch_size`.
    elif rank not in (2, 3):
        raise ValueError(
            f"A dataset for `images` must yield single images (H, W) or "
            f"(H, W, C), or batches (N, H, W) or (N, H, W, C); its images "
            f"have shape {spec.shape}."
        )
    start = 0
    for batch in ds.batch(batch_size):
        array = _check_array(batch.numpy(), "the dataset")
        where = f"images {start} to {start + len(array) - 1} of the dataset"
        _check_values(array, where, offset=start)
        yield array, where
        start += len(array)


def _check_dtype(dtype: np.dtype, where: str) -> None:
    dtype = np.dtype(dtype)
    if dtype == np.uint8 or dtype.name == "bfloat16":
        return
    if dtype.kind != "f":
        raise TypeError(
            f"{where} must be floats in [-1, 1] or uint8 pixels in "
            f"[0, 255], got dtype {dtype}. Scale them to [-1, 1] as float32 "
            f"(x / 127.5 - 1 for pixels)."
        )


def _check_array(array: np.ndarray, where: str) -> np.ndarray:
    _check_dtype(array.dtype, where)
    if array.ndim == 3:
        array = array[..., np.newaxis]  # (N, H, W) grayscale.
    if array.ndim != 4 or array.shape[-1] not in (1, 3):
        raise ValueError(
            f"{where} must have shape (N, H, W) or (N, H, W, C) with C = 1 "
            f"or 3, got shape {array.shape}. For one image, add the batch "
            f"axis: image[np.newaxis]."
        )
    return array


def _check_values_in_chunks(array: np.ndarray, where: str) -> None:
    if array.dtype == np.uint8:
        return
    low, high = math.inf, -math.inf
    for start in range(0, len(array), _CHECK_CHUNK):
        chunk = array[start : start + _CHECK_CHUNK]
        _check_finite(chunk, where, offset=start)
        low = min(low, float(chunk.min()))
        high = max(high, float(chunk.max()))
    if len(array):
        _check_range(low, high, where)


def _check_values(array: np.ndarray, where: str, *, offset: int) -> None:
    if array.dtype != np.uint8:
        _check_finite(array, where, offset=offset)
        _check_range(float(array.min()), float(array.max()), where)


def _check_finite(array: np.ndarray, where: str, *, offset: int) -> None:
    found = find_non_finite(np.asarray(array, np.float32))
    if found is not None:
        count, (first, *rest) = found
        index = ", ".join(str(i) for i in (first + offset, *rest))
        raise ValueError(
            f"{where} holds {count} NaN or inf values; the first is at "
            f"index [{index}]. A diverged generator produces NaN: check the "
            f"training before measuring it."
        )


def _check_range(low: float, high: float, where: str) -> None:
    if low < -1.0 - _RANGE_TOLERANCE or high > 1.0 + _RANGE_TOLERANCE:
        raise ValueError(
            f"{where} must be floats in [-1, 1], but hold values from "
            f"min {low:.6g} to max {high:.6g}. Scale them to [-1, 1] first "
            f"(x / 127.5 - 1 for pixels in [0, 255], 2 * x - 1 for [0, 1]), "
            f"or pass uint8 pixels."
        )


def prepare(
    batch: np.ndarray, where: str, extractor: FeatureExtractor, quantize: bool
) -> tf.Tensor:
    """One checked batch -> float32 at the extractor's size and channels."""
    if batch.dtype == np.uint8:
        pixels, value_range = batch, _pipeline.UINT8_RANGE
    elif quantize:
        # to_uint8 clips the values within the tolerance to [0, 255].
        pixels, value_range = to_uint8(batch), _pipeline.UINT8_RANGE
    else:
        pixels = np.clip(np.asarray(batch, np.float32), -1.0, 1.0)
        value_range = (-1.0, 1.0)
    # The same scale, channel and resize steps as tfgan_lite.data, so that
    # an image read from a PNG and the sample it came from are equal here.
    return _pipeline.preprocess(
        pixels,
        value_range=value_range,
        image_size=extractor.image_size,
        channels=extractor.channels,
    )
