"""Kernel distance: a loop reference, unbiasedness, shrinking, bad input."""

import warnings

import numpy as np
import pytest

from tfgan_lite.metrics import kernel


def _mmd2_by_loops(x, y):
    """Unbiased MMD^2 with k(a, b) = (a.b / d + 1)^3, one pair at a time."""
    m, d = x.shape

    def k(a, b):
        return (sum(a[i] * b[i] for i in range(d)) / d + 1.0) ** 3

    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j)
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j)
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m))
    return (xx + yy) / (m * (m - 1)) - 2.0 * xy / m**2


def _full_set_mmd2(x, y):
    """The unbiased MMD^2 of two whole sets, vectorised."""
    d = x.shape[1]
    k_xx, k_yy = (x @ x.T / d + 1) ** 3, (y @ y.T / d + 1) ** 3
    k_xy = (x @ y.T / d + 1) ** 3
    n, m = len(x), len(y)
    return (
        (k_xx.sum() - np.trace(k_xx)) / (n * (n - 1))
        + (k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
        - 2.0 * k_xy.mean()
    )


def test_one_subset_of_everything_matches_the_loop():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(25, 3)), rng.normal(0.3, 1.2, size=(25, 3))
    # A subset holding every sample is a permutation of the set, and the
    # estimate does not depend on the order.
    result = kernel.kernel_distance(x, y, num_subsets=1, subset_size=25)
    assert result[1:] == (0.0, 25, 1)  # std, subset_size, num_subsets
    np.testing.assert_allclose(result.mean, _mmd2_by_loops(x, y), rtol=1e-10)


@pytest.mark.parametrize("shift", [0.0, 0.5])
def test_mean_over_subsets_estimates_the_full_set_statistic(shift):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1000, 16))
    y = rng.normal(size=(1000, 16)) + shift
    num_subsets, m = 40, 100
    result = kernel.kernel_distance(
        x, y, num_subsets=num_subsets, subset_size=m, seed=3
    )
    # Each subset estimate is unbiased for the whole-set statistic, so
    # their mean is within a few std / sqrt(num_subsets) of it.
    np.testing.assert_allclose(
        result.mean,
        _full_set_mmd2(x, y),
        atol=4.0 * result.std / np.sqrt(num_subsets),
    )
    if shift == 0.0:
        # Equal distributions: the whole-set statistic itself is ~0, with
        # a spread about m / n times that of one subset estimate.
        bound = 3.0 * result.std * (1.0 / np.sqrt(num_subsets) + m / 1000)
        assert abs(result.mean) < bound
    else:
        assert result.mean > 5.0 * result.std > 0.0


def test_seed_makes_it_reproducible():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(60, 4)), rng.normal(size=(60, 4))
    first = kernel.kernel_distance(x, y, num_subsets=5, subset_size=20, seed=7)
    again = kernel.kernel_distance(x, y, num_subsets=5, subset_size=20, seed=7)
    other = kernel.kernel_distance(x, y, num_subsets=5, subset_size=20, seed=8)
    assert first == again
    assert first.mean != other.mean


def test_small_sets_shrink_the_subset_size_with_a_warning():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(40, 4)), rng.normal(size=(30, 4))
    with pytest.warns(UserWarning, match="using subset_size=30"):
        result = kernel.kernel_distance(x, y, num_subsets=3)
    assert (result.subset_size, result.num_subsets) == (30, 3)
    assert np.isfinite(result.mean) and np.isfinite(result.std)
    # Two samples per set are enough for an estimate.
    with pytest.warns(UserWarning, match="using subset_size=2"):
        tiny = kernel.kernel_distance(x[:2], y[:5], num_subsets=2)
    assert tiny.subset_size == 2


def test_no_warning_when_the_sets_are_large_enough():
    x = np.random.default_rng(4).normal(size=(20, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kernel.kernel_distance(x, x, num_subsets=2, subset_size=20)


@pytest.mark.parametrize(
    ("a", "b", "kwargs", "error", "fragment"),
    [
        (np.zeros((9, 3)), np.zeros((9, 4)), {}, ValueError, "same number"),
        (np.zeros((1, 3)), np.zeros((9, 3)), {}, ValueError, "at least 2"),
        (np.zeros(9), np.zeros((9, 1)), {}, ValueError, r"shape \(N, D\)"),
        (
            np.array([[np.inf, 0.0]] * 4),
            np.zeros((4, 2)),
            {},
            ValueError,
            r"4 NaN or infinite values; the first is features_a\[0, 0\]",
        ),
        ([["x"]] * 3, np.zeros((3, 1)), {}, TypeError, "real numbers"),
        (np.zeros((9, 2)), np.zeros((9, 2)), {"subset_size": 1}, ValueError,
         "subset_size"),
        (np.zeros((9, 2)), np.zeros((9, 2)), {"num_subsets": 0}, ValueError,
         "num_subsets"),
        (np.zeros((9, 2)), np.zeros((9, 2)), {"seed": 1.5}, TypeError,
         "seed"),
    ],
)  # fmt: skip
def test_bad_input(a, b, kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        kernel.kernel_distance(a, b, **kwargs)


def test_subsets_of_every_sample_are_computed_once():
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(30, 3)), rng.normal(0.5, 1.0, size=(30, 3))
    kid = kernel.kernel_distance(x, y, num_subsets=50, subset_size=30)
    assert kid.num_subsets == 1 and kid.std == 0.0
    np.testing.assert_allclose(kid.mean, _mmd2_by_loops(x, y), rtol=1e-10)
