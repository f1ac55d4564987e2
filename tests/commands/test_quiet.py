"""The commands' quiet start: TensorFlow's start-up lines held back.

The commands start in ``tfgan_lite.commands.quiet.launch``; importing the
package does nothing of the kind (no arguments read, no stream captured).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tfgan_lite.commands import quiet

# Lines TensorFlow writes while loading, at info and error level.
_START_UP = ("port.cc", "cudart_stub.cc", "cpu_feature_guard", "cuInit")
# Each command as a user starts it: python -m, or the console script (the
# function setup.py names, called as its generated script calls it).
_COMMANDS = {
    "train": ["-m", "tfgan_lite.train"],
    "evaluate": ["-m", "tfgan_lite.evaluate"],
    "tfgan-export": [
        "-c",
        "from tfgan_lite.commands.launch import export; export()",
    ],
    "export": ["-m", "tfgan_lite.export"],
}


@pytest.mark.parametrize(
    "args, rest, level",
    [
        (["--tf_log_level=2", "--epochs", "1"], ["--epochs", "1"], "2"),
        (["--tf_log_level", "0", "--x"], ["--x"], "0"),
        (["--tf_log_level=0", "--tf_log_level=3"], [], "3"),
        (["--epochs=1"], ["--epochs=1"], None),
    ],
)
def test_split_level_takes_out_only_the_log_level(args, rest, level):
    assert quiet.split_level(args) == (rest, level)


@pytest.mark.parametrize(
    "args", [["--tf_log_level=4"], ["--tf_log_level"], ["--tf_log_level=x"]]
)
def test_split_level_refuses_other_levels(args):
    with pytest.raises(ValueError, match="--tf_log_level must be one of"):
        quiet.split_level(args)


def test_shown_keeps_python_lines_and_levels_at_or_above():
    info = "I0000 00:00:1.0 1 port.cc:153] oneDNN custom operations are on."
    error = "E0000 00:00:1.0 1 cuda_platform.cc:52] failed call to cuInit"
    assert not quiet._shown(info, 1)
    assert quiet._shown(info, 0)
    assert quiet._shown(error, 2) and not quiet._shown(error, 3)
    assert quiet._shown("Traceback (most recent call last):", 3)
    assert not quiet._shown(quiet._ABSL_BANNER + " is called ...", 0)


def test_captured_stderr_holds_back_c_level_writes(capfd):
    with quiet.captured_stderr(lambda line: line.startswith("keep")):
        os.write(2, b"drop this\nkeep this\n")
    assert capfd.readouterr().err == "keep this\n"


def test_captured_stderr_replays_everything_on_error(capfd):
    with pytest.raises(RuntimeError):
        with quiet.captured_stderr():
            os.write(2, b"context of the failure\n")
            raise RuntimeError("boom")
    assert capfd.readouterr().err == "context of the failure\n"


def _environ(env=None):
    environ = {k: v for k, v in os.environ.items() if k != quiet.ENV}
    environ.update(env or {})
    return environ


def _run(python_args, *args, env=None, check=True):
    return subprocess.run(
        [sys.executable, *python_args, *args],
        capture_output=True,
        text=True,
        env=_environ(env),
        timeout=300,
        check=check,
    )


def _info_lines(stderr):
    return [line for line in stderr.splitlines() if quiet._shown(line, 1)]


# A program that imports the package while its arguments look like a
# command's: nothing is read from them, TensorFlow's level is left alone.
_LIBRARY = """
import os, sys
sys.argv = ["tfgan-export", "--tf_log_level=3"]
import tfgan_lite, tfgan_lite.export
print("tensorflow" in sys.modules)
import tfgan_lite.train
print(os.environ.get("TF_CPP_MIN_LOG_LEVEL"))
"""


@pytest.mark.slow
def test_importing_the_package_reads_no_arguments_and_captures_nothing():
    done = _run(["-c", _LIBRARY])
    # The packages alone load no TensorFlow; the command's module loads it
    # with the level unset and stderr untouched, so its lines show.
    assert done.stdout.split() == ["False", "None"]
    assert _info_lines(done.stderr), done.stderr


# A program that loads a saved model after importing Keras and the package,
# without using any of the package's names.
_LOAD = """
import sys
import keras
import tfgan_lite
print(type(keras.saving.load_model(sys.argv[1])).__name__)
"""


@pytest.mark.slow
def test_keras_then_the_package_registers_the_saved_classes():
    saved = (
        Path(__file__).parents[1] / "fixtures/run_dirs/conditional/model.keras"
    )
    done = _run(["-c", _LOAD, str(saved)], env={quiet.ENV: "3"})
    assert done.stdout.split() == ["ConditionalGAN"]


@pytest.mark.slow
@pytest.mark.parametrize("command", _COMMANDS)
def test_command_starts_quietly(command):
    stderr = _run(_COMMANDS[command], "--help").stderr
    assert not [s for s in _START_UP if s in stderr], stderr


# A command whose main, its flags checked, starts TensorFlow (as the
# package's commands do), launched as the console scripts launch theirs.
_STARTS = """
import sys, types
from tfgan_lite.commands import quiet
command = types.ModuleType("command")
command.main = lambda: quiet.start() and 0
sys.modules["command"] = command
quiet.launch("command")
"""


@pytest.mark.slow
def test_the_level_brings_tensorflow_s_lines_back():
    # Level 0 asks for everything: TensorFlow's info lines come back.
    assert _info_lines(_run(["-c", _STARTS], "--tf_log_level=0").stderr)
    assert _info_lines(_run(["-c", _STARTS], env={quiet.ENV: "0"}).stderr)


def test_a_wrong_level_is_a_usage_error():
    done = _run(_COMMANDS["tfgan-export"], "--tf_log_level=9", check=False)
    assert done.returncode == 2
    assert done.stderr.startswith("tfgan-export: error: --tf_log_level")


@pytest.mark.slow
def test_export_prints_its_report_and_no_converter_logs(tmp_path):
    from run_testutil import finished_run

    run = finished_run(tmp_path / "run", points=True, epochs=1, steps=2)
    done = _run(
        _COMMANDS["tfgan-export"],
        f"--model={run / 'model.keras'}",
        f"--out={tmp_path / 'exported'}",
        "--quantize=float16",
    )
    assert done.stderr == ""
    assert done.stdout.startswith(f"Export of {run / 'model.keras'}")
