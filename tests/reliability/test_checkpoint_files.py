"""The step checkpoint files: whole or unread, never half-read, never NaN."""

import os

import keras
import numpy as np
import pytest

from tfgan_lite._files import CorruptFileError
from tfgan_lite.commands import checkpoints as _checkpoint


def _variables(value=0.0):
    return [
        keras.Variable(np.full((3, 2), value, "float32"), name="w"),
        keras.Variable(np.int64(7), name="count"),
    ]


def test_restore_reads_back_what_was_saved(tmp_path):
    saved = _variables(1.5)
    _checkpoint.CheckpointDir(str(tmp_path), saved).save(4, lr_scale=0.5)
    loaded = _variables()
    restored = _checkpoint.CheckpointDir(str(tmp_path), loaded).restore()
    assert (restored.step, restored.meta["lr_scale"]) == (4, 0.5)
    for a, b in zip(saved, loaded, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_only_the_newest_two_are_kept(tmp_path):
    checkpoints = _checkpoint.CheckpointDir(str(tmp_path), _variables())
    for step in (0, 2, 4, 6):
        checkpoints.save(step)
    assert checkpoints.steps() == [6, 4]


def test_a_damaged_newest_file_falls_back_to_the_one_before(tmp_path):
    variables = _variables(1.0)
    checkpoints = _checkpoint.CheckpointDir(str(tmp_path), variables)
    checkpoints.save(2)
    variables[0].assign(np.full((3, 2), 2.0, "float32"))
    newest = checkpoints.save(4)
    with open(newest, "r+b") as f:
        f.truncate(os.path.getsize(newest) // 2)
    loaded = _variables()
    with pytest.warns(UserWarning, match=r"Skipped unreadable .*ckpt-0+4"):
        restored = _checkpoint.CheckpointDir(str(tmp_path), loaded).restore()
    assert restored.step == 2
    np.testing.assert_array_equal(loaded[0].numpy(), np.ones((3, 2)))


def test_no_readable_file_is_an_error_naming_the_directory(tmp_path):
    checkpoints = _checkpoint.CheckpointDir(str(tmp_path), _variables())
    path = checkpoints.save(2)
    with open(path, "wb") as f:
        f.write(b"PK\x03\x04 not a whole archive")
    with pytest.raises(CorruptFileError, match="Remove that directory"):
        checkpoints.restore()


def test_temporary_files_are_never_read_and_are_removed(tmp_path):
    checkpoints = _checkpoint.CheckpointDir(str(tmp_path), _variables())
    checkpoints.save(2)
    stale = os.path.join(tmp_path, "ckpt-000000004.npz.tmp")
    with open(stale, "wb") as f:
        f.write(b"half a file")
    fresh = _checkpoint.CheckpointDir(str(tmp_path), _variables())
    assert not os.path.exists(stale)
    assert fresh.restore().step == 2


def test_a_non_finite_state_is_not_saved(tmp_path):
    variables = _variables(np.nan)
    checkpoints = _checkpoint.CheckpointDir(str(tmp_path), variables)
    with pytest.raises(_checkpoint.NonFiniteStateError, match="w"):
        checkpoints.save(2)
    assert os.listdir(tmp_path) == []


def test_another_model_s_checkpoint_is_refused(tmp_path):
    _checkpoint.CheckpointDir(str(tmp_path), _variables()).save(2)
    other = [keras.Variable(np.zeros(5, "float32"), name="v")]
    with pytest.raises(ValueError, match="state of another model"):
        _checkpoint.CheckpointDir(str(tmp_path), other).restore()


class _KerasFileSteps(keras.callbacks.Callback):
    """After the checkpointer: the step in the .keras file at epoch ends."""

    def __init__(self, path):
        super().__init__()
        self.path, self.saved, self._stamp = path, [], None

    def on_epoch_end(self, epoch, logs=None):
        # Each write is a new file renamed over the old one.
        found = os.stat(self.path)
        stamp = (found.st_ino, found.st_mtime_ns)
        if stamp != self._stamp:
            self.saved.append(epoch)
            self._stamp = stamp


@pytest.mark.parametrize(
    "every, epochs, expected",
    [(1, 3, [0, 1, 2]), (2, 6, [0, 2, 4, 5]), (5, 3, [0, 2])],
)
def test_the_keras_file_is_written_every_n_epochs_and_at_the_last(
    tmp_path, every, epochs, expected
):
    from tfgan_lite import GAN, models

    gan = GAN(*models.mlp(latent_dim=2, hidden=4, depth=1))
    gan.compile()
    path = str(tmp_path / "last.keras")
    saver = _checkpoint.StepCheckpointer(
        _checkpoint.CheckpointDir(
            str(tmp_path / "backup"), _checkpoint.state_variables(gan)
        ),
        every=0,
        meta=dict,
        keras_path=path,
        keras_every=every,
    )
    spy = _KerasFileSteps(path)
    x = np.random.default_rng(0).normal(size=(8, 2)).astype("float32")
    gan.fit(x, batch_size=4, epochs=epochs, callbacks=[saver, spy], verbose=0)
    assert spy.saved == expected
    # The file holds the model at the last epoch's end.
    loaded = keras.saving.load_model(path)
    assert int(loaded.g_optimizer.iterations) == 2 * epochs


def test_the_keras_file_period_is_checked():
    with pytest.raises(ValueError, match="keras_every"):
        _checkpoint.StepCheckpointer(
            _checkpoint.CheckpointDir("unused", []),
            every=0,
            meta=dict,
            keras_every=0,
        )
