"""Tests for tfgan_lite.GAN: golden updates, Algorithm 1, resume, errors."""

import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing import event_accumulator

from tfgan_lite import models
from tfgan_lite.gans.gan import GAN

LATENT = 3


def _networks(latent=LATENT, data_dim=2, hidden=8):
    g = keras.Sequential(
        [
            keras.Input((latent,)),
            keras.layers.Dense(hidden, activation="tanh"),
            keras.layers.Dense(data_dim),
        ],
        name="generator",
    )
    d = keras.Sequential(
        [
            keras.Input((data_dim,)),
            keras.layers.Dense(hidden, activation="tanh"),
            keras.layers.Dense(1),
        ],
        name="discriminator",
    )
    return g, d


def _gan(seed=11, **kwargs):
    g, d = _networks(**kwargs)
    return GAN(g, d, seed=seed)


def _points(n=64, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal([2.0, -1.0], 0.5, size=(n, 2)).astype(np.float32)


# -- golden updates ----------------------------------------------------------


def _ref_d_loss(real_logits, fake_logits):
    # -E log D(x) - E log(1 - D(G(z))), written with log_sigmoid directly.
    return -tf.reduce_mean(tf.math.log_sigmoid(real_logits)) - tf.reduce_mean(
        tf.math.log_sigmoid(-fake_logits)
    )


def _ref_g_loss(fake_logits):
    return -tf.reduce_mean(tf.math.log_sigmoid(fake_logits))


def _sgd_step(loss_fn, variables, lr):
    with tf.GradientTape() as tape:
        loss = loss_fn()
    grads = tape.gradient(loss, variables)
    for v, g in zip(variables, grads, strict=True):
        v.assign(v - lr * g)
    return _norm(grads)


def _norm(grads):
    return np.sqrt(sum(np.sum(np.square(g.numpy())) for g in grads))


@pytest.mark.parametrize("jit", [False, True])
@pytest.mark.parametrize("update", ["alternating", "simultaneous"])
def test_one_step_matches_hand_computed_update(update, jit):
    lr, seed = 0.1, 11
    gan = _gan(seed=seed)
    g_ref = keras.models.clone_model(gan.generator)
    d_ref = keras.models.clone_model(gan.discriminator)
    g_ref.set_weights(gan.generator.get_weights())
    d_ref.set_weights(gan.discriminator.get_weights())
    real = tf.constant(_points(8))
    # XLA draws another stream from the same seed, so draw as the step will.
    draw = tf.function(
        lambda s: tf.random.stateless_normal((8, LATENT), seed=s, alg="philox"),
        jit_compile=jit,
    )
    z1 = draw(tf.constant([seed, 0], tf.int64))
    z2 = draw(tf.constant([seed, 1], tf.int64))

    def d_loss():
        return _ref_d_loss(d_ref(real), d_ref(g_ref(z1)))

    if update == "simultaneous":
        with tf.GradientTape(persistent=True) as tape:
            fake_logits = d_ref(g_ref(z1))
            dl = _ref_d_loss(d_ref(real), fake_logits)
            gl = _ref_g_loss(fake_logits)
        d_grads = tape.gradient(dl, d_ref.trainable_variables)
        g_grads = tape.gradient(gl, g_ref.trainable_variables)
        for v, g in zip(d_ref.trainable_variables, d_grads, strict=True):
            v.assign(v - lr * g)
        for v, g in zip(g_ref.trainable_variables, g_grads, strict=True):
            v.assign(v - lr * g)
        d_norm, g_norm = _norm(d_grads), _norm(g_grads)
    else:
        d_norm = _sgd_step(d_loss, d_ref.trainable_variables, lr)
        # The generator step sees the updated D and fresh noise.
        g_norm = _sgd_step(
            lambda: _ref_g_loss(d_ref(g_ref(z2))), g_ref.trainable_variables, lr
        )

    gan.compile(
        keras.optimizers.SGD(lr),
        keras.optimizers.SGD(lr),
        update=update,
        jit_compile=jit,
    )
    history = gan.fit(
        real.numpy(), batch_size=8, epochs=1, shuffle=False, verbose=0
    ).history
    np.testing.assert_allclose(history["d_grad_norm"], [d_norm], rtol=1e-5)
    np.testing.assert_allclose(history["g_grad_norm"], [g_norm], rtol=1e-5)
    for got, want in zip(
        gan.generator.get_weights() + gan.discriminator.get_weights(),
        g_ref.get_weights() + d_ref.get_weights(),
        strict=True,
    ):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def _ref_r1(d, real):
    with tf.GradientTape() as tape:
        tape.watch(real)
        logits = d(real)
    grad = tape.gradient(logits, real)
    return 0.5 * tf.reduce_mean(tf.reduce_sum(tf.square(grad), axis=1))


def _reference_run(gan, data, *, lr, jit, r1_weights, g_keep):
    """Hand-written SGD steps of batch 8: step i adds r1_weights[i] * R1 to
    D's loss and averages G's loss over the g_keep[i] highest fake logits.

    Returns the logged R1 values (the weight over gamma times R1, or 0) and
    the reference networks.
    """
    g_ref = keras.models.clone_model(gan.generator)
    d_ref = keras.models.clone_model(gan.discriminator)
    g_ref.set_weights(gan.generator.get_weights())
    d_ref.set_weights(gan.discriminator.get_weights())
    # XLA draws another stream from the same seed, so draw as the step will.
    draw = tf.function(
        lambda s: tf.random.stateless_normal((8, LATENT), seed=s, alg="philox"),
        jit_compile=jit,
    )
    r1_values = []
    pairs = zip(r1_weights, g_keep, strict=True)
    for step, (weight, keep) in enumerate(pairs):
        real = tf.constant(data[8 * step : 8 * (step + 1)])
        z_d = draw(tf.constant([gan.seed, 2 * step], tf.int64))
        z_g = draw(tf.constant([gan.seed, 2 * step + 1], tf.int64))
        r1_values.append(float(_ref_r1(d_ref, real)) if weight else 0.0)

        def d_loss(real=real, z_d=z_d, weight=weight):
            loss = _ref_d_loss(d_ref(real), d_ref(g_ref(z_d)))
            return loss + weight * _ref_r1(d_ref, real) if weight else loss

        def g_loss(z_g=z_g, keep=keep):
            logits = tf.reshape(d_ref(g_ref(z_g)), (-1,))
            best = tf.gather(logits, np.argsort(-logits.numpy())[:keep])
            return _ref_g_loss(best)

        _sgd_step(d_loss, d_ref.trainable_variables, lr)
        _sgd_step(g_loss, g_ref.trainable_variables, lr)
    return r1_values, g_ref, d_ref


def _assert_same_weights(gan, g_ref, d_ref):
    for got, want in zip(
        gan.generator.get_weights() + gan.discriminator.get_weights(),
        g_ref.get_weights() + d_ref.get_weights(),
        strict=True,
    ):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("jit", [False, True])
def test_lazy_r1_enters_every_nth_d_update_with_n_times_the_weight(jit):
    """StyleGAN2's lazy regularization: n * gamma * R1 in updates 0, n, ..."""
    lr, gamma, n = 0.1, 0.7, 2
    gan = _gan(seed=11)
    data = _points(24)
    r1_values, g_ref, d_ref = _reference_run(
        gan,
        data,
        lr=lr,
        jit=jit,
        r1_weights=[n * gamma, 0.0, n * gamma],
        g_keep=[8, 8, 8],
    )
    gan.compile(
        keras.optimizers.SGD(lr),
        keras.optimizers.SGD(lr),
        r1_penalty=gamma,
        r1_interval=n,
        jit_compile=jit,
    )
    history = gan.fit(
        data, batch_size=8, epochs=1, shuffle=False, verbose=0
    ).history
    # The logged value is the lazy estimate (n * R1 or 0), epoch-averaged.
    assert r1_values[0] > 0.0
    np.testing.assert_allclose(
        history["r1_penalty"], [n * np.mean(r1_values)], rtol=1e-5
    )
    _assert_same_weights(gan, g_ref, d_ref)
    # Evaluation reports R1 itself, whatever the interval.
    real = tf.constant(data[:8])
    got = gan.evaluate(real, batch_size=8, verbose=0, return_dict=True)
    np.testing.assert_allclose(
        got["r1_penalty"], float(_ref_r1(gan.discriminator, real)), rtol=1e-5
    )


def _rp(a, b):
    # Relativistic pairing: mean softplus(-(a_i - b_i)), in numpy.
    return np.mean(np.logaddexp(0.0, -(a - b)))


def test_r2_and_relativistic_pairing_match_hand_computed_updates():
    """R3GAN's objective: RpGAN plus gamma * R2, lazy every 2nd D update."""
    lr, gamma, n = 0.1, 0.7, 2
    gan = _gan(seed=11)
    data = _points(16)
    g_ref = keras.models.clone_model(gan.generator)
    d_ref = keras.models.clone_model(gan.discriminator)
    g_ref.set_weights(gan.generator.get_weights())
    d_ref.set_weights(gan.discriminator.get_weights())

    def logits(x):
        return tf.reshape(d_ref(x), (-1,))

    r2_values = []
    for step, weight in enumerate([n * gamma, 0.0]):
        real = tf.constant(data[8 * step : 8 * (step + 1)])
        z_d, z_g = (
            tf.random.stateless_normal(
                (8, LATENT), seed=[gan.seed, 2 * step + i], alg="philox"
            )
            for i in (0, 1)
        )
        # R2 on fixed fakes: the generator's output is a constant here.
        fake_d = g_ref(z_d)
        r2_values.append(float(_ref_r1(d_ref, fake_d)) if weight else 0.0)

        def d_loss(real=real, fake_d=fake_d, weight=weight):
            loss = tf.reduce_mean(
                tf.math.softplus(-(logits(real) - logits(fake_d)))
            )
            return loss + weight * _ref_r1(d_ref, fake_d) if weight else loss

        def g_loss(real=real, z_g=z_g):
            diff = logits(g_ref(z_g)) - logits(real)
            return tf.reduce_mean(tf.math.softplus(-diff))

        _sgd_step(d_loss, d_ref.trainable_variables, lr)
        _sgd_step(g_loss, g_ref.trainable_variables, lr)
    gan.compile(
        keras.optimizers.SGD(lr),
        keras.optimizers.SGD(lr),
        "relativistic_pairing",
        r2_penalty=gamma,
        r1_interval=n,
    )
    history = gan.fit(
        data, batch_size=8, epochs=1, shuffle=False, verbose=0
    ).history
    assert r2_values[0] > 0.0 and "r1_penalty" not in history
    np.testing.assert_allclose(
        history["r2_penalty"], [n * np.mean(r2_values)], rtol=1e-5
    )
    _assert_same_weights(gan, g_ref, d_ref)
    # Evaluation reports the pairing loss and R2 itself on its own noise.
    real = data[:8]
    z = tf.random.stateless_normal(
        (8, LATENT), seed=gan.eval_noise_state.numpy(), alg="philox"
    )
    got = gan.evaluate(real, batch_size=8, verbose=0, return_dict=True)
    fake = gan.generator(z)
    real_logits = gan.discriminator(real).numpy().ravel()
    fake_logits = gan.discriminator(fake).numpy().ravel()
    np.testing.assert_allclose(
        got["r2_penalty"], float(_ref_r1(gan.discriminator, fake)), rtol=1e-5
    )
    np.testing.assert_allclose(
        got["g_loss"], _rp(fake_logits, real_logits), rtol=1e-5
    )
    # The compile settings, R2 included, survive the saved config.
    copy = _gan(seed=11)
    copy.compile_from_config(gan.get_compile_config())
    assert copy.r2_penalty_weight == gamma and copy.r1_interval == n
    assert copy.loss_pair.name == "relativistic_pairing"


@pytest.mark.parametrize(
    "top_k, top_k_steps, keep",
    [
        (0.5, 0, [4, 4, 4]),
        # Falls from 8 of 8 to ceil(0.25 * 8) = 2 over two generator
        # updates: fractions 1, 0.625, 0.25 of the batch.
        (0.25, 2, [8, 5, 2]),
        (0.01, 0, [1, 1, 1]),
    ],
)
def test_top_k_updates_g_from_the_fakes_d_scores_most_real(
    top_k, top_k_steps, keep
):
    lr = 0.1
    gan = _gan(seed=11)
    data = _points(24)
    _, g_ref, d_ref = _reference_run(
        gan, data, lr=lr, jit=False, r1_weights=[0.0] * 3, g_keep=keep
    )
    gan.compile(
        keras.optimizers.SGD(lr),
        keras.optimizers.SGD(lr),
        top_k=top_k,
        top_k_steps=top_k_steps,
    )
    gan.fit(data, batch_size=8, epochs=1, shuffle=False, verbose=0)
    _assert_same_weights(gan, g_ref, d_ref)


@pytest.mark.parametrize(
    "top_k, n, want",
    # In float32, 0.6 * 25 and 0.3 * 50 round to just above 15.
    [
        (0.6, 25, 15),
        (0.3, 50, 15),
        (0.28, 25, 7),
        (0.5, 7, 4),
        (0.1, 3, 1),
        (1.0, 5, 5),
    ],
)
def test_top_k_keeps_the_ceiling_of_the_fraction(top_k, n, want):
    gan = _gan()
    gan.compile(top_k=top_k)
    logits = tf.constant(np.random.default_rng(0).normal(size=n), tf.float32)
    kept = np.sort(gan._top_k(logits).numpy())[::-1]
    np.testing.assert_array_equal(kept, np.sort(logits.numpy())[::-1][:want])


# -- Algorithm 1 -------------------------------------------------------------


@pytest.mark.parametrize("batches,epochs,k", [(9, 1, 3), (5, 2, 2), (4, 1, 1)])
def test_d_steps_counts_updates_batches_and_noise(batches, epochs, k):
    """Algorithm 1: k D updates on k fresh minibatches, then one G update."""
    m = 4
    consumed = []
    seen_by_d = []

    def real_batches():
        # Every sample is unique: its first coordinate is its index.
        x = _points(k * m * batches)
        x[:, 0] = np.arange(len(x))
        for i in range(batches):
            consumed.append(i)
            yield x[k * m * i : k * m * (i + 1)]

    ds = tf.data.Dataset.from_generator(
        real_batches, output_signature=tf.TensorSpec((k * m, 2), tf.float32)
    )
    g, d = _networks()

    def record(x):
        seen_by_d.append(x[:, 0].numpy().copy())
        return x

    def probe_fn(x):
        y = tf.py_function(record, [x], tf.float32)
        return tf.ensure_shape(y, x.shape)

    # Records the first coordinate of every batch D scores.
    probe = keras.layers.Lambda(probe_fn, output_shape=(2,))
    gan = GAN(g, keras.Sequential([keras.Input((2,)), probe, d]), seed=11)
    gan.compile(d_steps=k)
    gan.fit(ds, epochs=epochs, verbose=0)
    steps = batches * epochs
    assert len(consumed) == steps
    assert int(gan.d_optimizer.iterations) == k * steps
    assert int(gan.g_optimizer.iterations) == steps
    # One fresh noise draw per discriminator and per generator update.
    assert int(gan.noise_state[1]) == k * steps + steps
    assert int(gan.noise_state[0]) == 11
    # Real rows carry integer indices; generated rows never do.
    real_rows = [rows for rows in seen_by_d if np.all(rows == np.round(rows))]
    assert len(real_rows) == k * steps
    # Minibatch i of a step holds its batch's rows i, i + k, i + 2k, ...
    # (strided, so that replicas split it the same way); the first epoch
    # sees every row once.
    for step in range(batches):
        batch = np.arange(k * m * step, k * m * (step + 1))
        for i in range(k):
            np.testing.assert_array_equal(real_rows[k * step + i], batch[i::k])


def test_d_steps_needs_batches_of_at_least_k():
    gan = _gan()
    gan.compile(d_steps=4)
    data = tf.data.Dataset.from_tensor_slices(_points(6)).batch(3, True)
    with pytest.raises(ValueError, match="batches need at least 4 samples"):
        gan.fit(data, verbose=0)


# -- training behaviour ------------------------------------------------------


def _moments_error(samples, mean, cov):
    return (
        np.linalg.norm(samples.mean(0) - mean),
        np.linalg.norm(np.cov(samples.T) - cov),
    )


@pytest.mark.parametrize("seed", [0, 2])
def test_fit_moves_samples_toward_the_data(seed):
    mean = np.array([2.0, -1.0])
    cov = np.array([[0.5, 0.3], [0.3, 0.4]])
    rng = np.random.default_rng(1)
    data = rng.multivariate_normal(mean, cov, size=4096).astype(np.float32)
    keras.utils.set_random_seed(seed)
    gan = GAN(*models.mlp(latent_dim=4, hidden=64, depth=2), seed=seed)
    gan.compile(
        keras.optimizers.Adam(1e-3, beta_1=0.5),
        keras.optimizers.Adam(1e-3, beta_1=0.5),
        # An epoch's 32 steps in one call: the same updates, less overhead
        # (test_steps_per_execution_gives_the_same_run).
        steps_per_execution=32,
    )
    mean0, cov0 = _moments_error(gan.generate(4096, seed=0), mean, cov)
    gan.fit(data, batch_size=128, epochs=60, verbose=0)
    mean1, cov1 = _moments_error(gan.generate(4096, seed=0), mean, cov)
    # Seen over seeds 0-3: the mean error falls from ~2 to <= 0.3 and the
    # covariance error from ~0.74 to <= 0.31.
    assert mean1 < 0.25 * mean0, (mean0, mean1)
    assert cov1 < 0.6 * cov0, (cov0, cov1)


@pytest.mark.parametrize(
    "loss,probabilistic",
    [("non_saturating", True), ("minimax", True), ("hinge", False)],
)
def test_metrics_in_history_and_validation(loss, probabilistic):
    gan = _gan()
    gan.compile(loss=loss, gradient_penalty=1.0)
    history = gan.fit(
        _points(64),
        batch_size=16,
        epochs=2,
        verbose=0,
        validation_data=_points(32, seed=1),
    ).history
    names = ["d_loss", "g_loss", "d_real", "d_fake", "gradient_penalty"]
    norms = {"d_grad_norm", "g_grad_norm"}
    assert set(history) == set(names) | norms | {f"val_{n}" for n in names}
    assert all(np.all(np.array(history[n]) > 0) for n in norms)
    for name in ("d_real", "d_fake", "val_d_real", "val_d_fake"):
        values = np.array(history[name])
        assert np.all(np.isfinite(values))
        if probabilistic:
            assert np.all((values > 0) & (values < 1)), (name, values)
    assert "r1_penalty" not in history


def test_validation_does_not_change_training():
    data = tf.data.Dataset.from_tensor_slices(_points(64)).batch(16)
    runs = []
    for validation in (None, _points(32, seed=1)):
        keras.utils.set_random_seed(0)
        gan = _gan()
        gan.compile(gradient_penalty=1.0)
        history = gan.fit(
            data, epochs=2, verbose=0, validation_data=validation
        ).history
        runs.append((history, gan.get_weights(), gan.noise_state.numpy()))
    (h0, w0, n0), (h1, w1, n1) = runs
    assert "val_d_loss" in h1 and "val_d_loss" not in h0
    np.testing.assert_array_equal(n0, n1)
    for name in h0:
        np.testing.assert_allclose(h1[name], h0[name], rtol=1e-6)
    for a, b in zip(w0, w1, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_stock_tensorboard_callback_logs_gan_metrics(tmp_path):
    gan = _gan()
    gan.compile(r1_penalty=0.5)
    history = gan.fit(
        _points(64),
        batch_size=16,
        epochs=2,
        verbose=0,
        callbacks=[keras.callbacks.TensorBoard(log_dir=str(tmp_path))],
    ).history
    acc = event_accumulator.EventAccumulator(
        str(tmp_path / "train"), size_guidance={"tensors": 0}
    )
    acc.Reload()
    for name in ("d_loss", "g_loss", "d_real", "d_fake", "r1_penalty"):
        events = acc.Tensors(f"epoch_{name}")
        assert [e.step for e in events] == [0, 1]
        got = [float(tf.make_ndarray(e.tensor_proto)) for e in events]
        np.testing.assert_allclose(got, history[name], rtol=1e-6)


class _Interrupt(keras.callbacks.Callback):
    """Raises KeyboardInterrupt after the third batch, like Ctrl-C."""

    def on_train_batch_end(self, batch, logs=None):
        if batch == 2:
            raise KeyboardInterrupt


def test_a_fit_after_an_interrupted_one_still_logs_to_tensorboard(tmp_path):
    # Keras' TensorBoard callback with a step period leaves its writer and
    # its recording condition (false off the period) set when fit raises;
    # the next fit's epoch summaries were then dropped.
    gan = _gan()
    gan.compile()
    with pytest.raises(KeyboardInterrupt):
        gan.fit(
            _points(64),
            batch_size=8,
            epochs=1,
            verbose=0,
            callbacks=[
                keras.callbacks.TensorBoard(
                    log_dir=str(tmp_path / "a"), update_freq=5
                ),
                _Interrupt(),
            ],
        )
    gan.fit(
        _points(64),
        batch_size=16,
        epochs=2,
        verbose=0,
        callbacks=[keras.callbacks.TensorBoard(log_dir=str(tmp_path / "b"))],
    )
    acc = event_accumulator.EventAccumulator(
        str(tmp_path / "b" / "train"), size_guidance={"tensors": 0}
    )
    acc.Reload()
    assert [e.step for e in acc.Tensors("epoch_d_loss")] == [0, 1]


def test_labels_are_ignored():
    x = _points(64)
    labels = np.arange(64) % 10
    histories = []
    for data in (
        tf.data.Dataset.from_tensor_slices(x).batch(16),
        tf.data.Dataset.from_tensor_slices((x, labels)).batch(16),
    ):
        keras.utils.set_random_seed(5)
        gan = _gan()
        gan.compile()
        histories.append(gan.fit(data, epochs=1, verbose=0).history)
    for name in histories[0]:
        np.testing.assert_allclose(histories[0][name], histories[1][name])


def test_call_predict_and_generate():
    gan = _gan()
    z = np.random.default_rng(0).normal(size=(5, LATENT)).astype(np.float32)
    want = gan.generator(z).numpy()
    np.testing.assert_allclose(gan(z).numpy(), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        gan.predict(z, verbose=0), want, rtol=1e-5, atol=1e-6
    )
    a = gan.generate(7, seed=3)
    b = gan.generate(7, seed=3, batch_size=2)
    c = gan.generate(7, seed=4)
    assert a.shape == (7, 2)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert np.abs(a - c).max() > 1e-3
    z3 = tf.random.stateless_normal((7, LATENT), seed=[3, 0], alg="philox")
    np.testing.assert_allclose(
        a, gan.generator(z3).numpy(), rtol=1e-5, atol=1e-6
    )


def test_steps_per_execution_gives_the_same_run():
    data = tf.data.Dataset.from_tensor_slices(_points(96)).batch(16)
    runs = []
    for extra in ({}, {"steps_per_execution": 4}):
        keras.utils.set_random_seed(0)
        gan = _gan()
        gan.compile(d_steps=2, gradient_penalty=1.0, **extra)
        history = gan.fit(data, epochs=2, verbose=0).history
        runs.append((history, gan.get_weights()))
    (h0, w0), (h1, w1) = runs
    assert int(gan.d_optimizer.iterations) == 24
    assert int(gan.g_optimizer.iterations) == 12
    for name in h0:
        np.testing.assert_allclose(h1[name], h0[name], rtol=1e-6)
    for a, b in zip(w1, w0, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_ema_generator_is_saved_and_used_for_sampling(tmp_path):
    gan = GAN(*_networks(), seed=1, ema=True)
    for a, b in zip(
        gan.ema_generator.get_weights(),
        gan.generator.get_weights(),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)
    assert not gan.ema_generator.trainable_variables
    shifted = [w + 0.5 for w in gan.generator.get_weights()]
    gan.ema_generator.set_weights(shifted)
    z = tf.random.stateless_normal((4, LATENT), seed=[2, 0], alg="philox")
    np.testing.assert_allclose(
        gan.generate(4, seed=2), gan.ema_generator(z).numpy(), rtol=1e-6
    )
    np.testing.assert_allclose(
        gan.generate(4, seed=2, use_ema=False),
        gan.generator(z).numpy(),
        rtol=1e-6,
    )
    gan.compile()
    gan.save(tmp_path / "ema.keras")
    loaded = keras.saving.load_model(tmp_path / "ema.keras")
    for a, b in zip(loaded.ema_generator.get_weights(), shifted, strict=True):
        np.testing.assert_array_equal(a, b)
    assert _gan().ema_generator is None
    with pytest.raises(TypeError, match="`ema` must be a bool"):
        GAN(*_networks(), ema="yes")


# -- save, load and resume ---------------------------------------------------


def _resumable_gan():
    keras.utils.set_random_seed(0)
    gan = _gan(seed=21)
    gan.compile(
        keras.optimizers.Adam(1e-2),
        keras.optimizers.Adam(1e-2),
        "wasserstein",
        d_steps=2,
        gradient_penalty=1.0,
        # Lazy R1 every 3 of the 14 D updates per epoch: a resumed run must
        # continue the schedule where it stopped.
        r1_penalty=0.5,
        r1_interval=3,
    )
    return gan


@pytest.mark.slow
def test_save_load_round_trip(tmp_path):
    gan = _resumable_gan()
    gan.fit(_points(64), batch_size=16, epochs=1, shuffle=False, verbose=0)
    path = tmp_path / "gan.keras"
    gan.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, GAN)
    assert loaded.get_compile_config() == gan.get_compile_config()
    assert loaded.loss_pair.name == "wasserstein"
    assert (loaded.d_steps, loaded.gradient_penalty_weight) == (2, 1.0)
    assert (loaded.r1_penalty_weight, loaded.r1_interval) == (0.5, 3)
    for a, b in zip(loaded.get_weights(), gan.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    for opt in ("g_optimizer", "d_optimizer"):
        want = [v.numpy() for v in getattr(gan, opt).variables]
        got = [v.numpy() for v in getattr(loaded, opt).variables]
        assert len(got) == len(want) > 2
        for a, b in zip(got, want, strict=True):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.noise_state, gan.noise_state)
    np.testing.assert_allclose(
        loaded.generate(4, seed=1), gan.generate(4, seed=1), rtol=1e-6
    )


def test_resume_after_load_matches_uninterrupted_run(tmp_path):
    data = tf.data.Dataset.from_tensor_slices(_points(112)).batch(16)  # 7
    straight = _resumable_gan()
    full = straight.fit(data, epochs=3, verbose=0).history

    first = _resumable_gan()
    first.fit(data, epochs=1, verbose=0)
    first.save(tmp_path / "gan.keras")
    resumed = keras.saving.load_model(tmp_path / "gan.keras")
    rest = resumed.fit(data, epochs=2, verbose=0).history

    for name, values in rest.items():
        np.testing.assert_allclose(values, full[name][1:], rtol=1e-6, atol=1e-7)
    for a, b in zip(resumed.get_weights(), straight.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert int(resumed.g_optimizer.iterations) == 21
    assert int(resumed.d_optimizer.iterations) == 42


# -- bad input ---------------------------------------------------------------


def test_generator_output_must_fit_discriminator():
    g, _ = _networks(data_dim=2)
    _, d = _networks(data_dim=3)
    with pytest.raises(
        ValueError, match=r"outputs samples of shape.*\(None, 3\)"
    ):
        GAN(g, d)


def test_discriminator_must_return_one_logit():
    g, _ = _networks()
    d = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    with pytest.raises(ValueError, match="one logit per sample"):
        GAN(g, d)


def test_latent_size_mismatch():
    g, d = _networks(latent=4)
    with pytest.raises(ValueError, match="latent_dim=5 but the generator"):
        GAN(g, d, latent_dim=5)
    gan = GAN(g, d)
    assert gan.latent_dim == 4
    with pytest.raises(
        ValueError, match=r"latent vectors of shape \(batch, 4\)"
    ):
        gan(np.zeros((2, 5), np.float32))


def test_networks_must_be_keras():
    _, d = _networks()
    with pytest.raises(TypeError, match="`generator` must be a keras.Model"):
        GAN(lambda z: z, d)


def test_fit_before_compile():
    with pytest.raises(ValueError, match=r"before GAN.compile\(\)"):
        _gan().fit(_points(16), epochs=1, verbose=0)


def test_data_of_wrong_dtype_or_rank():
    gan = _gan()
    gan.compile()
    with pytest.raises(TypeError, match="floating-point samples.*uint8"):
        gan.fit(_points(16).astype(np.uint8), batch_size=8, verbose=0)
    with pytest.raises(ValueError, match=r"shape \(None, 2\).*got \(8, 2, 1\)"):
        gan.fit(_points(16)[..., None], batch_size=8, verbose=0)


def test_non_finite_arrays_are_refused():
    gan = _gan()
    gan.compile()
    x = _points(16)
    x[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"1 NaN or inf values.*\(3, 1\)"):
        gan.fit(x, batch_size=8, verbose=0)
    with pytest.raises(ValueError, match="validation_data hold 1 NaN"):
        gan.fit(_points(16), batch_size=8, verbose=0, validation_data=x)
    with pytest.raises(ValueError, match="evaluate hold 1 NaN"):
        gan.evaluate(x, verbose=0)


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (
            {"d_steps": 0},
            ValueError,
            "d_steps` must be a positive int, got d_steps=0",
        ),
        (
            {"d_steps": 2.0},
            TypeError,
            "d_steps` must be a positive int, got 2.0",
        ),
        ({"loss": "wgan"}, ValueError, "Known losses: minimax"),
        ({"update": "sync"}, ValueError, "`update` must be one of"),
        (
            {"update": "simultaneous", "d_steps": 2},
            ValueError,
            "d_steps must be 1",
        ),
        ({"gradient_penalty": -1.0}, ValueError, "finite number >= 0"),
        ({"r1_penalty": float("nan")}, ValueError, "finite number >= 0"),
        ({"r2_penalty": -0.5}, ValueError, "r2_penalty` must be a finite"),
        (
            {"r1_penalty": "10"},
            TypeError,
            "finite number >= 0, got '10' of type str",
        ),
        (
            {"r1_interval": 0},
            ValueError,
            "r1_interval` must be a positive int, got r1_interval=0",
        ),
        ({"r1_interval": 16.0}, TypeError, "r1_interval` must be a positive"),
        ({"top_k": 0.0}, ValueError, r"top_k` must be a finite number in \(0"),
        ({"top_k": 1.5}, ValueError, r"top_k` must be a finite number in \(0"),
        ({"top_k_steps": -1}, ValueError, "top_k_steps` must be"),
        (
            {"loss": "relativistic_pairing", "top_k": 0.5},
            ValueError,
            "pairs each real logit with one fake logit. Use top_k=1.0",
        ),
        ({"g_optimizer": "nope"}, ValueError, "Keras optimizer"),
        (
            {"jit_compil": True},
            TypeError,
            r"GAN.compile\(\) got unexpected keyword arguments "
            r"\['jit_compil'\]",
        ),
    ],
)
def test_compile_rejects(kwargs, error, match):
    with pytest.raises(error, match=match):
        _gan().compile(**kwargs)


def test_compile_rejects_shared_optimizer():
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="same object"):
        _gan().compile(opt, opt)


