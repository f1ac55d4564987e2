"""Tests for tfgan_lite.metrics.features.digits: the shipped classifier."""

import h5py
import numpy as np
import tensorflow as tf

from tfgan_lite.metrics import features as F
from tfgan_lite.metrics.features import digits

# The figures stated in digits_classifier()'s docstring, and how far below
# them a test run may land (one or two digits of 360).
STATED_ACCURACY = 0.9944
STATED_ACCURACY_20X20 = 0.9889
MARGIN = 0.006


def test_digits_classifier_held_out_accuracy(classifier, held_out_digits):
    images, labels = held_out_digits
    assert len(labels) == 360
    p = F.extract_probabilities(classifier, images)
    accuracy = np.mean(p.argmax(axis=1) == labels)
    assert accuracy >= STATED_ACCURACY - MARGIN


def test_digits_classifier_reads_mnist_framed_digits(
    classifier, held_out_digits
):
    images, labels = held_out_digits
    small = tf.image.resize(images, (20, 20), antialias=True).numpy()
    framed = np.pad(
        np.clip(small, -1, 1),
        ((0, 0), (4, 4), (4, 4), (0, 0)),
        "constant",
        constant_values=-1.0,
    )
    p = F.extract_probabilities(classifier, framed)
    accuracy = np.mean(p.argmax(axis=1) == labels)
    assert accuracy >= STATED_ACCURACY_20X20 - MARGIN


def test_digits_classifier_outputs(classifier, held_out_digits):
    images = held_out_digits[0][:50]
    assert classifier.name == "digits_cnn_v1"
    assert classifier.image_size == (28, 28) and classifier.channels == 1
    features, probabilities = F.extract_all(classifier, images)
    assert features.shape == (50, 64) and features.dtype == np.float32
    assert probabilities.shape == (50, 10)
    assert probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert (probabilities >= 0).all()
    # One pass equals the two separate calls, and a fresh load is identical.
    again = F.digits_classifier()
    np.testing.assert_array_equal(F.extract(again, images), features)
    np.testing.assert_array_equal(
        F.extract_probabilities(again, images), probabilities
    )


def test_digits_weights_are_small_and_shipped():
    path = digits._DIGITS_WEIGHTS
    assert path.is_file() and path.name.endswith(".weights.h5")
    assert path.stat().st_size < 400_000
    with h5py.File(path, "r") as f:
        # Only the network's weights, no optimizer state.
        assert "optimizer" not in f
