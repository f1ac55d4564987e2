"""Tests for the CycleGAN image pool: filling, swapping, the probability."""

import numpy as np
import tensorflow as tf

from tfgan_lite import _noise
from tfgan_lite.gans._image_pool import query_pool


def _reference(pool, count, images, coins, picks):
    """The pool rule of Shrivastava et al. 2017, one image at a time."""
    pool, returned = pool.copy(), []
    size = len(pool)
    for image, coin, pick in zip(images, coins, picks, strict=True):
        if count < size:
            pool[count] = image
            count += 1
            returned.append(image)
        elif coin < 0.5:
            slot = min(int(np.floor(pick * size)), size - 1)
            returned.append(pool[slot].copy())
            pool[slot] = image
        else:
            returned.append(image)
    return np.stack(returned), pool, count


def _query(pool, count, images, coins, picks):
    # Traced once per call: an eager loop over thousands of images is slow.
    result = tf.function(query_pool)(
        tf.constant(pool),
        tf.constant(count, tf.int64),
        tf.constant(images),
        tf.constant(coins, tf.float32),
        tf.constant(picks, tf.float32),
    )
    return result.images.numpy(), result.pool.numpy(), int(result.count)


def test_the_first_images_are_stored_and_returned_unchanged():
    images = np.arange(5 * 2 * 2, dtype=np.float32).reshape(5, 2, 2, 1)
    pool = np.zeros((5, 2, 2, 1), np.float32)
    coins = np.zeros(3, np.float32)  # Would swap, were the pool full.
    out, pool, count = _query(pool, 0, images[:3], coins, coins)
    np.testing.assert_array_equal(out, images[:3])
    assert count == 3
    out, pool, count = _query(pool, count, images[3:], coins[:2], coins[:2])
    np.testing.assert_array_equal(out, images[3:])
    np.testing.assert_array_equal(pool, images)
    assert count == 5


def test_a_full_pool_matches_the_reference_rule():
    rng = np.random.default_rng(0)
    pool = rng.normal(size=(4, 3, 3, 2)).astype(np.float32)
    images = rng.normal(size=(40, 3, 3, 2)).astype(np.float32)
    coins = rng.uniform(size=40).astype(np.float32)
    picks = rng.uniform(size=40).astype(np.float32)
    got = _query(pool, 2, images, coins, picks)
    want = _reference(pool, 2, images, coins, picks)
    for a, b in zip(got[:2], want[:2], strict=True):
        np.testing.assert_array_equal(a, b)
    assert got[2] == want[2] == 4


def test_stored_images_come_back_with_probability_one_half():
    # Seeded draws from the package's stream, as CycleGAN makes them.
    n, size = 4000, 50
    draws = _noise.uniform((n, 2), _noise.seed_pair(7)).numpy()
    pool = np.full((size, 1, 1, 1), -1.0, np.float32)
    images = np.arange(1, n + 1, dtype=np.float32).reshape(n, 1, 1, 1)
    out, final, _ = _query(pool, size, images, draws[:, 0], draws[:, 1])
    fresh = out.ravel() == images.ravel()
    # Binomial(4000, 1/2): the standard deviation of the share is 0.008.
    assert 0.47 < 1 - fresh.mean() < 0.53
    # A returned old image was stored earlier: it is -1 or an older input.
    old = out.ravel()[~fresh]
    index = np.arange(1, n + 1)[~fresh]
    assert np.all((old == -1) | ((old >= 1) & (old < index)))
    # Every image left in the pool was once offered to it.
    assert np.all(
        np.isin(final.ravel(), np.concatenate([[-1], images.ravel()]))
    )
