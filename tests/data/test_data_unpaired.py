"""Tests for tfgan_lite.data.unpaired: two-domain (x, y) batches."""

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from tfgan_lite import data
from tfgan_lite.data import unpaired


def test_digits_pair_is_unpaired_and_the_mapping_is_known():
    x_all, y_all = unpaired.digits_pair_arrays("invert", image_size=(8, 8))
    np.testing.assert_array_equal(y_all, -x_all)
    # The 8x8 size keeps the raw pixels: 0..16 maps linearly onto [-1, 1].
    from sklearn.datasets import load_digits

    raw = load_digits().images[0]
    np.testing.assert_allclose(x_all[0, ..., 0], raw / 8.0 - 1.0, atol=1e-6)
    x, y = next(
        iter(data.digits_pair("invert", image_size=(8, 8), batch_size=32))
    )
    assert x.shape == y.shape == (32, 8, 8, 1)
    # Y's rows are mapped digits, but not those of the same rows of X.
    assert not np.allclose(y.numpy(), -x.numpy())
    found = [
        np.any(np.all(np.isclose(y_all, row), axis=(1, 2, 3)))
        for row in y.numpy()
    ]
    assert all(found)


def test_rotate_mapping_is_a_quarter_turn():
    x, y = unpaired.digits_pair_arrays("rotate", image_size=(8, 8))
    np.testing.assert_array_equal(y[5, :, :, 0], np.rot90(x[5, :, :, 0]))
    assert not np.allclose(x, y)
    fn = unpaired.digits_mapping("rotate")
    np.testing.assert_array_equal(fn(np.rot90(y, 3, axes=(1, 2))), y)


def test_array_pair_refuses_domains_of_different_shapes():
    a = np.zeros((4, 8, 8, 1), np.uint8)
    b = np.zeros((4, 16, 16, 3), np.uint8)
    with pytest.raises(
        ValueError, match="different shapes: X is \\(8, 8, 1\\)"
    ):
        unpaired.array_pair(a, b, batch_size=2)
    ds = unpaired.array_pair(a, b, image_size=(8, 8), channels=3, batch_size=2)
    assert [t.shape for t in next(iter(ds))] == [(2, 8, 8, 3)] * 2


def test_folder_pair_resizes_both_folders(tmp_path):
    for name, size in (("a", 12), ("b", 20)):
        folder = tmp_path / name
        folder.mkdir()
        for i in range(2):
            pixels = np.full((size, size, 3), 40 * i, np.uint8)
            Image.fromarray(pixels).save(folder / f"{i}.png")
    ds = unpaired.folder_pair(
        tmp_path / "a", tmp_path / "b", image_size=(8, 8), batch_size=2
    )
    x, y = next(iter(ds))
    assert x.shape == y.shape == (2, 8, 8, 3)


def test_cycle_gan_domains_through_mock_tfds():
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=4):
        ds = data.load_pair("horse2zebra", image_size=(16, 16), batch_size=2)
        x, y = next(iter(ds))
    assert x.shape == y.shape == (2, 16, 16, 3)
    assert x.dtype == tf.float32
    assert -1.0 <= float(tf.reduce_min(x)) and float(tf.reduce_max(y)) <= 1.0


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: data.load_pair("digits_flip"),
            ValueError,
            "Unknown two-domain",
        ),
        (
            lambda: unpaired.digits_mapping("mirror"),
            ValueError,
            "`mapping` must be one of 'invert', 'rotate'",
        ),
        (
            lambda: unpaired.digits_pair_arrays("rotate", image_size=(8, 12)),
            ValueError,
            "square",
        ),
        (
            lambda: data.digits_pair(batch_size=5000),
            ValueError,
            "batch_size=5000",
        ),
        (
            lambda: unpaired.folder_pair("missing_a", "missing_b"),
            FileNotFoundError,
            "missing_a",
        ),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
