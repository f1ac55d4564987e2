"""The train command, run twice: a worker of a multi-worker run, or alone.

Usage: command_multi_worker.py LATE_STEP FLAG...

It runs the command with the flags and ``--epochs=1``, then with
``--epochs=2`` (a resume, in the same process, as a restarted command
would), and prints ``RESULT {json}``: the exit codes, what each run
printed and the process id. With ``--strategy=multi_worker`` the caller
sets ``TF_CONFIG``.

On the chief, the checkpoint of step LATE_STEP is written 2 s late, as on
a slow disk: the other worker then starts its second run before the
chief's first has saved its last step, and must wait for it.
"""

import contextlib
import io
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from tfgan_lite.commands import checkpoints, devices  # noqa: E402
from tfgan_lite.commands.train import main  # noqa: E402


def _run(*flags: str) -> tuple[int, str]:
    """The command's exit code and its printed lines."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["tfgan-train", *flags])
    return code, out.getvalue()


def _save_late(step: int) -> None:
    save = checkpoints.CheckpointDir.save

    def late(self, at: int, **meta):
        if at == step:
            time.sleep(2)
        return save(self, at, **meta)

    checkpoints.CheckpointDir.save = late


if __name__ == "__main__":
    if "TF_CONFIG" in os.environ and devices.cluster_task().is_chief:
        _save_late(int(sys.argv[1]))
    runs = [_run(*sys.argv[2:], f"--epochs={e}") for e in (1, 2)]
    result = {
        "codes": [code for code, _ in runs],
        "outputs": [out for _, out in runs],
        "pid": os.getpid(),
    }
    print("RESULT " + json.dumps(result), flush=True)
