"""--strategy=multi_worker: the train command on a localhost cluster."""

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from tfgan_lite._files import CorruptFileError
from tfgan_lite.commands import devices
from tfgan_lite.commands._cli import UsageError
from tfgan_lite.commands.checkpoints import CheckpointDir
from tfgan_lite.commands.train import main

SCRIPT = Path(__file__).parents[1] / "scripts" / "command_multi_worker.py"

# Points, so that the two workers and the one-device run share 2 cores in
# a few seconds; one sample picture an epoch, the step checkpoints, logs.
_FLAGS = (
    "--model=mlp_2d",
    "--dataset=ring",
    "--width=8",
    "--steps=6",
    "--batch_size=16",
    "--steps_per_execution=1",
    # Two discriminator minibatches a step (Algorithm 1's k = 2), each
    # split over the workers.
    "--d_steps=2",
    "--log_every_steps=0",
    "--sample_every=1",
    "--deterministic",
    # A failure's message then holds the traceback.
    "--debug",
)


def _tf_config(index: int, ports: list[int], **cluster) -> str:
    addresses = [f"localhost:{p}" for p in ports]
    return json.dumps(
        {
            "cluster": {"worker": addresses, **cluster},
            "task": {"type": "worker", "index": index},
        }
    )


@pytest.mark.parametrize(
    "spec, chief, words",
    [
        (_tf_config(0, [1, 2]), True, "worker 0, the chief"),
        (_tf_config(1, [1, 2]), False, "worker 1"),
        # With a "chief" task, worker 0 is one of the others.
        (_tf_config(0, [1], chief=["localhost:3"]), False, "worker 0"),
        (
            json.dumps(
                {
                    "cluster": {"chief": ["a:1"], "worker": ["b:1"]},
                    "task": {"type": "chief", "index": 0},
                }
            ),
            True,
            "the chief",
        ),
    ],
)
def test_the_chief_is_the_chief_task_else_worker_0(spec, chief, words):
    task = devices.cluster_task({"TF_CONFIG": spec})
    assert task.is_chief is chief
    assert task.workers == 2
    assert task.words() == words


