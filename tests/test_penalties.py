"""Golden tests for tfgan_lite.penalties with closed-form discriminators."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_lite import penalties


def _quadratic(x, training=False):
    """D(x) = sum(x^2): grad_x D = 2x, so every norm is known in numpy."""
    return tf.reduce_sum(tf.square(x), axis=[1, 2, 3])[:, None]


@pytest.fixture
def batches():
    rng = np.random.default_rng(3)
    real = rng.normal(size=(4, 3, 2, 1)).astype(np.float32)
    fake = rng.normal(size=(4, 3, 2, 1)).astype(np.float32)
    eps = np.array([0.0, 0.25, 0.6, 1.0], np.float32)
    return real, fake, eps


def test_gradient_penalty_quadratic(batches):
    real, fake, eps = batches
    got = penalties.gradient_penalty(
        _quadratic, real, fake, interpolation_weights=eps
    )
    x_hat = eps[:, None, None, None] * real + (1 - eps[:, None, None, None]) * (
        fake
    )
    norms = np.linalg.norm(2 * x_hat.reshape(4, -1).astype(np.float64), axis=1)
    np.testing.assert_allclose(float(got), np.mean((norms - 1) ** 2), rtol=1e-5)


def test_gradient_penalty_linear_is_independent_of_interpolation():
    d = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    w = np.array([[0.5], [2.0], [-1.0]], np.float32)
    d.set_weights([w, np.zeros(1, np.float32)])
    real = np.ones((8, 3), np.float32)
    fake = np.zeros((8, 3), np.float32)
    want = (np.linalg.norm(w) - 1.0) ** 2
    for seed in (0, 1):
        got = penalties.gradient_penalty(d, real, fake, seed=seed)
        np.testing.assert_allclose(float(got), want, rtol=1e-5)
    got = penalties.gradient_penalty(d, real, fake, target=0.0)
    np.testing.assert_allclose(float(got), np.sum(w**2), rtol=1e-5)


def test_gradient_penalty_seeded_draw(batches):
    real, fake, _ = batches
    a = penalties.gradient_penalty(_quadratic, real, fake, seed=7)
    b = penalties.gradient_penalty(_quadratic, real, fake, seed=7)
    c = penalties.gradient_penalty(_quadratic, real, fake, seed=8)
    assert float(a) == float(b)
    assert abs(float(a) - float(c)) > 1e-4
    # Any draw lies between the per-sample extremes eps = 0 and eps = 1.
    lo_hi = [
        penalties.gradient_penalty(
            _quadratic, real, fake, interpolation_weights=np.full(4, e)
        )
        for e in (0.0, 1.0)
    ]
    assert np.isfinite(float(a)) and float(a) >= 0.0
    assert float(a) != float(lo_hi[0]) and float(a) != float(lo_hi[1])


def test_gradient_penalty_differentiable_at_zero_gradient():
    d = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    d.set_weights([np.zeros((2, 1), np.float32), np.zeros(1, np.float32)])
    x = np.ones((3, 2), np.float32)
    with tf.GradientTape() as tape:
        gp = penalties.gradient_penalty(d, x, -x, seed=0)
    grads = tape.gradient(gp, d.trainable_variables)
    np.testing.assert_allclose(float(gp), 1.0, atol=1e-5)
    assert all(np.all(np.isfinite(g.numpy())) for g in grads if g is not None)


def test_r1_quadratic(batches):
    real, _, _ = batches
    got = penalties.r1_penalty(_quadratic, real)
    want = 0.5 * np.mean(np.sum((2 * real.astype(np.float64)) ** 2, (1, 2, 3)))
    np.testing.assert_allclose(float(got), want, rtol=1e-5)


def test_penalties_are_float32_for_half_inputs(batches):
    real, fake, eps = batches
    gp = penalties.gradient_penalty(
        _quadratic,
        real.astype(np.float16),
        fake.astype(np.float16),
        interpolation_weights=eps,
    )
    r1 = penalties.r1_penalty(_quadratic, real.astype(np.float16))
    assert gp.dtype == tf.float32 and r1.dtype == tf.float32


def test_bad_inputs(batches):
    real, fake, _ = batches
    with pytest.raises(TypeError, match="floating-point `real`.*int32"):
        penalties.gradient_penalty(_quadratic, real.astype(np.int32), fake)
    with pytest.raises(TypeError, match="floating-point `real`.*uint8"):
        penalties.r1_penalty(_quadratic, real.astype(np.uint8))
    with pytest.raises(ValueError, match="one shape"):
        penalties.gradient_penalty(_quadratic, real, fake[:, :2])
    with pytest.raises(ValueError, match="does not depend on its input"):
        penalties.r1_penalty(
            lambda x, training=False: tf.ones((tf.shape(x)[0], 1)), real
        )
