"""Tests for tfgan_lite.metrics.features: the package's public surface."""

import importlib

from tfgan_lite import metrics
from tfgan_lite.metrics import features as F

PUBLIC = [
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


def test_public_names_are_the_same_everywhere():
    assert sorted(F.__all__) == PUBLIC
    for name in PUBLIC:
        # tfgan_lite.metrics re-exports each one, unchanged.
        assert getattr(metrics, name) is getattr(F, name), name
    assert F.DIGITS_CLASSIFIER_NAME == "digits_cnn_v1"


def test_each_callable_lives_in_one_submodule():
    for name in PUBLIC[1:]:
        obj = getattr(F, name)
        module = obj.__module__
        assert module.startswith("tfgan_lite.metrics.features."), name
        assert getattr(importlib.import_module(module), name) is obj, name
