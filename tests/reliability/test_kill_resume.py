"""Killing a training run at chosen points, and resuming it exactly.

One run (18 steps, tiny settings) is stopped at a chain of points, each
rerun resuming from the last whole checkpoint; its final state must equal
an uninterrupted run's bit for bit (``deterministic=True``, the CPU). A
second uninterrupted run with the same seed must equal the first, losses
included.

The faults come from this file, never from the package. The first point of
the chain is a real SIGKILL of the real command (``python -m
tfgan_lite.train``) in a subprocess. The five others are injected in
process: a callback between steps, or a wrapper of
the checkpoint writer's seams (``CheckpointDir._write``, which writes the
temporary file, and ``CheckpointDir._remove_old``, which runs after the
rename) raises :class:`Killed`, a BaseException no handler of the package
catches. At that moment the run directory is copied as it is on disk, and
once the exception has unwound the copy replaces it, so what cleanup code
does on the way out never reaches the next run: it finds what a kill
leaves. Then ``tfgan_lite.train.train`` runs again in the same process,
up to the next point, and at last to the end of the run.

``deterministic=True`` limits TensorFlow to one thread per op, which can only
be set before its runtime starts, so the in-process runs happen in two
dedicated interpreters (this file run as a script, with
TF_NUM_INTEROP_THREADS=1 and TF_NUM_INTRAOP_THREADS=1), beside the
subprocesses of the real command.
"""

import concurrent.futures
import contextlib
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
from unittest import mock

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_lite import train as train_lib
from tfgan_lite.commands import checkpoints as _checkpoint

# Every test starts processes and most train.
pytestmark = pytest.mark.slow

# 3 epochs of 6 steps; checkpoints at steps 0, 4, 6, 8, 12, 16 and 18.
ARGS = [
    "--width=4",
    "--latent_dim=4",
    "--batch_size=8",
    "--steps=6",
    "--epochs=3",
    "--checkpoint_every=4",
    "--metrics_every=0",
    "--sample_every=100",
    "--deterministic",
]
LAST = 18
# (kill point, checkpoint steps on disk after the kill). Each rerun resumes
# from the newest of them. Points: "step" (after that step's update),
# "partial" (half the temporary file written), "written" (temporary file
# whole, not renamed), "renamed" (renamed, older files not yet removed).
KILLS = [
    # Mid-epoch 0, before the first periodic checkpoint: from step 0. A real
    # SIGKILL of the command.
    ("step:3", [0]),
    # Half of checkpoint 4's temporary file written: still from step 0.
    ("partial:4", [0]),
    # Checkpoint 6 (an epoch end) whole but not renamed: from step 4.
    ("written:6", [4, 0]),
    # Checkpoint 8 renamed, older ones not yet removed: from step 8.
    ("renamed:8", [8, 6, 4]),
    # Mid-epoch 1: from step 8, epoch 1 batch 2, the rest of that epoch.
    ("step:11", [8, 6, 4]),
    # The last checkpoint whole but not renamed: from step 16.
    ("written:18", [16, 12]),
]
REAL, IN_PROCESS = KILLS[0], KILLS[1:]

# Runs whose state has more parts: an EMA copy of the generator (and its
# batch-norm recalibration at epoch ends); CycleGAN's four networks and its
# image pools. (flags, kill point, last step)
OTHER_RUNS = {
    "ring_ema": (
        [
            "--model=mlp_2d",
            "--dataset=ring",
            "--ema=0.9",
            "--width=8",
            "--latent_dim=4",
            "--batch_size=8",
            "--steps=6",
            "--epochs=3",
            "--checkpoint_every=4",
            "--sample_every=100",
            "--deterministic",
            # One step per call (the recipe trains in chunks of 10).
            "--steps_per_execution=1",
        ],
        "step:11",
        18,
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
            "--epochs=2",
            "--checkpoint_every=2",
            "--sample_every=100",
            "--deterministic",
        ],
        "step:5",
        6,
    ),
}
# The ring run in chunks of 2 steps per call of the train function: the
# kill comes after the chunk that ends at step 10.
OTHER_RUNS["chunks"] = (
    [*OTHER_RUNS["ring_ema"][0][:-1], "--steps_per_execution=2"],
    "step:10",
    18,
)

