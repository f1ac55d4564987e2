"""Frechet distance between Gaussians fitted to two feature sets (FID).

Heusel et al. 2017, https://arxiv.org/abs/1706.08500, Eq. 6. With
Inception-v3 pool features this is the FID; with any other extractor it is
the same distance in another space, and the two must not be compared.

The matrix square root is the numerically delicate part. Instead of the
square root of the non-symmetric product S1 S2 (``scipy.linalg.sqrtm``,
which can return complex values and NaN for nearly singular covariances),
it uses that S1 S2 has the same eigenvalues as the symmetric positive
semi-definite matrix S1^(1/2) S2 S1^(1/2), so

    tr((S1 S2)^(1/2)) = sum_i sqrt(lambda_i(S1^(1/2) S2 S1^(1/2))),

with both symmetric eigendecompositions done by ``np.linalg.eigh`` in
float64 and eigenvalues that round-off made slightly negative set to 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tfgan_lite.metrics import _arrays

__all__ = [
    "frechet_distance",
    "frechet_distance_from_statistics",
    "gaussian_statistics",
]

# Eigenvalues below -_PSD_TOLERANCE * (largest |eigenvalue|) are not
# round-off: the matrix is not a covariance.
_PSD_TOLERANCE = 1e-8


def _statistics(x: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of a checked (N, D) float64 array."""
    n, d = x.shape
    if n < d + 1:
        raise ValueError(
            f"`{name}` has {n} samples of {d} features, too few for a "
            f"full-rank covariance: it needs at least {d + 1} samples "
            "(n >= d + 1). Pass more samples, or fewer feature dimensions "
            "(a smaller feature layer, or a projection such as PCA)."
        )
    mean = x.mean(axis=0)
    centered = x - mean
    covariance = centered.T @ centered / (n - 1)
    return mean, covariance


def gaussian_statistics(features: Any) -> tuple[np.ndarray, np.ndarray]:
    """Mean and unbiased covariance of a feature set, in float64.

    Computing these once for a reference set and passing them to
    :func:`frechet_distance_from_statistics` avoids re-reading it.
    Heusel et al. 2017, https://arxiv.org/abs/1706.08500.

    Args:
        features: Array of shape (N, D) of finite real numbers, any scale.
            N must be at least D + 1, so that the covariance can have full
            rank.

    Returns:
        ``(mean, covariance)``: float64 arrays of shape (D,) and (D, D); the
        covariance divides by N - 1.

    Raises:
        TypeError: If `features` does not hold real numbers.
        ValueError: If `features` is not 2-D, holds NaN or inf, or has
            fewer than D + 1 (or 2) samples.

    Example:
        >>> features = [[0.0, 0.0], [2.0, 2.0], [1.0, 4.0]]
        >>> mean, cov = gaussian_statistics(features)
        >>> mean.tolist(), cov.tolist()
        ([1.0, 2.0], [[1.0, 1.0], [1.0, 4.0]])
    """
    x = _arrays.as_features(features, "features", min_samples=2)
    return _statistics(x, "features")


def _as_statistics(
    mu: Any, sigma: Any, mu_name: str, sigma_name: str
) -> tuple[np.ndarray, np.ndarray]:
    mu = _arrays.as_float_array(mu, mu_name, ndim=1, shape_hint="(D,)")
    sigma = _arrays.as_float_array(
        sigma, sigma_name, ndim=2, shape_hint="(D, D)"
    )
    d = len(mu)
    if sigma.shape != (d, d):
        raise ValueError(
            f"`{sigma_name}` must have shape (D, D) = ({d}, {d}) to match "
            f"`{mu_name}`, got shape {sigma.shape}."
        )
    return mu, sigma


def _symmetric_eigh(
    matrix: np.ndarray, name: str
) -> tuple[np.ndarray, np.ndarray]:
    """Eigendecomposition of a PSD matrix, round-off negatives set to 0."""
    # Only the symmetric part is a covariance; the antisymmetric rest is
    # round-off (or a bug eigh would silently ignore half of).
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2.0)
    scale = max(float(np.abs(values).max()), np.finfo(np.float64).tiny)
    if values[0] < -_PSD_TOLERANCE * scale:
        raise ValueError(
            f"`{name}` must be positive semi-definite, but has the "
            f"eigenvalue {values[0]:.3g}. Pass a covariance matrix, such as "
            "the one from gaussian_statistics."
        )
    return np.maximum(values, 0.0), vectors


