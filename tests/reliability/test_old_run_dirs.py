"""Run directories written by an earlier version load and resume exactly.

``tests/fixtures/run_dirs`` holds three run directories that the training
command wrote before its code moved to ``tfgan_lite.commands`` (README.md
there gives the commands). Each is copied, its ``model.keras`` loaded, and
it is resumed by the current command for one more epoch: the final state
must equal that of the same flags run from scratch with the current code
(``--deterministic``, the CPU). The copy lives in another directory than
the one recorded in its config.json, as a moved run directory would.

The runs go through the command's ``parse_flags`` and ``train`` in one
interpreter of one thread per op (``--deterministic``), which starts
TensorFlow once for all of them; the command as a process is tested in
tests/reliability/test_kill_resume.py and tests/commands.
"""

import json
import shutil
from pathlib import Path

import keras
import numpy as np
import pytest
from worker_testutil import Worker

import tfgan_lite

FIXTURES = Path(__file__).parent.parent / "fixtures" / "run_dirs"
_COMMON = [
    # The recipe's R1 weight and interval, augmentation and weight
    # average when the fixtures were written.
    "--r1_penalty=1.0",
    "--r1_interval=1",
    "--augment=none",
    "--ema=0.999",
    "--ema_rampup=0.05",
    "--width=4",
    "--latent_dim=4",
    "--batch_size=8",
    "--steps=6",
    "--checkpoint_every=4",
    "--metrics_every=0",
    "--sample_every=100",
    "--deterministic",
]
# folder: (its command's flags without --epochs, its epochs, model class)
RUNS = {
    # Clustered on pixels, as every clustered run then was.
    "clustered": (
        [*_COMMON, "--cluster_features=pixels"],
        2,
        tfgan_lite.ClusteredGAN,
    ),
    "conditional": (
        [*_COMMON, "--conditional"],
        2,
        tfgan_lite.ConditionalGAN,
    ),
    "cyclegan": (
        [
            "--model=cyclegan",
            "--width=4",
            "--blocks=1",
            "--image_size=16",
            "--batch_size=4",
            "--pool_size=3",
            "--steps=3",
            "--checkpoint_every=2",
            "--sample_every=100",
            "--deterministic",
        ],
        1,
        tfgan_lite.CycleGAN,
    ),
}


# One thread per op from the runtime's start, as --deterministic needs.
_TRAIN = Worker(
    "train_worker.py",
    env={
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "TF_NUM_INTEROP_THREADS": "1",
        "TF_NUM_INTRAOP_THREADS": "1",
    },
)


def _train(flags, run_dir):
    _TRAIN.ask(600, argv=[*flags, f"--run_dir={run_dir}"])


def _state(run_dir):
    """Every weight and optimizer variable of the run's model.keras."""
    model = keras.saving.load_model(Path(run_dir) / "model.keras")
    optimizers = [model.g_optimizer, model.d_optimizer]
    variables = [*model.weights] + [v for o in optimizers for v in o.variables]
    return [(v.path, v.numpy()) for v in variables]


@pytest.mark.parametrize("name", RUNS)
def test_the_old_model_file_loads_compiled(name):
    _, _, kind = RUNS[name]
    model = keras.saving.load_model(FIXTURES / name / "model.keras")
    assert type(model) is kind
    assert model.compiled
    assert int(model.g_optimizer.iterations) > 0


@pytest.mark.slow
@pytest.mark.parametrize("name", RUNS)
def test_an_old_run_resumes_to_the_weights_of_a_run_from_scratch(
    name, tmp_path
):
    flags, epochs, _ = RUNS[name]
    flags = [*flags, f"--epochs={epochs + 1}"]
    resumed = tmp_path / "resumed"
    shutil.copytree(FIXTURES / name, resumed)
    _train(flags, resumed)
    _train(flags, tmp_path / "scratch")

    # The moved run records where it is now.
    saved = json.loads((resumed / "config.json").read_text())
    assert saved["config"]["run_dir"] == str(resumed)
    ours, theirs = _state(resumed), _state(tmp_path / "scratch")
    old = _state(FIXTURES / name)
    assert [p for p, _ in ours] == [p for p, _ in theirs]
    for (path, a), (_, b) in zip(ours, theirs, strict=True):
        if a.dtype.kind == "f":
            # Bit for bit is expected; the tolerance only admits float
            # rounding, far below what one more epoch changes.
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7, err_msg=path)
        else:
            np.testing.assert_array_equal(a, b, err_msg=path)
    # Not vacuous: the epoch trained on the old state changed it.
    changed = [
        path
        for (path, a), (_, b) in zip(ours, old, strict=True)
        if a.dtype.kind == "f" and not np.allclose(a, b, rtol=1e-3, atol=1e-5)
    ]
    assert len(changed) > len(ours) // 4
