"""Precision, recall, density and coverage from k-nearest-neighbour balls.

Each sample of a set is given a ball whose radius is the distance to its
k-th nearest neighbour in the same set (the sample itself not counted);
the union of the balls estimates the set's support (its "manifold").

* Precision (Kynkaanniemi et al. 2019, https://arxiv.org/abs/1904.06991):
  the fraction of generated samples inside the real manifold: fidelity.
* Recall (same paper): the fraction of real samples inside the generated
  manifold: diversity.
* Density (Naeem et al. 2020, https://arxiv.org/abs/2002.09797): how many
  real balls contain each generated sample, over k; about 1 for equal
  distributions, and not bounded by 1.
* Coverage (same paper): the fraction of real balls that contain at least
  one generated sample; unlike recall it never uses balls around
  generated samples, so outliers among them cannot inflate it.

Balls are closed: a sample at exactly the radius is inside. Distances are
Euclidean, computed a block of rows at a time, so that two sets of 10,000
samples need about 150 MB of scratch memory, not the 800 MB of a full
distance matrix.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from tfgan_lite.metrics import _arrays

__all__ = [
    "DensityCoverage",
    "PrecisionRecall",
    "density_coverage",
    "precision_recall",
]


class PrecisionRecall(NamedTuple):
    """Improved precision and recall, each in [0, 1].

    Attributes:
        precision: Fraction of generated samples inside the real manifold.
        recall: Fraction of real samples inside the generated manifold.
    """

    precision: float
    recall: float


class DensityCoverage(NamedTuple):
    """Density in [0, inf) (about 1 when the distributions agree) and
    coverage in [0, 1].

    Attributes:
        density: Mean number of real k-NN balls containing a generated
            sample, divided by k.
        coverage: Fraction of real k-NN balls containing a generated sample.
    """

    density: float
    coverage: float


def _squared_radii(x: np.ndarray, k: int) -> np.ndarray:
    """Squared distance of each row of x to its k-th nearest other row."""
    norms = np.einsum("ij,ij->i", x, x)
    radii = np.empty(len(x))
    for rows in _arrays.row_blocks(len(x), len(x)):
        distances = _arrays.squared_distances(x[rows], x, norms)
        # Position 0 of each sorted row is the sample itself (distance 0),
        # so position k is its k-th nearest neighbour among the others.
        radii[rows] = np.partition(distances, k, axis=1)[:, k]
    return radii


def _ball_hits(
    points: np.ndarray, centers: np.ndarray, squared_radii: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Which closed balls (center, radius) contain which points.

    Returns:
        ``(per_point, per_center)``: for each point, how many balls contain
        it; for each ball, whether it contains any point.
    """
    norms = np.einsum("ij,ij->i", centers, centers)
    per_point = np.empty(len(points), dtype=np.int64)
    per_center = np.zeros(len(centers), dtype=bool)
    for rows in _arrays.row_blocks(len(points), len(centers)):
        inside = (
            _arrays.squared_distances(points[rows], centers, norms)
            <= squared_radii[None, :]
        )
        per_point[rows] = np.count_nonzero(inside, axis=1)
        per_center |= inside.any(axis=0)
    return per_point, per_center


def _check_sets(
    real_features: Any, fake_features: Any, k: Any, *, fake_balls: bool
) -> tuple[np.ndarray, np.ndarray, int]:
    real = _arrays.as_features(real_features, "real_features")
    fake = _arrays.as_features(fake_features, "fake_features")
    _arrays.check_same_width(real, fake, "real_features", "fake_features")
    # Only sets that get balls need k + 1 samples.
    sizes = {"real_features": len(real)}
    if fake_balls:
        sizes["fake_features"] = len(fake)
    return real, fake, _arrays.check_k(k, "k", sizes)


def precision_recall(
    real_features: Any, fake_features: Any, *, k: int = 3
) -> PrecisionRecall:
    """Improved precision and recall of generated samples.

    With NN_k(x) the k-th nearest neighbour of x within its own set,

        precision = 1/M sum_j 1[exists i: |y_j - x_i| <= |x_i - NN_k(x_i)|],
        recall    = 1/N sum_i 1[exists j: |x_i - y_j| <= |y_j - NN_k(y_j)|],

    for real samples x_1..x_N and generated samples y_1..y_M.
    Kynkaanniemi et al. 2019, https://arxiv.org/abs/1904.06991, Eq. 1-3.

    Args:
        real_features: Array of shape (N, D), features of real samples.
        fake_features: Array of shape (M, D), features of generated
            samples, from the same extractor.
        k: Neighbour defining each ball's radius, >= 1 and smaller than N
            and M. The paper uses 3.

    Returns:
        A :class:`PrecisionRecall`, both in [0, 1].

    Raises:
        TypeError: If a set does not hold real numbers or `k` is not an int.
        ValueError: If the sets have different widths, are not 2-D, hold
            NaN or inf, or `k` is not smaller than both set sizes.

    Example:
        >>> real = np.array([[0.0], [1.0], [2.0], [3.0]])
        >>> fake = np.array([[0.1], [0.5], [0.9]])  # all near 0 and 1
        >>> precision_recall(real, fake, k=1)
        PrecisionRecall(precision=1.0, recall=0.5)
    """
    real, fake, k = _check_sets(
        real_features, fake_features, k, fake_balls=True
    )
    in_real, _ = _ball_hits(fake, real, _squared_radii(real, k))
    in_fake, _ = _ball_hits(real, fake, _squared_radii(fake, k))
    return PrecisionRecall(
        precision=float(np.mean(in_real > 0)),
        recall=float(np.mean(in_fake > 0)),
    )


def density_coverage(
    real_features: Any, fake_features: Any, *, k: int = 5
) -> DensityCoverage:
    """Density and coverage of generated samples.

    With B_i the closed ball around real sample x_i of radius
    |x_i - NN_k(x_i)| (its k-th nearest real neighbour),

        density  = 1/(k M) sum_j sum_i 1[y_j in B_i],
        coverage = 1/N sum_i 1[exists j: y_j in B_i],

    for real samples x_1..x_N and generated samples y_1..y_M.
    Naeem et al. 2020, https://arxiv.org/abs/2002.09797, Eq. 4-5.

    Args:
        real_features: Array of shape (N, D), features of real samples;
            the only set that gets balls.
        fake_features: Array of shape (M, D), any M >= 1, features of
            generated samples from the same extractor.
        k: The real neighbour that sets each real ball's radius, in
            [1, N - 1]. The paper uses 5.

    Returns:
        A :class:`DensityCoverage`: density in [0, N / k], about 1 when
        the distributions agree; coverage in [0, 1].

    Raises:
        TypeError: If a set does not hold real numbers or `k` is not an int.
        ValueError: If the sets have different widths, are not 2-D or hold
            NaN or inf, or `k` is not smaller than N.

    Example:
        >>> real = np.array([[0.0], [1.0], [2.0], [3.0]])
        >>> fake = np.array([[0.1], [0.5], [0.9]])  # each in 2 real balls
        >>> density_coverage(real, fake, k=1)
        DensityCoverage(density=2.0, coverage=0.5)
    """
    real, fake, k = _check_sets(
        real_features, fake_features, k, fake_balls=False
    )
    per_fake, hit = _ball_hits(fake, real, _squared_radii(real, k))
    return DensityCoverage(
        density=float(per_fake.sum() / (k * len(fake))),
        coverage=float(hit.mean()),
    )
