"""Parzen-window log-likelihood: scipy reference, Gaussians, sigma choice."""

import numpy as np
import pytest
import scipy.special
import scipy.stats

from tfgan_lite.metrics import parzen


def _reference(train, test, sigma):
    """log(1/n sum_i N(x; mu_i, sigma^2 I)) per test point, with scipy."""
    d = train.shape[1]
    log_kernels = np.stack(
        [
            scipy.stats.multivariate_normal(mu, sigma**2 * np.eye(d)).logpdf(
                test
            )
            for mu in train
        ]
    ).reshape(len(train), len(test))
    return scipy.special.logsumexp(log_kernels, axis=0) - np.log(len(train))


@pytest.mark.parametrize("batch_size", [None, 1, 7])
def test_matches_a_mixture_of_gaussians(batch_size):
    rng = np.random.default_rng(0)
    train, test = rng.normal(size=(40, 3)), rng.normal(size=(25, 3))
    result = parzen.parzen_log_likelihood(
        train, test, sigma=0.7, batch_size=batch_size
    )
    values = _reference(train, test, 0.7)
    np.testing.assert_allclose(result.mean, values.mean(), rtol=1e-12)
    np.testing.assert_allclose(
        result.standard_error, values.std() / np.sqrt(25), rtol=1e-10
    )
    assert result.sigma == 0.7


def test_far_points_stay_finite():
    # exp(-|x - mu|^2 / (2 sigma^2)) underflows to 0 here; the factored
    # logsumexp keeps the exact log-density of the nearest kernel.
    result = parzen.parzen_log_likelihood(
        [[0.0]], [[1000.0], [1000.0]], sigma=0.1
    )
    expected = -(1000.0**2) / (2 * 0.01) - 0.5 * np.log(2 * np.pi * 0.01)
    np.testing.assert_allclose(result.mean, expected, rtol=1e-12)


@pytest.mark.parametrize("d", [1, 2])
def test_gaussian_data_approaches_the_smoothed_density(d):
    # The Parzen window of N(0, s^2 I) samples with bandwidth sigma has
    # expectation N(0, (s^2 + sigma^2) I) at every point.
    rng = np.random.default_rng(d)
    s, sigma = 1.0, 0.3
    train = rng.normal(scale=s, size=(10_000, d))
    test = rng.normal(scale=s, size=(1000, d))
    result = parzen.parzen_log_likelihood(train, test, sigma=sigma)
    smoothed = scipy.stats.multivariate_normal(
        np.zeros(d), (s**2 + sigma**2) * np.eye(d)
    )
    # On the same test points only the finite train set separates the
    # two: measured over seeds, at most 0.008.
    np.testing.assert_allclose(
        result.mean, smoothed.logpdf(test).mean(), atol=0.02
    )
    # Analytic expectation E[log N(x; 0, s^2 + sigma^2)] over x ~ N(0, s^2):
    # within 4 standard errors of the test-set mean.
    v = s**2 + sigma**2
    expected = d * (-0.5 * np.log(2 * np.pi * v) - s**2 / (2 * v))
    np.testing.assert_allclose(
        result.mean, expected, atol=4 * result.standard_error
    )


def test_sigma_is_chosen_on_the_validation_set():
    rng = np.random.default_rng(3)
    train = rng.normal(size=(300, 2))
    validation = rng.normal(size=(100, 2))
    test = rng.normal(size=(100, 2))
    grid = np.array([0.05, 0.1, 0.2, 0.4, 0.8, 1.6])
    scores = [_reference(train, validation, s).mean() for s in grid]
    best = grid[int(np.argmax(scores))]
    assert 0.05 < best < 1.6  # the grid brackets the optimum
    result = parzen.parzen_log_likelihood(
        train, test, sigmas=grid, validation_samples=validation
    )
    assert result.sigma == best
    np.testing.assert_allclose(
        result.mean, _reference(train, test, best).mean(), rtol=1e-12
    )


def test_default_grid():
    np.testing.assert_allclose(
        parzen.DEFAULT_SIGMAS, 10.0 ** np.linspace(-1, 0, 10), rtol=1e-12
    )
    rng = np.random.default_rng(4)
    x = rng.normal(scale=0.2, size=(50, 1))
    result = parzen.parzen_log_likelihood(x, x[:10], validation_samples=x)
    assert result.sigma in parzen.DEFAULT_SIGMAS


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({}, ValueError, "`validation_samples` must be given"),
        ({"sigma": 1.0, "validation_samples": np.zeros((3, 2))}, ValueError,
         "would be unused"),
        ({"sigma": 1.0, "sigmas": [1.0]}, ValueError, "would be unused"),
        ({"sigma": 0.0}, ValueError, "`sigma` must be a finite number > 0"),
        ({"sigma": "1"}, TypeError, "`sigma`"),
        ({"sigmas": [0.1, -1.0], "validation_samples": np.zeros((3, 2))},
         ValueError, "positive bandwidths"),
        ({"sigmas": [[0.1]], "validation_samples": np.zeros((3, 2))},
         ValueError, r"shape \(K,\)"),
        ({"validation_samples": np.zeros((3, 5))}, ValueError,
         "`train_samples` and `validation_samples`"),
        ({"sigma": 1.0, "batch_size": 0}, ValueError, "batch_size"),
    ],
)  # fmt: skip
def test_bad_arguments(kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        parzen.parzen_log_likelihood(
            np.zeros((4, 2)), np.ones((3, 2)), **kwargs
        )


@pytest.mark.parametrize(
    ("train", "test", "error", "fragment"),
    [
        (np.zeros((4, 2)), np.zeros((3, 1)), ValueError, "same number"),
        (np.zeros((4, 2)), np.zeros((1, 2)), ValueError, "at least 2"),
        (np.zeros(4), np.zeros((3, 1)), ValueError, r"shape \(N, D\)"),
        ([[np.nan, 0.0]], np.zeros((3, 2)), ValueError, "1 NaN"),
        (np.zeros((4, 2)), [["a", "b"]] * 2, TypeError, "real numbers"),
    ],
)
def test_bad_samples(train, test, error, fragment):
    with pytest.raises(error, match=fragment):
        parzen.parzen_log_likelihood(train, test, sigma=1.0)
