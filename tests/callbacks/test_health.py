"""Tests for tfgan_lite.callbacks.TrainingHealth: each diagnosis fires on a
constructed failure, stays silent on a healthy run, and NaNs roll back."""

import itertools
import logging
import re

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing import event_accumulator

from tfgan_lite import data, metrics, models
from tfgan_lite.callbacks import EMAGenerator, HealthEvent, TrainingHealth
from tfgan_lite.callbacks._diversity import mean_pairwise_distance
from tfgan_lite.gans.gan import GAN

LATENT = 4
COLLAPSE = TrainingHealth.MODE_COLLAPSE
OVERPOWERING = TrainingHealth.DISCRIMINATOR_OVERPOWERING
NON_FINITE = TrainingHealth.NON_FINITE


def _mlp_gan(seed=0, **compile_kwargs):
    g, d = models.mlp(latent_dim=LATENT, hidden=16, depth=2)
    gan = GAN(g, d, seed=seed)
    gan.compile(**compile_kwargs)
    return gan


def _gaussian(n=256, scale=0.25, seed=0):
    # Scaled like the untrained MLP generator's output, so that a healthy
    # start is not mistaken for a collapse.
    rng = np.random.default_rng(seed)
    return (scale * rng.normal(size=(n, 2))).astype(np.float32)


def _run(run_dir):
    acc = event_accumulator.EventAccumulator(
        str(run_dir), size_guidance={"tensors": 0}
    )
    acc.Reload()
    return acc


def _scalars(acc, tag):
    events = acc.Tensors(tag)
    return [e.step for e in events], [
        float(tf.make_ndarray(e.tensor_proto)) for e in events
    ]


def _texts(acc, tag):
    return [
        (e.step, e.tensor_proto.string_val[0].decode())
        for e in acc.Tensors(tag)
    ]


def _of_kind(events, kind):
    return [e for e in events if e.kind == kind]


# -- the diversity figure ----------------------------------------------------


def test_mean_pairwise_distance_matches_brute_force():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(7, 3, 2)).astype(np.float32) * 5 + 100
    flat = x.reshape(7, -1).astype(np.float64)
    pairs = itertools.combinations(range(7), 2)
    want = np.mean([np.linalg.norm(flat[i] - flat[j]) for i, j in pairs])
    np.testing.assert_allclose(mean_pairwise_distance(x), want, rtol=1e-10)
    same = np.repeat(x[:1], 5, axis=0)
    assert mean_pairwise_distance(same) == 0.0


def test_real_diversity_uses_all_samples_when_fewer_than_num_samples():
    x = _gaussian(10)
    health = TrainingHealth(real_samples=x, num_samples=256)
    np.testing.assert_allclose(
        health.real_diversity, mean_pairwise_distance(x), rtol=1e-12
    )
    pairs = itertools.combinations(range(10), 2)
    want = np.mean([np.linalg.norm(x[i] - x[j]) for i, j in pairs])
    np.testing.assert_allclose(health.real_diversity, want, rtol=1e-6)


# -- healthy runs stay silent ------------------------------------------------


