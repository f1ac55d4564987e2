"""Tests for benchmarks/time_to_quality.py: its clock, a quick run, flags."""

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
import time_to_quality as ttq
from absl import app, flags
from PIL import Image
from sklearn.datasets import load_digits

_SCRIPT = Path(ttq.__file__)


class _FakeTime:
    """A clock that only moves when told: a step or a measurement."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class _FakeModel:
    stop_training = False


def _fit(callback, time, *, step_seconds, steps_per_epoch=4, epochs=100):
    """Drives the callback as ``fit`` would; returns the steps made."""
    model = _FakeModel()
    callback.set_model(model)
    callback.set_params({"steps": steps_per_epoch, "epochs": epochs})
    made = 0
    for epoch in range(epochs):
        callback.on_epoch_begin(epoch)
        for batch in range(steps_per_epoch):
            time.now += step_seconds(made)
            made += 1
            callback.on_train_batch_end(batch)
            if model.stop_training:
                return made
    return made


def _measurements(budget, time, slow=100.0):
    clock = ttq.TrainingClock(time)
    clock.start()

    def score(model):
        # A measurement far slower than training: counted, it would show.
        time.now += slow
        return 0.5, 2.0

    measure = ttq.Measurements("arm", score, budget, clock, batch=8)
    return measure, clock


def test_a_step_budget_records_training_seconds_only():
    time = _FakeTime()
    measure, clock = _measurements(ttq.Budget(0.0, 6, 3), time)
    made = _fit(measure, time, step_seconds=lambda step: 1.0)
    assert made == 6  # Across an epoch end (4 steps an epoch).
    assert [p.steps for p in measure.points] == [2, 4, 6]
    assert [p.images for p in measure.points] == [16, 32, 48]
    # Counting the measurements would give 2, 104, 206.
    np.testing.assert_allclose([p.seconds for p in measure.points], [2, 4, 6])
    np.testing.assert_allclose(clock.paused_seconds, 300.0)


def test_a_seconds_budget_is_spent_on_training_not_measuring():
    time = _FakeTime()
    measure, _ = _measurements(ttq.Budget(6.0, 0, 3), time)
    made = _fit(measure, time, step_seconds=lambda step: 1.0)
    # Counting the first measurement would end the budget at step 3.
    assert made == 6
    np.testing.assert_allclose([p.seconds for p in measure.points], [2, 4, 6])
    assert [p.steps for p in measure.points] == [2, 4, 6]


def test_points_one_long_step_passes_share_its_row():
    time = _FakeTime()
    measure, _ = _measurements(ttq.Budget(6.0, 0, 3), time)
    # A first step of 5 s (tracing) passes the points at 2 s and 4 s.
    made = _fit(measure, time, step_seconds=lambda step: 0.5 if step else 5.0)
    assert made == 3
    np.testing.assert_allclose([p.seconds for p in measure.points], [5, 6])


def test_the_plain_arm_is_profile_recipes_plain_variant(tmp_path):
    import profile_recipe

    assert list(ttq.PLAIN) == profile_recipe.VARIANTS["plain"][1]
    from tfgan_lite.train import TrainConfig

    recipe = ttq.arm_config("recipe", "digits", str(tmp_path), seed=3)
    plain = ttq.arm_config("plain", "digits", str(tmp_path), seed=3)
    default = TrainConfig(
        run_dir=str(tmp_path), seed=3, epochs=ttq.FIT_EPOCHS, metrics_every=0
    )
    assert recipe == default
    assert (plain.r1_penalty, plain.clusters, plain.ema) == (0.0, 0, 0.0)
    assert plain.width == recipe.width and plain.lr == recipe.lr


def _rows(text):
    """The report's table rows, as lists of cells."""
    return [
        [c.strip() for c in line.split("|")[1:-1]]
        for line in text.splitlines()
        if line.startswith("| ") and not line.startswith(("| arm", "| ---"))
    ]