# A run with ADA (``--augment=ada``): its probability p, the counters of
# r_t since p's last adjustment and its random stream are weights, and a
# resumed run must go on with them. 3 epochs of 5 steps, checkpoints at
# 5, 10 and 15 (periodic and epoch ends). p is adjusted every 4
# discriminator updates: the run resumes from step 10, p already raised
# and 2 updates counted towards the adjustment at 12. Batches of 64 move
# p by 256 / 50,000 at each adjustment (the default ramp), so that the
# augmentations do fire (about 1% of operations at the end). No clusters:
# a plain GAN, which builds faster.
ADA_RUN = (
    [
        "--augment=ada",
        "--clusters=0",
        "--width=4",
        "--latent_dim=4",
        "--batch_size=64",
        "--steps=5",
        "--epochs=3",
        "--checkpoint_every=5",
        "--metrics_every=0",
        "--sample_every=100",
        "--deterministic",
    ],
    "step:12",
    15,
)

# One thread per op from the runtime's start (see the module docstring).
_ONE_THREAD = {"TF_NUM_INTEROP_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "1"}


# In-process faults; these run in the dedicated interpreters.


class Killed(BaseException):
    """An injected kill: like SIGKILL, nothing in the package handles it."""


def _kill(run_dir):
    """Keeps the run directory as it is now, then raises Killed."""
    shutil.copytree(run_dir, run_dir + ".at_kill")
    raise Killed


class _KillAfterStep(keras.callbacks.Callback):
    """Kills the run once the generator has made ``step`` updates."""

    def __init__(self, step, run_dir):
        super().__init__()
        self.step, self.run_dir = step, run_dir

    def on_train_batch_end(self, batch, logs=None):
        if _checkpoint.training_step(self.model) == self.step:
            _kill(self.run_dir)


@contextlib.contextmanager
def _faults(point, run_dir):
    """Kills the run at ``point`` ("<where>:<step>"); yields its callbacks."""
    where, step = point.split(":")
    step = int(step)
    if where == "step":
        yield [_KillAfterStep(step, run_dir)]
        return
    checkpoints = _checkpoint.CheckpointDir
    write, remove_old = checkpoints._write, checkpoints._remove_old

    def write_then_kill(path, record, values):
        write(path, record, values)
        if record["step"] != step or where not in ("partial", "written"):
            return
        if where == "partial":
            os.truncate(path, os.path.getsize(path) // 2)
        _kill(run_dir)

    def kill_before_removing(self):
        if where == "renamed" and self.steps()[0] == step:
            _kill(run_dir)
        remove_old(self)

    with (
        mock.patch.object(checkpoints, "_write", staticmethod(write_then_kill)),
        mock.patch.object(checkpoints, "_remove_old", kill_before_removing),
    ):
        yield []


def _train_in_process(args, run_dir, point=None):
    """Trains as the command would; with ``point``, killed there."""
    config = train_lib.parse_flags(["train", *args, f"--run_dir={run_dir}"])
    try:
        with _faults(point, run_dir) if point else _no_faults() as callbacks:
            train_lib.train(config, extra_callbacks=callbacks, verbose=0)
    except Killed:
        shutil.rmtree(run_dir)
        os.rename(run_dir + ".at_kill", run_dir)
    else:
        assert point is None, f"never reached {point}"
    finally:
        # As a new process would: Keras' names and global state from zero.
        keras.backend.clear_session()
    return _after(run_dir)


@contextlib.contextmanager
def _no_faults():
    yield []


def _after(run_dir):
    """What is on disk in the checkpoint directory."""
    backup = os.path.join(run_dir, "backup")
    return {
        "steps": _steps_on_disk(run_dir),
        "temporary": sorted(
            os.path.basename(p) for p in glob.glob(f"{backup}/*.tmp")
        ),
    }


def _kill_and_resume(args, point, run_dir):
    """A run killed at ``point``, then resumed to its end."""
    found = _train_in_process(args, run_dir, point)
    _train_in_process(args, run_dir)
    return found


# 21 of 1,344 runs of the ring with R1 (one thread per op, two busy cores,
# 2026-12-07) took another path at their third step, the same one each time,
# in the discriminator's kernels only (R1's part of the gradient), whether
# killed or not and with oneDNN on or off; a resumed run, a new call of
# train, can do the same at its own third step. A pair in which one run took
# that path says nothing about resuming, so it is run again; at most this
# many times in all. Three pairs that all differ fail the test.
_PAIR_ATTEMPTS = 3


def _resume_beside_straight(args, point, root, last):
    """An uninterrupted run, and one killed at ``point`` and resumed.

    Returns what the kill left on disk, with ``attempts``: how many pairs
    ran until the killed run's checkpoints equalled the uninterrupted
    run's, at the step it resumed from and, unless ``last`` is None, at
    step ``last``.
    """
    for attempt in range(1, _PAIR_ATTEMPTS + 1):
        shutil.rmtree(root, ignore_errors=True)
        straight, killed = (
            os.path.join(root, d) for d in ("straight", "killed")
        )
        # Every checkpoint stays, the step resumed from included.
        with mock.patch.object(
            _checkpoint.CheckpointDir, "_remove_old", lambda self: None
        ):
            _train_in_process(args, straight)
        found = _train_in_process(args, killed, point)
        resumed_from = found["steps"][0]
        before = _checkpoint_arrays(killed, resumed_from)
        _train_in_process(args, killed)
        found["attempts"] = attempt
        if _differing(before, _checkpoint_arrays(straight, resumed_from)):
            continue
        if last is None or not _differing(
            _checkpoint_arrays(killed, last), _checkpoint_arrays(straight, last)
        ):
            break
    return found


def _run_chains(which, out):
    """The in-process runs of lane ``which``; writes out/<which>.json."""
    found = {}
    ada_args, ada_point, _ = ADA_RUN
    if which == "main":
        # Goes on from the real kill of the command.
        killed = os.path.join(out, "killed")
        found["kills"] = [
            _train_in_process(ARGS, killed, point) for point, _ in IN_PROCESS
        ]
        _train_in_process(ARGS, killed)
        _train_in_process(ARGS, os.path.join(out, "straight"))
        # The ADA run's kill and resume here, its uninterrupted run in the
        # other lane: that balances the lanes, and a run is the same in
        # any process (as the command's shows).
        killed = os.path.join(out, "ada", "killed")
        found["ada"] = _kill_and_resume(ada_args, ada_point, killed)
    else:
        _train_in_process(ada_args, os.path.join(out, "ada", "straight"))
        for name, (args, point, last) in OTHER_RUNS.items():
            # Chunked runs end equal only to a tolerance (see their test).
            end = None if name == "chunks" else last
            found[name] = _resume_beside_straight(
                args, point, os.path.join(out, name), end
            )
    with open(os.path.join(out, f"{which}.json"), "w") as f:
        json.dump(found, f)


# The test process: lanes of subprocesses, then checks.


def _command(args, run_dir, kill=None):
    """The real command; ``kill`` ("step:<n>" or "written:<n>") SIGKILLs it."""
    argv = [*args, f"--run_dir={run_dir}"]
    if kill is None:
        python = ["-m", "tfgan_lite.train", *argv]
    else:
        where, step = kill.split(":")
        assert where in ("step", "written"), kill
        code = _REAL_KILL.format(where=where, step=int(step), argv=argv)
        python = ["-c", code]
    return subprocess.run(
        [sys.executable, *python],
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
        capture_output=True,
        text=True,
        timeout=600,
    )


# The command as ``python -m`` runs it, SIGKILLed once its checkpoint
# callback has seen a step ("step"), or once the temporary file of a step's
# checkpoint is whole ("written").
_REAL_KILL = """
import os, runpy, signal, sys
from tfgan_lite.commands import checkpoints

where, step = {where!r}, {step}

def die():
    os.kill(os.getpid(), signal.SIGKILL)

if where == "step":
    batch_end = checkpoints.StepCheckpointer.on_train_batch_end

    def batch_end_then_die(self, batch, logs=None):
        batch_end(self, batch, logs)
        if checkpoints.training_step(self.model) == step:
            die()

    checkpoints.StepCheckpointer.on_train_batch_end = batch_end_then_die
else:
    write = checkpoints.CheckpointDir._write

    def write_then_die(path, record, values):
        write(path, record, values)
        if record["step"] == step:
            die()

    checkpoints.CheckpointDir._write = staticmethod(write_then_die)
sys.argv = ["tfgan_lite.train", *{argv!r}]
runpy.run_module("tfgan_lite.train", run_name="__main__", alter_sys=True)
"""


def _chains(which, out):
    """Runs ``_run_chains(which, out)`` in a one-thread-per-op interpreter."""
    result = subprocess.run(
        [sys.executable, __file__, which, str(out)],
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **_ONE_THREAD},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    with open(os.path.join(out, f"{which}.json")) as f:
        return json.load(f)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every run of this file, in two lanes side by side (two CPU cores).

    Lane 1: the real SIGKILL of the command, then in process the rest of
    the kill chain, the run to its end, an uninterrupted run, and the ADA
    run killed and resumed. Lane 2: the command's own uninterrupted run,
    then in process the ADA run uninterrupted and the other runs.
    """
    out = tmp_path_factory.mktemp("runs")
    killed = str(out / "killed")

    def lane_1():
        real = _command(ARGS, killed, REAL[0])
        assert real.returncode == -signal.SIGKILL, real.stderr[-3000:]
        after_real = _after(killed)
        found = _chains("main", str(out))
        found["kills"] = [after_real, *found["kills"]]
        return found

    def lane_2():
        command = _command(ARGS, str(out / "command"))
        assert command.returncode == 0, command.stderr[-3000:]
        return _chains("others", str(out))

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        first, second = pool.submit(lane_1), pool.submit(lane_2)
        main, others = first.result(), second.result()
    return {
        "dir": str(out),
        "straight": str(out / "straight"),
        "command": str(out / "command"),
        "killed": killed,
        "kills": main["kills"],
        "others": {**others, "ada": main["ada"]},
    }


def _checkpoint_arrays(run_dir, step):
    """The checkpoint's arrays, by position and variable path."""
    path = os.path.join(run_dir, "backup", f"ckpt-{step:09d}.npz")
    with np.load(path, allow_pickle=False) as archive:
        # Paths repeat (an optimizer's slots of two networks' "kernel"),
        # so the position makes the key.
        paths = json.loads(str(archive["__meta__"]))["paths"]
        return {
            f"{k}:{paths[int(k[1:])]}": archive[k]
            for k in archive.files
            if k != "__meta__"
        }


def _differing(ours, theirs):
    """The variables whose values differ, with the largest difference."""
    return {
        k: float(np.max(np.abs(ours[k].astype(float) - theirs[k])))
        for k in ours
        if not np.array_equal(ours[k], theirs[k])
    }


def _augment_state(run_dir, step):
    """The augmentation's weights in checkpoint ``step``, by name."""
    path = os.path.join(run_dir, "backup", f"ckpt-{step:09d}.npz")
    with np.load(path, allow_pickle=False) as archive:
        paths = json.loads(str(archive["__meta__"]))["paths"]
        return {
            name: archive[f"v{i}"]
            for i, (layer, name) in enumerate(p.split("/") for p in paths)
            if layer.startswith("adaptive_augment")
        }


def _steps_on_disk(run_dir):
    names = glob.glob(os.path.join(run_dir, "backup", "ckpt-*.npz"))
    return sorted((int(n[-13:-4]) for n in names), reverse=True)


def _model_weights(run_dir):
    model = keras.saving.load_model(os.path.join(run_dir, "model.keras"))
    opts = [model.g_optimizer, model.d_optimizer]
    return [v.numpy() for v in model.weights] + [
        v.numpy() for o in opts for v in o.variables
    ]


def _epoch_losses(run_dir):
    values = {}
    for path in glob.glob(os.path.join(run_dir, "logs", "train", "events*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                if value.tag in ("epoch_d_loss", "epoch_g_loss"):
                    number = float(tf.make_ndarray(value.tensor))
                    values[(value.tag, event.step)] = number
    return values


def _temporary_after(point):
    """The temporary file a kill at ``point`` leaves, as a list."""
    where, step = point.split(":")
    if where in ("partial", "written"):
        return [f"ckpt-{int(step):09d}.npz.tmp"]
    return []


def test_each_kill_leaves_whole_checkpoints_and_its_temporary_file(runs):
    for (point, on_disk), found in zip(KILLS, runs["kills"], strict=True):
        assert found["steps"] == on_disk, point
        # The kill left the file it was writing under its temporary name
        # (removed by the next run), and only there.
        assert found["temporary"] == _temporary_after(point), point


def test_killed_run_resumes_to_the_uninterrupted_weights(runs):
    killed = runs["killed"]
    # Every file under a checkpoint's name is whole.
    for step in _steps_on_disk(killed):
        assert _checkpoint_arrays(killed, step), step
    assert not glob.glob(os.path.join(killed, "backup", "*.tmp"))

    reference = _checkpoint_arrays(runs["straight"], LAST)
    resumed = _checkpoint_arrays(killed, LAST)
    assert reference.keys() == resumed.keys()
    different = [
        k for k in reference if not np.array_equal(reference[k], resumed[k])
    ]
    assert not different
    final = _model_weights(killed)
    theirs = _model_weights(runs["straight"])
    for ours, expected in zip(final, theirs, strict=True):
        assert np.array_equal(ours, expected)
    model = keras.saving.load_model(os.path.join(killed, "model.keras"))
    assert int(model.g_optimizer.iterations) == LAST
    assert int(model.d_optimizer.iterations) == LAST


def test_same_seed_gives_the_same_losses_and_weights(runs):
    # One run in process, one of the command in its own process.
    straight = (runs["straight"], runs["command"])
    first, second = (_checkpoint_arrays(d, LAST) for d in straight)
    assert first.keys() == second.keys()
    assert all(np.array_equal(first[k], second[k]) for k in first)
    losses = [_epoch_losses(d) for d in straight]
    assert len(losses[0]) == 6  # Two losses at each of 3 epochs.
    assert losses[0] == losses[1]
    # Not vacuous: the steps from 16 to 18 changed the weights.
    earlier = _checkpoint_arrays(straight[0], 16)
    assert any(not np.array_equal(first[k], earlier[k]) for k in first)


@pytest.mark.parametrize("name", ["ring_ema", "cyclegan"])
def test_ema_and_cyclegan_runs_resume_exactly(runs, name):
    _, point, last = OTHER_RUNS[name]
    found = runs["others"][name]
    assert found["temporary"] == []
    # A pair that still differed before the kill after every attempt fails
    # below, with the variables that differ.
    assert 1 <= found["attempts"] <= _PAIR_ATTEMPTS
    root = os.path.join(runs["dir"], name)
    ours, theirs = (
        _checkpoint_arrays(os.path.join(root, d), last)
        for d in ("killed", "straight")
    )
    assert ours.keys() == theirs.keys()
    assert not _differing(ours, theirs), point


def test_an_ada_run_resumes_to_the_same_weights_and_p(runs):
    _, point, last = ADA_RUN
    # Killed at step 12: checkpoints 10 and 5 on disk, resumed from 10.
    assert runs["others"]["ada"] == {"steps": [10, 5], "temporary": []}
    killed, straight = (
        os.path.join(runs["dir"], "ada", d) for d in ("killed", "straight")
    )
    ours, theirs = (_checkpoint_arrays(d, last) for d in (killed, straight))
    assert ours.keys() == theirs.keys()
    assert all(np.array_equal(ours[k], theirs[k]) for k in ours), point
    # By name: p, the counters since its last adjustment and the stream.
    ada, expected = (_augment_state(d, last) for d in (killed, straight))
    assert ada.keys() == {
        "probability",
        "sign_sum",
        "seen",
        "updates",
        "augment_state",
    }
    for name in ada:
        np.testing.assert_array_equal(ada[name], expected[name], name)
    # Not vacuous: the checkpoint resumed from held a raised p and counts
    # towards the next adjustment, and p moved again after the resume.
    resumed_from = _augment_state(killed, 10)
    assert resumed_from["probability"] > 0
    assert resumed_from["updates"] > 0 and resumed_from["seen"] > 0
    assert ada["probability"] > resumed_from["probability"]
    # The last adjustment at step 12; steps 13 to 15 counted since.
    assert ada["updates"] == 3 and ada["seen"] == 3 * 64


def test_a_run_in_chunks_of_steps_resumes_from_its_last_checkpoint(runs):
    # Checkpoints carry the step the state is at: 4 and 8 periodic, 6 an
    # epoch end (4 removed once 8 was whole).
    assert runs["others"]["chunks"]["steps"] == [8, 6]
    root = os.path.join(runs["dir"], "chunks")
    ours, theirs = (
        _checkpoint_arrays(os.path.join(root, d), 18)
        for d in ("killed", "straight")
    )
    assert ours.keys() == theirs.keys()
    for key in ours:
        if ours[key].dtype.kind == "f":
            # Chunked runs were seen to differ between processes in the
            # last bits (relative 5e-4 after 18 steps; see
            # docs/guarantees.md), so floats are compared to a tolerance.
            # Two steps more or fewer put 43 of the 58 float arrays
            # outside it.
            np.testing.assert_allclose(
                ours[key], theirs[key], rtol=1e-3, atol=2e-5, err_msg=key
            )
        else:
            np.testing.assert_array_equal(ours[key], theirs[key], key)


# A fresh interpreter: thread counts are fixed when TensorFlow's runtime
# starts, once per process.
_DETERMINISM_PROBE = """
import warnings
import tensorflow as tf
from tfgan_lite import train
if {started}:
    tf.constant(1.0) + 1.0  # Starts the runtime with its default threads.
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    train.enable_determinism()
print(tf.config.threading.get_inter_op_parallelism_threads())
print(tf.config.threading.get_intra_op_parallelism_threads())
print(len(caught), caught[0].message if caught else "")
"""


def _probe(started, **env):
    result = subprocess.run(
        [sys.executable, "-c", _DETERMINISM_PROBE.format(started=started)],
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()


def test_deterministic_runs_one_thread_per_op_on_the_cpu():
    assert _probe(False) == ["1", "1", "0"]


def test_deterministic_after_the_runtime_started_warns_how_to_fix():
    inter, intra, warned = _probe(True)
    assert (inter, intra) == ("0", "0")
    assert warned.startswith("1 deterministic=True could not limit")
    assert "TF_NUM_INTEROP_THREADS=1" in warned
    assert "TF_NUM_INTRAOP_THREADS=1" in warned


def test_deterministic_after_start_is_quiet_with_the_thread_variables():
    lines = _probe(True, **_ONE_THREAD)
    assert lines == ["0", "0", "0"]


if __name__ == "__main__":
    # python test_kill_resume.py main|others OUT: one lane's in-process runs.
    _run_chains(*sys.argv[1:])