def test_healthy_run_is_silent_and_logs_health_curves(tmp_path, caplog):
    x = _gaussian()
    gan = _mlp_gan()
    health = TrainingHealth(real_samples=x, log_dir=tmp_path, num_samples=64)
    with caplog.at_level(logging.WARNING):
        history = gan.fit(
            x, batch_size=32, epochs=3, verbose=0, callbacks=[health]
        ).history
    assert health.events == []
    assert not [r for r in caplog.records if "tfgan_lite" in r.name]
    acc = _run(tmp_path / "health")
    for tag in ("diversity_ratio", "generated_diversity", "real_diversity"):
        assert _scalars(acc, tag)[0] == [0, 1, 2], tag
    _, ratios = _scalars(acc, "diversity_ratio")
    assert all(0.25 < r < 4 for r in ratios), ratios
    _, real = _scalars(acc, "real_diversity")
    np.testing.assert_allclose(real, [health.real_diversity] * 3, rtol=1e-6)
    # Under the tags of keras' TensorBoard curves, which they overlay.
    for key in ("d_fake", "g_grad_norm"):
        steps, values = _scalars(acc, f"epoch_{key}")
        assert steps == [0, 1, 2]
        np.testing.assert_allclose(values, history[key], rtol=1e-6)
    # The generated diversity is that of the documented fixed-noise batch.
    _, generated = _scalars(acc, "generated_diversity")
    want = mean_pairwise_distance(gan.generate(64, seed=0, use_ema=False))
    np.testing.assert_allclose(generated[-1], want, rtol=1e-5)
    np.testing.assert_allclose(ratios[-1], want / health.real_diversity, 1e-5)
    assert acc.Tags()["tensors"] and not [
        t for t in acc.Tags()["tensors"] if t in (COLLAPSE, OVERPOWERING)
    ]


# -- mode collapse -----------------------------------------------------------


def _collapsed_gan():
    """A generator whose every sample is the same point (the output bias)."""
    g, d = models.mlp(latent_dim=LATENT, hidden=16, depth=2)
    out = g.get_layer("to_points")
    out.kernel.assign(np.zeros(out.kernel.shape, np.float32))
    out.trainable = False
    gan = GAN(g, d, seed=0)
    gan.compile()
    return gan


def test_frozen_constant_generator_triggers_mode_collapse(tmp_path, caplog):
    x = _gaussian()
    health = TrainingHealth(
        real_samples=x, log_dir=tmp_path, num_samples=32, every_n_epochs=2
    )
    with caplog.at_level(logging.WARNING):
        _collapsed_gan().fit(
            x, batch_size=64, epochs=3, verbose=0, callbacks=[health]
        )
    events = _of_kind(health.events, COLLAPSE)
    assert [e.epoch for e in events] == [0, 2]  # every_n_epochs=2
    for event in events:
        assert isinstance(event, HealthEvent)
        np.testing.assert_allclose(event.value, 0.0, atol=1e-9)
        assert event.message.startswith(
            "Mode collapse suspected: fixed-noise samples are 0x as diverse"
        )
        assert f"vs {health.real_diversity:.3g})." in event.message
    with pytest.raises(AttributeError):
        events[0].value = 1.0  # Records are immutable.
    logged = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("tfgan_lite.callbacks")
    ]
    assert [e.message for e in events] == [
        m for m in logged if m.startswith("Mode collapse")
    ]
    acc = _run(tmp_path / "health")
    assert _texts(acc, COLLAPSE) == [(e.epoch, e.message) for e in events]
    steps, ratios = _scalars(acc, "diversity_ratio")
    assert steps == [0, 2]
    np.testing.assert_allclose(ratios, 0.0, atol=1e-9)


def test_warmup_epochs_delay_the_diagnoses():
    x = _gaussian()
    health = TrainingHealth(real_samples=x, num_samples=32, warmup_epochs=2)
    _collapsed_gan().fit(
        x, batch_size=64, epochs=4, verbose=0, callbacks=[health]
    )
    assert [e.epoch for e in _of_kind(health.events, COLLAPSE)] == [2, 3]


# -- discriminator overpowering the generator --------------------------------


def _linear_gan(kernel, bias, loss):
    """A GAN with a linear D that never trains (learning rate 0)."""
    g, _ = models.mlp(latent_dim=LATENT, hidden=16, depth=2)
    d = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(1)], name="discriminator"
    )
    _set_d(d, kernel, bias)
    gan = GAN(g, d, seed=0)
    gan.compile(
        g_optimizer=keras.optimizers.SGD(1e-3),
        d_optimizer=keras.optimizers.SGD(0.0),
        loss=loss,
    )
    return gan


def _set_d(d, kernel, bias):
    d.layers[-1].set_weights(
        [np.array([[kernel], [0.0]], np.float32), np.array([bias], np.float32)]
    )