def test_a_quick_run_measures_every_arm_at_every_point(tmp_path):
    plot = tmp_path / "plots" / "ttq.png"
    text, points = ttq.run(
        "digits",
        budget=ttq.Budget(0.0, 6, 3),
        real=300,
        samples=150,
        overrides=["width=8", "batch_size=8"],
        plot=str(plot),
        peak_n=256,
    )
    assert [(p.arm, p.steps) for p in points] == [
        (arm, steps) for arm in ttq.ARMS for steps in (2, 4, 6)
    ]
    for arm in ttq.ARMS:
        seconds = [p.seconds for p in points if p.arm == arm]
        assert 0 < seconds[0] and np.all(np.diff(seconds) > 0), seconds
    for p in points:
        assert p.images == 8 * p.steps
        assert math.isfinite(p.classifier_score) and p.classifier_score > 0
        assert math.isfinite(p.fd) and p.fd > 0
    rows = _rows(text)
    assert [r[0] for r in rows] == [p.arm for p in points] + [
        "real: half A vs half B, absolute"
    ]
    for row, p in zip(rows[:-1], points, strict=True):
        assert float(row[1]) == pytest.approx(p.seconds, abs=0.05)
        assert float(row[5]) == pytest.approx(p.fd, rel=0.01)
    assert "The clock stops while a point is measured" in text
    assert "- Command: `" in text and "- Matmul peak:" in text
    _assert_plot(plot)


def _assert_plot(path):
    """A real PNG, drawn on: every arm's line in its colour."""
    assert path.stat().st_size > 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as image:
        image.load()
        assert image.width > image.height > 0  # Two panels side by side.
        colours = {c for _, c in image.convert("RGB").getcolors(1 << 20)}
    # matplotlib's tab10 blue, orange and green: recipe, plain, bare.
    assert {(31, 119, 180), (255, 127, 14), (44, 160, 44)} <= colours


def test_the_plot_draws_every_arm_from_points(tmp_path):
    points = [
        ttq.Point(arm, 10.0 * k, k, 8 * k, k / (4 + i), 50.0 / k, "0.50")
        for i, arm in enumerate(ttq.ARMS)
        for k in (1, 2, 3)
    ]
    plot = tmp_path / "plots" / "ttq.png"
    ttq.write_plot(points, plot)
    _assert_plot(plot)


def test_a_folder_trains_on_part_a_and_is_scored_by_a_cnn(tmp_path):
    bunch = load_digits()
    pixels = np.round(bunch.images[:600] * (255 / 16)).astype(np.uint8)
    for i, (image, label) in enumerate(zip(pixels, bunch.target, strict=False)):
        folder = tmp_path / "digits" / str(label)
        folder.mkdir(parents=True, exist_ok=True)
        png = tf.io.encode_png(image[..., None])
        tf.io.write_file(str(folder / f"{i:04d}.png"), png)
    text, points = ttq.run(
        str(tmp_path / "digits"),
        budget=ttq.Budget(0.0, 2, 1),
        arms=("plain",),
        classifier_epochs=1,
        samples=150,
        overrides=["width=8", "batch_size=8"],
        peak_n=256,
    )
    assert [(p.arm, p.steps) for p in points] == [("plain", 2)]
    assert "300 images in part A, 300 in part B" in text
    assert "a CNN trained on part B" in text


def _flags(argv):
    values = flags.FlagValues()
    ttq.define_flags(values)
    values([_SCRIPT.name, *argv])
    return values


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--arms=recipe,other"], "--arms takes recipe, plain, bare"),
        (["--arms="], "--arms takes"),
        (["--data=/no/such/folder"], "--data must be digits or a folder"),
        (["--epochs=2", "--seconds=5"], "not both"),
        (["--seconds=0"], "--seconds must be above 0"),
        (["--recipe=no_such_field=1"], "--recipe"),
    ],
)
def test_bad_flags_are_named_before_a_run(argv, message):
    with pytest.raises(app.UsageError, match=message):
        ttq.check_flags(_flags(argv))


def test_a_bound_is_checked_as_the_flags_are_read():
    with pytest.raises(flags.IllegalFlagValueError, match="points"):
        _flags(["--points=0"])
    assert ttq.check_flags(_flags(["--quick"])) == list(ttq._QUICK["recipe"])


def test_a_bad_flag_ends_in_a_message():
    # The script's own start: check_flags's error reaches stderr as a
    # message, not a traceback (the cases above share that path).
    done = subprocess.run(
        [sys.executable, str(_SCRIPT), "--arms=recipe,other"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0
    assert "--arms takes recipe, plain, bare" in done.stderr
    assert "Traceback" not in done.stderr
