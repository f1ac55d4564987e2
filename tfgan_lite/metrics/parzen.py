"""Gaussian Parzen-window log-likelihood, as in the 2014 GAN paper.

Goodfellow et al. 2014, https://arxiv.org/abs/1406.2661, Section 5 (the
method of Breuleux et al. 2011): fit an isotropic Gaussian kernel density
to generated samples and report the mean log-likelihood of held-out test
data under it, with the bandwidth chosen on a validation set.

The estimator is unreliable beyond a few dimensions: a Parzen window needs
far more samples than any generator provides for image-sized data, and its
value can rank models opposite to their true likelihood (Theis et al.
2016, https://arxiv.org/abs/1511.01844, Section 3.2). It is kept to
reproduce the paper's Table 1, and is meaningful for low-dimensional data
such as the 2-D mixtures.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from tfgan_lite._validation import check_float, check_optional_int
from tfgan_lite.metrics import _arrays

__all__ = [
    "DEFAULT_SIGMAS",
    "ParzenResult",
    "parzen_log_likelihood",
]

DEFAULT_SIGMAS = np.logspace(-1.0, 0.0, 10)
"""Bandwidths tried when none is given: 10 values from 0.1 to 1, evenly
spaced in log scale, the grid of the paper's code for MNIST in [0, 1]."""


class ParzenResult(NamedTuple):
    """Mean test log-likelihood under a Parzen window.

    Attributes:
        mean: Mean log-likelihood of the test samples, in nats per sample
            (a log-density: it can be positive).
        standard_error: Standard error of that mean: the standard
            deviation over test samples (dividing by their number, as the
            paper's code does) divided by sqrt(number of test samples), as
            reported in the paper's Table 1.
        sigma: The bandwidth used, in the units of the samples.
    """

    mean: float
    standard_error: float
    sigma: float


def _log_likelihoods(
    centers: np.ndarray,
    points: np.ndarray,
    sigma: float,
    batch_size: int | None,
) -> np.ndarray:
    """log p(x) of each point under the Parzen window around `centers`."""
    n, d = centers.shape
    norms = np.einsum("ij,ij->i", centers, centers)
    log_normaliser = np.log(n) + 0.5 * d * np.log(2.0 * np.pi * sigma**2)
    result = np.empty(len(points))
    for rows in _arrays.row_blocks(len(points), n, batch_size):
        exponents = _arrays.squared_distances(points[rows], centers, norms)
        exponents *= -0.5 / sigma**2
        # logsumexp with the row maximum factored out: every exp() is in
        # (0, 1], and the largest is exactly 1, so the sum neither
        # overflows nor underflows to log(0) for far-away points.
        peak = exponents.max(axis=1)
        exponents -= peak[:, None]
        result[rows] = peak + np.log(np.exp(exponents).sum(axis=1))
    return result - log_normaliser


def parzen_log_likelihood(
    train_samples: Any,
    test_samples: Any,
    *,
    sigma: float | None = None,
    sigmas: Any = None,
    validation_samples: Any = None,
    batch_size: int | None = None,
) -> ParzenResult:
    """Mean log-likelihood of test samples under a Gaussian Parzen window.

    The density is a mixture of isotropic Gaussians of bandwidth sigma
    around the n train samples mu_i (the generated samples):

        log p(x) = logsumexp_i(-|x - mu_i|^2 / (2 sigma^2)) - log n
                   - (D / 2) log(2 pi sigma^2).

    Goodfellow et al. 2014, https://arxiv.org/abs/1406.2661, Section 5;
    Breuleux et al. 2011. When `sigma` is None it is the value of `sigmas`
    with the highest mean log-likelihood of `validation_samples` (the first
    such value on a tie). Unreliable in high dimensions (Theis et al. 2016,
    https://arxiv.org/abs/1511.01844): see the module docstring.

    Args:
        train_samples: Array of shape (n, D): the kernel centers, usually
            generated samples.
        test_samples: Array of shape (m, D), m >= 2: held-out data whose
            likelihood is reported.
        sigma: Bandwidth, > 0, in the units of the samples; None to choose
            it from `sigmas` on `validation_samples`.
        sigmas: 1-D array of candidate bandwidths, each > 0, used only when
            `sigma` is None; None means :data:`DEFAULT_SIGMAS` (0.1 to 1,
            10 values, log-spaced).
        validation_samples: Array of shape (v, D) used to choose the
            bandwidth; required when `sigma` is None, refused otherwise.
        batch_size: Test (or validation) samples scored at once; the memory
            used is about 8 * batch_size * n bytes. None picks a size that
            keeps it near 64 MiB.

    Returns:
        A :class:`ParzenResult`.

    Raises:
        TypeError: If an array does not hold real numbers or an argument
            has the wrong type.
        ValueError: If the arrays are not 2-D, hold NaN or inf, or have
            different widths; if `test_samples` has fewer than 2 rows; if
            a bandwidth is not positive; if `sigma` and `validation_samples`
            are both given or both missing, or `sigmas` is given with
            `sigma`.

    Example:
        Both test points lie on a center, 2 away from the other, so each
        has log p = log((1 + exp(-2)) / 2) - log(2 pi) / 2:

        >>> train = np.array([[0.0], [2.0]])
        >>> result = parzen_log_likelihood(train, [[0.0], [2.0]], sigma=1.0)
        >>> round(result.mean, 4), result.standard_error
        (-1.4852, 0.0)
    """
    centers = _arrays.as_features(train_samples, "train_samples")
    test = _arrays.as_features(test_samples, "test_samples", min_samples=2)
    _arrays.check_same_width(centers, test, "train_samples", "test_samples")
    batch_size = check_optional_int(batch_size, "batch_size", minimum=1)
    if sigma is not None:
        if validation_samples is not None or sigmas is not None:
            raise ValueError(
                "`sigma` is given, so `sigmas` and `validation_samples` "
                "would be unused. Pass either sigma=, or sigmas= (optional) "
                "and validation_samples=."
            )
        sigma = check_float(sigma, "sigma", low=0.0, low_closed=False)
    else:
        if validation_samples is None:
            raise ValueError(
                "`validation_samples` must be given when `sigma` is None, "
                "to choose the bandwidth. Pass validation_samples= (held-out "
                "data, not the test set), or a fixed sigma=."
            )
        validation = _arrays.as_features(
            validation_samples, "validation_samples"
        )
        _arrays.check_same_width(
            centers, validation, "train_samples", "validation_samples"
        )
        grid = DEFAULT_SIGMAS if sigmas is None else sigmas
        grid = _arrays.as_float_array(grid, "sigmas", ndim=1, shape_hint="(K,)")
        if np.any(grid <= 0.0):
            raise ValueError(
                f"`sigmas` must hold positive bandwidths, got {grid.tolist()}."
            )
        scores = [
            _log_likelihoods(centers, validation, s, batch_size).mean()
            for s in grid
        ]
        sigma = float(grid[int(np.argmax(scores))])
    values = _log_likelihoods(centers, test, sigma, batch_size)
    return ParzenResult(
        mean=float(values.mean()),
        standard_error=float(values.std() / np.sqrt(len(values))),
        sigma=sigma,
    )