def _far_points(n=128):
    # Real data around (3, 0); the generator starts near the origin.
    rng = np.random.default_rng(1)
    return (rng.normal(size=(n, 2)) * 0.3 + [3.0, 0.0]).astype(np.float32)


class _Overpower(keras.callbacks.Callback):
    """After epoch 0, makes D reject fakes with logit ~ -30 (test only)."""

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            _set_d(self.model.discriminator, 10.0, -30.0)


def test_overconfident_discriminator_triggers_warning_relative_to_epoch_0():
    x = _far_points()
    gan = _linear_gan(0.1, 0.0, "minimax")
    health = TrainingHealth(real_samples=x, num_samples=32)
    history = gan.fit(
        x,
        batch_size=32,
        epochs=2,
        verbose=0,
        callbacks=[health, _Overpower()],
    ).history
    # Epoch 0: D(G(z)) ~ 0.5, a healthy gradient. Epoch 1: the minimax
    # loss saturates, its gradient is -D(G(z)) ~ 1e-13.
    assert history["d_fake"][0] > 0.3
    assert history["d_fake"][1] < 1e-6
    assert history["g_grad_norm"][1] < 1e-3 * history["g_grad_norm"][0]
    events = _of_kind(health.events, OVERPOWERING)
    assert [e.epoch for e in events] == [1]
    np.testing.assert_allclose(events[0].value, history["d_fake"][1], 1e-6)
    ratio = history["g_grad_norm"][1] / history["g_grad_norm"][0]
    assert events[0].message == (
        "Discriminator overpowering the generator: mean D(G(z)) is "
        f"{history['d_fake'][1]:.2g} (threshold 0.05) and the generator's "
        f"gradient norm has vanished to {history['g_grad_norm'][1]:.2g} "
        f"({ratio:.2g}x its first-epoch value "
        f"{history['g_grad_norm'][0]:.2g})."
    )


@pytest.mark.parametrize(
    "loss, fires",
    [
        ("minimax", True),
        # The non-saturating loss keeps a gradient of ~1 per fake logit.
        ("non_saturating", False),
        # Raw critic scores have no probability scale: the check is skipped.
        ("wasserstein", False),
    ],
)
def test_overpowered_from_the_start_hits_the_absolute_floor(loss, fires):
    x = _far_points()
    gan = _linear_gan(10.0, -30.0, loss)
    health = TrainingHealth(real_samples=x, num_samples=32)
    history = gan.fit(
        x, batch_size=32, epochs=1, verbose=0, callbacks=[health]
    ).history
    events = _of_kind(health.events, OVERPOWERING)
    if fires:
        assert history["g_grad_norm"][0] < 1e-6
        assert [e.epoch for e in events] == [0]
        assert "below the floor 1e-06" in events[0].message
    else:
        assert history["g_grad_norm"][0] > 1.0
        assert events == []


# -- non-finite values ---------------------------------------------------------


def _state(gan):
    """All weights (incl. noise state) and both optimizers' variables."""
    optimizer_vars = gan.g_optimizer.variables + gan.d_optimizer.variables
    return gan.get_weights() + [v.numpy() for v in optimizer_vars]


class _RecordState(keras.callbacks.Callback):
    """Records the full training state at the start and epoch ends."""

    def on_train_begin(self, logs=None):
        self.states = {}

    def on_epoch_begin(self, epoch, logs=None):
        self.states.setdefault(None, _state(self.model))

    def on_epoch_end(self, epoch, logs=None):
        self.states[epoch] = _state(self.model)


class _PoisonWeights(keras.callbacks.Callback):
    """Sets a generator kernel to NaN after the last batch of an epoch.

    The batch's losses were computed before, so they stay finite: only the
    weight check at epoch end can see it.
    """

    def __init__(self, epoch, batch):
        super().__init__()
        self.epoch, self.batch, self.current = epoch, batch, None

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.current, batch) == (self.epoch, self.batch):
            kernel = self.model.generator.get_layer("hidden_1").kernel
            kernel.assign(np.full(kernel.shape, np.nan, np.float32))


