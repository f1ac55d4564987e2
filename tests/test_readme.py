"""Every ```bash and ```python block of README.md and of the guide pages
in docs/ runs, in order, in a fresh folder, as a new user would run them
after the README's first run.

The pages run one after another in one folder: README.md first, then
docs/*.md in the order of ``_PAGES``, so a guide's command can use the
README's run directory (``runs/default``) as a user's would. A worker of
``pytest -n`` that did not run the README first trains that run itself
before the first block that needs it.

A few blocks cannot run in a test as written: they install, start a
server, need the user's own pictures or a download, or train for minutes.
``_CHANGES`` lists, for each such block (found by a line it contains),
what the test runs instead and why; every other block runs exactly as
written, so the test fails when a documented command stops working. A
block that no longer holds a listed line fails the test too, so the table
cannot silently go stale. Blocks that only show output or configuration
are fenced ```text or ```console and do not run.

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

ROOT = Path(__file__).resolve().parents[1]
# The guide pages, in the order of mkdocs.yml's menu; a page missing here
# fails test_every_guide_page_is_listed.
_PAGES = (
    "README.md",
    "docs/training.md",
    "docs/quality.md",
    "docs/mode-collapse.md",
    "docs/conditional-and-cyclegan.md",
    "docs/export.md",
    "docs/scale.md",
    "docs/guarantees.md",
    "docs/benchmarks.md",
)
_BLOCK = re.compile(r"^```(bash|python)\n(.*?)^```", re.S | re.M)
# Seconds one block may take on a loaded 2-core machine.
_TIMEOUT = 300
_PYTHON = Worker("python_blocks.py", env={"PYTHONUNBUFFERED": "1"})
# The training flags that make a run take seconds instead of minutes.
_SHORT = "--epochs=2 --steps=3 --width=8 --metrics_every=0"
# What the README's first run writes, which later blocks read.
_DEFAULT_MODEL = "runs/default/model.keras"
_TRAIN_DEFAULT = f"tfgan-train --run_dir=runs/default {_SHORT}"
_LITERTJS = ROOT / "node_modules"


def _web_export() -> tuple[str, list[tuple[str, str]]]:
    """The README's export block: with LiteRT.js when `npm ci` ran."""
    drop_npm = (
        "npm ci  # once, in this folder: LiteRT.js for the web page "
        "(package-lock.json)\n",
        "",
    )
    if (_LITERTJS / "@litertjs" / "core").is_dir():
        return (
            "npm ci installs into the repository (.ci/run does), which the "
            "test's folder is not; the server runs until stopped, so the "
            "test checks the page it would serve",
            [
                drop_npm,
                (
                    "--quantize float16,int8\n",
                    f"--quantize float16,int8 --litertjs_dir {_LITERTJS}\n",
                ),
                (
                    "python -m http.server -d exported/web 8000",
                    "test -s exported/web/index.html #",
                ),
            ],
        )
    return (
        "no `npm ci` in this checkout, so no LiteRT.js for the web page: "
        "the SavedModel and LiteRT files are exported as written; the "
        "server runs until stopped",
        [
            drop_npm,
            ("saved_model,tflite,web", "saved_model,tflite"),
            ("python -m http.server -d exported/web 8000", "#"),
        ],
    )


