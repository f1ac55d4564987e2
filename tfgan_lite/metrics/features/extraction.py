"""Features and class probabilities of many images, a batch at a time."""

from __future__ import annotations

from typing import Any

import numpy as np

from tfgan_lite._validation import check_bool, check_int
from tfgan_lite.metrics.features._batches import batches, prepare
from tfgan_lite.metrics.features.extractor import FeatureExtractor

__all__ = ["extract", "extract_all", "extract_probabilities"]

# Rows of class probabilities must sum to 1 within this; float32 softmax
# rows are off by ~1e-7, rows off by more are logits or scores.
_SUM_TOLERANCE = 1e-3


def extract(
    extractor: FeatureExtractor,
    images: Any,
    *,
    batch_size: int = 256,
    quantize: bool = True,
) -> np.ndarray:
    """The features of every image, computed a batch at a time.

    Args:
        extractor: A :class:`FeatureExtractor`.
        images: One of

            * a numpy array (or eager tensor) of shape (N, H, W) or
              (N, H, W, C), C in {1, 3}: floats in [-1, 1] or uint8 pixels
              in [0, 255];
            * a ``tf.data.Dataset`` whose elements are images or
              ``(images, labels, ...)`` tuples (only the first component is
              used), either batched, (n, H, W, C), or single images,
              (H, W, C) or (H, W);
            * an iterator (e.g. a generator) of batches, each an array as
              above or an ``(images, labels, ...)`` tuple.

            Any H and W: images are resized to ``extractor.image_size``.
        batch_size: Images per call of the extractor. The features do not
            depend on it beyond float rounding (about 1e-6).
        quantize: Whether to round float images to the uint8 grid first,
            as saving them to PNG would (see the module docstring).

    Returns:
        A float32 array of shape (N, D), in the order of `images`.

    Raises:
        TypeError: If `images` is of an unsupported kind or dtype (float and
            uint8 are accepted), or an argument has the wrong type.
        ValueError: If `images` has the wrong rank or channels, holds NaN or
            inf, holds floats outside [-1, 1], or is empty.

    Example:
        >>> from tfgan_lite.metrics.features import random_embedding
        >>> extractor = random_embedding(seed=0, dim=16)
        >>> images = np.zeros((300, 32, 32, 3), np.float32)
        >>> extract(extractor, images, batch_size=128).shape
        (300, 16)
    """
    return _extract(extractor, images, batch_size, quantize, "features")[0]


def extract_probabilities(
    extractor: FeatureExtractor,
    images: Any,
    *,
    batch_size: int = 256,
    quantize: bool = True,
) -> np.ndarray:
    """The class probabilities of every image, computed a batch at a time.

    Takes the same arguments, and preprocesses the images the same way, as
    :func:`extract`.

    Returns:
        A float32 array of shape (N, C) whose rows sum to 1.

    Raises:
        ValueError: If `extractor` has no `probabilities`, or returns rows
            that are not probabilities; else as :func:`extract`.

    Example:
        >>> from tfgan_lite.metrics.features import digits_classifier
        >>> images = np.full((2, 28, 28), -1.0, np.float32)
        >>> p = extract_probabilities(digits_classifier(), images)
        >>> p.shape, bool(np.allclose(p.sum(axis=1), 1.0, atol=1e-5))
        ((2, 10), True)
    """
    return _extract(extractor, images, batch_size, quantize, "probabilities")[0]


def extract_all(
    extractor: FeatureExtractor,
    images: Any,
    *,
    batch_size: int = 256,
    quantize: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Features and class probabilities of every image, in one pass.

    Takes the same arguments as :func:`extract`. Each batch is prepared
    once, and the network runs once per batch when the extractor has a
    `joint` callable (every classifier of this module does).

    Returns:
        ``(features, probabilities)``: float32 arrays of shapes (N, D) and
        (N, C).

    Raises:
        ValueError: If `extractor` has no `probabilities`; else as
            :func:`extract_probabilities`.
    """
    return _extract(extractor, images, batch_size, quantize, "all")


def _extract(
    extractor: Any, images: Any, batch_size: Any, quantize: Any, want: str
) -> tuple[np.ndarray, ...]:
    if not isinstance(extractor, FeatureExtractor):
        raise TypeError(
            f"`extractor` must be a FeatureExtractor, got "
            f"{type(extractor).__name__}. Wrap a Keras model with "
            f"from_model(model, name=...)."
        )
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    quantize = check_bool(quantize, "quantize")
    if want != "features" and extractor.probabilities is None:
        raise ValueError(
            f"The extractor {extractor.name!r} is not a classifier: it has "
            f"no `probabilities`. Use extract() for its features, or a "
            f"classifier such as digits_classifier()."
        )
    if want == "features":
        calls = (extractor.features,)
    elif want == "probabilities":
        calls = (extractor.probabilities,)
    else:
        calls = (extractor.features, extractor.probabilities)
    parts: list[list[np.ndarray]] = [[] for _ in calls]
    count = 0
    for batch, where in batches(images, batch_size):
        x = prepare(batch, where, extractor, quantize)
        if len(calls) == 2 and extractor.joint is not None:
            outputs = extractor.joint(x)
        else:
            outputs = tuple(call(x) for call in calls)
        for i, output in enumerate(outputs):
            parts[i].append(_as_rows(output, len(batch), extractor, where))
        count += len(batch)
    if not count:
        raise ValueError(
            "`images` holds no images: pass at least one (an empty array or "
            "dataset has nothing to measure)."
        )
    results = tuple(_concatenate(p, extractor) for p in parts)
    if want != "features":
        _check_probabilities(results[-1], extractor)
    return results


def _concatenate(parts: list[np.ndarray], extractor) -> np.ndarray:
    widths = {p.shape[1] for p in parts}
    if len(widths) > 1:
        raise ValueError(
            f"The extractor {extractor.name!r} returned rows of different "
            f"widths {sorted(widths)} for different batches."
        )
    return np.concatenate(parts, axis=0)


def _as_rows(output: Any, n: int, extractor, where: str) -> np.ndarray:
    array = np.asarray(output, dtype=np.float32)
    if array.ndim != 2 or array.shape[0] != n:
        raise ValueError(
            f"The extractor {extractor.name!r} must return one row per image, "
            f"shape ({n}, D), but returned shape {array.shape} for {where}."
        )
    return array


def _check_probabilities(p: np.ndarray, extractor) -> None:
    sums = p.sum(axis=1)
    off = np.flatnonzero(np.abs(sums - 1.0) > _SUM_TOLERANCE)
    if np.any(p < 0.0) or len(off):
        raise ValueError(
            f"The extractor {extractor.name!r} must return class "
            f"probabilities (non-negative rows summing to 1), but "
            f"{len(off)} rows do not sum to 1 or hold negative values. Does "
            f"the model end in a softmax?"
        )
