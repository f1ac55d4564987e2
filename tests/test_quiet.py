"""The commands' quiet start: TensorFlow's start-up lines held back."""

import os
import subprocess
import sys

import pytest

from tfgan_lite import _quiet

# Lines TensorFlow writes while loading, at info and error level.
_START_UP = ("port.cc", "cudart_stub.cc", "cpu_feature_guard", "cuInit")


@pytest.mark.parametrize(
    "args, rest",
    [
        (["p", "--tf_log_level=2", "--epochs", "1"], ["p", "--epochs", "1"]),
        (["p", "--tf_log_level", "0", "--x"], ["p", "--x"]),
        (["p", "--epochs=1"], ["p", "--epochs=1"]),
    ],
)
def test_strip_flag_removes_only_the_log_level(args, rest):
    assert _quiet.strip_flag(args) == rest


@pytest.mark.parametrize(
    "args", [["--tf_log_level=4"], ["--tf_log_level"], ["--tf_log_level=x"]]
)
def test_strip_flag_refuses_other_levels(args):
    with pytest.raises(ValueError, match="--tf_log_level must be one of"):
        _quiet.strip_flag(args)


def test_shown_keeps_python_lines_and_levels_at_or_above():
    info = "I0000 00:00:1.0 1 port.cc:153] oneDNN custom operations are on."
    error = "E0000 00:00:1.0 1 cuda_platform.cc:52] failed call to cuInit"
    assert not _quiet._shown(info, 1)
    assert _quiet._shown(info, 0)
    assert _quiet._shown(error, 2) and not _quiet._shown(error, 3)
    assert _quiet._shown("Traceback (most recent call last):", 3)
    assert not _quiet._shown(_quiet._ABSL_BANNER + " is called ...", 0)


def test_captured_stderr_holds_back_c_level_writes(capfd):
    with _quiet.captured_stderr(lambda line: line.startswith("keep")):
        os.write(2, b"drop this\nkeep this\n")
    assert capfd.readouterr().err == "keep this\n"


def test_captured_stderr_replays_everything_on_error(capfd):
    with pytest.raises(RuntimeError):
        with _quiet.captured_stderr():
            os.write(2, b"context of the failure\n")
            raise RuntimeError("boom")
    assert capfd.readouterr().err == "context of the failure\n"


def _help(*flags, env=None):
    """stderr of ``python -m tfgan_lite.evaluate --help``: loads TensorFlow."""
    environ = {k: v for k, v in os.environ.items() if k != _quiet.ENV}
    environ.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "tfgan_lite.evaluate", "--help", *flags],
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
        check=True,
    )
    return done.stderr


def _info_lines(stderr):
    return [line for line in stderr.splitlines() if _quiet._shown(line, 1)]


def test_command_starts_quietly_and_the_flag_brings_lines_back():
    quiet = _help()
    assert not [s for s in _START_UP if s in quiet], quiet
    # Level 0 asks for everything: TensorFlow's info lines come back.
    assert _info_lines(_help("--tf_log_level=0"))
    assert _info_lines(_help(env={_quiet.ENV: "0"}))


def test_export_prints_its_report_and_no_converter_logs(tmp_path):
    from run_testutil import finished_run

    run = finished_run(tmp_path / "run", points=True, epochs=1, steps=2)
    environ = {k: v for k, v in os.environ.items() if k != _quiet.ENV}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tfgan_lite.export",
            f"--model={run / 'model.keras'}",
            f"--out={tmp_path / 'exported'}",
            "--quantize=float16",
        ],
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
        check=True,
    )
    assert done.stderr == ""
    assert done.stdout.startswith(f"Export of {run / 'model.keras'}")
