"""Input pipelines: every source becomes batches of float32 images in [-1, 1].

All image sources go through the same steps, in this order:

1. Scale to [-1, 1]. uint8 images are read as [0, 255]; any other dtype must
   declare its range with ``value_range=(low, high)`` (for example ``(0, 1)``
   or ``(-1, 1)``), because guessing the range of a float array is how a
   pipeline silently trains on images in [-1, -0.99].
2. Crop (only CelebA: a centered 140x140 face crop).
3. Convert channels: grayscale is repeated to RGB; RGB becomes grayscale with
   the ITU-R BT.601 luma weights (0.299, 0.587, 0.114), which sum to exactly 1
   so that -1 and 1 stay -1 and 1.
4. Resize to ``image_size`` with antialiased bilinear interpolation, so that
   images of mixed sizes (folders, CycleGAN) come out the same size.
5. Cache the preprocessed examples in memory when they take at most
   ``CACHE_LIMIT_BYTES`` (2 GiB) as float32 (MNIST: 188 MB, CIFAR-10 at
   32x32: 629 MB); larger sources (CelebA at 64x64: 8 GB) are streamed.
6. Shuffle with ``seed`` (the whole dataset when it is cached, else a 10,000
   example buffer), batch with ``drop_remainder=True`` so every batch has
   ``batch_size`` examples, and prefetch with ``tf.data.AUTOTUNE``.

The shuffle order is reshuffled every epoch; it is a function of ``seed`` and
of TensorFlow's global seed (``keras.utils.set_random_seed``), so a program
that sets both sees the same batches on every run.

With ``with_labels=True`` (or ``labels=`` for arrays) elements are
``(images, labels)`` pairs, which ``GAN.fit`` accepts and ignores, and a
conditional model can use.

Example:
    >>> import tfgan_lite
    >>> ds = tfgan_lite.data.digits(image_size=(28, 28), batch_size=64)
    >>> batch = next(iter(ds))  # float32, shape (64, 28, 28, 1), in [-1, 1]
"""

from __future__ import annotations

import math
import numbers
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

__all__ = [
    "CACHE_LIMIT_BYTES",
    "CYCLE_GAN_PAIRS",
    "SUPPORTED_TFDS",
    "cycle_gan_pair",
    "digits",
    "from_arrays",
    "from_folder",
    "from_tfds",
    "grid",
    "load",
    "mixture_dataset",
    "ring",
]

SUPPORTED_TFDS = ("mnist", "fashion_mnist", "cifar10", "celeb_a")

# The configs of tfds "cycle_gan" (4.9.x). Kept here so that a misspelled
# name fails at once, without importing or downloading anything.
CYCLE_GAN_PAIRS = (
    "apple2orange",
    "summer2winter_yosemite",
    "horse2zebra",
    "monet2photo",
    "cezanne2photo",
    "ukiyoe2photo",
    "vangogh2photo",
    "maps",
    "facades",
    "iphone2dslr_flower",
)

CACHE_LIMIT_BYTES = 2 * 1024**3

# Shuffle buffer for sources too large to cache: 10,000 64x64 RGB images are
# about 0.5 GB of float32, and mix examples from many files.
_STREAM_SHUFFLE_BUFFER = 10_000

# Fixed-size sources are preprocessed this many examples at a time: one
# vectorized resize is far cheaper than thousands of tiny ones.
_PREPROCESS_CHUNK = 256

_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif")

# ITU-R BT.601 luma weights; they sum to 1 so the range [-1, 1] is kept.
_LUMA_WEIGHTS = (0.299, 0.587, 0.114)

# Native (height, width, channels) of each tfds source after any crop.
_TFDS_NATIVE = {
    "mnist": (28, 28, 1),
    "fashion_mnist": (28, 28, 1),
    "cifar10": (32, 32, 3),
    # CelebA is 218x178; the 140x140 face crop is usually trained at 64x64.
    "celeb_a": (64, 64, 3),
    "cycle_gan": (256, 256, 3),
}

_CELEB_A_CROP = (140, 140)

_CYCLE_GAN_SPLITS = ("trainA", "trainB", "testA", "testB")

_UINT8_RANGE = (0.0, 255.0)


# --------------------------------------------------------------------------
# Argument checks.


def _check_positive_int(name: str, value: Any) -> int:
    # bool is an int subclass, but batch_size=True is always a mistake.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"`{name}` must be a positive int, got {value!r} of type "
            f"{type(value).__name__}."
        )
    if value <= 0:
        raise ValueError(f"`{name}` must be a positive int, got {value!r}.")
    return int(value)


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"`seed` must be an int, got {seed!r} of type "
            f"{type(seed).__name__}. Pass for example seed=0."
        )
    if seed < 0:
        raise ValueError(f"`seed` must be non-negative, got {seed}.")
    return int(seed)