@pytest.mark.parametrize(
    "nan_batch, poison, stop_epoch, restored_from, message_part",
    [
        (5, None, 1, 0, "epoch 1, batch 1: d_grad_norm=nan, d_loss=nan"),
        (1, None, 0, None, "epoch 0, batch 1: d_grad_norm=nan, d_loss=nan"),
        # The generator's kernel and, averaged in, the EMA copy's.
        (None, (1, 3), 1, 0, "epoch end: 2 variables hold NaN or inf"),
    ],
)
def test_non_finite_values_stop_and_roll_back_before_checkpoint(
    tmp_path, nan_batch, poison, stop_epoch, restored_from, message_part
):
    # 8 batches of 16, 4 per epoch: batch 5 is epoch 1's batch 1.
    x = _gaussian(128)
    if nan_batch is not None:
        x[nan_batch * 16 + 3, 0] = np.nan
    data = tf.data.Dataset.from_tensor_slices(x).batch(16)
    gan = _mlp_gan()
    record = _RecordState()
    health = TrainingHealth(real_samples=_gaussian(), log_dir=tmp_path)
    path = tmp_path / "checkpoint.keras"
    callbacks = [record]
    if poison is not None:
        callbacks.append(_PoisonWeights(*poison))
    # EMAGenerator after TrainingHealth creates its copy after the health
    # callback's on_train_begin; the copy is still part of the rollback.
    callbacks += [
        health,
        EMAGenerator(0.5),
        keras.callbacks.ModelCheckpoint(str(path)),
    ]
    history = gan.fit(
        data,
        steps_per_epoch=4,
        epochs=4,
        shuffle=False,
        verbose=0,
        callbacks=callbacks,
    ).history

    assert gan.stop_training
    assert len(history["d_loss"]) == stop_epoch + 1
    assert [(e.epoch, e.kind) for e in health.events] == [
        (stop_epoch, NON_FINITE)
    ]
    event = health.events[0]
    source = (
        "the start of epoch 0"
        if restored_from is None
        else f"the end of epoch {restored_from}"
    )
    assert message_part in event.message
    assert event.message.endswith(
        f"restored the weights and optimizer state from {source}."
    )
    assert np.isnan(event.value)
    assert _texts(_run(tmp_path / "health"), NON_FINITE) == [
        (stop_epoch, event.message)
    ]
    want = record.states[restored_from]
    assert all(np.isfinite(w).all() for w in want)
    assert gan.ema_generator is not None
    assert len(want) == len(_state(_mlp_gan())) + len(gan.ema_generator.weights)
    # In memory and in the checkpoint written after the stop: the last
    # good state, bit for bit, optimizer and noise stream included.
    loaded = keras.saving.load_model(path)
    for got in (_state(gan), _state(loaded)):
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            np.testing.assert_array_equal(g, w)


# -- arguments ---------------------------------------------------------------

_X = _gaussian(16)


