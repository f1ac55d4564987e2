"""GAN under mixed precision and XLA for every loss and penalty."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_lite import GAN, losses, models


@pytest.fixture
def policy():
    def set_policy(name):
        keras.mixed_precision.set_global_policy(name)

    yield set_policy
    keras.mixed_precision.set_global_policy("float32")


def _images(n=16, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, size=(n, 28, 28, 1)).astype(np.float32)


def _one_sgd_step(weights=None):
    keras.utils.set_random_seed(0)
    gan = GAN(*models.dcgan_28(latent_dim=8, width=8), seed=1)
    if weights is not None:
        gan.set_weights(weights)
    start = gan.get_weights()
    gan.compile(
        keras.optimizers.SGD(0.1),
        keras.optimizers.SGD(0.1),
        gradient_penalty=1.0,
        r1_penalty=1.0,
    )
    history = gan.fit(
        _images(), batch_size=16, epochs=1, shuffle=False, verbose=0
    ).history
    update = np.concatenate(
        [
            (w - w0).ravel()
            for w, w0 in zip(gan.get_weights(), start, strict=True)
        ]
    )
    return gan, history, start, update


@pytest.fixture(scope="module")
def float32_step():
    """The float32 step both policies are compared with (numpy only)."""
    assert keras.mixed_precision.global_policy().name == "float32"
    _, history, start, update = _one_sgd_step()
    return history, start, update


@pytest.mark.parametrize(
    "name,scaled,tolerance",
    [("mixed_float16", True, 1e-3), ("mixed_bfloat16", False, 1e-3)],
)
def test_mixed_precision_matches_float32(
    float32_step, policy, name, scaled, tolerance
):
    h32, start, u32 = float32_step
    policy(name)
    gan, history, _, update = _one_sgd_step(start)
    scale = keras.optimizers.LossScaleOptimizer
    assert isinstance(gan.g_optimizer, scale) is scaled
    assert isinstance(gan.d_optimizer, scale) is scaled
    assert gan.generator.compute_dtype != "float32"
    assert gan(tf.zeros((2, 8))).dtype == tf.float32
    assert gan.generate(2, seed=0).dtype == np.float32
    for key, values in history.items():
        assert np.all(np.isfinite(values)), key
        np.testing.assert_allclose(values, h32[key], rtol=0.05, atol=1e-3)
    # One SGD step is lr * gradient: the whole update vector of both
    # networks agrees with float32 to `tolerance` in relative L2 norm
    # (measured: 4e-5 for float16 and 9e-5 for bfloat16 on this model, whose
    # float32 master weights and float32 losses and penalties keep the
    # half-precision error to the layer activations).
    rel = np.linalg.norm(update - u32) / np.linalg.norm(u32)
    assert rel < tolerance, rel


def test_every_loss_and_its_gradients_compile_under_xla():
    # One XLA program holds every loss pair and its gradients, checked
    # against eager; the step's own use of a loss is tested end to end
    # below, once per way the step calls one.
    rng = np.random.default_rng(0)
    real = tf.constant(rng.normal(size=(8, 1)).astype(np.float32))
    fake = tf.constant(rng.normal(size=(8, 1)).astype(np.float32))

    def all_losses(real, fake):
        out = {}
        for name in losses.names():
            pair = losses.get(name)
            with tf.GradientTape(persistent=True) as tape:
                tape.watch([real, fake])
                if pair.generator_needs_real:
                    g = pair.generator(fake, real)
                else:
                    g = pair.generator(fake)
                d = pair.discriminator(real, fake)
            out[name] = [
                g,
                d,
                *tape.gradient(g, [fake]),
                *tape.gradient(d, [real, fake]),
            ]
        return out

    xla = tf.function(all_losses, jit_compile=True)(real, fake)
    eager = all_losses(real, fake)
    assert set(xla) == set(losses.names())
    for name in losses.names():
        for got, want in zip(xla[name], eager[name], strict=True):
            assert np.all(np.isfinite(got)), name
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.slow
# The step treats a loss in two ways: probabilistic summaries (minimax,
# non-saturating) and a generator loss that reads real logits (the
# relativistic ones); one loss of each compiles the whole step under XLA.
@pytest.mark.parametrize("loss", ["non_saturating", "relativistic_pairing"])
def test_xla_compiles_the_step_with_gradient_penalty_and_r1(loss):
    pair = losses.get(loss)
    assert pair.probabilistic != pair.generator_needs_real
    keras.utils.set_random_seed(0)
    gan = GAN(*models.mlp(latent_dim=4, hidden=16, depth=2), seed=0)
    gan.compile(
        loss=loss,
        gradient_penalty=1.0,
        r1_penalty=1.0,
        d_steps=2,
        jit_compile=True,
    )
    x = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
    history = gan.fit(x, batch_size=32, epochs=2, verbose=0).history
    assert gan.jit_compile is True
    assert int(gan.g_optimizer.iterations) == 4
    for key, values in history.items():
        assert np.all(np.isfinite(values)), (key, values)
