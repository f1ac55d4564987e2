"""A time budget (``--minutes``) and what a failed run leaves behind."""

import json
import os

import pytest

from tfgan_lite import train as train_lib
from tfgan_lite.commands import checkpoints

# A plain GAN: clustering would only add seconds.
TINY = {
    "epochs": 2,
    "steps": 3,
    "batch_size": 16,
    "latent_dim": 8,
    "width": 8,
    "clusters": 0,
}


def _config(run_dir, **kwargs):
    return train_lib.TrainConfig(run_dir=str(run_dir), **{**TINY, **kwargs})


def _steps(run_dir):
    return sorted(os.listdir(run_dir / "backup"))


@pytest.mark.slow
def test_a_spent_budget_ends_like_a_run_and_the_next_run_goes_on(
    tmp_path, capsys
):
    run = tmp_path / "run"
    # A budget already spent when the first step ends: the run stops there,
    # deterministically, after step 1 of 6. Grids every 5 epochs and
    # measurements every 10: neither is due at epoch 0, so the grid and
    # metrics.json come from the budget's end alone.
    config = _config(run, minutes=1e-9, sample_every=5, metrics_every=10)
    gan = train_lib.train(config, verbose=2)
    out = capsys.readouterr().out.splitlines()
    assert checkpoints.training_step(gan) == 1
    assert _steps(run) == ["ckpt-000000000.npz", "ckpt-000000001.npz"]
    assert (run / "model.keras").is_file()
    assert (run / "checkpoints" / "last.keras").is_file()
    assert sorted(os.listdir(run / "samples")) == [
        "samples_epoch_0000.png",
        "samples_latest.png",
    ]
    with open(run / "metrics.json") as f:
        assert json.load(f)["epoch"] == 0
    assert out[0].endswith(
        "2 epochs of 3 steps or 1e-09 min, whichever ends first, batch 16, "
        f"learning rate 0.001. Run directory: {run}"
    )
    stopped = [line for line in out if line.startswith("Time budget spent")]
    assert len(stopped) == 1 and stopped[0].startswith(
        "Time budget spent: stopped at step 1 of 6, "
    )
    assert stopped[0].endswith(" in all. Run the same command again to go on.")
    # The same settings without a budget (and now without measurements,
    # a free setting) resume to the planned end.
    again = _config(run, sample_every=5, metrics_every=0)
    assert checkpoints.training_step(train_lib.train(again, verbose=0)) == 6
    assert "samples_epoch_0001.png" in os.listdir(run / "samples")


def test_minutes_must_not_be_negative():
    with pytest.raises(ValueError, match="--minutes"):
        train_lib.TrainConfig(minutes=-1)


def test_data_that_fails_to_load_leaves_no_run_directory(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    run = tmp_path / "run"
    with pytest.raises(train_lib.UsageError, match="--dataset"):
        train_lib.train(_config(run, dataset=str(empty)), verbose=0)
    assert not run.exists()
    # A directory that held something before is left as it was.
    run.mkdir()
    (run / "notes.txt").write_text("mine\n")
    with pytest.raises(train_lib.UsageError, match="--dataset"):
        train_lib.train(_config(run, dataset=str(empty)), verbose=0)
    assert os.listdir(run) == ["notes.txt"]


def test_a_nan_before_the_first_checkpoint_leaves_no_run_directory(
    tmp_path,
):
    # Adam's step at this rate overflows the weights in step 1.
    # (A directory that held something before is kept: the test above.)
    diverging = {"lr": 1e30, "r1_penalty": 0.0, "metrics_every": 0}
    run = tmp_path / "run"
    with pytest.raises(train_lib.NonFiniteError) as raised:
        train_lib.train(_config(run, **diverging), verbose=0)
    assert raised.value.step == 1
    assert not run.exists()
    assert f"so {run}, which this run made, was removed" in str(raised.value)