BAD_ARGUMENTS = (
    # kwargs, error, match
    ({"warmup_epochs": -1}, ValueError, "warmup_epochs"),
    ({"real_samples": np.zeros(5)}, ValueError, r"got shape \(5,\)"),
    ({"real_samples": _X[:1]}, ValueError, r"N >= 2.*\(1, 2\)"),
    (
        {
            "real_samples": np.where(
                np.arange(32).reshape(16, 2) == 3, np.nan, _X
            )
        },
        ValueError,
        "finite; 1 of its values",
    ),
    ({"real_samples": _X * np.inf}, ValueError, "finite"),
    ({"real_samples": np.full((4, 2), "a")}, TypeError, "numeric.*<U1"),
    ({"real_samples": _X > 0}, TypeError, "dtype bool"),
    ({"real_samples": np.ones((4, 2))}, ValueError, "all identical"),
    ({"num_samples": 1}, ValueError, "num_samples=1"),
    ({"num_samples": 2.0}, TypeError, "num_samples.*float"),
    ({"every_n_epochs": 0}, ValueError, "every_n_epochs=0"),
    ({"every_n_epochs": -1}, ValueError, "every_n_epochs=-1"),
    ({"seed": -3}, ValueError, "seed=-3"),
    ({"log_dir": 5}, TypeError, "log_dir.*int"),
    ({"collapse_ratio": 0.0}, ValueError, r"\(0, 1\].*=0.0"),
    ({"collapse_ratio": 1.5}, ValueError, r"\(0, 1\].*=1.5"),
    ({"overpowered_d_fake": 1.0}, ValueError, r"\(0, 1\).*=1.0"),
    ({"overpowered_d_fake": "0.1"}, TypeError, "overpowered_d_fake"),
    ({"vanishing_grad_ratio": 0.0}, ValueError, r"\(0, 1\)"),
    ({"vanishing_grad_floor": -1e-3}, ValueError, "finite number >= 0"),
    ({"vanishing_grad_floor": float("nan")}, ValueError, "=nan"),
    ({"coverage_ratio": 1.5}, ValueError, r"\[0, 1\].*=1.5"),
    ({"modes": np.zeros((3, 2))}, ValueError, "needs `mode_std`"),
    ({"mode_std": 0.1}, ValueError, "`mode_std` needs `modes`"),
    ({"modes": np.zeros((3, 3)), "mode_std": 0.1}, ValueError, r"\(M, 2\)"),
    ({"modes": np.zeros((3, 2)), "mode_std": 0.0}, ValueError, "mode_std"),
)


def test_rejects_bad_arguments():
    # Cases share one test: each test costs a Keras session reset.
    for kwargs, error, match in BAD_ARGUMENTS:
        with pytest.raises(error, match=match):
            TrainingHealth(**{"real_samples": _X, **kwargs})


def test_requires_real_samples():
    with pytest.raises(TypeError, match="real_samples"):
        TrainingHealth()


@pytest.mark.parametrize(
    "shape, given",
    [((16, 4, 4, 1), "(N, 4, 4, 1)"), ((16, 3), "(N, 3)")],
)
def test_rejects_real_samples_unlike_the_generators(shape, given):
    real = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    health = TrainingHealth(real_samples=real)
    gan = _mlp_gan()
    with pytest.raises(ValueError, match=re.escape(f"(N, 2); got {given}.")):
        gan.fit(_gaussian(32), epochs=1, verbose=0, callbacks=[health])


def test_rejects_models_other_than_gan():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(loss="mse")
    with pytest.raises(TypeError, match="TrainingHealth.*tfgan_lite.GAN"):
        model.fit(
            np.zeros((4, 2)),
            np.zeros((4, 1)),
            verbose=0,
            callbacks=[TrainingHealth(real_samples=_X)],
        )


# -- modes dropped: known modes and coverage ---------------------------------

_CENTERS, _STD = metrics.known_mixture("grid")


def _grid_gan(num_modes):
    """A fixed generator that samples the first `num_modes` grid modes.

    z picks a mode by its argmax over the first num_modes entries and adds
    the mode's own Gaussian noise from two more entries, so with all 25
    modes it draws exactly the data's distribution.
    """
    z = keras.Input((27,))
    onehot = keras.layers.Lambda(
        lambda t: tf.one_hot(tf.argmax(t[:, :num_modes], 1), 25),
        output_shape=(25,),
    )(z)
    place = keras.layers.Dense(2, use_bias=False, name="place")
    noise = keras.layers.Lambda(lambda t: _STD * t[:, 25:], output_shape=(2,))
    points = keras.layers.Add()([place(onehot), noise(z)])
    place.set_weights([_CENTERS.astype(np.float32)])
    generator = keras.Model(z, points)
    _, discriminator = models.mlp(latent_dim=2, hidden=8, depth=1)
    gan = GAN(generator, discriminator, seed=0)
    # Zero learning rates: the run keeps the constructed generator.
    gan.compile(keras.optimizers.SGD(0.0), keras.optimizers.SGD(0.0))
    return gan


