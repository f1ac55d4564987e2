"""NaN injected into the data, the learning rate and the weights.

A run either stops with a message naming the step, ``model.keras`` holding
the last good checkpoint, or (``on_nan="rollback"``) goes back to that
checkpoint with the learning rates times ``rollback_lr_factor``, at most
``max_rollbacks`` times. Nothing saved ever holds a NaN.
"""

import glob
import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_lite import train as train_lib
from tfgan_lite.commands import checkpoints as _checkpoint
from tfgan_lite.commands import fit_loop
from tfgan_lite.commands import trainer as command

# 2 epochs of 3 steps; checkpoints at steps 0, 2, 3, 4 and 6.
TINY = {
    "epochs": 2,
    "steps": 3,
    "batch_size": 8,
    "latent_dim": 4,
    "width": 4,
    "checkpoint_every": 2,
    "metrics_every": 0,
    "sample_every": 100,
}


def _config(tmp_path, **kwargs):
    return train_lib.TrainConfig(
        run_dir=str(tmp_path / "run"), **{**TINY, **kwargs}
    )


class _Before(keras.callbacks.Callback):
    """Calls ``poison(model)`` once, just before training step ``step``."""

    def __init__(self, step, poison):
        super().__init__()
        self.step, self.poison, self.fired = step, poison, False

    def on_train_batch_begin(self, batch, logs=None):
        now = _checkpoint.training_step(self.model) + 1
        if now == self.step and not self.fired:
            self.fired = True
            self.poison(self.model)


def _nan_weight(model):
    kernel = model.generator.trainable_weights[0]
    kernel.assign(tf.fill(kernel.shape, np.nan))


def _nan_learning_rate(model):
    model.d_optimizer.learning_rate = np.nan


def _saved_files(run_dir):
    return glob.glob(os.path.join(run_dir, "backup", "*.npz")) + [
        os.path.join(run_dir, "model.keras"),
        os.path.join(run_dir, "checkpoints", "last.keras"),
    ]


def _assert_all_saved_finite(run_dir):
    for path in glob.glob(os.path.join(run_dir, "backup", "*.npz")):
        with np.load(path, allow_pickle=False) as archive:
            for key in archive.files:
                if key != "__meta__":
                    assert np.isfinite(archive[key]).all(), (path, key)
    for name in ("model.keras", os.path.join("checkpoints", "last.keras")):
        path = os.path.join(run_dir, name)
        if os.path.exists(path):
            model = keras.saving.load_model(path)
            for v in model.weights:
                if v.dtype.startswith("float"):
                    assert np.isfinite(v.numpy()).all(), (path, v.path)


def _meta(run_dir):
    newest = sorted(glob.glob(os.path.join(run_dir, "backup", "*.npz")))[-1]
    with np.load(newest, allow_pickle=False) as archive:
        return json.loads(str(archive["__meta__"]))


@pytest.mark.slow
def test_nan_weights_stop_the_run_naming_the_step(tmp_path):
    config = _config(tmp_path)
    with pytest.raises(train_lib.NonFiniteError) as caught:
        train_lib.train(
            config, extra_callbacks=[_Before(5, _nan_weight)], verbose=0
        )
    message = str(caught.value)
    assert "step 5 (epoch 2, batch 2 of 3)" in message, message
    assert "--on_nan=rollback" in message
    assert (caught.value.step, caught.value.restored_step) == (5, 4)
    _assert_all_saved_finite(config.run_dir)
    model = keras.saving.load_model(os.path.join(config.run_dir, "model.keras"))
    assert int(model.g_optimizer.iterations) == 4


@pytest.mark.slow
def test_nan_learning_rate_rolls_back_with_a_lower_rate(tmp_path):
    config = _config(tmp_path, on_nan="rollback", rollback_lr_factor=0.25)
    with pytest.warns(UserWarning, match=r"Rolled back to the checkpoint"):
        gan = train_lib.train(
            config,
            extra_callbacks=[_Before(4, _nan_learning_rate)],
            verbose=0,
        )
    # The run ends with its full number of updates, at the lower rate.
    assert int(gan.g_optimizer.iterations) == 6
    assert int(gan.d_optimizer.iterations) == 6
    for optimizer in (gan.g_optimizer, gan.d_optimizer):
        assert float(optimizer.learning_rate) == pytest.approx(config.lr / 4)
    assert _meta(config.run_dir)["rollbacks"] == 1
    assert _meta(config.run_dir)["lr_scale"] == 0.25
    _assert_all_saved_finite(config.run_dir)


@pytest.mark.slow
def test_nan_in_every_pass_of_the_data_gives_up_after_max_rollbacks(
    tmp_path, monkeypatch
):
    stream = fit_loop._stream

    def poisoned(make, step):
        # Batch 4 of the data (step 5) holds a NaN, in every pass.
        batches = stream(make, step).enumerate(start=step)
        return batches.map(lambda i, x: tf.where(i == 4, x * np.nan, x))

    monkeypatch.setattr(fit_loop, "_stream", poisoned)
    config = _config(tmp_path, on_nan="rollback", max_rollbacks=2)
    with (
        pytest.warns(UserWarning, match="rollback 2 of 2"),
        pytest.raises(train_lib.NonFiniteError) as caught,
    ):
        train_lib.train(config, verbose=0)
    message = str(caught.value)
    assert "step 5 (epoch 2, batch 2 of 3)" in message, message
    assert "after 2 rollbacks" in message
    assert _meta(config.run_dir)["lr_scale"] == 0.25
    _assert_all_saved_finite(config.run_dir)


def test_the_command_exits_1_naming_the_step(monkeypatch, capsys):
    def diverge(config):
        raise train_lib.NonFiniteError("Non-finite values in step 7.", 7, 6)

    monkeypatch.setattr(command, "train", diverge)
    assert train_lib.main(["tfgan_lite.train"]) == 1
    assert capsys.readouterr().err == "error: Non-finite values in step 7.\n"
