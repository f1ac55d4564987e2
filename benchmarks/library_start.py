"""What a Python program that uses the library sees: seconds and stderr.

Each row is a fresh process without ``TF_CPP_MIN_LOG_LEVEL`` (as a user's
shell has it), timed from start to exit, with the lines it wrote to
stderr counted:

* ``import tfgan_lite`` and ``from tfgan_lite import export``: load no
  TensorFlow, write nothing;
* a first use of a class: TensorFlow loads, its start-up lines (cuInit
  included) held back;
* ``export.run_export`` of a small saved GAN, with the converter's and
  LiteRT's log lines held back (the default) and let through
  (``converter_logs=True``).

Run it from the repository root, or anywhere with the package installed:

    python benchmarks/library_start.py            # median of 3
    python benchmarks/library_start.py --repeats=1

It prints a markdown report for ``docs/experiments/``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import harness

# Noise on the initial weights spreads the outputs over [-1, 1], as a
# trained generator's are (the DCGAN initializer gives near-zero images,
# which quantize badly).
_SAVE = """
import sys
import numpy as np
import tfgan_lite
generator, discriminator = tfgan_lite.models.dcgan_28(latent_dim=64, width=8)
rng = np.random.default_rng(0)
for v in generator.weights:
    if "moving" not in v.path:
        v.assign(v + rng.normal(0.0, 0.2, v.shape).astype("float32"))
tfgan_lite.GAN(generator, discriminator, ema=False).save(sys.argv[1])
"""
_EXPORT = """
import sys
from tfgan_lite import export
export.run_export(export.ExportConfig(
    model=sys.argv[1], out_dir=sys.argv[2], overwrite=True, verbose=False,
    quantize="float16,int8,int8_full", converter_logs={logs}))
"""
PROGRAMS = {
    "`import tfgan_lite`": "import tfgan_lite",
    "`from tfgan_lite import export`": "from tfgan_lite import export",
    "first use of `tfgan_lite.GAN`": (
        "import tfgan_lite\n"
        "generator, discriminator = tfgan_lite.models.dcgan_28(width=8)\n"
        "tfgan_lite.GAN(generator, discriminator)"
    ),
    "`run_export` (4 LiteRT variants + SavedModel)": _EXPORT.format(logs=False),
    "`run_export(..., converter_logs=True)`": _EXPORT.format(logs=True),
}


def measure(program: str, args: list[str], repeats: int) -> tuple[float, int]:
    """(median seconds, stderr lines of the last run) of a fresh process."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    seconds, lines = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", program, *args],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        seconds.append(time.perf_counter() - start)
        lines = len(done.stderr.splitlines())
    return statistics.median(seconds), lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        model = os.path.join(folder, "model.keras")
        args = [model, os.path.join(folder, "exported")]
        measure(_SAVE, [model], 1)
        rows = []
        for name, program in PROGRAMS.items():
            seconds, lines = measure(program, args, options.repeats)
            rows.append([name, f"{seconds:.2f}", str(lines)])
    lines = harness.report_header("Library start-up: seconds and stderr lines")
    lines += [
        f"- Median of {options.repeats} fresh processes per row, "
        "TF_CPP_MIN_LOG_LEVEL unset; a bare `python -c pass`: "
        f"{measure('pass', [], options.repeats)[0]:.2f} s",
        "",
        *harness.markdown_table(
            ["program", "seconds", "stderr lines"], rows, align="lrr"
        ),
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
