"""Feature extractors: images in, (N, D) feature arrays out, for the metrics.

The metrics of ``tfgan_lite.metrics`` compare arrays of features. This
module turns images into those arrays with a :class:`FeatureExtractor`:

* :func:`digits_classifier`: a small CNN shipped with the package, trained
  on scikit-learn's 8x8 digits at 28x28 (with augmentation so that it also
  reads MNIST-framed digits). 64-d features and 10 class probabilities.
* :func:`inception_v3`: Keras' ImageNet InceptionV3, from a weights file the
  user provides (nothing is downloaded). 2048-d features, 1000 classes.
* :func:`random_embedding`: a randomly initialised CNN with a fixed seed,
  for data that no classifier was trained on (Naeem et al. 2020,
  https://arxiv.org/abs/2002.09797, Section 5).
* :func:`from_model`: any Keras model or callable.

Each concept has its module: the record (``extractor.py``), Keras models
and callables (``keras_model.py``), the shipped digit classifier
(``digits.py``), InceptionV3 (``inception.py``), the random CNN
(``random_cnn.py``), extraction (``extraction.py``) and the checks and
preprocessing of batches (``_batches.py``).

Every extractor has a `name` that the metrics report with their numbers:
a distance in one feature space says nothing about a distance in another,
so numbers with different names must never be compared.

:func:`extract` (features), :func:`extract_probabilities` (class
probabilities) and :func:`extract_all` (both, in one pass) accept a numpy
array, a ``tf.data.Dataset`` or an iterator of batches, and apply the same
fixed preprocessing to every image, real or generated, because each step
changes the numbers (Parmar et al. 2022, "On Aliased Resizing and
Surprising Subtleties in GAN Evaluation", https://arxiv.org/abs/2104.11222):

1. Check: float images must lie in [-1, 1] (values up to 1e-3 outside
   are clipped; anything further is an error, as is NaN or inf). uint8
   images are read as pixels in [0, 255].
2. Quantise (``quantize=True``, the default): float images are rounded to
   the uint8 grid with ``tfgan_lite._pixels.to_uint8``, exactly as saving
   them to PNG would, so that generated samples are measured like real
   images read from files. uint8 images are already on the grid.
3. Scale to [-1, 1], convert channels and resize, with the steps of
   ``tfgan_lite.data`` (so a PNG read by ``data.from_folder`` and the
   sample it was saved from give the same values here, up to float
   rounding of about 1e-7): RGB becomes luma with the
   BT.601 weights (0.299, 0.587, 0.114), images are resized with
   antialiased bilinear interpolation to the extractor's `image_size` when
   their size differs, grayscale is repeated to RGB, and the result is
   clipped to [-1, 1].

Images are processed `batch_size` at a time: for an array, slices of it;
for a dataset or iterator, one batch after another. Only one batch of
images is held at once, plus the features computed so far.

Example:
    >>> import numpy as np
    >>> extractor = random_embedding(seed=0, dim=32)
    >>> extractor.name  # Reported with every number measured with it.
    'random_cnn_v1_seed0_28x28x1_d32'
    >>> images = np.zeros((5, 28, 28, 1), np.float32)
    >>> extract(extractor, images).shape
    (5, 32)
"""

from tfgan_lite.metrics.features.digits import DIGITS_CLASSIFIER_NAME
from tfgan_lite.metrics.features.digits import digits_classifier
from tfgan_lite.metrics.features.extraction import extract
from tfgan_lite.metrics.features.extraction import extract_all
from tfgan_lite.metrics.features.extraction import extract_probabilities
from tfgan_lite.metrics.features.extractor import FeatureExtractor
from tfgan_lite.metrics.features.inception import inception_v3
from tfgan_lite.metrics.features.keras_model import from_model
from tfgan_lite.metrics.features.random_cnn import random_embedding

__all__ = [
    "DIGITS_CLASSIFIER_NAME",
    "FeatureExtractor",
    "digits_classifier",
    "extract",
    "extract_all",
    "extract_probabilities",
    "from_model",
    "inception_v3",
    "random_embedding",
]
