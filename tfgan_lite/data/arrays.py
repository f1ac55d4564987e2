"""In-memory image arrays as a batched [-1, 1] dataset."""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from tfgan_lite.data import _pipeline

__all__ = [
    "from_arrays",
]


def _stack_images(images: Any) -> np.ndarray:
    """Turns an array or a list of same-shaped arrays into one array."""
    if isinstance(images, (list, tuple)):
        if not images:
            raise ValueError("`images` is empty: pass at least one image.")
        arrays = [np.asarray(image) for image in images]
        first = arrays[0].shape
        for index, array in enumerate(arrays):
            if array.shape != first:
                raise ValueError(
                    f"All images must have the same shape, but images[0] "
                    f"has shape {first} and images[{index}] has shape "
                    f"{array.shape} (mixed sizes or channel counts). Resize "
                    f"them to one size and channel count first, or save "
                    f"them to a folder and use from_folder(), which resizes."
                )
        return np.stack(arrays)
    if isinstance(images, tf.Tensor):
        return images.numpy()
    return np.asarray(images)


def _resolve_value_range(
    images: np.ndarray, value_range: Any
) -> tuple[float, float]:
    if value_range is not None:
        return _pipeline.check_value_range(value_range)
    if images.dtype == np.uint8:
        return _pipeline.UINT8_RANGE
    # Guessing the range of a float array is how a pipeline silently trains
    # on images in [-1, -0.99].
    raise ValueError(
        f"`images` has dtype {images.dtype}, so its value range cannot be "
        f"known: pass value_range=(0, 1), (-1, 1) or (0, 255) (or the "
        f"actual (low, high)). Only uint8 defaults to (0, 255)."
    )


def from_arrays(
    images: Any,
    labels: Any = None,
    *,
    image_size: tuple[int, int] | None = None,
    channels: int | None = None,
    batch_size: int = 64,
    seed: int = 0,
    value_range: tuple[float, float] | None = None,
) -> tf.data.Dataset:
    """Builds a batched [-1, 1] image dataset from in-memory arrays.

    Args:
        images: Array of shape (N, H, W, C) with C in {1, 3}, or (N, H, W)
            for grayscale, or a list of same-shaped (H, W[, C]) arrays.
        labels: Optional array with one entry per image (class ids, one-hot
            or attribute vectors). When given, elements are
            ``(images, labels)``.
        image_size: Output (height, width); None keeps the input size.
        channels: Output channels, 1 or 3; None keeps the input channels.
        batch_size: Examples per batch; the last partial batch is dropped.
        seed: Seed of the shuffle.
        value_range: The (low, high) range of `images`, mapped linearly onto
            [-1, 1]. Defaults to (0, 255) for uint8 and is required for any
            other dtype, e.g. ``(0, 1)`` or ``(-1, 1)`` for floats.

    Returns:
        A ``tf.data.Dataset`` of float32 batches of shape
        (batch_size, height, width, channels), or of ``(images, labels)``.

    Raises:
        TypeError: If `images` or `labels` is not numeric, or an argument
            has the wrong type.
        ValueError: If `images` has the wrong rank or channel count, mixed
            shapes, non-finite values or values outside `value_range`; if
            `value_range` is missing for a non-uint8 dtype; if `labels` has
            the wrong length; or if `batch_size` exceeds the number of
            images.

    Examples:
        >>> x = np.random.default_rng(0).integers(0, 256, (100, 32, 32, 3))
        >>> ds = from_arrays(x.astype("uint8"), batch_size=32, channels=1)
        >>> next(iter(ds)).shape
        TensorShape([32, 32, 32, 1])
    """
    raw = _stack_images(images)
    array = _pipeline.check_image_array(raw)
    value_range = _resolve_value_range(array, value_range)
    # Checked on `raw` so that reported indices match the caller's array.
    _pipeline.check_values(raw, value_range)
    num_examples = len(array)
    with_labels = labels is not None
    native = array.shape[1:]
    options = _pipeline.image_options(
        image_size, channels, batch_size, seed, with_labels, native=native
    )
    _pipeline.check_batch_fits(options.batch_size, num_examples, "`images`")
    if options.with_labels:
        labels = _pipeline.check_labels(labels, num_examples)
    return _pipeline.image_dataset(
        _pipeline.from_slices(array, labels),
        options=options,
        num_examples=num_examples,
        value_range=value_range,
        fixed_shape=True,
    )
