"""Tests for tfgan_lite.metrics.features.extraction: inputs and batching."""

import numpy as np
import pytest
import tensorflow as tf
from features_testutil import pixels, rng_images

from tfgan_lite._pixels import to_uint8
from tfgan_lite.metrics import features as F


def test_numpy_dataset_and_iterator_agree(classifier):
    x = rng_images((70, 28, 28, 1))
    labels = np.arange(70)
    expected = F.extract(classifier, x, batch_size=32)
    inputs = {
        "batched": tf.data.Dataset.from_tensor_slices(x).batch(16),
        "unbatched": tf.data.Dataset.from_tensor_slices(x),
        "with_labels": tf.data.Dataset.from_tensor_slices((x, labels)).batch(9),
        "rank_2": tf.data.Dataset.from_tensor_slices(x[..., 0]),
        "rank_3_batches": tf.data.Dataset.from_tensor_slices(x[..., 0]).batch(
            8
        ),
        "generator": (
            (x[i : i + 25], labels[i : i + 25]) for i in range(0, 70, 25)
        ),
        "tensor": tf.constant(x),
        "rank_3_numpy": x[..., 0],
        "float64": x.astype(np.float64),
    }
    for kind, images in inputs.items():
        got = F.extract(classifier, images, batch_size=32)
        # Batches of another size may take other CPU kernels, whose sums
        # differ in the last bits (seen on AMD EPYC): a tolerance, not ==.
        np.testing.assert_allclose(
            got, expected, rtol=0, atol=1e-5, err_msg=kind
        )


def test_batch_size_does_not_change_features(classifier):
    x = rng_images((45, 28, 28, 1))
    reference = F.extract(classifier, x, batch_size=256)
    for batch_size in (1, 7, 45):
        got = F.extract(classifier, x, batch_size=batch_size)
        np.testing.assert_allclose(got, reference, rtol=0, atol=1e-5)


def test_quantize_equals_manually_quantised_input(classifier):
    x = rng_images((20, 28, 28, 1))
    # The mapping of tfgan_lite.data for uint8 pixels.
    on_grid = (tf.cast(to_uint8(x), tf.float32).numpy() - 127.5) / 127.5
    quantised = F.extract(classifier, x)
    np.testing.assert_allclose(
        quantised, F.extract(classifier, on_grid, quantize=False), atol=1e-6
    )
    # uint8 pixels are read as [0, 255], the same grid.
    np.testing.assert_array_equal(
        F.extract(classifier, to_uint8(x).numpy()), quantised
    )
    # Without quantisation the off-grid values give other features.
    assert np.abs(F.extract(classifier, x, quantize=False) - quantised).max()
    # Pixels end up exactly on the grid.
    got = F.extract(pixels((28, 28)), x)
    np.testing.assert_array_equal(got, on_grid.reshape(20, -1))


def test_bad_arguments():
    x = np.zeros((2, 8, 8), np.float32)
    with pytest.raises(ValueError, match="batch_size"):
        F.extract(pixels((8, 8)), x, batch_size=0)
    with pytest.raises(TypeError, match="quantize"):
        F.extract(pixels((8, 8)), x, quantize=1)
    with pytest.raises(TypeError, match="FeatureExtractor"):
        F.extract(lambda images: images, x)
    with pytest.raises(ValueError, match="not a classifier"):
        F.extract_probabilities(pixels((8, 8)), x)
