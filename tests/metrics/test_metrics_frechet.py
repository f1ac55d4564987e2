"""Frechet distance: closed forms, scipy's sqrtm reference, bad input."""

import numpy as np
import pytest
import scipy.linalg

from tfgan_lite.metrics import frechet


def _random_rotation(rng, d):
    q, r = np.linalg.qr(rng.normal(size=(d, d)))
    return q * np.sign(np.diag(r))


def _covariance(rng, d, condition):
    """A random covariance with eigenvalues log-spaced from 1 to 1/cond."""
    q = _random_rotation(rng, d)
    values = np.logspace(0.0, -np.log10(condition), d)
    return (q * values) @ q.T


def _reference(mu1, sigma1, mu2, sigma2):
    """The textbook formula with scipy's general matrix square root."""
    root = scipy.linalg.sqrtm(sigma1 @ sigma2)
    return float(
        np.sum((mu1 - mu2) ** 2)
        + np.trace(sigma1)
        + np.trace(sigma2)
        - 2.0 * np.trace(root).real
    )


def test_identical_sets_give_zero():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(400, 16)) @ rng.normal(size=(16, 16))
    total_variance = 2.0 * np.trace(np.cov(a, rowvar=False))
    # Relative to the total variance, the scale of every term.
    np.testing.assert_allclose(
        frechet.frechet_distance(a, a), 0.0, atol=1e-6 * total_variance
    )


def test_gaussian_statistics_match_numpy():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(50, 3)).astype(np.float32)
    mean, cov = frechet.gaussian_statistics(x)
    assert mean.dtype == cov.dtype == np.float64
    np.testing.assert_allclose(mean, x.astype(np.float64).mean(0), rtol=1e-12)
    np.testing.assert_allclose(
        cov, np.cov(x.astype(np.float64), rowvar=False), rtol=1e-12
    )


def test_known_gaussians_match_closed_form():
    rng = np.random.default_rng(2)
    d = 5
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    a, b = rng.normal(size=(d, d)), rng.normal(size=(d, d))
    sigma1, sigma2 = a @ a.T + np.eye(d), b @ b.T + 0.1 * np.eye(d)
    got = frechet.frechet_distance_from_statistics(mu1, sigma1, mu2, sigma2)
    # Well-conditioned: both are exact up to float64 round-off.
    np.testing.assert_allclose(
        got, _reference(mu1, sigma1, mu2, sigma2), rtol=1e-10
    )
    # Symmetric in its two Gaussians, as a distance must be.
    np.testing.assert_allclose(
        frechet.frechet_distance_from_statistics(mu2, sigma2, mu1, sigma1),
        got,
        rtol=1e-10,
    )


def test_one_dimensional_closed_form():
    # For scalars FD = (m1 - m2)^2 + (s1 - s2)^2.
    got = frechet.frechet_distance_from_statistics(
        [1.0], [[4.0]], [3.0], [[9.0]]
    )
    np.testing.assert_allclose(got, 2.0**2 + (2.0 - 3.0) ** 2, rtol=1e-12)


def test_samples_approach_the_distance_of_their_gaussians():
    rng = np.random.default_rng(3)
    sigma1 = np.array([[1.0, 0.5], [0.5, 2.0]])
    sigma2 = np.array([[0.5, 0.0], [0.0, 1.0]])
    mu1, mu2 = np.zeros(2), np.array([1.0, -1.0])
    n = 20_000
    a = rng.multivariate_normal(mu1, sigma1, size=n)
    b = rng.multivariate_normal(mu2, sigma2, size=n)
    got = frechet.frechet_distance(a, b)
    # Same statistics through scipy: only round-off apart.
    np.testing.assert_allclose(
        got,
        _reference(
            a.mean(0),
            np.cov(a, rowvar=False),
            b.mean(0),
            np.cov(b, rowvar=False),
        ),
        rtol=1e-10,
    )
    # The true parameters: the sampling error of each moment is about
    # 1/sqrt(n) = 0.007 of its scale, so 0.05 absolute is several sigma.
    np.testing.assert_allclose(
        got, _reference(mu1, sigma1, mu2, sigma2), atol=0.05
    )


@pytest.mark.parametrize("d", [8, 64])
@pytest.mark.parametrize("condition", [1e6, 1e12])
def test_ill_conditioned_covariances_match_scipy(d, condition):
    rng = np.random.default_rng(d)
    sigma1 = _covariance(rng, d, condition)
    sigma2 = _covariance(rng, d, condition)
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    got = frechet.frechet_distance_from_statistics(mu1, sigma1, mu2, sigma2)
    assert np.isfinite(got) and got >= 0.0
    # Eigenvalues near 1e-12 carry absolute errors of ~1e-16, i.e. 1e-8
    # after the square root, in either method; 1e-7 of the total variance
    # bounds their sum over d <= 64 eigenvalues.
    scale = np.trace(sigma1) + np.trace(sigma2)
    np.testing.assert_allclose(
        got, _reference(mu1, sigma1, mu2, sigma2), atol=1e-7 * scale
    )


