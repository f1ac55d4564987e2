"""Precision/recall and density/coverage: by hand, by brute force, bad input."""

from math import comb

import numpy as np
import pytest

from tfgan_lite.metrics import _arrays
from tfgan_lite.metrics.precision_recall import (
    density_coverage,
    precision_recall,
)


def _brute_force(real, fake, k):
    """All four metrics from full distance matrices and full sorts."""

    def distances(a, b):
        return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))

    real_radii = np.sort(distances(real, real), axis=1)[:, k]
    fake_radii = np.sort(distances(fake, fake), axis=1)[:, k]
    real_fake = distances(real, fake)  # (N, M)
    inside_real = real_fake <= real_radii[:, None]
    inside_fake = real_fake <= fake_radii[None, :]
    return (
        inside_real.any(axis=0).mean(),  # precision
        inside_fake.any(axis=1).mean(),  # recall
        inside_real.sum() / (k * len(fake)),  # density
        inside_real.any(axis=1).mean(),  # coverage
    )


# Two real clusters; the fakes cover the first only and add a cluster of
# their own. With k = 2 the radii, by hand:
#   real 0, 1, 3 (and 40, 41, 43): 3, 2, 3
#   fake 2, 2.5, 3.5, 20, 21, 23: 1.5, 1, 1.5, 3, 2, 3
REAL = np.array([[0.0], [1.0], [3.0], [40.0], [41.0], [43.0]])
FAKE = np.array([[2.0], [2.5], [3.5], [20.0], [21.0], [23.0]])


def test_hand_checked_precision_recall():
    # Precision: 2, 2.5 and 3.5 lie in real balls, the 20s in none: 3/6.
    # Recall: real 1 (1 from fake 2, radius 1.5) and real 3 (0.5 from
    # 2.5, radius 1) lie in fake balls; 0 and the 40s do not: 2/6.
    result = precision_recall(REAL, FAKE, k=2)
    np.testing.assert_allclose(result, (3 / 6, 2 / 6), rtol=1e-12)


def test_hand_checked_density_coverage():
    # Real balls holding each fake: 2 -> {0, 1, 3}, 2.5 -> {0, 1, 3},
    # 3.5 -> {3}, the 20s -> none: 7 in all, density 7 / (2 * 6).
    # Coverage: the balls of 0, 1 and 3 hold a fake: 3/6.
    result = density_coverage(REAL, FAKE, k=2)
    np.testing.assert_allclose(result, (7 / 12, 3 / 6), rtol=1e-12)


def test_balls_are_closed():
    # Real 2 has radius 1: fake 3 sits exactly on it (inside), fake 4 is
    # 2 away (outside).
    result = precision_recall([[0.0], [1.0], [2.0]], [[3.0], [4.0]], k=1)
    assert result.precision == 0.5


def test_identical_sets():
    x = np.random.default_rng(0).normal(size=(200, 5))
    assert precision_recall(x, x) == (1.0, 1.0)
    assert density_coverage(x, x).coverage == 1.0


def test_disjoint_sets_score_zero():
    rng = np.random.default_rng(1)
    real = rng.normal(size=(100, 3))
    fake = rng.normal(size=(80, 3)) + 100.0
    assert precision_recall(real, fake) == (0.0, 0.0)
    assert density_coverage(real, fake) == (0.0, 0.0)


def test_same_distribution_expectations():
    # Naeem et al. 2020: for equal distributions E[density] = 1 and
    # E[coverage] = 1 - C(N - 1, k) / C(N + M - 1, k) (about 0.97 here).
    rng = np.random.default_rng(2)
    n, k = 2000, 5
    real, fake = rng.normal(size=(n, 4)), rng.normal(size=(n, 4))
    result = density_coverage(real, fake, k=k)
    expected_coverage = 1.0 - comb(n - 1, k) / comb(2 * n - 1, k)
    # Spread over 20 seeds: 0.013 for density, 0.0063 for coverage; the
    # tolerances are 3 of those.
    np.testing.assert_allclose(result.density, 1.0, atol=0.04)
    np.testing.assert_allclose(result.coverage, expected_coverage, atol=0.02)


@pytest.mark.parametrize("block_values", [7, 2**23])
def test_blocked_distances_match_brute_force(monkeypatch, block_values):
    # 7 values per block forces blocks of a single row.
    monkeypatch.setattr(_arrays, "_BLOCK_VALUES", block_values)
    rng = np.random.default_rng(3)
    real = rng.normal(size=(60, 3))
    fake = rng.normal(size=(45, 3)) * 1.5 + 0.5
    expected = _brute_force(real, fake, k=4)
    got = (
        *precision_recall(real, fake, k=4),
        *density_coverage(real, fake, k=4),
    )
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_k_too_large_names_both_numbers():
    x = np.zeros((4, 2))
    with pytest.raises(ValueError, match="got k=4 and 4 samples"):
        precision_recall(x, np.ones((10, 2)), k=4)
    with pytest.raises(ValueError, match="`fake_features`, got k=3 and 3"):
        precision_recall(np.ones((10, 2)), x[:3], k=3)
    # Density and coverage put balls around real samples only.
    assert density_coverage(np.ones((10, 2)), x[:3], k=3) == (0.0, 0.0)
    with pytest.raises(ValueError, match="got k=10 and 10 samples"):
        density_coverage(np.ones((10, 2)), x, k=10)


@pytest.mark.parametrize("metric", [precision_recall, density_coverage])
@pytest.mark.parametrize(
    ("real", "fake", "k", "error", "fragment"),
    [
        (np.zeros((9, 3)), np.zeros((9, 2)), 1, ValueError, "same number"),
        (np.zeros(9), np.zeros((9, 1)), 1, ValueError, r"shape \(N, D\)"),
        (np.zeros((9, 1)), [[np.nan]] * 9, 1, ValueError, "9 NaN"),
        ([["a"]] * 9, np.zeros((9, 1)), 1, TypeError, "real numbers"),
        (np.zeros((9, 1)), np.zeros((9, 1)), 0, ValueError, "positive int"),
        (np.zeros((9, 1)), np.zeros((9, 1)), 2.0, TypeError, "`k`"),
    ],
)
def test_bad_input(metric, real, fake, k, error, fragment):
    with pytest.raises(error, match=fragment):
        metric(real, fake, k=k)