@pytest.mark.parametrize(
    "config", [{"a": 1}, {"class_name": "Adam", "config": {"b": 1}}]
)
def test_compile_names_the_optimizer_for_a_bad_config_dict(config):
    # A dict without "class_name" used to raise a bare KeyError.
    with pytest.raises(ValueError, match="`d_optimizer`"):
        _gan().compile(d_optimizer=config)


def test_seed_beyond_int64_is_refused_naming_it():
    # The noise state is int64; TensorFlow used to fail without naming it.
    with pytest.raises(ValueError, match="`seed` must be an int in"):
        GAN(*models.mlp(latent_dim=4), seed=2**63)


@pytest.mark.parametrize(
    "kwargs,error",
    [
        ({"n": 0}, ValueError),
        ({"n": "3"}, TypeError),
        ({"n": 2, "seed": -1}, ValueError),
        ({"n": 2, "seed": 1.5}, TypeError),
    ],
)
def test_generate_rejects(kwargs, error):
    with pytest.raises(error):
        _gan().generate(**kwargs)


def test_fit_on_a_dataset_prints_no_shuffle_warning():
    gan = _gan()
    gan.compile()
    data = tf.data.Dataset.from_tensor_slices(_points(16)).batch(8)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gan.fit(data, epochs=1, verbose=0)
    assert not [w for w in caught if "shuffle" in str(w.message)]
    # An explicit request still reaches Keras, which says it is ignored.
    with pytest.warns(UserWarning, match="shuffle=True"):
        gan.fit(data, epochs=1, verbose=0, shuffle=True)
