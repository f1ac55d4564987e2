"""Features that ClusteredGAN finds its clusters in: pixels or HOG.

k-means on raw pixels groups images by where the ink is and how bright
it is, so garments of one shape but different shades can fall apart and
garments of different shapes but one shade together. Histograms of
oriented gradients (Dalal & Triggs 2005,
https://doi.org/10.1109/CVPR.2005.177) describe a shape by its edges,
normalised locally, so brightness and contrast drop out. At 25 clusters,
the share of images in their cluster's most common class went from 0.65
to 0.74 on 4,000 Fashion-MNIST images, from 0.75 to 0.87 on 4,000 MNIST
digits and from 0.89 to 0.95 on the bundled digits
(docs/experiments/2026-12-07-hog-clusters.md).

Both are plain TensorFlow ops without resampling kernels, so they run
inside the compiled train step, under XLA and on every replica.
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

__all__ = ["FEATURES", "feature_size", "features"]

FEATURES = ("pixels", "hog")

# Pixels: images are area-downsampled to at most this side, so that the
# distances ignore pixel-level detail.
_PIXEL_SIDE = 14
# HOG: cells per side (7 cells of 4 pixels on 28x28), unsigned orientation
# bins, and the L2 norm's floor in each block of 2x2 cells.
_CELLS = 7
_BINS = 9
_EPSILON = 1e-3


def _cells(side: int) -> int:
    return max(2, min(_CELLS, side // 2))


def feature_size(kind: str, sample_shape: tuple) -> int:
    """Length of one sample's feature vector."""
    if kind == "hog":
        h, w = sample_shape[:2]
        return (_cells(h) - 1) * (_cells(w) - 1) * 4 * _BINS
    if len(sample_shape) != 3:
        return int(np.prod(sample_shape))
    h, w, c = sample_shape
    return min(h, _PIXEL_SIDE) * min(w, _PIXEL_SIDE) * c


def area_weights(size: int, new_size: int) -> tf.Tensor:
    """(new_size, size) float32 weights of area resampling along one axis.

    Output pixel i averages the input interval [i * r, (i + 1) * r) with
    r = size / new_size, each input pixel weighted by the length of its
    overlap with the interval, as ``tf.image.resize(method="area")`` does.
    """
    ratio = size / new_size
    starts = np.arange(new_size)[:, None] * ratio
    pixels = np.arange(size)[None, :]
    overlap = np.clip(
        np.minimum(starts + ratio, pixels + 1) - np.maximum(starts, pixels),
        0.0,
        None,
    )
    return tf.constant(overlap / ratio, tf.float32)


def _resize(x: tf.Tensor, height: int, width: int) -> tf.Tensor:
    """Area resize of (N, H, W, C) as two matrix products.

    XLA has no ResizeArea kernel, so jit_compile needs these.
    """
    h, w = x.shape[1], x.shape[2]
    if (h, w) == (height, width):
        return x
    return tf.einsum(
        "yh,nhwc,xw->nyxc",
        area_weights(h, height),
        x,
        area_weights(w, width),
    )


def _pixels(x: tf.Tensor) -> tf.Tensor:
    if x.shape.rank == 4:
        h, w = x.shape[1], x.shape[2]
        x = _resize(x, min(h, _PIXEL_SIDE), min(w, _PIXEL_SIDE))
    return tf.reshape(x, (tf.shape(x)[0], -1))


def _hog(x: tf.Tensor) -> tf.Tensor:
    h, w = x.shape[1], x.shape[2]
    gray = tf.reduce_mean(x, axis=-1)
    # Central differences; at the border the edge pixel is repeated.
    padded = tf.pad(gray, [[0, 0], [1, 1], [1, 1]], mode="SYMMETRIC")
    dx = (padded[:, 1:-1, 2:] - padded[:, 1:-1, :-2]) / 2.0
    dy = (padded[:, 2:, 1:-1] - padded[:, :-2, 1:-1]) / 2.0
    magnitude = tf.sqrt(dx**2 + dy**2)
    # Unsigned orientation in [0, pi), as a position among the bins; each
    # gradient votes into its two nearest bins, linearly.
    position = tf.math.floormod(tf.math.atan2(dy, dx), math.pi)
    position = position * (_BINS / math.pi)
    distance = tf.abs(position[..., None] - tf.range(_BINS, dtype=x.dtype))
    distance = tf.minimum(distance, _BINS - distance)
    votes = tf.maximum(1.0 - distance, 0.0) * magnitude[..., None]
    ch, cw = _cells(h), _cells(w)
    # Sums over each cell: the area average times the cell's pixels.
    cells = _resize(votes, ch, cw) * ((h / ch) * (w / cw))
    blocks = tf.concat(
        [
            cells[:, i : ch - 1 + i, j : cw - 1 + j]
            for i in (0, 1)
            for j in (0, 1)
        ],
        axis=-1,
    )
    blocks = blocks / tf.sqrt(
        tf.reduce_sum(blocks**2, -1, keepdims=True) + _EPSILON**2
    )
    flat = tf.reshape(blocks, (tf.shape(x)[0], -1))
    return tf.math.l2_normalize(flat, axis=1)


def features(kind: str, samples) -> tf.Tensor:
    """Flat float32 clustering features of a batch of samples.

    Args:
        kind: "pixels" (images area-downsampled to at most 14 pixels a
            side; other samples as they are) or "hog" (images only).
        samples: (N, *sample_shape).

    Returns:
        (N, feature_size(kind, sample_shape)) float32.
    """
    x = tf.cast(tf.convert_to_tensor(samples), tf.float32)
    return _hog(x) if kind == "hog" else _pixels(x)