@pytest.mark.parametrize(
    "spec, problem",
    [
        (None, "TF_CONFIG is not set"),
        ("{cluster:", "TF_CONFIG is not JSON"),
        ('{"task": {"type": "worker"}}', 'lacks a "cluster" or a "task"'),
        ('{"cluster": {"worker": "a:1"}, "task": {}}', "is not a list"),
        (_tf_config(2, [1, 2]), "is not one of its cluster's"),
        (
            json.dumps(
                {
                    "cluster": {"worker": ["a:1"], "evaluator": ["b:1"]},
                    "task": {"type": "evaluator", "index": 0},
                }
            ),
            "0 chief and 1 worker tasks",
        ),
    ],
)
def test_without_a_usable_tf_config_the_command_ends_in_a_usage_message(
    tmp_path, monkeypatch, capsys, spec, problem
):
    if spec is None:
        monkeypatch.delenv("TF_CONFIG", raising=False)
    else:
        monkeypatch.setenv("TF_CONFIG", spec)
    run_dir = tmp_path / "run"
    argv = ["tfgan-train", "--strategy=multi_worker", f"--run_dir={run_dir}"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "error: --strategy=multi_worker needs the cluster in the TF_CONFIG "
        "environment variable: "
    ), err
    assert problem in err, err
    assert 'e.g. TF_CONFIG=\'{"cluster": {"worker": [' in err, err
    assert "Traceback" not in err
    # Refused before anything is made.
    assert not run_dir.exists()
    with pytest.raises(UsageError, match=re.escape(problem)):
        devices.make_strategy("multi_worker")


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("localhost", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _result(output: str) -> dict:
    lines = [ln for ln in output.splitlines() if ln.startswith("RESULT ")]
    assert lines, output[-3000:]
    return json.loads(lines[-1][len("RESULT ") :])


def _weights(run_dir: Path) -> list[np.ndarray]:
    return keras.saving.load_model(run_dir / "model.keras").get_weights()


def _files(folder: Path) -> list[str]:
    return sorted(
        str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()
    )


def _kinds(files: list[str]) -> list[str]:
    """The files without the time and process in TensorBoard's names."""
    return [re.sub(r"events\.out\.tfevents\..*", "events", f) for f in files]


def _start(*flags: str, **env: str) -> subprocess.Popen:
    """The script's two runs of the command, in a process of its own."""
    return subprocess.Popen(
        # The chief saves the first run's last step late.
        [sys.executable, str(SCRIPT), "6", *_FLAGS, *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={
            **os.environ,
            "TF_CPP_MIN_LOG_LEVEL": "3",
            # With oneDNN's kernels, 1 in about 13 of these runs on 2 busy
            # cores ended up to 1e-5 away from the others (last bits that
            # Adam's steps grow), even with one thread per op; with
            # TensorFlow's own kernels, 16 of 16 were identical.
            "TF_ENABLE_ONEDNN_OPTS": "0",
            **env,
        },
    )


@pytest.mark.slow
def test_two_workers_train_as_one_device_and_only_the_chief_writes(
    tmp_path,
):
    ports = _free_ports(2)
    shared, single = tmp_path / "multi", tmp_path / "single"
    scratch = [tmp_path / f"tmp{i}" for i in range(2)]
    for folder in scratch:
        folder.mkdir()
    processes = [
        _start(
            "--strategy=multi_worker",
            f"--run_dir={shared}",
            TF_CONFIG=_tf_config(index, ports),
            # Where a worker's scratch directory goes.
            TMPDIR=str(scratch[index]),
        )
        for index in range(2)
    ]
    # The same command on one device, in a process of its own too, so
    # that --deterministic sets one thread per op before TensorFlow
    # starts: the timing of threads on 2 shared cores then cannot change
    # the order of float sums.
    processes.append(_start(f"--run_dir={single}"))
    results = []
    try:
        for p in processes:
            out, err = p.communicate(timeout=300)
            assert p.returncode == 0, err[-3000:]
            results.append(_result(out))
    finally:
        for p in processes:
            p.kill()
    chief, other, alone = results
    assert [r["codes"] for r in results] == [[0, 0]] * 3, "\n".join(
        chief["outputs"] + other["outputs"] + alone["outputs"]
    )
    assert (
        "batch 16 (8 per replica, multi-worker over 2 workers × 1 device "
        "(CPU:0), as worker 0, the chief), learning rate 0.001. Run "
        f"directory: {shared}\n" in chief["outputs"][0]
    ), chief["outputs"][0]
    assert (
        f"as worker 1), learning rate 0.001. Run directory: {shared} (the "
        "chief's; this worker keeps no files)\n" in other["outputs"][0]
    ), other["outputs"][0]
    assert other["outputs"][1].endswith(
        f"The chief wrote the run's files to {shared}.\n"
    )
    # The same global batches, noise and seeds, and every worker resumed
    # from the chief's checkpoint: one device's weights, but for the
    # rounding of sums over 8 + 8 examples instead of 16.
    error = max(
        float(np.abs(a - b).max())
        for a, b in zip(_weights(single), _weights(shared), strict=True)
    )
    assert error < 1e-6, error
    # The chief's run directory holds one run's files, each made by the
    # chief (TensorBoard names its files after the writing process).
    files = _files(shared)
    assert _kinds(files) == _kinds(_files(single)), files
    events = [f for f in files if f.startswith("logs/")]
    assert events and all(f".{chief['pid']}." in f for f in events), events
    # The other worker's scratch directories are gone.
    assert list(scratch[1].iterdir()) == []
    model = keras.saving.load_model(shared / "model.keras")
    # 2 epochs of 6 steps, each 2 discriminator updates and 1 generator one.
    assert int(model.g_optimizer.iterations.numpy()) == 12
    assert int(model.d_optimizer.iterations.numpy()) == 24


def _state(value: float) -> list[keras.Variable]:
    return [
        keras.Variable(np.full((3, 2), value, "float32"), name="w"),
        keras.Variable(np.int64(7), name="count"),
    ]


def test_a_worker_reads_the_chief_s_checkpoint_file(tmp_path):
    chief = CheckpointDir(str(tmp_path / "chief"), _state(3.0))
    path = chief.save(6, lr_scale=0.5)
    mine = CheckpointDir(str(tmp_path / "mine"), _state(0.0))
    restored = mine.restore_file(path)
    assert (restored.step, restored.meta["lr_scale"]) == (6, 0.5)
    np.testing.assert_array_equal(mine.variables[0].numpy(), np.full((3, 2), 3))
    # Nothing is written where it reads, or in its own directory.
    assert os.listdir(tmp_path / "chief") == [os.path.basename(path)]
    assert os.listdir(tmp_path / "mine") == []
    with open(path, "r+b") as f:
        f.truncate(100)
    with pytest.raises(CorruptFileError, match="cannot be read"):
        mine.restore_file(path)
