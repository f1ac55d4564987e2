"""Classifier score: the Inception Score formula over any classifier.

Salimans et al. 2016, https://arxiv.org/abs/1606.03498, Section 4. With
Inception-v3 class probabilities on ImageNet-like images it is the
Inception Score; with another classifier (e.g. a digit classifier for
MNIST) it is the same formula in another space, and the two must not be
compared.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from tfgan_lite._validation import check_bool, check_int
from tfgan_lite.metrics import _arrays

__all__ = [
    "ScoreWithSpread",
    "classifier_score",
]

# Rows of probabilities must sum to 1 within this: float32 softmax outputs
# are off by ~1e-7 per class, and a row off by more was not normalised.
_SUM_TOLERANCE = 1e-3


class ScoreWithSpread(NamedTuple):
    """A score averaged over splits of the samples.

    Attributes:
        mean: Mean of the per-split scores.
        std: Their standard deviation (dividing by the number of splits, as
            the reference implementation does).
    """

    mean: float
    std: float


def _softmax(logits: np.ndarray) -> np.ndarray:
    # Subtracting each row's maximum keeps exp() <= 1: no overflow for any
    # finite logits, and the largest class keeps probability >= 1/C.
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _check_probabilities(p: np.ndarray) -> np.ndarray:
    negative = int(np.count_nonzero(p < 0.0))
    sums = p.sum(axis=1)
    off = np.flatnonzero(np.abs(sums - 1.0) > _SUM_TOLERANCE)
    if negative or len(off):
        where = (
            f"{negative} values below 0"
            if negative
            else f"{len(off)} rows that do not sum to 1 (row {off[0]} sums "
            f"to {sums[off[0]]:.6g})"
        )
        raise ValueError(
            f"`probabilities` must hold class probabilities, rows summing "
            f"to 1, but holds {where}. Apply a softmax to the classifier's "
            "outputs, or pass from_logits=True."
        )
    # Within the tolerance, each row is renormalised so that every
    # KL divergence below compares two proper distributions.
    return p / sums[:, None]


def _relative_entropy(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Row sums of p log(p / q), with 0 log 0 = 0."""
    safe_p = np.where(p > 0.0, p, 1.0)
    safe_q = np.where(p > 0.0, q, 1.0)
    return (p * np.log(safe_p / safe_q)).sum(axis=1)


def classifier_score(
    probabilities: Any, *, splits: int = 10, from_logits: bool = False
) -> ScoreWithSpread:
    """Inception Score formula, exp(E_x KL(p(y|x) || p(y))), per split.

    The samples are cut into `splits` consecutive parts (by
    ``np.array_split``: sizes differ by at most one and no sample is
    dropped; for N divisible by `splits` this is the reference split). In
    each part, p(y) is the mean of the rows p(y|x) and the score is

        exp(1/n sum_x sum_y p(y|x) log(p(y|x) / p(y))),

    with 0 log 0 = 0. Salimans et al. 2016,
    https://arxiv.org/abs/1606.03498, Section 4. The score lies in
    [1, C]: 1 when every sample gets the same prediction, C when
    predictions are confident (one-hot) and spread evenly over the C
    classes.

    Args:
        probabilities: Array of shape (N, C), C >= 2: class probabilities
            p(y|x) per sample, each row in [0, 1] and summing to 1 (within
            1e-3; rows are renormalised). With `from_logits`, raw
            classifier logits in (-inf, inf) instead.
        splits: Number of parts, in [1, N]. The paper uses 10 parts of
            5,000 samples.
        from_logits: Whether `probabilities` holds logits, to which a
            numerically stable softmax is applied.

    Returns:
        A :class:`ScoreWithSpread` of the per-split scores.

    Raises:
        TypeError: If `probabilities` does not hold real numbers, or an
            argument has the wrong type.
        ValueError: If `probabilities` is not 2-D with C >= 2, holds NaN or
            inf, negative values or rows not summing to 1 (without
            `from_logits`), or `splits` exceeds N.

    Example:
        >>> confident = np.tile(np.eye(4), (5, 1))  # 20 one-hot rows
        >>> classifier_score(confident, splits=5)
        ScoreWithSpread(mean=4.0, std=0.0)
    """
    name = "probabilities"
    p = _arrays.as_float_array(probabilities, name, ndim=2, shape_hint="(N, C)")
    from_logits = check_bool(from_logits, "from_logits")
    n, num_classes = p.shape
    if num_classes < 2:
        raise ValueError(
            f"`{name}` must have shape (N, C) with C >= 2 classes, got shape "
            f"{p.shape}. For a binary classifier with one output, pass "
            "both class probabilities [1 - p, p]."
        )
    splits = check_int(splits, "splits", minimum=1)
    if splits > n:
        raise ValueError(
            f"`splits` must be at most the number of samples, got "
            f"splits={splits} and {n} samples. Pass splits <= {n} or more "
            "samples."
        )
    p = _softmax(p) if from_logits else _check_probabilities(p)
    scores = []
    for part in np.array_split(p, splits):
        marginal = part.mean(axis=0, keepdims=True)
        kl = _relative_entropy(part, np.broadcast_to(marginal, part.shape))
        scores.append(np.exp(kl.mean()))
    return ScoreWithSpread(
        mean=float(np.mean(scores)), std=float(np.std(scores))
    )
