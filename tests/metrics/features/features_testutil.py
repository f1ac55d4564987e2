"""Helpers shared by the feature extractor tests: images, a pixel extractor."""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_lite.metrics import features as F

# Keras' .h5 code calls np.array on h5py objects, which NumPy 2 flags with
# a DeprecationWarning; it is Keras' code, not ours.
KERAS_H5_NUMPY2 = pytest.mark.filterwarnings(
    "ignore:__array__ implementation:DeprecationWarning"
)


def rng_images(shape, seed=0):
    """Uniform float32 images in [-1, 1]."""
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype("float32")


def pixels(size, channels=1):
    """An extractor whose features are the prepared pixels themselves."""
    h, w = size
    return F.FeatureExtractor(
        name=f"pixels_{h}x{w}x{channels}",
        image_size=size,
        channels=channels,
        features=lambda x: tf.reshape(x, (-1, h * w * channels)),
    )