def _check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(
            f"`{name}` must be a bool, got {value!r}. Pass {name}=True or "
            f"{name}=False."
        )
    return value


def _check_image_size(image_size: Any) -> tuple[int, int]:
    if (
        not isinstance(image_size, Sequence)
        or isinstance(image_size, str)
        or len(image_size) != 2
    ):
        raise TypeError(
            f"`image_size` must be a (height, width) pair, got "
            f"{image_size!r}. Pass for example image_size=(64, 64)."
        )
    height, width = image_size
    return (
        _check_positive_int("image_size[0]", height),
        _check_positive_int("image_size[1]", width),
    )


def _check_channels(channels: Any) -> int:
    if isinstance(channels, bool) or channels not in (1, 3):
        raise ValueError(
            f"`channels` must be 1 (grayscale) or 3 (RGB), got {channels!r}."
        )
    return int(channels)


def _check_value_range(value_range: Any) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value_range)
    except (TypeError, ValueError):
        raise TypeError(
            f"`value_range` must be a (low, high) pair of numbers, got "
            f"{value_range!r}. Pass for example value_range=(0, 1)."
        ) from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(
            f"`value_range` must be finite with low < high, got "
            f"{value_range!r}."
        )
    return low, high


def _check_batch_fits(batch_size: int, num_examples: int, source: str) -> None:
    # With drop_remainder=True such a dataset would yield nothing at all.
    if batch_size > num_examples:
        raise ValueError(
            f"batch_size={batch_size} is larger than the {num_examples} "
            f"examples of {source}, so no full batch can be formed. Pass a "
            f"batch_size of at most {num_examples}."
        )


# --------------------------------------------------------------------------
# Image preprocessing; each works on one image (H, W, C) or a batch of them.


def _scale_to_unit_range(
    images: tf.Tensor, value_range: tuple[float, float]
) -> tf.Tensor:
    """Maps [low, high] linearly onto [-1, 1]."""
    low, high = value_range
    # (x - mid) / half is exact at low, mid and high for (0, 255), (0, 1)
    # and (-1, 1), unlike x * (2 / (high - low)) - 1.
    mid = (low + high) / 2.0
    half = (high - low) / 2.0
    return (tf.cast(images, tf.float32) - mid) / half


def _center_crop(images: tf.Tensor, size: tuple[int, int]) -> tf.Tensor:
    height, width = size
    shape = tf.shape(images)
    top = (shape[-3] - height) // 2
    left = (shape[-2] - width) // 2
    return images[..., top : top + height, left : left + width, :]


def _convert_channels(images: tf.Tensor, channels: int) -> tf.Tensor:
    have = images.shape[-1]
    if have == channels:
        return images
    if have == 1:
        return tf.repeat(images, channels, axis=-1)
    weights = tf.constant(_LUMA_WEIGHTS, tf.float32)
    return tf.reduce_sum(images * weights, axis=-1, keepdims=True)


def _resize(images: tf.Tensor, image_size: tuple[int, int]) -> tf.Tensor:
    if tuple(images.shape[-3:-1]) == image_size:
        return images  # Statically the right size: leave values untouched.
    # Antialiasing matters when shrinking (CelebA, CycleGAN); when enlarging
    # it is plain bilinear interpolation.
    return tf.image.resize(
        images, image_size, method="bilinear", antialias=True
    )


def _preprocess(
    images: tf.Tensor,
    *,
    value_range: tuple[float, float],
    image_size: tuple[int, int],
    channels: int,
    crop: tuple[int, int] | None = None,
) -> tf.Tensor:
    """Scales, crops, converts channels and resizes, in that order."""
    x = _scale_to_unit_range(images, value_range)
    if crop is not None:
        x = _center_crop(x, crop)
    # Reduce to grayscale before resizing and expand to RGB after: both
    # steps are linear, so the order only changes the cost.
    if channels < x.shape[-1]:
        x = _convert_channels(x, channels)
    x = _resize(x, image_size)
    x = _convert_channels(x, channels)
    # Float rounding in the resize can step a hair outside [-1, 1].
    return tf.clip_by_value(x, -1.0, 1.0)


def _map_images(
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
        ds.batch(_PREPROCESS_CHUNK)
        .map(apply, num_parallel_calls=tf.data.AUTOTUNE)
        .unbatch()
    )


