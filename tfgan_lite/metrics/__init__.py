"""Offline sample-quality metrics over feature arrays.

What each metric measures:

* ``frechet_distance`` (``frechet.py``): distance between Gaussians fitted
  to two feature sets; the FID with Inception features (Heusel et al.
  2017). Lower is better.
* ``kernel_distance`` (``kernel.py``): unbiased MMD^2 with a cubic kernel;
  the KID with Inception features (Binkowski et al. 2018). Lower is
  better; about 0 for equal distributions.
* ``classifier_score`` (``classifier_score.py``): the Inception Score
  formula over any classifier's class probabilities (Salimans et al.
  2016). Higher is better, in [1, number of classes].
* ``precision_recall``, ``density_coverage`` (``precision_recall.py``):
  fidelity and diversity from k-nearest-neighbour balls (Kynkaanniemi et
  al. 2019; Naeem et al. 2020).
* ``mixture_modes``, ``mode_histogram``, ``stacked_mode_ids``
  (``modes.py``): modes captured and reverse KL on the 2-D ring and grid
  and on stacked digits (PacGAN, Lin et al. 2018).
* ``parzen_log_likelihood`` (``parzen.py``): the Gaussian Parzen-window
  estimate of the 2014 GAN paper; unreliable in high dimensions, kept to
  reproduce it.

Every function takes feature arrays of shape (N, D) (class probabilities
of shape (N, C) for ``classifier_score``): numpy arrays or anything
``np.asarray`` accepts. They are converted to float64 and every
computation runs in float64. NaN and inf are refused with a ValueError
naming how many there are; strings and other non-numbers with a TypeError.

A number is only meaningful together with the feature extractor that
produced its features: an FID from Inception-v3 pool features and a
"FID" from a small digit classifier are different quantities. Results
must therefore be reported, stored and compared together with the name of
the feature extractor (``features/``), and numbers from different
extractors never mixed.

Example:
    >>> import numpy as np
    >>> from tfgan_lite import metrics
    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(1000, 8))
    >>> round(metrics.frechet_distance(real, real), 6)
    0.0
"""

from tfgan_lite.metrics.classifier_score import ScoreWithSpread
from tfgan_lite.metrics.classifier_score import classifier_score
from tfgan_lite.metrics.frechet import frechet_distance
from tfgan_lite.metrics.frechet import frechet_distance_from_statistics
from tfgan_lite.metrics.frechet import gaussian_statistics
from tfgan_lite.metrics.kernel import KernelDistance
from tfgan_lite.metrics.kernel import kernel_distance
from tfgan_lite.metrics.modes import MixtureModes
from tfgan_lite.metrics.modes import ModeHistogram
from tfgan_lite.metrics.modes import grid_centers
from tfgan_lite.metrics.modes import known_mixture
from tfgan_lite.metrics.modes import mixture_modes
from tfgan_lite.metrics.modes import mode_histogram
from tfgan_lite.metrics.modes import ring_centers
from tfgan_lite.metrics.modes import stacked_mode_ids
from tfgan_lite.metrics.parzen import ParzenResult
from tfgan_lite.metrics.parzen import parzen_log_likelihood
from tfgan_lite.metrics.precision_recall import DensityCoverage
from tfgan_lite.metrics.precision_recall import PrecisionRecall
from tfgan_lite.metrics.precision_recall import density_coverage
from tfgan_lite.metrics.precision_recall import precision_recall

# Feature extractors, and the report that puts figures beside real data.
from tfgan_lite.metrics import features
from tfgan_lite.metrics import quality
from tfgan_lite.metrics.features import DIGITS_CLASSIFIER_NAME
from tfgan_lite.metrics.features import FeatureExtractor
from tfgan_lite.metrics.features import digits_classifier
from tfgan_lite.metrics.features import extract
from tfgan_lite.metrics.features import extract_all
from tfgan_lite.metrics.features import extract_probabilities
from tfgan_lite.metrics.features import from_model
from tfgan_lite.metrics.features import inception_v3
from tfgan_lite.metrics.features import random_embedding
from tfgan_lite.metrics.quality import QualityReport
from tfgan_lite.metrics.quality import Reference
from tfgan_lite.metrics.quality import compare
from tfgan_lite.metrics.stacked import stacked_modes

__all__ = [
    "DIGITS_CLASSIFIER_NAME",
    "DensityCoverage",
    "FeatureExtractor",
    "KernelDistance",
    "MixtureModes",
    "ModeHistogram",
    "ParzenResult",
    "PrecisionRecall",
    "QualityReport",
    "Reference",
    "ScoreWithSpread",
    "classifier_score",
    "compare",
    "density_coverage",
    "digits_classifier",
    "extract",
    "extract_all",
    "extract_probabilities",
    "features",
    "frechet_distance",
    "frechet_distance_from_statistics",
    "from_model",
    "gaussian_statistics",
    "grid_centers",
    "inception_v3",
    "kernel_distance",
    "known_mixture",
    "mixture_modes",
    "mode_histogram",
    "parzen_log_likelihood",
    "precision_recall",
    "quality",
    "random_embedding",
    "ring_centers",
    "stacked_mode_ids",
    "stacked_modes",
]
