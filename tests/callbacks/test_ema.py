"""Tests for tfgan_lite.callbacks.EMAGenerator: golden averages, counting."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_lite import models
from tfgan_lite.callbacks import EMAGenerator
from tfgan_lite.gans.gan import GAN

LATENT = 3


def _gan(seed=7):
    # BatchNorm gives the generator non-trainable weights (moving stats),
    # which the callback copies rather than averages.
    g = keras.Sequential(
        [
            keras.Input((LATENT,)),
            keras.layers.Dense(6),
            keras.layers.BatchNormalization(momentum=0.5),
            keras.layers.Activation("tanh"),
            keras.layers.Dense(2),
        ],
        name="generator",
    )
    d = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(6, activation="tanh"),
            keras.layers.Dense(1),
        ],
        name="discriminator",
    )
    return GAN(g, d, seed=seed)


def _compile(gan, **kwargs):
    gan.compile(
        g_optimizer=keras.optimizers.SGD(0.2),
        d_optimizer=keras.optimizers.SGD(0.2),
        **kwargs,
    )


def _points(n=64, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, 2)) + [2.0, -1.0]).astype(np.float32)


class _Recorder(keras.callbacks.Callback):
    """Records the generator after every callback call, with its step."""

    def on_train_begin(self, logs=None):
        gan = self.model
        self.initial_ema = [w.copy() for w in gan.ema_generator.get_weights()]
        self.trainable = [w.trainable for w in gan.generator.weights]
        self.steps, self.weights = [], []

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append(int(self.model.g_optimizer.iterations.numpy()))
        self.weights.append(self.model.generator.get_weights())


def _numpy_ema(record, decay, start_step, last_step=0, rampup=None):
    """The EMA the callback should hold, in float64, one update at a time."""
    ema = [w.astype(np.float64) for w in record.initial_ema]
    for step, weights in zip(record.steps, record.weights, strict=True):
        updates = step - last_step
        if updates == 0:
            continue
        # Several updates between two calls (steps_per_execution) use the
        # m-fold decay; a window reaching into the copy phase copies.
        copy = step - updates + 1 <= start_step
        per_update = decay
        if rampup is not None:
            # Half-life at most rampup * step updates: d**(rampup * step)
            # must not exceed 1/2.
            per_update = min(decay, np.exp(np.log(0.5) / (rampup * step)))
        d = 0.0 if copy else per_update**updates
        ema = [
            d * e + (1 - d) * w if trainable else w.astype(np.float64)
            for e, w, trainable in zip(
                ema, weights, record.trainable, strict=True
            )
        ]
        last_step = step
    return ema


@pytest.mark.parametrize(
    "decay, start_step, compile_kwargs, want_updates, rampup",
    [
        (0.9, 0, {}, 8, None),
        (0.8, 3, {}, 8, None),
        (0.0, 0, {}, 8, None),
        (0.9, 0, {"d_steps": 2}, None, None),
        (0.7, 2, {"steps_per_execution": 2}, 8, None),
        # Ramp-up: 0.5**(1 / (0.5 t)) is 0.25, 0.5, 0.63, ... below 0.9
        # for the first updates, then the decay caps it from update 14.
        (0.9, 0, {}, 8, 0.5),
        (0.6, 0, {}, 8, 0.5),
        (0.9, 2, {"steps_per_execution": 2}, 8, 1.0),
    ],
)
def test_matches_numpy_ema_of_recorded_weights(
    decay, start_step, compile_kwargs, want_updates, rampup
):
    gan = _gan()
    _compile(gan, **compile_kwargs)
    assert gan.ema_generator is None
    initial = gan.generator.get_weights()
    record = _Recorder()
    # recalibration_samples=0: BatchNorm statistics are copied, as the
    # numpy reference does.
    ema = EMAGenerator(
        decay,
        start_step=start_step,
        rampup=rampup,
        recalibration_samples=0,
    )
    gan.fit(
        _points(),
        batch_size=16,
        epochs=2,
        shuffle=False,
        verbose=0,
        callbacks=[ema, record],
    )
    # The copy was created at train begin from the untrained generator.
    for got, want in zip(record.initial_ema, initial, strict=True):
        np.testing.assert_array_equal(got, want)
    if want_updates is not None:
        assert record.steps[-1] == want_updates
    want = _numpy_ema(record, decay, start_step, rampup=rampup)
    got = gan.ema_generator.get_weights()
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-6)
    final = gan.generator.get_weights()
    trainable = record.trainable
    for g, f, t in zip(got, final, trainable, strict=True):
        if not t:
            # Moving statistics are copied, bit for bit.
            np.testing.assert_array_equal(g, f)
    distance = max(
        np.abs(g - f).max()
        for g, f, t in zip(got, final, trainable, strict=True)
        if t
    )
    if decay == 0.0:
        assert distance == 0.0
    else:
        # A real average, not a copy of the last weights.
        assert distance > 1e-3


def test_one_traced_update_per_generator_step():
    gan = _gan()
    _compile(gan)
    ema = EMAGenerator(0.5, recalibration_samples=0)
    gan.fit(_points(), batch_size=16, epochs=2, verbose=0, callbacks=[ema])
    assert isinstance(
        ema._average_fn, tf.types.experimental.PolymorphicFunction
    )
    # Eight updates, one trace: the decay is a tensor argument.
    assert ema._average_fn.experimental_get_tracing_count() == 1


def test_never_changes_the_training_update():
    results = []
    for callbacks in ([], [EMAGenerator(0.5)]):
        keras.utils.set_random_seed(3)
        gan = _gan()
        _compile(gan)
        history = gan.fit(
            _points(), batch_size=16, epochs=2, verbose=0, callbacks=callbacks
        ).history
        weights = gan.generator.get_weights() + gan.discriminator.get_weights()
        results.append((history, weights))
    (h0, w0), (h1, w1) = results
    for a, b in zip(w0, w1, strict=True):
        np.testing.assert_array_equal(a, b)
    for name in h0:
        np.testing.assert_array_equal(h0[name], h1[name])


def test_keeps_an_existing_copy_and_resumes_across_fits(tmp_path):
    gan = _gan()
    gan.enable_ema()
    zeros = [np.zeros_like(w) for w in gan.ema_generator.get_weights()]
    gan.ema_generator.set_weights(zeros)
    _compile(gan)
    ema = EMAGenerator(0.5, recalibration_samples=0)
    record = _Recorder()
    data = _points(16)
    gan.fit(data, batch_size=16, epochs=1, verbose=0, callbacks=[ema, record])
    # One update from the zero average: 0.5 * 0 + 0.5 * w.
    got = gan.ema_generator.get_weights()
    for g, w, t in zip(got, record.weights[0], record.trainable, strict=True):
        np.testing.assert_allclose(g, 0.5 * w if t else w, rtol=1e-6)
    # A second fit continues from the saved average and step count.
    before = [w.astype(np.float64) for w in got]
    gan.fit(data, batch_size=16, epochs=1, verbose=0, callbacks=[ema, record])
    assert record.steps == [2]
    got = gan.ema_generator.get_weights()
    for g, b, w, t in zip(
        got, before, record.weights[0], record.trainable, strict=True
    ):
        np.testing.assert_allclose(
            g, 0.5 * b + 0.5 * w if t else w, rtol=1e-6, atol=1e-7
        )
    # The average is saved and reloaded with the model.
    path = tmp_path / "gan.keras"
    gan.save(path)
    loaded = keras.saving.load_model(path)
    for a, b in zip(loaded.ema_generator.get_weights(), got, strict=True):
        np.testing.assert_array_equal(a, b)


BAD_ARGUMENTS = (
    # args, kwargs, error, match
    ((1.0,), {}, ValueError, r"\[0, 1\).*decay=1.0"),
    ((-0.1,), {}, ValueError, r"\[0, 1\).*decay=-0.1"),
    ((1.5,), {}, ValueError, "decay=1.5"),
    ((float("nan"),), {}, ValueError, "decay=nan"),
    (("0.9",), {}, TypeError, "decay.*str"),
    ((True,), {}, TypeError, "decay.*bool"),
    ((), {"start_step": -1}, ValueError, "start_step=-1"),
    ((), {"start_step": 1.5}, TypeError, "start_step.*float"),
    ((), {"rampup": 0.0}, ValueError, r"\(0, 1\].*rampup=0.0"),
    ((), {"rampup": 1.5}, ValueError, "rampup=1.5"),
    ((), {"rampup": "0.05"}, TypeError, "rampup.*str"),
)


def test_rejects_bad_arguments():
    # Cases share one test: each test costs a Keras session reset.
    for args, kwargs, error, match in BAD_ARGUMENTS:
        with pytest.raises(error, match=match):
            EMAGenerator(*args, **kwargs)


def test_rejects_models_other_than_gan():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(loss="mse")
    with pytest.raises(TypeError, match="EMAGenerator.*tfgan_lite.GAN"):
        model.fit(
            np.zeros((4, 2)),
            np.zeros((4, 1)),
            verbose=0,
            callbacks=[EMAGenerator()],
        )


# -- BatchNorm statistics of the copy ------------------------------------------


def _bn_generator():
    return keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(4, name="dense"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Dense(2, name="out"),
        ]
    )


def test_recalibration_sets_the_mean_of_the_chunks_batch_statistics():
    from tfgan_lite import _noise
    from tfgan_lite.callbacks.ema import recalibrate_batch_norm

    g = _bn_generator()
    bn = g.get_layer("bn")
    assert recalibrate_batch_norm(g, 3, num_samples=300) == 1
    assert bn.momentum == 0.99  # Restored.
    # By hand: chunks of 128, 128 and 44 fixed-seed latents.
    means, variances = [], []
    for i, size in enumerate((128, 128, 44)):
        z = _noise.normal((size, 3), [20_141, i]).numpy()
        h = g.get_layer("dense")(z).numpy().astype(np.float64)
        means.append(h.mean(axis=0))
        variances.append(h.var(axis=0))
    np.testing.assert_allclose(bn.moving_mean, np.mean(means, 0), rtol=1e-5)
    np.testing.assert_allclose(
        bn.moving_variance, np.mean(variances, 0), rtol=1e-5
    )


def test_ema_copy_gets_its_own_batch_norm_statistics():
    x = np.random.default_rng(0).normal(size=(64, 2)).astype("float32")
    stats = {}
    for samples in (0, 256):
        keras.utils.set_random_seed(0)
        _, d = models.mlp(latent_dim=3, hidden=8, depth=1)
        gan = GAN(_bn_generator(), d, seed=0)
        gan.compile()
        gan.fit(
            x,
            batch_size=32,
            epochs=1,
            verbose=0,
            callbacks=[EMAGenerator(0.9, recalibration_samples=samples)],
        )
        live = gan.generator.get_layer("bn").moving_mean.numpy()
        stats[samples] = (live, gan.ema_generator.get_layer("bn").moving_mean)
    live, copied = stats[0]
    np.testing.assert_array_equal(copied, live)  # Off: the generator's.
    live, own = stats[256]
    assert not np.allclose(own, live)
    # The copy stays frozen, with its momentum, after the traced chunks.
    assert not gan.ema_generator.trainable
    assert not gan.ema_generator.get_layer("bn").trainable
    assert gan.ema_generator.get_layer("bn").momentum == 0.99
    # By hand: two chunks of 128 fixed-seed latents through the copy.
    from tfgan_lite import _noise

    dense = gan.ema_generator.get_layer("dense")
    means = [
        dense(_noise.normal((128, 3), [20_141, i])).numpy().mean(axis=0)
        for i in range(2)
    ]
    np.testing.assert_allclose(own, np.mean(means, 0), rtol=1e-5, atol=1e-6)


def test_recalibration_refuses_bad_sizes():
    from tfgan_lite.callbacks.ema import recalibrate_batch_norm

    with pytest.raises(ValueError, match="num_samples=0"):
        recalibrate_batch_norm(_bn_generator(), 3, num_samples=0)
    with pytest.raises(TypeError, match="latent_dim"):
        recalibrate_batch_norm(_bn_generator(), 3.0)
    with pytest.raises(ValueError, match="recalibration_samples=-1"):
        EMAGenerator(recalibration_samples=-1)
    with pytest.raises(TypeError, match="`inputs` must be None or a func"):
        recalibrate_batch_norm(_bn_generator(), 3, inputs="labels")


def test_a_conditional_copy_is_recalibrated_on_latents_and_labels():
    from tfgan_lite import _noise
    from tfgan_lite.gans.conditional import ConditionalGAN

    keras.utils.set_random_seed(0)
    g, d = models.conditional_dcgan_28(3, latent_dim=4, width=4)
    gan = ConditionalGAN(g, d, num_classes=3, seed=0)
    gan.compile()
    images = np.zeros((8, 28, 28, 1), "float32")
    labels = np.arange(8) % 3
    ema = EMAGenerator(0.9, rampup=0.5, recalibration_samples=128)
    # Before the fix, the epoch end called the generator on latents alone.
    gan.fit(images, labels, batch_size=8, epochs=1, verbose=0, callbacks=[ema])
    # By hand: one chunk of 128 latents with labels 0, 1, 2, 0, ...
    copy = gan.ema_generator
    z = _noise.normal((128, 4), [20_141, 0])
    ids = tf.constant(np.arange(128) % 3, tf.int32)
    body = copy.get_layer("generator_body")
    bn = body.get_layer("project_bn")
    x = tf.concat([z, copy.get_layer("label_embedding")(ids)], axis=1)
    h = keras.Model(body.input, bn.input)(x).numpy().astype(np.float64)
    axes = tuple(range(h.ndim - 1))
    np.testing.assert_allclose(bn.moving_mean, h.mean(axis=axes), atol=1e-5)


def test_rampup_lowers_the_decay_early_and_reaches_it_later():
    ema = EMAGenerator(0.999, rampup=0.05)
    # Update 100: half-life 5 updates, so 0.5**(1/5).
    np.testing.assert_allclose(ema._decay_at(100), 0.5**0.2, rtol=1e-12)
    np.testing.assert_allclose(ema._decay_at(4000), 0.5 ** (1 / 200))
    # 0.999 has a half-life of 692.80 updates, reached at update 13,856.01.
    assert ema._decay_at(13_856) < 0.999
    assert ema._decay_at(13_857) == 0.999
    assert EMAGenerator(0.999)._decay_at(1) == 0.999
