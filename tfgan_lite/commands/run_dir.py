"""The run directory: its paths, config.json, and the checks before a run.

A run directory holds everything a run makes::

    RUN_DIR/config.json      the resolved configuration
    RUN_DIR/logs/            TensorBoard: train/, samples/, health/, metrics/
    RUN_DIR/samples/         sample grids as PNG files
    RUN_DIR/backup/          step checkpoints: every --checkpoint_every
                             steps and every epoch, the two newest kept
    RUN_DIR/checkpoints/     the last good model, every epoch
    RUN_DIR/model.keras      the final model (also written on Ctrl-C)
    RUN_DIR/metrics.json     the last quality report (digit datasets)
    RUN_DIR/export/          exported generator, with --export

Running with the same settings again resumes the run; a directory moved or
copied elsewhere resumes too (``run_dir`` may change).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
from typing import Any

import keras
import tensorflow as tf

from tfgan_lite.commands import kinds
from tfgan_lite.commands._cli import UsageError

__all__ = [
    "check_free_space",
    "check_same_run",
    "check_writable",
    "paths",
    "write_config",
]

# Files of the size of the training state a run directory holds at once:
# two checkpoints and one being written, model.keras, checkpoints/last.keras
# and a temporary copy. Logs and sample grids get _LOG_SPACE_BYTES.
_STATE_COPIES = 6
_LOG_SPACE_BYTES = 64 * 2**20

# Settings newer than some run directories, with the value that runs
# written before them used.
_ADDED_SETTINGS = {
    "r1_interval": 1,
    "r2_penalty": 0.0,
    "augment": "none",
    "top_k": 1.0,
    "top_k_steps": 0,
    "ema_rampup": 0.0,
    "steps_per_execution": 1,
    "clusters": 0,
    "cluster_features": "pixels",
    "strategy": "auto",
    "precision": "float32",
    "jit_compile": False,
}
# Settings that may change between a run and its resumption.
_FREE = frozenset(
    {
        "epochs",
        "minutes",
        "export",
        "sample_every",
        "metrics_every",
        "log_every_steps",
        "checkpoint_every",
        "on_nan",
        "rollback_lr_factor",
        "max_rollbacks",
        "deterministic",
        "run_dir",
        # Checkpoints restore under any strategy, with or without XLA.
        "strategy",
        "jit_compile",
    }
)


def paths(run_dir: str) -> dict[str, str]:
    """Name -> path of each file and folder of a run directory."""
    names = ("logs", "samples", "backup", "checkpoints", "export")
    found = {name: os.path.join(run_dir, name) for name in names}
    found["config"] = os.path.join(run_dir, "config.json")
    found["model"] = os.path.join(run_dir, "model.keras")
    found["metrics"] = os.path.join(run_dir, "metrics.json")
    found["checkpoint"] = os.path.join(found["checkpoints"], "last.keras")
    return found


def write_config(
    config: Any, resolved: dict, model: keras.Model, path: str
) -> None:
    """Writes config.json: the settings, what the data resolved, versions."""
    record = {
        "config": dataclasses.asdict(config),
        "resolved": {**resolved, "compile": model.get_compile_config()},
        "versions": {
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
        },
    }
    # Written whole, then renamed: the other workers of a multi-worker run
    # read the chief's config.json while it may be writing it.
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(record, f, indent=2, sort_keys=True)
    os.replace(temporary, path)


def check_same_run(config: Any, path: str) -> None:
    """Refuses to resume a run directory made with other settings.

    Args:
        config: The settings of this run, a dataclass.
        path: The run directory's config.json; nothing is checked if it
            does not exist.

    Raises:
        UsageError: Naming each setting that differs, old -> new.
    """
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as f:
        saved = json.load(f)["config"]
    ours = dataclasses.asdict(config)
    # A setting added after the run was written ran with its old value.
    saved = {**_ADDED_SETTINGS, **saved}
    ignored = _FREE | kinds.unread(config)
    changed = sorted(
        k for k in ours if k not in ignored and saved.get(k) != ours[k]
    )
    if changed:
        details = ", ".join(
            f"{k}: {saved.get(k)!r} -> {ours[k]!r}" for k in changed
        )
        raise UsageError(
            f"{config.run_dir} holds a run with other settings ({details}). "
            "Use another --run_dir, or the same flags to resume."
        )


def check_writable(run_dir: str) -> None:
    """Refuses a run directory that cannot be written, before training."""
    try:
        os.makedirs(run_dir, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=run_dir, prefix=".write-test-")
        try:
            os.write(handle, b"0")
            os.fsync(handle)
        finally:
            os.close(handle)
            os.remove(probe)
    except OSError as e:
        raise UsageError(
            f"--run_dir {run_dir} cannot be written ({e.strerror or e}); "
            "a run writes checkpoints there from its first step. Use a "
            "writable --run_dir."
        ) from None


def check_free_space(run_dir: str, state_bytes: int) -> None:
    """Refuses a run directory without room for the run's files."""
    need = _STATE_COPIES * state_bytes + _LOG_SPACE_BYTES
    free = shutil.disk_usage(run_dir).free
    if free < need:
        mib = 2**20
        raise UsageError(
            f"--run_dir {run_dir} has {free / mib:.1f} MiB free; this run "
            f"needs about {need / mib:.1f} MiB ({_STATE_COPIES} copies of "
            f"its {state_bytes / mib:.1f} MiB training state: checkpoints "
            f"and model files, plus {_LOG_SPACE_BYTES // mib} MiB of logs "
            "and samples). Free some space or use another --run_dir."
        )