def _example_bytes(ds: tf.data.Dataset) -> int | None:
    """Bytes of one example from its element spec; None if not static."""
    total = 0
    for spec in tf.nest.flatten(ds.element_spec):
        elements = spec.shape.num_elements()
        if elements is None:
            return None
        total += elements * spec.dtype.size
    return total


def _finish(
    ds: tf.data.Dataset, *, num_examples: int, batch_size: int, seed: int
) -> tf.data.Dataset:
    """Caches (if it fits), shuffles, batches and prefetches."""
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
        buffer = _STREAM_SHUFFLE_BUFFER
        if num_examples >= 0:
            buffer = min(buffer, num_examples)
    ds = ds.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=True)
    return ds.prefetch(tf.data.AUTOTUNE)


# --------------------------------------------------------------------------
# NumPy arrays.


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


def _check_image_array(images: np.ndarray) -> np.ndarray:
    """Validates rank, dtype and channels; returns an (N, H, W, C) array."""
    if images.dtype == bool or not np.issubdtype(images.dtype, np.number):
        raise TypeError(
            f"`images` must hold numbers, got dtype {images.dtype}. Pass "
            f"uint8 in [0, 255] or floats with a `value_range`."
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
    if images.shape[-1] not in (1, 3):
        hint = " Drop the alpha channel: images[..., :3]." * (
            images.shape[-1] == 4
        )
        raise ValueError(
            f"`images` must have 1 or 3 channels on the last axis, got "
            f"shape {images.shape} with {images.shape[-1]} channels.{hint}"
        )
    return images


def _first_index(mask: np.ndarray) -> str:
    """The first True position of `mask`, written as "i, j, k"."""
    return ", ".join(str(int(i)) for i in np.argwhere(mask)[0])


def _check_values(images: np.ndarray, value_range: tuple[float, float]) -> None:
    """Rejects NaN/inf and values outside the declared range."""
    if np.issubdtype(images.dtype, np.floating):
        bad = ~np.isfinite(images)
        count = int(bad.sum())
        if count:
            index = _first_index(bad)
            raise ValueError(
                f"`images` holds {count} non-finite values (NaN or inf); the "
                f"first is images[{index}]. Remove or repair those images "
                f"first."
            )
    low, high = value_range
    outside = (images < low) | (images > high)
    count = int(outside.sum())
    if count:
        index = _first_index(outside)
        raise ValueError(
            f"`images` holds {count} values outside value_range={low, high} "
            f"(min {images.min()}, max {images.max()}); the first is "
            f"images[{index}]. Pass the range the data is really in, e.g. "
            f"value_range=(0, 255) or (-1, 1)."
        )


def _resolve_value_range(
    images: np.ndarray, value_range: Any
) -> tuple[float, float]:
    if value_range is not None:
        return _check_value_range(value_range)
    if images.dtype == np.uint8:
        return _UINT8_RANGE
    raise ValueError(
        f"`images` has dtype {images.dtype}, so its value range cannot be "
        f"known: pass value_range=(0, 1), (-1, 1) or (0, 255) (or the "
        f"actual (low, high)). Only uint8 defaults to (0, 255)."
    )


def _check_labels(labels: Any, num_examples: int) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.dtype != bool and not np.issubdtype(labels.dtype, np.number):
        raise TypeError(
            f"`labels` must be numeric (class ids or vectors), got dtype "
            f"{labels.dtype}. Map class names to integers first."
        )
    if labels.ndim == 0 or labels.shape[0] != num_examples:
        raise ValueError(
            f"`labels` must have one entry per image: expected length "
            f"{num_examples}, got shape {labels.shape}."
        )
    return labels


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

    Example:
        >>> x = np.random.default_rng(0).integers(0, 256, (100, 32, 32, 3))
        >>> ds = from_arrays(x.astype("uint8"), batch_size=32, channels=1)
        >>> next(iter(ds)).shape
        TensorShape([32, 32, 32, 1])
    """
    raw = _stack_images(images)
    array = _check_image_array(raw)
    value_range = _resolve_value_range(array, value_range)
    # Checked on `raw` so that reported indices match the caller's array.
    _check_values(raw, value_range)
    num_examples, height, width, have_channels = array.shape
    image_size = (
        (height, width) if image_size is None else _check_image_size(image_size)
    )
    channels = have_channels if channels is None else _check_channels(channels)
    batch_size = _check_positive_int("batch_size", batch_size)
    seed = _check_seed(seed)
    _check_batch_fits(batch_size, num_examples, "`images`")

    with_labels = labels is not None
    if with_labels:
        labels = _check_labels(labels, num_examples)
        ds = tf.data.Dataset.from_tensor_slices((array, labels))
    else:
        ds = tf.data.Dataset.from_tensor_slices(array)

    def preprocess(x):
        return _preprocess(
            x, value_range=value_range, image_size=image_size, channels=channels
        )

    ds = _map_images(ds, preprocess, with_labels=with_labels, fixed_shape=True)
    return _finish(
        ds, num_examples=num_examples, batch_size=batch_size, seed=seed
    )


# --------------------------------------------------------------------------
# scikit-learn digits.


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

    Example:
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
    _check_bool("with_labels", with_labels)
    bunch = load_digits()
    labels = bunch.target.astype(np.int64) if with_labels else None
    return from_arrays(
        bunch.images.astype(np.float32),
        labels,
        image_size=image_size,
        channels=channels,
        batch_size=batch_size,
        seed=seed,
        value_range=(0, 16),
    )


# --------------------------------------------------------------------------
# Image folders.


def _list_image_files(root: Path) -> list[Path]:
    # Sorted so that the dataset (and so the shuffle) is the same every run.
    return sorted(
        path
        for path in root.rglob("*")
        if path.suffix.lower() in _IMAGE_EXTENSIONS and path.is_file()
    )


def _folder_labels(
    root: Path, files: list[Path]
) -> tuple[list[int], list[str]]:
    """Labels each file by its top-level subfolder (sorted names)."""
    tops = [path.relative_to(root).parts for path in files]
    loose = [str(files[i]) for i, parts in enumerate(tops) if len(parts) == 1]
    if loose:
        raise ValueError(
            f"with_labels=True needs one subfolder per class in {root}, but "
            f"{len(loose)} images lie directly in it (e.g. {loose[0]}). Move "
            f"them into class subfolders, or pass with_labels=False."
        )
    class_names = sorted({parts[0] for parts in tops})
    index = {name: i for i, name in enumerate(class_names)}
    return [index[parts[0]] for parts in tops], class_names


def _decode_image_file(path: tf.Tensor) -> tf.Tensor:
    # Always decode as RGB (alpha dropped, gray repeated, GIFs' first frame)
    # so every file has a known channel count; conversion comes later.
    image = tf.io.decode_image(
        tf.io.read_file(path), channels=3, expand_animations=False
    )
    image.set_shape([None, None, 3])
    return image


def from_folder(
    path: str | os.PathLike,
    *,
    image_size: tuple[int, int] = (64, 64),
    channels: int = 3,
    batch_size: int = 64,
    seed: int = 0,
    with_labels: bool = False,
) -> tf.data.Dataset:
    """Builds a batched [-1, 1] image dataset from a folder of image files.

    Every .jpg, .jpeg, .png, .bmp and .gif file under `path` (searched
    recursively, extension case ignored) is used. Images of any size are
    resized to `image_size` (antialiased bilinear, aspect ratio not kept),
    and any channel count is converted to `channels` (alpha is dropped; the
    first frame of a GIF is used).

    With ``with_labels=True`` each image is labelled by the subfolder of
    `path` that holds it (class ids follow the sorted subfolder names, as in
    ``keras.utils.image_dataset_from_directory``), and the dataset gets a
    ``class_names`` attribute.

    Args:
        path: The folder.
        image_size: Output (height, width).
        channels: Output channels, 1 or 3.
        batch_size: Examples per batch; the last partial batch is dropped.
        seed: Seed of the shuffle.
        with_labels: If True, elements are ``(images, labels)`` with int64
            class ids.

    Returns:
        A ``tf.data.Dataset`` of float32 batches of shape
        (batch_size, height, width, channels), or of ``(images, labels)``.

    Raises:
        FileNotFoundError: If `path` does not exist.
        NotADirectoryError: If `path` is a file.
        ValueError: If the folder holds no images, if `batch_size` exceeds
            their number, or if ``with_labels=True`` and images lie outside
            class subfolders.

    Example:
        >>> ds = from_folder("photos/", image_size=(64, 64), batch_size=16)
    """
    root = Path(path).expanduser()
    if not root.exists():
        raise FileNotFoundError(
            f"Image folder {str(root)!r} does not exist. Pass the path of a "
            f"folder that holds .jpg/.png/.bmp/.gif files (absolute, or "
            f"relative to {os.getcwd()!r})."
        )
    if not root.is_dir():
        raise NotADirectoryError(
            f"{str(root)!r} is a file, not a folder. Pass the folder that "
            f"holds the images, or load a single array with from_arrays()."
        )
    image_size = _check_image_size(image_size)
    channels = _check_channels(channels)
    batch_size = _check_positive_int("batch_size", batch_size)
    seed = _check_seed(seed)
    _check_bool("with_labels", with_labels)
    files = _list_image_files(root)
    if not files:
        raise ValueError(
            f"Folder {str(root)!r} holds no images (searched recursively "
            f"for {', '.join(_IMAGE_EXTENSIONS)}). Add image files or pass "
            f"another folder."
        )
    _check_batch_fits(batch_size, len(files), f"folder {str(root)!r}")

    paths = [str(file) for file in files]
    class_names = None
    if with_labels:
        labels, class_names = _folder_labels(root, files)
        ds = tf.data.Dataset.from_tensor_slices(
            (paths, np.asarray(labels, np.int64))
        )
    else:
        ds = tf.data.Dataset.from_tensor_slices(paths)

    def load_file(file):
        return _preprocess(
            _decode_image_file(file),
            value_range=_UINT8_RANGE,
            image_size=image_size,
            channels=channels,
        )

    ds = _map_images(ds, load_file, with_labels=with_labels, fixed_shape=False)
    ds = _finish(ds, num_examples=len(files), batch_size=batch_size, seed=seed)
    if class_names is not None:
        ds.class_names = class_names
    return ds


# --------------------------------------------------------------------------
# TensorFlow Datasets.


def _split_tfds_name(name: Any) -> tuple[str, str | None]:
    """Returns (dataset, cycle_gan_pair or None), or raises ValueError."""
    if isinstance(name, str):
        if name in SUPPORTED_TFDS:
            return name, None
        family, _, pair = name.partition("/")
        if family == "cycle_gan" and pair in CYCLE_GAN_PAIRS:
            return family, pair
    raise ValueError(
        f"Unknown dataset {name!r}. Supported: "
        f"{', '.join(SUPPORTED_TFDS)}, and cycle_gan/<pair> with <pair> one "
        f"of {', '.join(CYCLE_GAN_PAIRS)}."
    )


def _check_cycle_gan_split(split: str, name: str) -> None:
    # Checked here because tfds only knows split names after downloading.
    base = re.split(r"[\[+]", split, maxsplit=1)[0]
    if base not in _CYCLE_GAN_SPLITS:
        raise ValueError(
            f"{name} has the splits {', '.join(_CYCLE_GAN_SPLITS)} (A and B "
            f"are the two domains), got split={split!r}. Pass "
            f"split='trainA' for one domain, or use cycle_gan_pair() for "
            f"both."
        )


def from_tfds(
    name: str,
    *,
    split: str = "train",
    image_size: tuple[int, int] | None = None,
    channels: int | None = None,
    batch_size: int = 64,
    seed: int = 0,
    with_labels: bool = False,
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
) -> tf.data.Dataset:
    """Builds a batched [-1, 1] image dataset from TensorFlow Datasets.

    The data is downloaded and prepared by tfds on first use (into
    `data_dir`, default ``~/tensorflow_datasets``). Supported:

    - ``mnist``: 28x28 gray digits, http://yann.lecun.com/exdb/mnist/
    - ``fashion_mnist``: 28x28 gray clothes (Xiao et al. 2017,
      https://arxiv.org/abs/1708.07747)
    - ``cifar10``: 32x32 RGB objects,
      https://www.cs.toronto.edu/~kriz/cifar.html
    - ``celeb_a``: 218x178 RGB faces (Liu et al. 2015,
      https://arxiv.org/abs/1411.7766). The face region is taken with a
      centered 140x140 crop (rows 39..178, columns 19..158), as is common
      for GANs, then resized, by default to 64x64.
    - ``cycle_gan/<pair>``: one domain of an unpaired translation set
      (Zhu et al. 2017, https://arxiv.org/abs/1703.10593), with splits
      trainA, trainB, testA, testB; 256x256 RGB, no augmentation. See
      ``cycle_gan_pair`` for both domains at once.

    Args:
        name: One of ``SUPPORTED_TFDS``, or ``"cycle_gan/<pair>"`` with
            <pair> in ``CYCLE_GAN_PAIRS``.
        split: A tfds split, e.g. "train", "test" or "train[:10%]".
        image_size: Output (height, width); None keeps the native size (for
            CelebA: 64x64; CycleGAN: 256x256).
        channels: Output channels, 1 or 3; None keeps the native ones.
        batch_size: Examples per batch; the last partial batch is dropped.
        seed: Seed of the file order and of the shuffle.
        with_labels: If True, elements are ``(images, labels)`` with int64
            class ids (for CycleGAN: 0 for domain A, 1 for domain B).
        data_dir: Where tfds stores the data.
        download: If False, only already prepared data is used.

    Returns:
        A ``tf.data.Dataset`` of float32 batches of shape
        (batch_size, height, width, channels), or of ``(images, labels)``.

    Raises:
        ValueError: If `name` or a CycleGAN split is unknown, if
            ``with_labels=True`` for CelebA (it has 40 binary attributes,
            not a class label), or if `batch_size` exceeds the split size.

    Example:
        >>> ds = from_tfds("cifar10", image_size=(32, 32), batch_size=128)
    """
    dataset, pair = _split_tfds_name(name)
    if pair is not None:
        _check_cycle_gan_split(split, name)
    native = _TFDS_NATIVE[dataset]
    image_size = (
        native[:2] if image_size is None else _check_image_size(image_size)
    )
    channels = native[2] if channels is None else _check_channels(channels)
    batch_size = _check_positive_int("batch_size", batch_size)
    seed = _check_seed(seed)
    _check_bool("with_labels", with_labels)
    if with_labels and dataset == "celeb_a":
        raise ValueError(
            "celeb_a has 40 binary attributes, not a class label, so "
            "with_labels=True is not supported for it. Pass "
            "with_labels=False, or load it with tensorflow_datasets "
            "directly to use the attributes."
        )

    import tensorflow_datasets as tfds  # Slow import: only when needed.

    source = tfds.load(
        name,
        split=split,
        data_dir=None if data_dir is None else os.fspath(data_dir),
        download=download,
        shuffle_files=True,
        read_config=tfds.ReadConfig(shuffle_seed=seed),
    )
    num_examples = int(source.cardinality())
    if num_examples >= 0:
        _check_batch_fits(batch_size, num_examples, f"{name} split {split!r}")

    if with_labels:
        ds = source.map(lambda ex: (ex["image"], ex["label"]))
    else:
        ds = source.map(lambda ex: ex["image"])

    crop = _CELEB_A_CROP if dataset == "celeb_a" else None

    def preprocess(x):
        return _preprocess(
            x,
            value_range=_UINT8_RANGE,
            image_size=image_size,
            channels=channels,
            crop=crop,
        )

    # CycleGAN images are not all the same size, so they cannot be chunked.
    fixed_shape = source.element_spec["image"].shape.is_fully_defined()
    ds = _map_images(
        ds, preprocess, with_labels=with_labels, fixed_shape=fixed_shape
    )
    return _finish(
        ds, num_examples=num_examples, batch_size=batch_size, seed=seed
    )


def cycle_gan_pair(
    name: str,
    *,
    split: str = "train",
    image_size: tuple[int, int] | None = None,
    channels: int | None = None,
    batch_size: int = 1,
    seed: int = 0,
    with_labels: bool = False,
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
) -> tuple[tf.data.Dataset, tf.data.Dataset]:
    """Both domains of a CycleGAN dataset, as two independent datasets.

    The domains are unpaired (Zhu et al. 2017,
    https://arxiv.org/abs/1703.10593; data:
    https://www.tensorflow.org/datasets/catalog/cycle_gan), so domain A is
    shuffled with `seed` and domain B with ``seed + 1``: zipping them gives
    random pairs, not the same index in both.

    Args:
        name: A pair in ``CYCLE_GAN_PAIRS`` such as "horse2zebra", or the
            tfds name "cycle_gan/horse2zebra".
        split: "train" (trainA, trainB) or "test" (testA, testB), optionally
            with a tfds slice such as "train[:50%]".
        image_size: Output (height, width); None keeps 256x256.
        channels: Output channels, 1 or 3; None keeps 3.
        batch_size: Examples per batch (CycleGAN itself trains with 1).
        seed: Seed of domain A; domain B uses ``seed + 1``.
        with_labels: If True, elements are ``(images, labels)``.
        data_dir: Where tfds stores the data.
        download: If False, only already prepared data is used.

    Returns:
        ``(domain_a, domain_b)``, two datasets as from ``from_tfds``.

    Raises:
        ValueError: If `name` is not a known pair or `split` is not "train"
            or "test" (with an optional slice).

    Example:
        >>> horses, zebras = cycle_gan_pair("horse2zebra", batch_size=1)
        >>> pairs = tf.data.Dataset.zip((horses, zebras))
    """
    if not isinstance(name, str):
        raise TypeError(f"`name` must be a str, got {name!r}.")
    full_name = name if name.startswith("cycle_gan/") else f"cycle_gan/{name}"
    _split_tfds_name(full_name)
    match = re.fullmatch(r"(train|test)(\[.*\])?", str(split))
    if match is None:
        raise ValueError(
            f"cycle_gan_pair() takes split='train' or split='test' (with an "
            f"optional slice such as 'train[:50%]'), got {split!r}. For a "
            f"single domain use from_tfds({full_name!r}, split='trainA')."
        )
    seed = _check_seed(seed)
    base, piece = match.group(1), match.group(2) or ""
    kwargs = dict(
        image_size=image_size,
        channels=channels,
        batch_size=batch_size,
        with_labels=with_labels,
        data_dir=data_dir,
        download=download,
    )
    domain_a = from_tfds(
        full_name, split=f"{base}A{piece}", seed=seed, **kwargs
    )
    domain_b = from_tfds(
        full_name, split=f"{base}B{piece}", seed=seed + 1, **kwargs
    )
    return domain_a, domain_b


# --------------------------------------------------------------------------
# 2-D Gaussian mixtures.


def _sample_mixture(
    centers: np.ndarray, n: int, std: float, seed: int
) -> np.ndarray:
    """n points: a uniformly drawn center plus isotropic Gaussian noise."""
    rng = np.random.default_rng(seed)
    modes = rng.integers(0, len(centers), size=n)
    noise = rng.normal(0.0, std, size=(n, centers.shape[1]))
    return (centers[modes] + noise).astype(np.float32)


def _check_std(std: Any) -> float:
    if isinstance(std, bool) or not isinstance(std, numbers.Real):
        raise TypeError(f"`std` must be a number, got {std!r}.")
    if not (math.isfinite(std) and std >= 0):
        raise ValueError(f"`std` must be finite and >= 0, got {std!r}.")
    return float(std)


def ring(
    n: int,
    *,
    modes: int = 8,
    radius: float = 1.0,
    std: float = 0.01,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Samples a ring of Gaussians, the 2D-ring mode-collapse benchmark.

    Mode k is centred at ``radius * (cos(2 pi k / modes), sin(2 pi k /
    modes))``; each point picks a mode uniformly at random. The defaults
    are the 2D-ring of PacGAN (Lin et al. 2018,
    https://arxiv.org/abs/1712.04086): 8 modes on the unit circle with
    standard deviation 0.01.

    Args:
        n: Number of points.
        modes: Number of modes.
        radius: Radius of the ring.
        std: Standard deviation of each Gaussian, per coordinate.
        seed: Seed of the sampling.

    Returns:
        ``(points, centers)``: float32 arrays of shape (n, 2) and
        (modes, 2).

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If `n`, `modes` or `radius` is not positive or `std`
            is negative.

    Example:
        >>> points, centers = ring(10_000)
        >>> ds = mixture_dataset(points, batch_size=100)
    """
    n = _check_positive_int("n", n)
    modes = _check_positive_int("modes", modes)
    std = _check_std(std)
    seed = _check_seed(seed)
    if not (isinstance(radius, numbers.Real) and radius > 0):
        raise ValueError(f"`radius` must be a positive number, got {radius!r}.")
    angles = 2.0 * np.pi * np.arange(modes) / modes
    centers = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return _sample_mixture(centers, n, std, seed), centers.astype(np.float32)


def grid(
    n: int,
    *,
    side: int = 5,
    spacing: float = 2.0,
    std: float = 0.05,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Samples a square grid of Gaussians, the 2D-grid benchmark.

    The ``side**2`` modes sit at ``spacing * (i - (side - 1) / 2)`` on each
    axis, listed row by row (x major); each point picks a mode uniformly at
    random. The defaults are the 2D-grid of PacGAN (Lin et al. 2018,
    https://arxiv.org/abs/1712.04086): 25 modes at {-4, -2, 0, 2, 4}^2 with
    standard deviation 0.05.

    Args:
        n: Number of points.
        side: Modes per row and per column.
        spacing: Distance between neighbouring modes.
        std: Standard deviation of each Gaussian, per coordinate.
        seed: Seed of the sampling.

    Returns:
        ``(points, centers)``: float32 arrays of shape (n, 2) and
        (side**2, 2).

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If `n`, `side` or `spacing` is not positive or `std`
            is negative.

    Example:
        >>> points, centers = grid(10_000)
        >>> centers[0], centers[-1]  # (-4, -4) and (4, 4)
    """
    n = _check_positive_int("n", n)
    side = _check_positive_int("side", side)
    std = _check_std(std)
    seed = _check_seed(seed)
    if not (isinstance(spacing, numbers.Real) and spacing > 0):
        raise ValueError(
            f"`spacing` must be a positive number, got {spacing!r}."
        )
    axis = spacing * (np.arange(side) - (side - 1) / 2.0)
    xs, ys = np.meshgrid(axis, axis, indexing="ij")
    centers = np.stack([xs.ravel(), ys.ravel()], axis=1)
    return _sample_mixture(centers, n, std, seed), centers.astype(np.float32)


def mixture_dataset(
    points: Any, *, batch_size: int = 64, seed: int = 0
) -> tf.data.Dataset:
    """Batches points (e.g. from ``ring`` or ``grid``) into a dataset.

    Args:
        points: Array of shape (n, d) of finite numbers.
        batch_size: Points per batch; the last partial batch is dropped.
        seed: Seed of the shuffle.

    Returns:
        A ``tf.data.Dataset`` of float32 batches of shape (batch_size, d).

    Raises:
        ValueError: If `points` is not 2-D, holds NaN/inf, or has fewer
            than `batch_size` rows.

    Example:
        >>> ds = mixture_dataset(ring(10_000)[0], batch_size=100)
    """
    array = np.asarray(points)
    if not np.issubdtype(array.dtype, np.number) or array.dtype == bool:
        raise TypeError(f"`points` must be numeric, got dtype {array.dtype}.")
    if array.ndim != 2:
        raise ValueError(
            f"`points` must have shape (n, d), got shape {array.shape}."
        )
    array = array.astype(np.float32)
    bad = ~np.isfinite(array)
    if bad.any():
        raise ValueError(
            f"`points` holds {int(bad.sum())} non-finite values; the first "
            f"is points[{_first_index(bad)}]."
        )
    batch_size = _check_positive_int("batch_size", batch_size)
    seed = _check_seed(seed)
    _check_batch_fits(batch_size, len(array), "`points`")
    ds = tf.data.Dataset.from_tensor_slices(array)
    return _finish(
        ds, num_examples=len(array), batch_size=batch_size, seed=seed
    )


# --------------------------------------------------------------------------
# Single entry point.

_MIXTURES = {"ring": ring, "grid": grid}

# Points drawn by load("ring"/"grid") when the caller gives no `n`.
_DEFAULT_MIXTURE_SIZE = 100_000


def _load_mixture(name: str, kwargs: dict) -> tf.data.Dataset:
    kwargs = dict(kwargs)
    n = kwargs.pop("n", _DEFAULT_MIXTURE_SIZE)
    batch_size = kwargs.pop("batch_size", 64)
    seed = kwargs.pop("seed", 0)
    points, _ = _MIXTURES[name](n, seed=seed, **kwargs)
    return mixture_dataset(points, batch_size=batch_size, seed=seed)


def load(name_or_path: str | os.PathLike, **kwargs: Any) -> tf.data.Dataset:
    """Loads any supported source by name or folder path.

    - ``"digits"``: ``digits(**kwargs)``, offline.
    - a name in ``SUPPORTED_TFDS`` or ``"cycle_gan/<pair>"``:
      ``from_tfds(name, **kwargs)`` (for CycleGAN pass e.g.
      ``split="trainA"``; ``cycle_gan_pair`` gives both domains).
    - ``"ring"`` / ``"grid"``: the mixture with ``n`` points (default
      100,000), batched by ``mixture_dataset``; `batch_size` and `seed` go
      to both, other kwargs to ``ring`` / ``grid``.
    - a path to an existing folder: ``from_folder(path, **kwargs)``.

    Names win over folders: to load a folder called "mnist", pass
    "./mnist".

    Args:
        name_or_path: A source name or a folder path.
        **kwargs: Keyword arguments of the function chosen above.

    Returns:
        The ``tf.data.Dataset`` that function returns.

    Raises:
        ValueError: If `name_or_path` is neither a supported name nor an
            existing folder.
        TypeError: If `kwargs` does not fit the chosen function.

    Example:
        >>> ds = load("digits", batch_size=32)
        >>> ds = load("ring", n=10_000, batch_size=100)
    """
    key = os.fspath(name_or_path)
    if key == "digits":
        return digits(**kwargs)
    if key in _MIXTURES:
        return _load_mixture(key, kwargs)
    if key in SUPPORTED_TFDS or key.startswith("cycle_gan/"):
        return from_tfds(key, **kwargs)
    if Path(key).expanduser().is_dir():
        return from_folder(key, **kwargs)
    names = ("digits", *SUPPORTED_TFDS, "cycle_gan/<pair>", "ring", "grid")
    raise ValueError(
        f"{key!r} is neither a supported dataset nor an existing folder. "
        f"Supported names: {', '.join(names)} (pairs: "
        f"{', '.join(CYCLE_GAN_PAIRS)}). A path to a folder of images is "
        f"accepted too."
    )
