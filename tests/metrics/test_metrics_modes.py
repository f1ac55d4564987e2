"""Mode counts on 2-D mixtures and stacked digits: by hand and on data."""

import numpy as np
import pytest

from tfgan_lite import data
from tfgan_lite.metrics import modes

# P(chi^2 with 2 degrees of freedom <= 3^2): the share of a 2-D Gaussian's
# samples within 3 standard deviations of its center.
_WITHIN_3_STD = 1.0 - np.exp(-4.5)


def test_centers_are_the_data_modules_centers():
    np.testing.assert_array_equal(modes.ring_centers(), data.ring(10)[1])
    np.testing.assert_array_equal(
        modes.ring_centers(5, radius=2.0), data.ring(10, modes=5, radius=2)[1]
    )
    np.testing.assert_array_equal(modes.grid_centers(), data.grid(10)[1])
    np.testing.assert_array_equal(
        modes.grid_centers(3, spacing=1.5),
        data.grid(10, side=3, spacing=1.5)[1],
    )


def test_perfect_generator_on_the_grid():
    rng = np.random.default_rng(0)
    centers = modes.grid_centers()
    samples = np.repeat(centers, 40, axis=0) + rng.normal(
        scale=0.005, size=(1000, 2)
    )
    result = modes.mixture_modes(samples, centers, std=0.05)
    assert (result.modes, result.high_quality, result.num_samples) == (
        25,
        1.0,
        1000,
    )
    np.testing.assert_array_equal(result.counts, np.full(25, 40))
    np.testing.assert_allclose(result.reverse_kl, 0.0, atol=1e-12)


@pytest.mark.parametrize(
    ("sample", "centers", "std"),
    [
        (data.ring, modes.ring_centers(), 0.01),
        (data.grid, modes.grid_centers(), 0.05),
    ],
)
def test_true_mixture_samples_capture_every_mode(sample, centers, std):
    points, _ = sample(10_000, seed=1)  # the default std
    result = modes.mixture_modes(points, centers, std=std)
    assert result.modes == len(centers)
    # Binomial spread of the fraction: sqrt(0.011 * 0.989 / 1e4) = 0.001.
    np.testing.assert_allclose(result.high_quality, _WITHIN_3_STD, atol=0.004)
    # A multinomial histogram's KL to its uniform mean is about
    # (M - 1) / (2 n) <= 0.0013 here.
    np.testing.assert_allclose(result.reverse_kl, 0.0, atol=0.01)


def test_collapsed_generator_has_one_mode_and_kl_log_m():
    centers = modes.grid_centers()
    samples = np.repeat(centers[7:8], 500, axis=0)
    result = modes.mixture_modes(samples, centers, std=0.05)
    assert (result.modes, result.high_quality) == (1, 1.0)
    assert result.counts[7] == 500 and result.counts.sum() == 500
    np.testing.assert_allclose(result.reverse_kl, np.log(25.0), rtol=1e-15)


def test_no_high_quality_samples():
    centers = modes.ring_centers()
    result = modes.mixture_modes(np.full((50, 2), 5.0), centers, std=0.01)
    assert (result.modes, result.high_quality, result.num_samples) == (
        0,
        0.0,
        50,
    )
    np.testing.assert_array_equal(result.counts, np.zeros(8))
    assert np.isnan(result.reverse_kl)  # the histogram is empty


def test_hand_checked_mixture():
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])
    samples = np.array(
        [
            [0.5, 0.0],  # mode 0
            [0.0, -1.0],  # mode 0
            [3.0, 0.0],  # mode 0, exactly 3 std away: still high quality
            [10.0, 2.9],  # mode 1
            [3.1, 0.0],  # nearest 0, but 3.1 std away: low quality
            [5.0, 5.0],  # low quality (ties broken to mode 0)
        ]
    )
    result = modes.mixture_modes(samples, centers, std=1.0)
    assert result.modes == 2
    np.testing.assert_allclose(result.high_quality, 4 / 6, rtol=1e-15)
    np.testing.assert_array_equal(result.counts, [3, 1, 0, 0])
    # p = (3/4, 1/4, 0, 0) against uniform over 4 modes.
    expected = 0.75 * np.log(0.75 * 4) + 0.25 * np.log(0.25 * 4)
    np.testing.assert_allclose(result.reverse_kl, expected, rtol=1e-12)


def test_stacked_mode_ids_and_histogram_by_hand():
    digits = np.array([[1, 2, 3], [1, 2, 3], [0, 0, 0], [9, 0, 9]])
    ids = modes.stacked_mode_ids(digits)
    np.testing.assert_array_equal(ids, [123, 123, 0, 909])
    result = modes.mode_histogram(ids, num_modes=1000)
    assert result.modes == 3 and result.counts.shape == (1000,)
    assert (result.counts[123], result.counts[0], result.counts[909]) == (
        2,
        1,
        1,
    )
    # p = (1/2, 1/4, 1/4): 1/2 log 500 + 2 * 1/4 log 250.
    expected = 0.5 * np.log(500.0) + 0.5 * np.log(250.0)
    np.testing.assert_allclose(result.reverse_kl, expected, rtol=1e-12)


def test_uniform_histogram_has_zero_kl():
    result = modes.mode_histogram(np.arange(10).repeat(3), num_modes=10)
    assert result.modes == 10
    np.testing.assert_allclose(result.reverse_kl, 0.0, atol=1e-12)


def test_stacked_ids_for_other_stack_depths():
    np.testing.assert_array_equal(
        modes.stacked_mode_ids(np.array([[4], [7]], np.uint8)), [4, 7]
    )
    np.testing.assert_array_equal(modes.stacked_mode_ids([[1, 0]]), [10])


@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    [
        (lambda: modes.mode_histogram([0.0, 1.0], 2), TypeError, "integers"),
        (lambda: modes.mode_histogram([True], 2), TypeError, "integers"),
        (lambda: modes.mode_histogram([[0]], 2), ValueError, r"shape \(N,\)"),
        (lambda: modes.mode_histogram([], 2), ValueError, "no empty axis"),
        (lambda: modes.mode_histogram([0, 5, 7], 4), ValueError,
         r"\[0, 3\], but holds 2 values outside; the first is 5"),
        (lambda: modes.mode_histogram([-1], 4), ValueError, "first is -1"),
        (lambda: modes.mode_histogram([0], 0), ValueError, "num_modes"),
        (lambda: modes.stacked_mode_ids([[1, 10, 3]]), ValueError,
         "digit classes in \\[0, 9\\]"),
        (lambda: modes.stacked_mode_ids([1, 2, 3]), ValueError,
         r"shape \(N, K\)"),
        (lambda: modes.mixture_modes(np.zeros((3, 2)), np.zeros((4, 3)),
                                     std=1.0), ValueError, "same number"),
        (lambda: modes.mixture_modes(np.zeros((3, 2)), np.zeros((4, 2)),
                                     std=0.0), ValueError, "`std`"),
        (lambda: modes.mixture_modes([[np.nan, 0.0]], np.zeros((4, 2)),
                                     std=1.0), ValueError, "1 NaN"),
        (lambda: modes.mixture_modes([["a", "b"]], np.zeros((4, 2)),
                                     std=1.0), TypeError, "real numbers"),
        (lambda: modes.mixture_modes(np.zeros(2), np.zeros((4, 2)),
                                     std=1.0), ValueError, r"\(N, D\)"),
    ],
)  # fmt: skip
def test_bad_input(call, error, fragment):
    with pytest.raises(error, match=fragment):
        call()
