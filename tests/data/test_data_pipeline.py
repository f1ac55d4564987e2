"""The shared pipeline: scaling, resizing, channels, batching, caching."""

import numpy as np
import pytest
import tensorflow as tf
from data_testutil import batches, constant_images, numpy_bilinear
from PIL import Image

from tfgan_lite import data
from tfgan_lite.data import _pipeline

# --------------------------------------------------------------------------
# Scaling, resizing and channels (through from_arrays).


def test_uint8_maps_0_255_onto_minus_one_one():
    images = constant_images([0, 51, 255, 204])
    (batch,) = batches(data.from_arrays(images, batch_size=4))
    got = np.sort(batch.reshape(4, -1).mean(axis=1))
    # x / 127.5 - 1 by hand: 0 -> -1, 51 -> -0.6, 204 -> 0.6, 255 -> 1.
    np.testing.assert_allclose(got, [-1.0, -0.6, 0.6, 1.0], atol=1e-6)
    assert batch.dtype == np.float32


@pytest.mark.parametrize(
    "value_range, values, expected",
    [
        ((0, 255), [0.0, 127.5, 255.0], [-1.0, 0.0, 1.0]),
        ((0, 1), [0.0, 0.25, 1.0], [-1.0, -0.5, 1.0]),
        ((-1, 1), [-1.0, 0.3, 1.0], [-1.0, 0.3, 1.0]),
        ((0, 16), [0.0, 4.0, 16.0], [-1.0, -0.5, 1.0]),
    ],
)
def test_declared_value_range_maps_exactly(value_range, values, expected):
    images = constant_images(values, dtype=np.float32)
    ds = data.from_arrays(images, batch_size=3, value_range=value_range)
    (batch,) = batches(ds)
    got = np.sort(batch.reshape(3, -1), axis=0)
    np.testing.assert_allclose(got[:, 0], expected, rtol=0, atol=1e-7)
    # Every pixel of an image got the same value.
    np.testing.assert_allclose(got.min(axis=1), got.max(axis=1), atol=1e-7)


def test_resize_gives_requested_shape_and_keeps_constants():
    images = constant_images([10, 100, 200, 250], size=(5, 7), channels=3)
    ds = data.from_arrays(images, image_size=(9, 11), batch_size=4)
    (batch,) = batches(ds)
    assert batch.shape == (4, 9, 11, 3)
    expected = np.sort(np.array([10, 100, 200, 250]) / 127.5 - 1)
    got = np.sort(batch.reshape(4, -1), axis=0)
    np.testing.assert_allclose(got[:, 0], expected, atol=1e-6)
    np.testing.assert_allclose(got.min(axis=1), got.max(axis=1), atol=1e-6)


def test_resize_matches_bilinear_by_hand():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (1, 6, 5)).astype(np.uint8)
    (batch,) = batches(
        data.from_arrays(image, image_size=(15, 13), batch_size=1)
    )
    expected = numpy_bilinear(image[0] / 127.5 - 1, (15, 13))
    np.testing.assert_allclose(batch[0, :, :, 0], expected, atol=1e-5)


def test_grayscale_becomes_rgb_by_repeating():
    images = np.random.default_rng(1).integers(0, 256, (2, 6, 6), np.uint8)
    (batch,) = batches(data.from_arrays(images, channels=3, batch_size=2))
    assert batch.shape == (2, 6, 6, 3)
    np.testing.assert_allclose(batch[..., 0], batch[..., 1], atol=0)
    np.testing.assert_allclose(batch[..., 0], batch[..., 2], atol=0)
    got = np.sort(batch[..., 0].reshape(2, -1), axis=1)
    want = np.sort(images.reshape(2, -1) / 127.5 - 1, axis=1)
    # Shuffling may swap the two images: compare as a set.
    got = got[np.argsort(got.sum(axis=1))]
    want = want[np.argsort(want.sum(axis=1))]
    np.testing.assert_allclose(got, want, atol=1e-6)


def test_rgb_becomes_grayscale_with_luma_weights():
    rgb = np.zeros((1, 3, 3, 3), np.uint8)
    rgb[..., 0] = 255  # pure red
    (batch,) = batches(data.from_arrays(rgb, channels=1, batch_size=1))
    assert batch.shape == (1, 3, 3, 1)
    # 0.299 * 1 + 0.587 * (-1) + 0.114 * (-1) on the [-1, 1] values.
    np.testing.assert_allclose(batch, -0.402, atol=1e-6)
    white = np.full((1, 3, 3, 3), 255, np.uint8)
    (batch,) = batches(data.from_arrays(white, channels=1, batch_size=1))
    np.testing.assert_allclose(batch, 1.0, atol=1e-6)


# --------------------------------------------------------------------------
# Batching, shuffling, labels.


def test_drop_remainder_gives_only_full_batches():
    images = constant_images(np.arange(10) * 20)
    ds = data.from_arrays(images, batch_size=4)
    for _ in range(2):  # Both epochs, the second one from the cache.
        shapes = [b.shape for b in batches(ds)]
        assert shapes == [(4, 4, 5, 1), (4, 4, 5, 1)]


def _order(ds):
    return np.concatenate([b[:, 0, 0, 0] for b in batches(ds)])


def test_same_seed_same_order_other_seed_other_order():
    images = constant_images(np.arange(64) * 4)
    first = _order(data.from_arrays(images, batch_size=8, seed=3))
    again = _order(data.from_arrays(images, batch_size=8, seed=3))
    other = _order(data.from_arrays(images, batch_size=8, seed=4))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    # A shuffle, not a resample: every image exactly once per epoch.
    np.testing.assert_allclose(np.sort(first), np.sort(other), atol=0)
    np.testing.assert_allclose(
        np.sort(first), np.arange(64) * 4 / 127.5 - 1, atol=1e-6
    )


def test_each_epoch_is_reshuffled():
    ds = data.from_arrays(constant_images(np.arange(64) * 4), batch_size=8)
    assert not np.array_equal(_order(ds), _order(ds))


def test_labels_stay_aligned_after_shuffle_resize_and_channels():
    n = 40
    labels = np.arange(n)
    images = constant_images(labels * 6, size=(5, 5))  # value encodes label
    ds = data.from_arrays(
        images, labels, image_size=(7, 3), channels=3, batch_size=8, seed=5
    )
    seen = []
    for images_batch, labels_batch in batches(ds):
        assert images_batch.shape == (8, 7, 3, 3)
        decoded = (images_batch.reshape(8, -1).mean(axis=1) + 1) * 127.5 / 6
        np.testing.assert_allclose(decoded, labels_batch, atol=1e-3)
        seen.extend(labels_batch.tolist())
    assert sorted(seen) == list(range(n))
    assert seen != list(range(n))  # it really was shuffled


def test_streaming_path_when_over_cache_limit(tmp_path, monkeypatch):
    # Observable difference: a cached folder survives deleting its files.
    for i in range(4):
        Image.new("L", (4, 4), 60 * i).save(tmp_path / f"{i}.png")
    cached = data.from_folder(tmp_path, image_size=(4, 4), batch_size=2)
    monkeypatch.setattr(_pipeline, "CACHE_LIMIT_BYTES", 0)
    streamed = data.from_folder(tmp_path, image_size=(4, 4), batch_size=2)
    assert len(batches(cached)) == 2
    assert len(batches(streamed)) == 2
    for path in tmp_path.glob("*.png"):
        path.unlink()
    assert len(batches(cached)) == 2
    with pytest.raises(tf.errors.NotFoundError):
        batches(streamed)
