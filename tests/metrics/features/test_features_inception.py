"""Tests for tfgan_lite.metrics.features.inception, with random weights.

The weights are saved to files here: nothing is downloaded.
"""

import h5py
import keras
import numpy as np
import pytest
import tensorflow as tf
from features_testutil import KERAS_H5_NUMPY2, rng_images

from tfgan_lite._pixels import to_uint8
from tfgan_lite.metrics import features as F
from tfgan_lite.metrics.features import digits


@pytest.fixture(scope="module")
def inception_files(tmp_path_factory):
    model = keras.applications.InceptionV3(weights=None, include_top=True)
    folder = tmp_path_factory.mktemp("inception")
    new_format = folder / "inception.weights.h5"
    model.save_weights(new_format)
    # The legacy layout of the file Keras caches in ~/.keras/models/.
    legacy = folder / "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
    from keras.src.legacy.saving import legacy_h5_format

    with h5py.File(legacy, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    reference = keras.Model(model.inputs, model.get_layer("avg_pool").output)
    # The saved weights, and the documented preprocessing: quantise,
    # resize to 299x299, repeat gray to RGB. Both files must give these
    # features, so the reference runs once.
    gray = rng_images((2, 28, 28, 1))
    pixels = tf.cast(to_uint8(gray), tf.float32) / 127.5 - 1.0
    rgb = tf.repeat(
        tf.image.resize(pixels, (299, 299), antialias=True), 3, axis=-1
    )
    expected = reference(tf.clip_by_value(rgb, -1.0, 1.0)).numpy()
    return new_format, legacy, gray, expected


@KERAS_H5_NUMPY2
@pytest.mark.parametrize("which", [0, 1], ids=["weights_h5", "legacy_h5"])
def test_inception_v3_from_file(inception_files, which):
    gray, expected = inception_files[2:]
    extractor = F.inception_v3(inception_files[which])
    assert extractor.name == "inception_v3"
    assert (extractor.image_size, extractor.channels) == ((299, 299), 3)
    features, probabilities = F.extract_all(extractor, gray)
    assert features.shape == (2, 2048) and probabilities.shape == (2, 1000)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(features, expected, rtol=1e-4, atol=1e-4)


def test_inception_v3_missing_file(tmp_path):
    missing = tmp_path / "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
    with pytest.raises(FileNotFoundError) as info:
        F.inception_v3(missing)
    message = str(info.value)
    assert str(missing) in message
    assert "keras.applications.InceptionV3(weights='imagenet')" in message
    assert "~/.keras/models/" in message
    assert "storage.googleapis.com" in message


@KERAS_H5_NUMPY2
def test_inception_v3_wrong_file(tmp_path):
    path = tmp_path / "other.weights.h5"
    digits._build_digits_cnn().save_weights(path)
    with pytest.raises(ValueError, match="InceptionV3"):
        F.inception_v3(path)
