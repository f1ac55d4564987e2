"""Classifier (Inception) score: extreme cases, a reference, bad input."""

import numpy as np
import pytest
import scipy.special
import scipy.stats

from tfgan_lite.metrics.classifier_score import classifier_score


def _reference(p, splits):
    """exp(mean KL(p(y|x) || p(y))) per part, with scipy's entropy."""
    scores = []
    for part in np.array_split(p, splits):
        marginal = part.mean(axis=0)
        kl = [scipy.stats.entropy(row, marginal) for row in part]
        scores.append(np.exp(np.mean(kl)))
    return np.mean(scores), np.std(scores)


@pytest.mark.parametrize("num_classes", [2, 10])
def test_confident_evenly_spread_predictions_score_the_class_count(
    num_classes,
):
    p = np.tile(np.eye(num_classes), (10, 1))  # every part sees each class
    result = classifier_score(p, splits=10)
    np.testing.assert_allclose(result, (num_classes, 0.0), atol=1e-12)


def test_identical_predictions_score_one():
    p = np.tile([0.7, 0.2, 0.1], (30, 1))
    np.testing.assert_allclose(
        classifier_score(p, splits=3), (1.0, 0.0), atol=1e-12
    )


def test_matches_scipy_reference_with_uneven_splits():
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3.0, size=(103, 7))
    p = scipy.special.softmax(logits, axis=1)
    result = classifier_score(p, splits=4)  # parts of 26, 26, 26, 25
    np.testing.assert_allclose(result, _reference(p, 4), rtol=1e-10)
    assert 1.0 < result.mean < 7.0


def test_from_logits_matches_softmax_input():
    rng = np.random.default_rng(1)
    logits = rng.normal(scale=5.0, size=(40, 5))
    np.testing.assert_allclose(
        classifier_score(logits, splits=2, from_logits=True),
        classifier_score(scipy.special.softmax(logits, axis=1), splits=2),
        rtol=1e-12,
    )
    # Huge logits: exp() would overflow without the max shift.
    huge = np.array([[1000.0, 0.0], [0.0, 1000.0]])
    np.testing.assert_allclose(
        classifier_score(huge, splits=1, from_logits=True),
        (2.0, 0.0),
        atol=1e-12,
    )


def test_zero_probabilities_count_as_zero_log_zero():
    p = np.array([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5]])
    # KL rows: log 2 and 0.5 log(0.5/0.25) * 2 = log 2.
    np.testing.assert_allclose(
        classifier_score(p, splits=1), (2.0, 0.0), atol=1e-12
    )


def test_float32_rows_within_tolerance_are_accepted():
    p = np.full((8, 3), 1 / 3, dtype=np.float32)
    np.testing.assert_allclose(classifier_score(p, splits=2).mean, 1.0)


@pytest.mark.parametrize(
    ("p", "kwargs", "error", "fragment"),
    [
        (np.full((4, 3), 0.5), {"splits": 1}, ValueError, "softmax"),
        (np.full((4, 3), 0.5), {"splits": 1}, ValueError, "row 0 sums to 1.5"),
        ([[1.5, -0.5]] * 4, {"splits": 1}, ValueError, "4 values below 0"),
        (np.eye(3), {"splits": 4}, ValueError, "splits=4 and 3 samples"),
        (np.eye(3), {"splits": 0}, ValueError, "`splits`"),
        (np.ones((5, 1)), {"splits": 1}, ValueError, "C >= 2"),
        (np.ones(5), {"splits": 1}, ValueError, r"shape \(N, C\)"),
        ([[np.nan, 1.0]], {"splits": 1}, ValueError, "1 NaN"),
        ([["a", "b"]], {"splits": 1}, TypeError, "real numbers"),
        (np.eye(2), {"from_logits": 1}, TypeError, "from_logits"),
    ],
)  # fmt: skip
def test_bad_input(p, kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        classifier_score(p, **kwargs)