def frechet_distance_from_statistics(
    mu1: Any, sigma1: Any, mu2: Any, sigma2: Any
) -> float:
    """Frechet distance between N(mu1, sigma1) and N(mu2, sigma2).

    FD = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2)),
    Heusel et al. 2017, https://arxiv.org/abs/1706.08500, Eq. 6. The trace
    of the square root comes from two symmetric eigendecompositions in
    float64 (see the module docstring), so the result is always a finite
    real number. Only the symmetric part (S + S^T) / 2 of each covariance is
    used.

    Args:
        mu1: Mean of the first Gaussian, shape (D,).
        sigma1: Its covariance, shape (D, D), symmetric positive
            semi-definite (singular is fine).
        mu2: Mean of the second Gaussian, shape (D,).
        sigma2: Its covariance, shape (D, D), symmetric positive
            semi-definite.

    Returns:
        The squared distance as a Python float, in [0, inf), in squared
        feature units. Round-off can make the formula slightly negative for
        (nearly) equal Gaussians; only then is the result clipped to 0.

    Raises:
        TypeError: If an argument does not hold real numbers.
        ValueError: If the shapes disagree, a value is NaN or inf, or a
            covariance has a clearly negative eigenvalue (below -1e-8 times
            its largest one).

    Example:
        >>> round(frechet_distance_from_statistics(
        ...     [0.0, 0.0], [[1.0, 0.0], [0.0, 1.0]],
        ...     [3.0, 0.0], [[4.0, 0.0], [0.0, 1.0]]), 6)  # 9 + 1 + 0
        10.0
    """
    mu1, sigma1 = _as_statistics(mu1, sigma1, "mu1", "sigma1")
    mu2, sigma2 = _as_statistics(mu2, sigma2, "mu2", "sigma2")
    _arrays.check_same_width(mu1, mu2, "mu1", "mu2")
    values1, vectors1 = _symmetric_eigh(sigma1, "sigma1")
    values2, _ = _symmetric_eigh(sigma2, "sigma2")
    sqrt_sigma1 = (vectors1 * np.sqrt(values1)) @ vectors1.T
    product = sqrt_sigma1 @ ((sigma2 + sigma2.T) / 2.0) @ sqrt_sigma1
    # The product is PSD in exact arithmetic; its round-off can exceed the
    # tolerance above when S1 and S2 stretch different directions, so its
    # negative eigenvalues are always treated as round-off.
    product_values = np.linalg.eigvalsh((product + product.T) / 2.0)
    trace_sqrt = float(np.sqrt(np.maximum(product_values, 0.0)).sum())
    difference = mu1 - mu2
    distance = (
        float(difference @ difference)
        + float(values1.sum())
        + float(values2.sum())
        - 2.0 * trace_sqrt
    )
    return max(distance, 0.0)


def frechet_distance(features_a: Any, features_b: Any) -> float:
    """Frechet distance between Gaussians fitted to two feature sets (FID).

    Fits a Gaussian to each set with :func:`gaussian_statistics` and
    returns :func:`frechet_distance_from_statistics`. Heusel et al. 2017,
    https://arxiv.org/abs/1706.08500. The estimate is biased upwards for
    small N; compare numbers computed with the same N and the same
    feature extractor only.

    Args:
        features_a: Array of shape (N_a, D), e.g. features of real images.
        features_b: Array of shape (N_b, D), e.g. features of generated
            images. Both need at least D + 1 samples.

    Returns:
        A Python float in [0, inf), in squared feature units; 0 for
        identical sets (up to round-off).

    Raises:
        TypeError: If a set does not hold real numbers.
        ValueError: If the sets have different widths, are not 2-D, hold
            NaN or inf, or either has fewer than D + 1 samples (the message
            says how many are needed).

    Example:
        >>> rng = np.random.default_rng(0)
        >>> a = rng.normal(size=(500, 2))
        >>> round(frechet_distance(a, a), 6)
        0.0
        >>> round(frechet_distance(a, a + 1), 3)  # |(1, 1)|^2
        2.0
    """
    a = _arrays.as_features(features_a, "features_a", min_samples=2)
    b = _arrays.as_features(features_b, "features_b", min_samples=2)
    _arrays.check_same_width(a, b, "features_a", "features_b")
    mu1, sigma1 = _statistics(a, "features_a")
    mu2, sigma2 = _statistics(b, "features_b")
    return frechet_distance_from_statistics(mu1, sigma1, mu2, sigma2)
