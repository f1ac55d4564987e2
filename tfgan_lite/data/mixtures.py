"""2-D Gaussian mixtures, the mode-collapse benchmarks: points, not images."""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from tfgan_lite._validation import check_float, check_int
from tfgan_lite.data import _pipeline

# Per-coordinate standard deviation of each mode: PacGAN's settings.
RING_STD = 0.01
GRID_STD = 0.05

__all__ = [
    "GRID_STD",
    "RING_STD",
    "grid",
    "mixture_dataset",
    "ring",
]


def _sample_mixture(
    centers: np.ndarray, *, n: Any, std: Any, seed: Any
) -> tuple[np.ndarray, np.ndarray]:
    """n points, each a uniformly drawn center plus isotropic Gaussian noise.

    Returns:
        ``(points, centers)`` as float32 arrays.
    """
    n = check_int(n, "n", minimum=1)
    std = check_float(std, "std", low=0.0)
    seed = check_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    modes = rng.integers(0, len(centers), size=n)
    noise = rng.normal(0.0, std, size=(n, centers.shape[1]))
    points = (centers[modes] + noise).astype(np.float32)
    return points, centers.astype(np.float32)


def ring(
    n: int,
    *,
    modes: int = 8,
    radius: float = 1.0,
    std: float = RING_STD,
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

    Examples:
        >>> points, centers = ring(10_000)
        >>> points.shape, centers.shape
        ((10000, 2), (8, 2))
    """
    modes = check_int(modes, "modes", minimum=1)
    radius = check_float(radius, "radius", low=0.0, low_closed=False)
    angles = 2.0 * np.pi * np.arange(modes) / modes
    centers = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return _sample_mixture(centers, n=n, std=std, seed=seed)


def grid(
    n: int,
    *,
    side: int = 5,
    spacing: float = 2.0,
    std: float = GRID_STD,
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

    Examples:
        >>> points, centers = grid(10_000)
        >>> centers[0].tolist(), centers[-1].tolist()
        ([-4.0, -4.0], [4.0, 4.0])
    """
    side = check_int(side, "side", minimum=1)
    spacing = check_float(spacing, "spacing", low=0.0, low_closed=False)
    axis = spacing * (np.arange(side) - (side - 1) / 2.0)
    xs, ys = np.meshgrid(axis, axis, indexing="ij")
    centers = np.stack([xs.ravel(), ys.ravel()], axis=1)
    return _sample_mixture(centers, n=n, std=std, seed=seed)


def mixture_dataset(
    points: Any, *, batch_size: int = 64, seed: int = 0
) -> tf.data.Dataset:
    """Batches points (e.g. from ``ring`` or ``grid``) into a dataset.

    The points are used as they are: none of the image steps (scaling to
    [-1, 1], resizing) applies to them.

    Args:
        points: Array of shape (n, d) of finite numbers.
        batch_size: Points per batch; the last partial batch is dropped.
        seed: Seed of the shuffle.

    Returns:
        A ``tf.data.Dataset`` of float32 batches of shape (batch_size, d).

    Raises:
        TypeError: If `points` is not numeric, or an argument has the wrong
            type.
        ValueError: If `points` is not 2-D, holds NaN/inf, or has fewer
            than `batch_size` rows.

    Examples:
        >>> ds = mixture_dataset(ring(10_000)[0], batch_size=100)
        >>> next(iter(ds)).shape
        TensorShape([100, 2])
    """
    array = np.asarray(points)
    _pipeline.check_numeric(array, "points")
    if array.ndim != 2:
        raise ValueError(
            f"`points` must have shape (n, d), got shape {array.shape}."
        )
    # Checked after the cast: values too large for float32 become inf.
    array = array.astype(np.float32)
    _pipeline.check_finite(array, "points")
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    _pipeline.check_batch_fits(batch_size, len(array), "`points`")
    return _pipeline.finish(
        _pipeline.from_slices(array),
        num_examples=len(array),
        batch_size=batch_size,
        seed=seed,
    )
