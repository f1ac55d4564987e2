"""The training command's console: progress lines, health lines, log period."""

import logging

import numpy as np
import pytest

from tfgan_lite import GAN, models
from tfgan_lite.commands import _console


@pytest.mark.parametrize(
    "every, epochs, steps, want",
    [
        (0, 60, 57, "epoch"),
        (25, 60, 57, 25),
        # The default run: 3,420 steps, a point every 34 -> 100 points.
        (-1, 60, 57, 34),
        (-1, 2, 5, 1),
        (-1, 3, None, 10),
    ],
)
def test_log_update_freq(every, epochs, steps, want):
    got = _console.log_update_freq(every, epochs=epochs, steps_per_epoch=steps)
    assert got == want
    if every == -1 and steps:
        assert epochs * steps // got >= _console.MIN_LOGGED_POINTS or got == 1


@pytest.mark.parametrize(
    "epochs, steps, chunk, want",
    [
        # The 2-D recipe: 45,000 steps in chunks of 10 -> every 450.
        (45, 1000, 10, 450),
        # 3,420 steps in chunks of 4: 34 rounds down to 32 (106 points).
        (60, 57, 4, 32),
        # Shorter runs than 100 chunks log every chunk.
        (2, 30, 6, 6),
        # Unknown length: 10 rounds up to a whole chunk.
        (3, None, 4, 12),
    ],
)
def test_picked_log_period_is_a_whole_number_of_chunks(
    epochs, steps, chunk, want
):
    got = _console.log_update_freq(
        -1, epochs=epochs, steps_per_epoch=steps, steps_per_execution=chunk
    )
    assert got == want
    assert got % chunk == 0


def test_auto_verbose_is_one_line_per_epoch_off_a_terminal(capsys):
    # pytest's captured stdout is not a terminal, as a log file is not.
    assert _console.resolve_verbose("auto") == 2
    assert _console.resolve_verbose(1) == 1


def _fit(verbose, epochs=2):
    g, d = models.mlp_2d(latent_dim=2, hidden=4)
    gan = GAN(g, d, seed=0)
    gan.compile()
    points = np.random.default_rng(0).normal(size=(64, 2)).astype("float32")
    progress = _console.Progress()
    gan.fit(
        points,
        batch_size=16,
        epochs=epochs,
        verbose=verbose,
        callbacks=[progress],
        shuffle=False,
    )
    return progress


def test_verbose_two_prints_one_line_per_epoch(capsys):
    _fit(2, epochs=3)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" - ")[0] for line in lines] == [
        "Epoch 1/3",
        "Epoch 2/3",
        "Epoch 3/3",
    ]
    assert all("d_loss: " in line and "\r" not in line for line in lines)


def test_health_message_starts_on_its_own_line(capsys):
    progress = _console.Progress()
    progress.line_open = True
    root = logging.getLogger()
    saved, root.handlers = root.handlers, []
    try:
        with _console.own_line_logging(progress):
            logging.getLogger("tfgan_lite.callbacks.health").warning("Mode")
    finally:
        root.handlers = saved
    captured = capsys.readouterr()
    assert captured.out == "\n" and captured.err == "Mode\n"
    assert not progress.line_open


@pytest.mark.parametrize(
    "epochs, steps, minutes, want",
    [
        (2, 1, 0.0, "2 epochs of 1 step, batch 8"),
        (1, 3, 0.0, "1 epoch of 3 steps, batch 8"),
        (1, None, 0.0, "1 epoch, batch 8"),
        (30, 56, 1.5, "30 epochs of 56 steps or 1.5 min, whichever ends "),
    ],
)
def test_start_line_counts_in_words(epochs, steps, minutes, want):
    line = _console.start_line(
        model="a GAN (dcgan_28)",
        dataset="digits",
        epochs=epochs,
        steps_per_epoch=steps,
        batch_size=8,
        run_dir="runs/x",
        minutes=minutes,
    )
    assert line.startswith(f"Training a GAN (dcgan_28) on digits: {want}")
    assert line.endswith(". Run directory: runs/x")


# A folder run's start line, as the command passes it.
_FOLDER_RUN = dict(
    model="a GAN (dcgan_28)",
    dataset="pics",
    epochs=30,
    steps_per_epoch=200,
    batch_size=32,
    run_dir="runs/x",
)


def test_start_line_says_when_a_small_folder_repeats():
    line = _console.start_line(**_FOLDER_RUN, repeats=True)
    assert line == (
        "Training a GAN (dcgan_28) on pics: 30 epochs of 200 steps (the "
        "folder's images repeat within an epoch), batch 32. Run "
        "directory: runs/x"
    )


def test_start_line_names_ada_when_auto_chose_it():
    line = _console.start_line(**_FOLDER_RUN, auto_augment="ada")
    assert line == (
        "Training a GAN (dcgan_28) on pics: 30 epochs of 200 steps, batch "
        "32, ADA augmentation (a folder of fewer than 1,000 images). Run "
        "directory: runs/x"
    )
    for other in ("none", None):
        assert "ADA" not in _console.start_line(
            **_FOLDER_RUN, auto_augment=other
        )


def test_start_line_states_the_global_batch_and_learning_rate():
    words = {
        "model": "a GAN (dcgan_28)",
        "dataset": "digits",
        "epochs": 1,
        "steps_per_epoch": 4,
        "batch_size": 64,
        "run_dir": "runs/x",
        "lr": 2e-4,
    }
    assert _console.start_line(**words) == (
        "Training a GAN (dcgan_28) on digits: 1 epoch of 4 steps, batch 64, "
        "learning rate 0.0002. Run directory: runs/x"
    )
    line = _console.start_line(
        **words,
        replicas=4,
        devices="mirrored over 4 devices (GPU:0, GPU:1, GPU:2, GPU:3)",
    )
    assert ", batch 64 (16 per replica, mirrored over 4 devices (GPU:0, " in (
        line
    )
    assert line.endswith("GPU:3)), learning rate 0.0002. Run directory: runs/x")


def test_end_lines_say_where_things_are_and_what_to_run_next():
    paths = {
        "model": "runs/my run/model.keras",
        "samples": "runs/my run/samples",
        "logs": "runs/my run/logs",
        "export": "runs/my run/export",
    }
    lines = _console.end_lines(
        seconds=75,
        paths=paths,
        samples=None,
        exported=None,
        stopped=(40, 1680),
        quality=["Quality after 1 epoch:", "  FD 3.1"],
    )
    assert lines == [
        "Time budget spent: stopped at step 40 of 1680, 1m15s in all. Run "
        "the same command again to go on.",
        "  model:   runs/my run/model.keras",
        "  samples: runs/my run/samples",
        "  logs:    runs/my run/logs",
        "Quality after 1 epoch:",
        "  FD 3.1",
        "Next:",
        "  tensorboard --logdir 'runs/my run/logs'",
        "  tfgan-evaluate --model 'runs/my run/model.keras'",
        "  tfgan-sample --model 'runs/my run/model.keras' --count 16 --out "
        "'runs/my run/sampled'",
        "  tfgan-export --model 'runs/my run/model.keras' --out "
        "'runs/my run/export'",
    ]