def _grid_run(num_modes, **health_kwargs):
    points, _ = data.grid(2_000, seed=1)
    health = TrainingHealth(real_samples=points, **health_kwargs)
    _grid_gan(num_modes).fit(
        points, batch_size=500, epochs=2, verbose=0, callbacks=[health]
    )
    return health


def test_known_modes_left_uncaptured_are_reported():
    health = _grid_run(8, modes=_CENTERS, mode_std=_STD)
    assert [e.kind for e in health.events] == [COLLAPSE, COLLAPSE]
    event = health.events[-1]
    assert event.value == pytest.approx(8 / 25)
    assert "capture 8 of the 25 known modes" in event.message
    # The diversity check alone stays silent on this run: 8 well-spread
    # modes are as diverse as the data.
    quiet = _grid_run(8, coverage_ratio=0.0)
    assert quiet.events == []


def test_modes_are_counted_on_the_samples_users_get():
    # Trained weights that drop modes, averaged weights that do not (and
    # the reverse): the diagnosis follows the EMA copy, which generate
    # samples from.
    points, _ = data.grid(2_000, seed=1)
    for live, average, want in ((8, 25, []), (25, 8, [COLLAPSE, COLLAPSE])):
        gan = _grid_gan(live)
        gan.ema_generator = _grid_gan(average).generator
        health = TrainingHealth(
            real_samples=points, modes=_CENTERS, mode_std=_STD
        )
        gan.fit(points, batch_size=500, epochs=2, verbose=0, callbacks=[health])
        assert [e.kind for e in health.events] == want, (live, average)


def test_coverage_sees_dropped_modes_without_knowing_them():
    health = _grid_run(4)
    assert [e.kind for e in health.events] == [COLLAPSE, COLLAPSE]
    assert "cover" in health.events[0].message
    # Covering 4 of 25 modes covers about 4/25 of the real samples.
    assert 0.05 < health.events[0].value < 0.3


def _noise_image_run(**health_kwargs):
    """A fixed generator of uniform-noise images, beside real digits.

    Like an early generator's samples, they are as varied as the digits
    but near none of them.
    """
    batch = next(iter(data.digits(batch_size=512, seed=0)))
    real = batch.numpy()
    health = TrainingHealth(real_samples=real, **health_kwargs)
    z = keras.Input((28 * 28,))
    image = keras.layers.Reshape((28, 28, 1))(
        keras.layers.Activation("tanh")(z)
    )
    _, discriminator = models.dcgan((28, 28, 1), latent_dim=2, width=4)
    gan = GAN(keras.Model(z, image), discriminator, seed=0)
    gan.compile(keras.optimizers.SGD(0.0), keras.optimizers.SGD(0.0))
    gan.fit(real, batch_size=256, epochs=2, verbose=0, callbacks=[health])
    return health


def test_samples_off_the_data_are_not_called_collapse(tmp_path):
    # They cover little of the data (below the 0.3 threshold) and lie among
    # no real digits either (density), so the coverage check stays quiet.
    health = _noise_image_run(log_dir=tmp_path)
    assert health.events == []
    acc = _run(tmp_path / "health")
    _, coverage = _scalars(acc, "coverage_ratio")
    _, density = _scalars(acc, "density_ratio")
    _, diversity = _scalars(acc, "diversity_ratio")
    assert all(c < 0.3 for c in coverage), coverage
    assert all(d < 0.5 for d in density), density
    assert all(0.5 < d < 3.0 for d in diversity), diversity


def test_dropped_modes_are_reported_with_the_samples_density():
    health = _grid_run(4)
    message = health.events[0].message
    # Samples of 4 modes are dense among the real points of those modes.
    density = float(re.search(r"density ([0-9.]+)x", message).group(1))
    assert density > 1.0