# A line of the block -> (why, [(old, new), ...]); new "" drops a line.
# None instead of the list skips the block.
_CHANGES = {
    "pip install .\n": ("the package is installed already", None),
    "tfgan-train --minutes=1 --run_dir=runs/first": (
        "the first run trains for seconds, under the main job's run "
        "directory, which the later blocks read",
        [("--run_dir=runs/first", f"--run_dir=runs/default {_SHORT}")],
    ),
    "tfgan-train\n": (
        "the main job takes minutes; the block above trained its run "
        "directory with the same recipe",
        None,
    ),
    'pip install -e ".[test]"': ("the test suite itself", None),
    "tfgan-train --strategy=mirrored": (
        "the settings of a machine with GPUs; the same flags train on this "
        "CPU in tests/commands/test_devices.py",
        None,
    ),
    "tfgan-train --strategy=multi_worker": (
        "one command of several machines; two workers on one machine run "
        "it in tests/commands/test_multi_worker.py",
        None,
    ),
    "tensorboard --logdir runs/default/logs": (
        "a server that runs until stopped; --inspect reads the same logs "
        "and exits",
        [("tensorboard --logdir", "tensorboard --inspect --logdir")],
    ),
    "--dataset path/to/my_photos": ("the user's own pictures", None),
    "tfgan-evaluate --model runs/grid/model.keras --dataset grid --json": (
        "needs a grid run, trained here for seconds first",
        [
            (
                "tfgan-evaluate --model runs/grid/",
                "tfgan-train --model=mlp_2d --dataset=grid --epochs=1 "
                "--steps=2 --run_dir=runs/grid\n"
                "tfgan-evaluate --model runs/grid/",
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
    "gan.fit(digits, epochs=1)  # clusters": (
        "an epoch of the digits takes half a minute on a 2-core CPU: two "
        "steps, after the same clustering of every image",
        [("epochs=1)", "epochs=1, steps_per_epoch=2)")],
    ),
    "gan.fit(digits, epochs=50)": (
        "50 epochs take minutes: two steps each",
        [("epochs=50", "epochs=1, steps_per_epoch=2")],
    ),
    "tfgan-train --conditional --run_dir runs/classes": (
        "mnist downloads and path/to/classes is the user's; the digits "
        "run trains for seconds",
        [
            (
                "--conditional --run_dir runs/classes",
                f"--conditional --run_dir runs/classes {_SHORT}",
            ),
            (
                "tfgan-train --conditional --dataset mnist "
                "--run_dir runs/mnist\n",
                "",
            ),
            (
                "tfgan-train --conditional --dataset path/to/classes \\\n"
                "    --model dcgan_64 --run_dir runs/my_classes\n",
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
    "tfgan-train --model=cyclegan --run_dir runs/invert": (
        "the photo pairs download or are the user's, at the paper's sizes "
        "for hours; digits_invert trains for seconds (digits_rotate is the "
        "same command on the other pair)",
        [
            (
                "--model=cyclegan --run_dir runs/invert",
                "--model=cyclegan --run_dir runs/invert --epochs=1 --steps=2",
            ),
            (
                "tfgan-train --model=cyclegan --dataset=digits_rotate "
                "--run_dir runs/rotate\n",
                "",
            ),
            (
                "tfgan-train --model=cyclegan --dataset=path/to/A,path/to/B "
                "\\\n    --width=64 --blocks=9 --batch_size=1 --epochs=200 "
                "--run_dir runs/photos\n",
                "",
            ),
            (
                "tfgan-train --model=cyclegan "
                "--dataset=cycle_gan/horse2zebra \\\n    --width=64 "
                "--blocks=9 --batch_size=1 --epochs=200 --run_dir runs/zebra\n",
                "",
            ),
        ],
    ),
    "tfgan-export --model runs/default/model.keras --out exported \\": (
        _web_export()
    ),
}


def _blocks():
    for page in _PAGES:
        text = (ROOT / page).read_text(encoding="utf-8")
        for match in _BLOCK.finditer(text):
            line = text[: match.start()].count("\n") + 1
            where = f"{page}:{line}"
            yield pytest.param(match.group(1), match.group(2), where, id=where)


def _changed(code: str) -> str | None:
    """The block as the test runs it; None to skip it."""
    for key, (_, changes) in _CHANGES.items():
        if key not in code:
            continue
        if changes is None:
            return None
        for old, new in changes:
            assert old in code, f"doc block changed; update _CHANGES: {old}"
            code = code.replace(old, new)
    return code


def _bash(code: str, workdir: Path) -> tuple[int, str]:
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", code],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=_TIMEOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    return done.returncode, done.stdout


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    yield tmp_path_factory.mktemp("docs")
    # The blocks' models and TensorFlow go back before the next module.
    _PYTHON.close()


def test_every_change_names_a_doc_block():
    text = "".join((ROOT / page).read_text(encoding="utf-8") for page in _PAGES)
    for key in _CHANGES:
        assert key in text, f"no doc block holds {key!r}; update _CHANGES"


def test_every_guide_page_is_listed():
    guides = {f"docs/{path.name}" for path in (ROOT / "docs").glob("*.md")}
    # The site's home page only links to the others.
    assert guides - {"docs/index.md"} == set(_PAGES) - {"README.md"}


@pytest.mark.slow
@pytest.mark.parametrize("language, code, where", list(_blocks()))
def test_doc_block_runs(language, code, where, workdir):
    written, code = code, _changed(code)
    if code is None:
        why = [why for key, (why, _) in _CHANGES.items() if key in written]
        pytest.skip("; ".join(why))
    needs_run = _DEFAULT_MODEL in code or "runs/default/logs" in code
    if needs_run and not (workdir / _DEFAULT_MODEL).exists():
        # This worker did not run the README's first block.
        status, output = _bash(_TRAIN_DEFAULT, workdir)
        assert status == 0, f"the default run failed:\n{output[-6000:]}"
    if language == "python":
        status, output = _PYTHON.ask(
            _TIMEOUT, code=code, cwd=str(workdir), name=f"<{where}>"
        )
    else:
        status, output = _bash(code, workdir)
    assert status == 0, (
        f"{where} failed (exit {status}):\n{code}\noutput:\n{output[-6000:]}"
    )
