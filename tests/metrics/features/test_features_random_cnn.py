"""Tests for tfgan_lite.metrics.features.random_cnn: the seeded embedding."""

import keras
import numpy as np
import pytest
from features_testutil import rng_images

from tfgan_lite.metrics import features as F


def test_random_embedding_is_a_function_of_the_seed():
    x = rng_images((6, 28, 28, 1))
    a = F.extract(F.random_embedding(seed=5, dim=32), x)
    keras.utils.set_random_seed(99)  # Global seeds must not matter.
    b = F.extract(F.random_embedding(seed=5, dim=32), x)
    c = F.extract(F.random_embedding(seed=6, dim=32), x)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (6, 32)
    assert np.abs(a - c).max() > 1e-3
    # Distinct images get distinct, finite features of moderate scale.
    assert np.isfinite(a).all() and 0.01 < a.std() < 100
    assert np.abs(a[0] - a[1]).max() > 1e-3


def test_random_embedding_name_and_sizes():
    extractor = F.random_embedding(
        seed=2, image_size=(64, 48), channels=3, dim=16
    )
    assert extractor.name == "random_cnn_v1_seed2_64x48x3_d16"
    assert (extractor.image_size, extractor.channels) == ((64, 48), 3)
    assert F.extract(extractor, rng_images((3, 64, 48, 3))).shape == (3, 16)
    with pytest.raises(ValueError, match="seed"):
        F.random_embedding(seed=-1)
    with pytest.raises(ValueError, match="channels"):
        F.random_embedding(channels=2)
