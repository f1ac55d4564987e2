"""Every ```bash and ```python block of README.md runs, in order, in a
fresh folder, as a new user would run them after the default command.

A few blocks cannot run in a test as written: they install, start a
server, need the user's own pictures or a download, or train for minutes.
``_CHANGES`` lists, for each such block (found by a line it contains),
what the test runs instead and why; every other block runs exactly as
written, so the test fails when a README command stops working. A
README block that no longer holds a listed line fails the test too, so
the table cannot silently go stale.

The Python blocks run one after another in one interpreter
(``scripts/python_blocks.py``), each as ``python -c`` would run it, so
TensorFlow starts once for all of them; the bash blocks run in bash, as
written.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from worker_testutil import Worker

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"^```(bash|python)\n(.*?)^```", re.S | re.M)
# Seconds one block may take on a loaded 2-core machine.
_TIMEOUT = 300
_PYTHON = Worker("python_blocks.py", env={"PYTHONUNBUFFERED": "1"})
# The training flags that make a run take seconds instead of minutes.
_SHORT = "--epochs=2 --steps=3 --width=8 --metrics_every=0"

# A line of the block -> (why, [(old, new), ...]); new "" drops a line.
# None instead of the list skips the block.
_CHANGES = {
    "pip install . && python -m tfgan_lite.train": (
        "the package is installed already; the default run is trained "
        "for seconds, with the default preset's latent size",
        [
            (
                "pip install . && python -m tfgan_lite.train",
                f"python -m tfgan_lite.train {_SHORT}",
            )
        ],
    ),
    'pip install -e ".[test]"': ("the test suite itself", None),
    "tensorboard --logdir runs/default/logs": (
        "a server that runs until stopped; --inspect reads the same logs "
        "and exits",
        [("tensorboard --logdir", "tensorboard --inspect --logdir")],
    ),
    "--dataset path/to/my_photos": ("the user's own pictures", None),
    "--model runs/grid/model.keras --dataset grid --json": (
        "needs a grid run, trained here for seconds first",
        [
            (
                "python -m tfgan_lite.evaluate --model runs/grid/",
                "python -m tfgan_lite.train --model=mlp_2d --dataset=grid "
                "--epochs=1 --steps=2 --run_dir=runs/grid\n"
                "python -m tfgan_lite.evaluate --model runs/grid/",
            )
        ],
    ),
    'np.load("my_images.npy")': (
        "the user's own images: 64 random ones, one epoch",
        [
            (
                'np.load("my_images.npy")',
                "np.random.default_rng(0).integers(0, 256, (64, 28, 28, 1), "
                "dtype=np.uint8)",
            ),
            ("epochs=20", "epochs=1"),
        ],
    ),
    "gan.fit(digits, epochs=50)": (
        "50 epochs take minutes: two steps each",
        [("epochs=50", "epochs=1, steps_per_epoch=2")],
    ),
    "python -m tfgan_lite.train --conditional --run_dir runs/classes": (
        "mnist downloads and path/to/classes is the user's; the digits "
        "run trains for seconds",
        [
            (
                "--conditional --run_dir runs/classes",
                f"--conditional --run_dir runs/classes {_SHORT}",
            ),
            (
                "python -m tfgan_lite.train --conditional --dataset mnist "
                "--run_dir runs/mnist\n",
                "",
            ),
            (
                "python -m tfgan_lite.train --conditional --dataset "
                "path/to/classes \\\n    --model dcgan_64 --run_dir "
                "runs/my_classes\n",
                "",
            ),
        ],
    ),
    'run_dir="runs/python", epochs=1))': (
        "an epoch of the default recipe takes a minute: four steps (a "
        "one-pass epoch is tested in tests/commands/test_train.py)",
        [("epochs=1))", "epochs=1, steps=4))")],
    ),
    "model.fit(pairs, epochs=12)": (
        "12 epochs take minutes: two steps",
        [("epochs=12", "epochs=1, steps_per_epoch=2")],
    ),
    "python -m tfgan_lite.train --model=cyclegan --run_dir runs/invert": (
        "the photo pairs download or are the user's, at the paper's sizes "
        "for hours; digits_invert trains for seconds (digits_rotate is the "
        "same command on the other pair)",
        [
            (
                "--model=cyclegan --run_dir runs/invert",
                "--model=cyclegan --run_dir runs/invert --epochs=1 --steps=2",
            ),
            (
                "python -m tfgan_lite.train --model=cyclegan "
                "--dataset=digits_rotate \\\n    --run_dir runs/rotate\n",
                "",
            ),
            (
                "python -m tfgan_lite.train --model=cyclegan "
                "--dataset=path/to/A,path/to/B \\\n    --width=64 --blocks=9 "
                "--batch_size=1 --epochs=200 --run_dir runs/photos\n",
                "",
            ),
            (
                "python -m tfgan_lite.train --model=cyclegan "
                "--dataset=cycle_gan/horse2zebra \\\n    --width=64 "
                "--blocks=9 --batch_size=1 --epochs=200 --run_dir runs/zebra\n",
                "",
            ),
        ],
    ),
    "--quantize float16,int8,int8_full": (
        "int8_full of a generator trained for seconds (near-constant "
        "images) falls below the export's SNR floor; the other variants "
        "run as written",
        [("float16,int8,int8_full", "float16,int8")],
    ),
    "npm ci": ("installs LiteRT.js from npm and starts a server", None),
}


def _blocks():
    text = README.read_text(encoding="utf-8")
    for match in _BLOCK.finditer(text):
        line = text[: match.start()].count("\n") + 1
        where = f"README.md:{line}"
        yield pytest.param(match.group(1), match.group(2), where, id=where)


def _changed(code: str) -> str | None:
    """The block as the test runs it; None to skip it."""
    for key, (_, changes) in _CHANGES.items():
        if key not in code:
            continue
        if changes is None:
            return None
        for old, new in changes:
            assert old in code, f"README block changed; update _CHANGES: {old}"
            code = code.replace(old, new)
    return code


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    yield tmp_path_factory.mktemp("readme")
    # The blocks' models and TensorFlow go back before the next module.
    _PYTHON.close()


def test_every_change_names_a_readme_block():
    text = README.read_text(encoding="utf-8")
    for key in _CHANGES:
        assert key in text, f"no README block holds {key!r}; update _CHANGES"


@pytest.mark.slow
@pytest.mark.parametrize("language, code, where", list(_blocks()))
def test_readme_block_runs(language, code, where, workdir):
    written, code = code, _changed(code)
    if code is None:
        why = [why for key, (why, _) in _CHANGES.items() if key in written]
        pytest.skip("; ".join(why))
    if language == "python":
        status, output = _PYTHON.ask(
            _TIMEOUT, code=code, cwd=str(workdir), name=f"<{where}>"
        )
    else:
        done = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", code],
            cwd=workdir,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=_TIMEOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        status, output = done.returncode, done.stdout
    assert status == 0, (
        f"README block {where} failed (exit {status}):\n{code}\n"
        f"output:\n{output[-6000:]}"
    )