def test_a_generator_of_the_data_itself_stays_quiet(tmp_path):
    health = _grid_run(25, modes=_CENTERS, mode_std=_STD, log_dir=tmp_path)
    assert health.events == []
    acc = _run(tmp_path / "health")
    _, modes = _scalars(acc, "modes")
    assert modes == [25, 25]
    _, ratio = _scalars(acc, "coverage_ratio")
    assert all(0.8 < r < 1.2 for r in ratio), ratio


# -- a generator that has not learnt yet is not collapsed --------------------


def _check_epochs(health, gan, epochs, between=None):
    """Runs the callback's epoch ends on ``gan`` as fit would, no steps."""
    health.set_model(gan)
    health.on_train_begin()
    for epoch in range(epochs):
        health.on_epoch_begin(epoch)
        health.on_epoch_end(epoch, {})
        if between is not None:
            between(epoch)
    health.on_train_end()


def test_an_untrained_image_generator_is_not_called_collapsed():
    # A fresh DCGAN and its EMA copy: near-identical grey samples, far
    # from every digit, which the diversity ratio alone would call a
    # collapse (about 1e-4x as diverse as the digits).
    real = next(iter(data.digits(batch_size=128, seed=0))).numpy()
    gan = GAN(*models.dcgan_28(latent_dim=8, width=4), seed=0, ema=True)
    gan.compile()
    health = TrainingHealth(real_samples=real, num_samples=32)
    _check_epochs(health, gan, 2)
    assert health.events == []
    generated = gan.generate(32, seed=0)
    ratio = mean_pairwise_distance(generated) / health.real_diversity
    assert ratio < health.collapse_ratio  # The figure is low ...
    assert not health._was_diverse  # ... and never was higher.


def _make_constant(generator, point):
    out = generator.get_layer("to_points")
    out.kernel.assign(np.zeros(out.kernel.shape, np.float32))
    out.bias.assign(np.asarray(point, np.float32))


def test_diversity_lost_is_collapse_even_off_the_data():
    # Diverse samples at epoch 0, then one point far from the data: the
    # generator lost the variety it had, which is collapse.
    x = _gaussian()
    gan = _mlp_gan()
    health = TrainingHealth(real_samples=x, num_samples=32)

    def collapse(epoch):
        if epoch == 0:
            _make_constant(gan.generator, (3.0, 3.0))

    _check_epochs(health, gan, 2, between=collapse)
    events = _of_kind(health.events, COLLAPSE)
    assert [e.epoch for e in events] == [1]
    assert events[0].value == 0.0
    assert events[0].message.startswith(
        "Mode collapse suspected: fixed-noise samples are 0x as diverse"
    )
    # The same point from the start, never diverse and off the data: a
    # generator that has not reached the data, not a collapse.
    gan = _mlp_gan()
    _make_constant(gan.generator, (3.0, 3.0))
    health = TrainingHealth(real_samples=x, num_samples=32)
    _check_epochs(health, gan, 2)
    assert _of_kind(health.events, COLLAPSE) == []
    # ... and at the centre of the data, it is collapse from the start.
    _make_constant(gan.generator, (0.0, 0.0))
    health = TrainingHealth(real_samples=x, num_samples=32)
    _check_epochs(health, gan, 1)
    assert [e.kind for e in health.events] == [COLLAPSE]


def test_samples_on_no_known_mode_are_not_called_collapse():
    # All 25 grid modes moved far off the data: no mode captured, no
    # real sample near, and as diverse as the data: nothing to report.
    points, _ = data.grid(2_000, seed=1)
    gan = _grid_gan(25)
    place = gan.generator.get_layer("place")
    place.set_weights([_CENTERS.astype(np.float32) + 100.0])
    health = TrainingHealth(real_samples=points, modes=_CENTERS, mode_std=_STD)
    _check_epochs(health, gan, 1)
    assert health.events == []
