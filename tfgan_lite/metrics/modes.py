"""Mode counts: how many modes of a known mixture a generator reproduces.

The definitions are PacGAN's (Lin et al. 2018,
https://arxiv.org/abs/1712.04086, Section 5), used for two benchmarks:

* 2-D mixtures (the ring and grid of ``tfgan_lite.data.ring`` / ``grid``):
  :func:`mixture_modes` assigns each sample to its nearest center.
* Stacked digits (three classified digits per image, 1,000 modes):
  :func:`stacked_mode_ids` turns the digit classes into mode ids and
  :func:`mode_histogram` counts them.

Both report the reverse KL divergence of the generated mode histogram
against the uniform distribution over all M modes,

    KL(p_gen || uniform) = sum_{i: p_i > 0} p_i log(p_i M),

where p_i is the fraction of (high-quality) samples in mode i; bins with
p_i = 0 contribute 0 (the limit of p log p). It is 0 when every mode gets
the same share, and log M when all samples fall in one mode.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from tfgan_lite._validation import check_float, check_int
from tfgan_lite.data import mixtures
from tfgan_lite.metrics import _arrays

__all__ = [
    "MixtureModes",
    "ModeHistogram",
    "grid_centers",
    "known_mixture",
    "mixture_modes",
    "mode_histogram",
    "ring_centers",
    "stacked_mode_ids",
]

# PacGAN: a sample is high quality within 3 standard deviations of a center.
_HIGH_QUALITY_STDS = 3.0


class ModeHistogram(NamedTuple):
    """How samples spread over a known set of modes.

    Attributes:
        modes: Number of modes with at least one sample.
        reverse_kl: KL(p_gen || uniform) in nats, in [0, log M].
        counts: int64 array of shape (M,): samples per mode.
    """

    modes: int
    reverse_kl: float
    counts: np.ndarray


class MixtureModes(NamedTuple):
    """Mode coverage and sample quality on a mixture of Gaussians.

    Attributes:
        modes: Number of captured modes: those nearest to at least one
            high-quality sample.
        high_quality: Fraction of samples within 3 standard deviations of
            their nearest center, in [0, 1].
        reverse_kl: KL(p_gen || uniform) in nats of the high-quality
            samples' mode histogram, in [0, log M]; NaN when no sample is
            high quality (the histogram is empty).
        counts: int64 array of shape (M,): high-quality samples per mode.
        num_samples: Number of samples scored.
    """

    modes: int
    high_quality: float
    reverse_kl: float
    counts: np.ndarray
    num_samples: int


def _reverse_kl(counts: np.ndarray) -> float:
    total = counts.sum()
    if total == 0:
        return float("nan")
    p = counts[counts > 0] / total
    return float(np.sum(p * np.log(p * len(counts))))


def _histogram(mode_ids: np.ndarray, num_modes: int) -> ModeHistogram:
    counts = np.bincount(mode_ids, minlength=num_modes).astype(np.int64)
    return ModeHistogram(
        modes=int(np.count_nonzero(counts)),
        reverse_kl=_reverse_kl(counts),
        counts=counts,
    )


def _check_range(array: np.ndarray, name: str, size: int, what: str):
    bad = np.flatnonzero((array < 0) | (array >= size))
    if len(bad):
        raise ValueError(
            f"`{name}` must hold {what} in [0, {size - 1}], but holds "
            f"{len(bad)} values outside; the first is "
            f"{array.flat[bad[0]]}."
        )


def mixture_modes(samples: Any, centers: Any, *, std: float) -> MixtureModes:
    """Captured modes, sample quality and reverse KL on a Gaussian mixture.

    Each sample is assigned to its nearest center (Euclidean). It is high
    quality when that distance is at most 3 * `std`; a mode is captured when
    at least one high-quality sample is assigned to it. Lin et al. 2018
    (PacGAN), https://arxiv.org/abs/1712.04086, Section 5. For samples of
    the true 2-D mixture, the expected high-quality fraction is
    P(chi^2_2 <= 9) = 1 - exp(-4.5) = 0.989, not 1. Reverse KL: see the
    module docstring.

    Args:
        samples: Array of shape (N, D) of generated points; D is 2 for the
            ring and grid benchmarks.
        centers: Array of shape (M, D) of the mixture's centers, e.g. from
            :func:`ring_centers` or :func:`grid_centers`.
        std: Standard deviation of each mixture component per coordinate,
            > 0, in the units of `samples` (0.01 for PacGAN's ring, 0.05
            for its grid).

    Returns:
        A :class:`MixtureModes`.

    Raises:
        TypeError: If an array does not hold real numbers or `std` is not a
            number.
        ValueError: If the arrays are not 2-D, hold NaN or inf, have
            different widths, or `std` is not positive.

    Example:
        >>> centers = ring_centers()
        >>> result = mixture_modes(centers[:3] + 0.001, centers, std=0.01)
        >>> result.modes, result.high_quality, round(result.reverse_kl, 4)
        (3, 1.0, 0.9808)
    """
    x = _arrays.as_features(samples, "samples")
    c = _arrays.as_features(centers, "centers")
    _arrays.check_same_width(x, c, "samples", "centers")
    std = check_float(std, "std", low=0.0, low_closed=False)
    nearest = np.empty(len(x), dtype=np.int64)
    nearest_distance = np.empty(len(x))
    norms = np.einsum("ij,ij->i", c, c)
    for rows in _arrays.row_blocks(len(x), len(c)):
        distances = _arrays.squared_distances(x[rows], c, norms)
        nearest[rows] = distances.argmin(axis=1)
        nearest_distance[rows] = distances.min(axis=1)
    good = nearest_distance <= (_HIGH_QUALITY_STDS * std) ** 2
    histogram = _histogram(nearest[good], len(c))
    return MixtureModes(
        modes=histogram.modes,
        high_quality=float(good.mean()),
        reverse_kl=histogram.reverse_kl,
        counts=histogram.counts,
        num_samples=len(x),
    )


def mode_histogram(mode_ids: Any, num_modes: int) -> ModeHistogram:
    """Captured modes and reverse KL of a histogram of mode ids.

    A mode is captured when at least one sample has its id. Lin et al. 2018
    (PacGAN), https://arxiv.org/abs/1712.04086, Section 5 (stacked MNIST,
    where `num_modes` is 1,000). Reverse KL: see the module docstring.

    Args:
        mode_ids: Integer array of shape (N,), each in [0, num_modes), e.g.
            from :func:`stacked_mode_ids`.
        num_modes: Number of modes M of the true distribution, >= 1.

    Returns:
        A :class:`ModeHistogram`.

    Raises:
        TypeError: If `mode_ids` does not hold integers or `num_modes` is
            not an int.
        ValueError: If `mode_ids` is not 1-D and non-empty, or holds an id
            outside [0, num_modes).

    Example:
        >>> result = mode_histogram([0, 0, 1, 3], num_modes=4)
        >>> result.modes, round(result.reverse_kl, 4), result.counts.tolist()
        (3, 0.3466, [2, 1, 0, 1])
    """
    num_modes = check_int(num_modes, "num_modes", minimum=1)
    ids = _arrays.as_int_array(mode_ids, "mode_ids", ndim=1, shape_hint="(N,)")
    _check_range(ids, "mode_ids", num_modes, "mode ids")
    return _histogram(ids, num_modes)


def stacked_mode_ids(digit_classes: Any) -> np.ndarray:
    """Mode id of each stacked-digit image from the classes of its digits.

    An image stacks K digits (K = 3 channels for stacked MNIST); with
    classes c_1..c_K in [0, 9] its mode id is the K-digit decimal number
    c_1 c_2 ... c_K, e.g. 100 c_1 + 10 c_2 + c_3, so there are 10^K modes.
    Lin et al. 2018 (PacGAN), https://arxiv.org/abs/1712.04086, Section 5.

    Args:
        digit_classes: Integer array of shape (N, K), each in [0, 9]: the
            class a digit classifier gives each stacked digit, in channel
            order.

    Returns:
        int64 array of shape (N,), in [0, 10^K).

    Raises:
        TypeError: If `digit_classes` does not hold integers.
        ValueError: If it is not 2-D and non-empty, or holds a class
            outside [0, 9].

    Example:
        >>> stacked_mode_ids([[1, 2, 3], [0, 0, 7], [9, 9, 9]]).tolist()
        [123, 7, 999]
    """
    classes = _arrays.as_int_array(
        digit_classes, "digit_classes", ndim=2, shape_hint="(N, K)"
    )
    _check_range(classes, "digit_classes", 10, "digit classes")
    weights = 10 ** np.arange(classes.shape[1] - 1, -1, -1, dtype=np.int64)
    return classes @ weights


def ring_centers(modes: int = 8, radius: float = 1.0) -> np.ndarray:
    """Centers of the ring mixture, exactly as ``tfgan_lite.data.ring``.

    Mode k sits at radius * (cos(2 pi k / modes), sin(2 pi k / modes)).
    The centers are taken from ``data.ring`` itself, so that the two can
    never disagree. Lin et al. 2018 (PacGAN),
    https://arxiv.org/abs/1712.04086.

    Args:
        modes: Number of modes, >= 1.
        radius: Radius of the ring, > 0.

    Returns:
        float32 array of shape (modes, 2), the one ``data.ring`` returns.

    Raises:
        TypeError, ValueError: As ``tfgan_lite.data.ring``.

    Example:
        >>> ring_centers(4).round(6).tolist()
        [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [-0.0, -1.0]]
    """
    return mixtures.ring(1, modes=modes, radius=radius)[1]


def grid_centers(side: int = 5, spacing: float = 2.0) -> np.ndarray:
    """Centers of the grid mixture, exactly as ``tfgan_lite.data.grid``.

    The side^2 modes sit at spacing * (i - (side - 1) / 2) on each axis,
    row by row. The centers are taken from ``data.grid`` itself, so that
    the two can never disagree. Lin et al. 2018 (PacGAN),
    https://arxiv.org/abs/1712.04086.

    Args:
        side: Modes per row and per column, >= 1.
        spacing: Distance between neighbouring modes, > 0.

    Returns:
        float32 array of shape (side**2, 2), the one ``data.grid`` returns.

    Raises:
        TypeError, ValueError: As ``tfgan_lite.data.grid``.

    Example:
        >>> grid_centers(2).tolist()
        [[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]]
    """
    return mixtures.grid(1, side=side, spacing=spacing)[1]


def known_mixture(name: str) -> tuple[np.ndarray, float]:
    """Centres and per-mode std of a default mixture of ``tfgan_lite.data``.

    Args:
        name: "ring" (8 modes, std 0.01) or "grid" (25 modes, std 0.05), as
            ``data.load`` makes them.

    Returns:
        ``(centers, std)``, ready for :func:`mixture_modes`.

    Raises:
        ValueError: For another name.

    Example:
        >>> centers, std = known_mixture("grid")
        >>> centers.shape, std
        ((25, 2), 0.05)
    """
    if name == "ring":
        return ring_centers(), mixtures.RING_STD
    if name == "grid":
        return grid_centers(), mixtures.GRID_STD
    raise ValueError(f"`name` must be 'ring' or 'grid', got name={name!r}.")
