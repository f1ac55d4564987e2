"""How varied generated samples are, and how much of the data they cover.

The figures behind ``TrainingHealth``'s mode-collapse check: the mean
pairwise distance of a batch, and coverage (Naeem et al. 2020) of held-out
real samples.
"""

from __future__ import annotations

import numpy as np

from tfgan_lite.metrics import features
from tfgan_lite.metrics.precision_recall import (
    DensityCoverage,
    density_coverage,
)

__all__ = ["CoverageCheck", "mean_pairwise_distance"]

# k of the coverage balls (Naeem et al. 2020 use 5).
_COVERAGE_NEIGHBOURS = 5


def mean_pairwise_distance(samples: np.ndarray) -> float:
    """Mean L2 distance over all pairs i < j of flattened samples."""
    x = np.asarray(samples, np.float64).reshape(len(samples), -1)
    # Centred first: distances do not change, and the Gram-matrix identity
    # |a - b|^2 = |a|^2 + |b|^2 - 2 a.b then cancels less. Identical samples
    # give exactly 0.
    x = x - x.mean(axis=0)
    norms = np.einsum("ij,ij->i", x, x)
    squared = norms[:, None] + norms[None, :] - 2.0 * (x @ x.T)
    upper = np.triu_indices(len(x), k=1)
    return float(np.sqrt(np.maximum(squared[upper], 0.0)).mean())


class CoverageCheck:
    """Coverage of real half B by generated samples, beside real half A's.

    Coverage (Naeem et al. 2020, https://arxiv.org/abs/2002.09797) is the
    fraction of real samples with a generated sample inside their k-nearest-
    neighbour ball. A generator that drops modes leaves the real samples of
    those modes uncovered, which a diversity figure does not see. Images are
    compared on the features of a fixed-seed random embedding (the same
    paper's advice for data without a classifier), other samples as they
    are. Real half A against half B is the reference: the same sample sizes
    give the coverage that a generator as good as the data would reach.
    """

    def __init__(self, real: np.ndarray, *, seed: int):
        self._extractor = None
        shape = real.shape[1:]
        if len(shape) == 3 and shape[-1] in (1, 3) and min(shape[:2]) >= 8:
            self._extractor = features.random_embedding(
                seed=0, image_size=shape[:2], channels=shape[-1], dim=64
            )
        order = np.random.default_rng(seed).permutation(len(real))
        half = len(real) // 2
        self.size = half
        self.k = min(_COVERAGE_NEIGHBOURS, half - 1)
        features_ = self._features(real)
        self._half_b = features_[order[half : 2 * half]]
        self.real = self._score(features_[order[:half]])

    def _features(self, samples: np.ndarray) -> np.ndarray:
        if self._extractor is None:
            return np.asarray(samples, np.float64).reshape(len(samples), -1)
        # Samples are [-1, 1] images; values a hair outside are clipped.
        clipped = np.clip(np.asarray(samples, np.float32), -1.0, 1.0)
        return features.extract(self._extractor, clipped, quantize=False)

    def _score(self, candidate: np.ndarray) -> DensityCoverage:
        return density_coverage(self._half_b, candidate, k=self.k)

    def measure(self, generated: np.ndarray) -> DensityCoverage:
        """Density and coverage of half B by the first ``size`` samples."""
        return self._score(self._features(generated[: self.size]))
