"""Run directories that cannot hold a run, and batches that do not fit.

Both are refused with a message saying what to change: the directory at
start-up, before any data is read or step trained; the batch at the step
that runs out of memory.
"""

import errno
import os
import shutil
from unittest import mock

import keras
import pytest
import tensorflow as tf

from tfgan_lite import train as train_lib
from tfgan_lite.commands import run_dir as run_dir_lib
from tfgan_lite.commands import trainer

TINY = {
    "epochs": 1,
    "steps": 3,
    "batch_size": 8,
    "latent_dim": 4,
    "width": 4,
    "metrics_every": 0,
    "sample_every": 100,
}


def _config(run_dir, **kwargs):
    return train_lib.TrainConfig(run_dir=str(run_dir), **{**TINY, **kwargs})


def _read_only(directory):
    """Makes a directory read-only; a context that also refuses writes as
    root, whom permission bits do not stop."""
    os.chmod(directory, 0o555)
    probe = os.path.join(directory, "probe")
    try:
        with open(probe, "w"):
            pass
    except OSError:
        return mock.MagicMock()  # The permission bits hold.
    os.remove(probe)
    refuse = OSError(errno.EROFS, "Read-only file system")
    return mock.patch.object(
        run_dir_lib.tempfile, "mkstemp", side_effect=refuse
    )


def test_a_read_only_run_dir_is_refused_at_start_up(tmp_path):
    parent = tmp_path / "ro"
    parent.mkdir()
    run_dir = parent / "run"
    run_dir.mkdir()
    try:
        with (
            _read_only(run_dir),
            mock.patch.object(trainer, "build") as build,
            pytest.raises(train_lib.UsageError, match="cannot be written"),
        ):
            train_lib.train(_config(run_dir), verbose=0)
        build.assert_not_called()  # Refused before data or model.
    finally:
        os.chmod(run_dir, 0o755)
    assert os.listdir(run_dir) == []


def test_a_full_run_dir_is_refused_at_start_up(tmp_path):
    usage = shutil.disk_usage(tmp_path)._replace(free=5 * 2**20)
    with (
        mock.patch.object(run_dir_lib.shutil, "disk_usage", return_value=usage),
        pytest.raises(
            train_lib.UsageError, match=r"has 5.0 MiB free; this run needs"
        ),
    ):
        train_lib.train(_config(tmp_path / "run"), verbose=0)
    # Nothing was saved, so the directory the run made is gone again.
    assert not (tmp_path / "run").exists()


class _OutOfMemoryAt(keras.callbacks.Callback):
    """Raises the error TensorFlow raises for an allocation that fails."""

    def __init__(self, batch):
        super().__init__()
        self.batch = batch

    def on_train_batch_begin(self, batch, logs=None):
        if batch == self.batch:
            raise tf.errors.ResourceExhaustedError(
                None, None, "OOM when allocating tensor with shape[8,64,28,28]"
            )


def test_a_batch_that_does_not_fit_says_so(tmp_path):
    config = _config(tmp_path / "run", batch_size=16)
    with pytest.raises(train_lib.UsageError) as caught:
        train_lib.train(
            config, extra_callbacks=[_OutOfMemoryAt(batch=2)], verbose=0
        )
    message = str(caught.value)
    assert message.startswith(
        "Out of memory in step 3 (epoch 1, batch 3 of 3): a batch of 16 "
        "does not fit"
    ), message
    assert "smaller --batch_size" in message
