"""Tests for tfgan_lite.metrics.features.keras_model: models as extractors."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from features_testutil import rng_images

from tfgan_lite._pixels import to_uint8
from tfgan_lite.metrics import features as F


def _tiny_model():
    inputs = keras.Input((8, 8, 1))
    maps = keras.layers.Conv2D(2, 3, padding="same", name="maps")(inputs)
    hidden = keras.layers.Dense(5, activation="tanh", name="hidden")(
        keras.layers.Flatten()(maps)
    )
    outputs = keras.layers.Dense(3, activation="softmax", name="out")(hidden)
    return keras.Model(inputs, outputs)


def test_from_model_layer_outputs():
    model = _tiny_model()
    x = rng_images((6, 8, 8, 1))
    extractor = F.from_model(
        model, name="tiny", layer="hidden", probabilities=True
    )
    assert (extractor.image_size, extractor.channels) == ((8, 8), 1)
    on_grid = tf.cast(to_uint8(x), tf.float32) / 127.5 - 1.0
    hidden = keras.Model(model.inputs, model.get_layer("hidden").output)
    np.testing.assert_allclose(
        F.extract(extractor, x), hidden(on_grid), atol=1e-6
    )
    np.testing.assert_allclose(
        F.extract_probabilities(extractor, x), model(on_grid), atol=1e-6
    )
    # A feature map is flattened to one row per image.
    maps = F.from_model(model, name="tiny_maps", layer="maps")
    assert F.extract(maps, x).shape == (6, 8 * 8 * 2)
    # The whole model, as features and probabilities.
    whole = F.from_model(model, name="tiny_out", probabilities=True)
    features, probabilities = F.extract_all(whole, x)
    np.testing.assert_array_equal(features, probabilities)


def test_from_model_errors():
    model = _tiny_model()
    with pytest.raises(ValueError, match="hidden, out"):
        F.from_model(model, name="tiny", layer="nope")
    with pytest.raises(ValueError, match="do not match"):
        F.from_model(model, name="tiny", image_size=(16, 16))
    with pytest.raises(ValueError, match="name"):
        F.from_model(model, name="")
    with pytest.raises(TypeError, match="name"):
        F.from_model(model, name=None)
    with pytest.raises(ValueError, match="image_size"):
        F.from_model(lambda x: x, name="plain")
    with pytest.raises(TypeError, match="Keras model"):
        F.from_model(
            lambda x: x, name="p", image_size=(8, 8), channels=1, layer="hidden"
        )
    # A model without a softmax is refused as a classifier.
    logits = keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(3)]
    )
    scores = F.from_model(logits, name="logits", probabilities=True)
    with pytest.raises(ValueError, match="softmax"):
        F.extract_probabilities(scores, rng_images((4, 8, 8, 1)))


def test_from_model_plain_callable():
    extractor = F.from_model(
        lambda x: tf.reduce_mean(x, axis=(1, 2)),
        name="mean_rgb",
        image_size=(4, 4),
        channels=3,
    )
    x = np.full((2, 6, 6, 1), 0.5, np.float32)
    np.testing.assert_allclose(
        F.extract(extractor, x, quantize=False),
        np.full((2, 3), 0.5),
        atol=1e-6,
    )


@pytest.mark.parametrize("make", [F.digits_classifier, F.random_embedding])
def test_extractors_ignore_a_mixed_precision_policy(make, held_out_digits):
    # A run under mixed_bfloat16 measures with the same float32 networks.
    images = held_out_digits[0][:64]

    def measure():
        extractor = make()
        if extractor.probabilities is None:
            return [F.extract(extractor, images)]
        return list(F.extract_all(extractor, images))

    want = measure()
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        got = measure()
        assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"
    finally:
        keras.mixed_precision.set_global_policy("float32")
    for w, g in zip(want, got, strict=True):
        assert g.dtype == w.dtype == np.float32
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
