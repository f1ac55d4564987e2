"""What a training run shows a user: TensorBoard curves and pictures, and
the command's console output, read back with TensorBoard's own reader."""

import os
import subprocess
import sys

import pytest
from run_testutil import finished_run
from tensorboard.backend.event_processing import event_accumulator


def _read(run_dir, name):
    acc = event_accumulator.EventAccumulator(
        str(run_dir / "logs" / name), size_guidance={"tensors": 0}
    )
    acc.Reload()
    return acc


def _steps(acc, tag):
    return [e.step for e in acc.Tensors(tag)]


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    # Every 5 epochs by default: the last of 2 epochs is not due.
    return finished_run(tmp_path_factory.mktemp("digits") / "run")


def test_curves_per_step_and_per_epoch(digits_run):
    train = _read(digits_run, "train")
    # 2 epochs of 5 steps: under 100 steps, so a point every step.
    assert _steps(train, "batch_d_loss") == list(range(1, 11))
    assert _steps(train, "batch_g_grad_norm") == list(range(1, 11))
    assert _steps(train, "epoch_d_loss") == [0, 1]


def test_health_figures_share_the_training_curves_tags(digits_run):
    train, health = _read(digits_run, "train"), _read(digits_run, "health")
    for tag in ("epoch_d_fake", "epoch_g_grad_norm"):
        assert _steps(health, tag) == _steps(train, tag) == [0, 1]


def test_last_epoch_sample_grid_is_written(digits_run):
    samples = _read(digits_run, "samples")
    assert _steps(samples, "samples") == [0, 1]
    assert sorted(os.listdir(digits_run / "samples")) == [
        "samples_epoch_0000.png",
        "samples_epoch_0001.png",
        "samples_latest.png",
    ]


def test_log_every_steps_zero_logs_per_epoch_only(tmp_path):
    # The logging period is the command's, whatever the model: the quick
    # 2-D run, which logs per step without the flag (the test below).
    run = finished_run(
        tmp_path / "run", points=True, epochs=1, log_every_steps=0
    )
    tags = _read(run, "train").Tags()["tensors"]
    assert "epoch_d_loss" in tags
    assert not [t for t in tags if t.startswith("batch_")]


def test_points_run_draws_the_scatter_picture(tmp_path):
    run = finished_run(tmp_path / "run", points=True)
    assert _steps(_read(run, "samples"), "scatter") == [0, 1]
    assert "batch_d_loss" in _read(run, "train").Tags()["tensors"]
    assert (run / "samples" / "scatter_latest.png").stat().st_size > 1000


def test_command_starts_quietly_and_ends_saying_where_things_are(tmp_path):
    run_dir = tmp_path / "run"
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tfgan_lite.train",
            "--epochs=1",
            "--steps=2",
            "--width=8",
            "--metrics_every=0",
            f"--run_dir={run_dir}",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    for noise in ("cuInit", "cpu_feature_guard", "cudart_stub", "shuffle="):
        assert noise not in done.stderr, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == (
        "Training a ClusteredGAN (dcgan_28, 25 clusters) on digits: 1 epoch "
        "of 2 steps, batch 32, learning rate 0.001. "
        f"Run directory: {run_dir}"
    )
    # Output to a pipe: one line per epoch, no progress-bar updates.
    assert lines[1].startswith("Epoch 1/1 - ") and "\r" not in done.stdout
    assert lines[2].startswith("Done in ")
    assert lines[3:] == [
        f"  model:   {run_dir}/model.keras",
        f"  samples: {run_dir}/samples/samples_latest.png",
        f"  logs:    {run_dir}/logs",
        "Next:",
        f"  tensorboard --logdir {run_dir}/logs",
        f"  tfgan-evaluate --model {run_dir}/model.keras",
        f"  tfgan-sample --model {run_dir}/model.keras --count 16 --out "
        f"{run_dir}/sampled",
        f"  tfgan-export --model {run_dir}/model.keras --out {run_dir}/export",
    ]
