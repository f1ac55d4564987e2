"""Seconds from starting a command to its usage error, and to its --help.

Each command is started as a user starts it, in a fresh process: the
console scripts' functions (``tfgan_lite.commands.launch``, called as the
generated ``tfgan-*`` scripts call them) and the ``python -m`` forms. A
usage error (an unknown flag) and ``--help`` are reported before
TensorFlow loads, so both should take well under the 2 s the commands
promise; the script also reports whether each process imported
TensorFlow at all.

Run it from the repository root, or anywhere with the package installed:

    python benchmarks/command_start.py            # median of 3
    python benchmarks/command_start.py --repeats=5

It prints a markdown report (the head every benchmark report has, then a
table) for ``docs/experiments/``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import harness

# Started as the generated console script starts it; at exit, says whether
# TensorFlow was ever imported.
_SCRIPT = """
import atexit, sys
atexit.register(lambda: print("TF" if "tensorflow" in sys.modules else "-"))
sys.argv = [{prog!r}, *sys.argv[1:]]
from tfgan_lite.commands import launch
launch.{name}()
"""
_MODULE = """
import atexit, runpy, sys
atexit.register(lambda: print("TF" if "tensorflow" in sys.modules else "-"))
sys.argv = [{module!r}, *sys.argv[1:]]
runpy.run_module({module!r}, run_name="__main__", alter_sys=True)
"""
COMMANDS = {
    "tfgan-train": ["-c", _SCRIPT.format(prog="tfgan-train", name="train")],
    "tfgan-evaluate": [
        "-c",
        _SCRIPT.format(prog="tfgan-evaluate", name="evaluate"),
    ],
    "tfgan-sample": ["-c", _SCRIPT.format(prog="tfgan-sample", name="sample")],
    "tfgan-export": ["-c", _SCRIPT.format(prog="tfgan-export", name="export")],
    "python -m tfgan_lite.train": [
        "-c",
        _MODULE.format(module="tfgan_lite.train"),
    ],
    "python -m tfgan_lite.evaluate": [
        "-c",
        _MODULE.format(module="tfgan_lite.evaluate"),
    ],
    "python -m tfgan_lite.export": [
        "-c",
        _MODULE.format(module="tfgan_lite.export"),
    ],
}
# A usage error (an unknown flag), then --help.
CASES = (["--no_such_flag=1"], ["--help"])


def measure(args: list[str], repeats: int) -> tuple[float, int, bool]:
    """(median seconds, exit status, whether TensorFlow was imported)."""
    seconds, status, loaded = [], None, False
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, *args], capture_output=True, text=True
        )
        seconds.append(time.perf_counter() - start)
        status = done.returncode
        lines = done.stdout.splitlines()
        loaded = loaded or (bool(lines) and lines[-1] == "TF")
    return statistics.median(seconds), status, loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    rows = []
    for command, args in COMMANDS.items():
        for extra in CASES:
            seconds, status, loaded = measure([*args, *extra], options.repeats)
            rows.append(
                [
                    f"`{command} {' '.join(extra)}`",
                    f"{seconds:.2f}",
                    str(status),
                    "yes" if loaded else "no",
                ]
            )
    lines = harness.report_header("Command start-up: usage error and --help")
    lines += [
        f"- Median of {options.repeats} fresh processes per row; a bare "
        "`python -c pass` for reference: "
        f"{measure(['-c', 'pass'], options.repeats)[0]:.2f} s",
        "",
        *harness.markdown_table(
            ["command", "seconds", "exit", "TensorFlow imported"],
            rows,
            align="lrrl",
        ),
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
