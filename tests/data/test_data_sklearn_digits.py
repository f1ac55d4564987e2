"""digits: the scikit-learn 8x8 digits, offline."""

import numpy as np
from data_testutil import batches, numpy_bilinear
from sklearn.datasets import load_digits

from tfgan_lite import data


def test_digits_batches_range_and_mean_image():
    sklearn_images = load_digits().images  # (1797, 8, 8), values 0..16
    assert len(sklearn_images) == 1797
    ds = data.digits(batch_size=64)
    assert len(batches(ds)) == 1797 // 64  # 28, the last 5 dropped

    # 599 divides 1797, so one epoch holds every image exactly once.
    all_images = np.concatenate(batches(data.digits(batch_size=599)))
    assert all_images.shape == (1797, 28, 28, 1)
    assert all_images.min() >= -1.0 and all_images.max() <= 1.0
    np.testing.assert_allclose(all_images.min(), -1.0, atol=1e-6)
    np.testing.assert_allclose(all_images.max(), 1.0, atol=1e-2)
    # Scaling and resizing are linear, so the mean image commutes with them.
    expected = numpy_bilinear(sklearn_images.mean(axis=0) / 8.0 - 1, (28, 28))
    np.testing.assert_allclose(
        all_images.mean(axis=0)[..., 0], expected, atol=1e-4
    )


def test_digits_labels_and_rgb():
    ds = data.digits(
        image_size=(16, 16), channels=3, batch_size=599, with_labels=True
    )
    parts = batches(ds)
    images = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    assert images.shape == (1797, 16, 16, 3)
    np.testing.assert_array_equal(
        np.bincount(labels), np.bincount(load_digits().target)
    )