def test_singular_covariances_match_scipy_and_never_nan():
    rng = np.random.default_rng(4)
    d = 16
    a, b = rng.normal(size=(d, 8)), rng.normal(size=(d, 5))
    sigma1, sigma2 = a @ a.T, b @ b.T  # ranks 8 and 5
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    got = frechet.frechet_distance_from_statistics(mu1, sigma1, mu2, sigma2)
    scale = np.trace(sigma1) + np.trace(sigma2)
    np.testing.assert_allclose(
        got, _reference(mu1, sigma1, mu2, sigma2), atol=1e-7 * scale
    )
    # A singular covariance against itself: exactly 0 up to round-off.
    same = frechet.frechet_distance_from_statistics(mu1, sigma1, mu1, sigma1)
    assert np.isfinite(same)
    np.testing.assert_allclose(same, 0.0, atol=1e-9 * scale)


def test_commuting_covariances_have_an_exact_answer():
    # With shared eigenvectors, tr((S1 S2)^(1/2)) = sum sqrt(a_i b_i): an
    # answer that needs no matrix square root at all, here with a singular
    # S1 (three zero eigenvalues) and S2 of condition number 1e12.
    rng = np.random.default_rng(5)
    d = 10
    q = _random_rotation(rng, d)
    a = np.array([4.0, 2.0, 1.0, 0.5, 0.1, 1e-3, 1e-6, 0.0, 0.0, 0.0])
    b = np.logspace(0.0, -12.0, d)
    expected = np.sum(a) + np.sum(b) - 2.0 * np.sum(np.sqrt(a * b))
    got = frechet.frechet_distance_from_statistics(
        np.zeros(d), (q * a) @ q.T, np.zeros(d), (q * b) @ q.T
    )
    np.testing.assert_allclose(got, expected, rtol=1e-8)


def test_too_few_samples_says_how_many_are_needed():
    rng = np.random.default_rng(6)
    with pytest.raises(
        ValueError, match=r"at least 11 samples \(n >= d \+ 1\)"
    ):
        frechet.frechet_distance(
            rng.normal(size=(100, 10)), rng.normal(size=(10, 10))
        )
    with pytest.raises(ValueError, match="fewer feature dimensions"):
        frechet.gaussian_statistics(rng.normal(size=(5, 10)))
    with pytest.raises(ValueError, match="at least 2 samples"):
        frechet.gaussian_statistics([[1.0]])


@pytest.mark.parametrize(
    ("a", "b", "error", "fragment"),
    [
        (np.zeros((9, 3)), np.zeros((9, 4)), ValueError, "same number of"),
        (np.zeros(9), np.zeros((9, 1)), ValueError, r"shape \(N, D\)"),
        (np.zeros((9, 2, 1)), np.zeros((9, 2)), ValueError, "shape"),
        (
            np.array([[0.0, np.nan]] * 5),
            np.zeros((5, 2)),
            ValueError,
            "holds 5 NaN or infinite",
        ),
        ([["a", "b"]] * 5, np.zeros((5, 2)), TypeError, "real numbers"),
        (np.zeros((5, 2), bool), np.zeros((5, 2)), TypeError, "real numbers"),
    ],
)
def test_bad_feature_sets(a, b, error, fragment):
    with pytest.raises(error, match=fragment):
        frechet.frechet_distance(a, b)


def test_bad_statistics():
    eye = np.eye(2)
    with pytest.raises(ValueError, match=r"shape \(D, D\) = \(2, 2\)"):
        frechet.frechet_distance_from_statistics([0, 0], np.eye(3), [0, 0], eye)
    with pytest.raises(ValueError, match="same number of features"):
        frechet.frechet_distance_from_statistics(
            [0, 0], eye, [0, 0, 0], np.eye(3)
        )
    with pytest.raises(ValueError, match="positive semi-definite"):
        frechet.frechet_distance_from_statistics(
            [0, 0], np.diag([1.0, -1.0]), [0, 0], eye
        )
    with pytest.raises(ValueError, match="`sigma2` holds 1 NaN"):
        frechet.frechet_distance_from_statistics(
            [0, 0], eye, [0, 0], [[1.0, 0.0], [0.0, np.inf]]
        )
