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


def test_r2_quadratic_on_fakes(batches):
    _, fake, _ = batches
    got = penalties.r2_penalty(_quadratic, fake)
    want = 0.5 * np.mean(np.sum((2 * fake.astype(np.float64)) ** 2, (1, 2, 3)))
    np.testing.assert_allclose(float(got), want, rtol=1e-5)


def test_r2_trains_d_and_never_reaches_the_generator():
    # D(x) = sum_j w_j x_j^2: grad_x D = 2 w x, so R2 = 2 E[sum_j w_j^2
    # x_j^2] and dR2/dw_j = 4 w_j E[x_j^2], all by hand in numpy.
    w = tf.Variable([0.5, -2.0, 1.5])
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    z = np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0], [3.0, 0.2]], "float32")

    def critic(x, training=False):
        return tf.reduce_sum(w * tf.square(x), axis=1)

    with tf.GradientTape() as tape:
        fake = generator(z)
        r2 = penalties.r2_penalty(critic, fake)
    d_grad, *g_grads = tape.gradient(r2, [w, *generator.trainable_variables])
    x = fake.numpy().astype(np.float64)
    w64 = w.numpy().astype(np.float64)
    sq = np.mean(x**2, axis=0)
    np.testing.assert_allclose(float(r2), 2 * np.sum(w64**2 * sq), rtol=1e-5)
    np.testing.assert_allclose(d_grad.numpy(), 4 * w64 * sq, rtol=1e-5)
    assert g_grads == [None, None]


def test_penalties_are_float32_for_half_inputs(batches):
    real, fake, eps = batches
    gp = penalties.gradient_penalty(
        _quadratic,
        real.astype(np.float16),
        fake.astype(np.float16),
        interpolation_weights=eps,
    )
    r1 = penalties.r1_penalty(_quadratic, real.astype(np.float16))
    r2 = penalties.r2_penalty(_quadratic, fake.astype(np.float16))
    assert gp.dtype == tf.float32 and r1.dtype == tf.float32
    assert r2.dtype == tf.float32


def test_bad_inputs(batches):
    real, fake, _ = batches
    with pytest.raises(TypeError, match="floating-point `real`.*int32"):
        penalties.gradient_penalty(_quadratic, real.astype(np.int32), fake)
    with pytest.raises(TypeError, match="floating-point `real`.*uint8"):
        penalties.r1_penalty(_quadratic, real.astype(np.uint8))
    with pytest.raises(TypeError, match="floating-point `fake`.*int32"):
        penalties.r2_penalty(_quadratic, fake.astype(np.int32))
    with pytest.raises(ValueError, match="one shape"):
        penalties.gradient_penalty(_quadratic, real, fake[:, :2])
    with pytest.raises(ValueError, match="does not depend on its input"):
        penalties.r1_penalty(
            lambda x, training=False: tf.ones((tf.shape(x)[0], 1)), real
        )
