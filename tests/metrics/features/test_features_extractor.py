"""Tests for tfgan_lite.metrics.features.extractor: the record."""

import dataclasses

import pytest
from features_testutil import pixels

from tfgan_lite.metrics import features as F


def test_feature_extractor_record():
    extractor = pixels((8, 8))
    with pytest.raises(dataclasses.FrozenInstanceError):
        extractor.name = "other"
    assert "features" not in repr(extractor)
    with pytest.raises(ValueError, match="channels"):
        F.FeatureExtractor(
            name="x", image_size=(8, 8), channels=2, features=abs
        )
    with pytest.raises(TypeError, match="callable"):
        F.FeatureExtractor(
            name="x", image_size=(8, 8), channels=1, features=None
        )
    with pytest.raises(TypeError, match="image_size"):
        F.FeatureExtractor(name="x", image_size=8, channels=1, features=abs)
