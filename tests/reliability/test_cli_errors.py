"""Every command-line mistake ends in a plain message and an exit status.

The policy (``tfgan_lite.commands._cli``), for ``python -m tfgan_lite.train``,
``python -m tfgan_lite.evaluate`` and ``tfgan-export``: a usage error exits
2, a failure 1, Ctrl-C 130; stderr holds "error: <message>" naming the flag
or file, and no traceback unless ``--debug`` is given. Each table runs
``main`` in-process; one real subprocess per command checks the same from
the shell.
"""

import errno
import os
import subprocess
import sys

import pytest

from tfgan_lite import data
from tfgan_lite import evaluate as evaluate_lib
from tfgan_lite import train as train_lib
from tfgan_lite.commands import _cli
from tfgan_lite.commands import trainer as command
from tfgan_lite.export import cli as export_cli
from tfgan_lite.export import pipeline, verify

_UNREACHABLE = (
    "Dataset 'mnist' is not prepared in ~/tensorflow_datasets, and its "
    "download hosts cannot be reached."
)


def _assert_plain(err, prefix="error: "):
    assert err.startswith(prefix), err
    assert "Traceback" not in err, err
    # One paragraph: a message, maybe one line of advice after it.
    assert len(err.strip().splitlines()) <= 2, err


@pytest.fixture(scope="module")
def image_model(image_gan_file):
    return str(image_gan_file)


def _mistake_argv(argv, tmp_path, model):
    """``argv`` with {tmp} and {model} filled in; {tmp} holds notes.txt and
    cut.keras, the model cut to a third."""
    (tmp_path / "notes.txt").write_text("a note\n")
    content = open(model, "rb").read()
    (tmp_path / "cut.keras").write_bytes(content[: len(content) // 3])
    return [a.format(tmp=tmp_path, model=model) for a in argv]


# ---------------------------------------------------------------- train


_TRAIN_MISTAKES = {
    "unknown_flag": (["--epoch=5"], 2, "epoch"),
    "unknown_dataset": (["--dataset=no_such_data"], 2, "no_such_data"),
    "missing_folder": (["--dataset=./no/such/folder/"], 2, "no/such/folder"),
    "bad_value": (["--epochs=0"], 2, "--epochs"),
    "wrong_type": (["--lr=fast"], 2, "lr"),
    "beta_1": (["--beta_1=nan"], 2, "--beta_1"),
    "penalty": (["--gradient_penalty=-1"], 2, "--gradient_penalty"),
    "seed": (["--seed=-1"], 2, "--seed"),
    "empty_run_dir": (["--run_dir="], 2, "--run_dir"),
    "positional": (["epochs=5"], 2, "--epochs=5"),
    "misplaced_flag": (["--blocks=3"], 2, "--blocks"),
}


@pytest.mark.parametrize(
    "argv, code, names", _TRAIN_MISTAKES.values(), ids=_TRAIN_MISTAKES
)
def test_train_mistakes(tmp_path, capsys, argv, code, names):
    run_dir = [f"--run_dir={tmp_path / 'run'}"]
    assert train_lib.main(["train", *run_dir, *argv]) == code
    err = capsys.readouterr().err
    _assert_plain(err)
    assert names in err


def _train_raising(monkeypatch, error):
    def fail(config):
        raise error

    monkeypatch.setattr(command, "train", fail)


@pytest.mark.parametrize(
    "error, code",
    [
        (ConnectionError(_UNREACHABLE), 1),
        (TimeoutError("Download host timed out."), 1),
        (OSError(errno.ENOSPC, "No space left on device", "run/x"), 1),
        (PermissionError(errno.EACCES, "Permission denied", "run/x"), 1),
        (FileExistsError(errno.EEXIST, "File exists", "run"), 2),
        (train_lib.UsageError("--dataset x: no images."), 2),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else str(v),
)
def test_train_failures_are_1_and_usage_errors_2(
    monkeypatch, capsys, error, code
):
    _train_raising(monkeypatch, error)
    assert train_lib.main(["train"]) == code
    err = capsys.readouterr().err
    _assert_plain(err)
    assert str(error) in err


def test_unreachable_tfds_hosts_exit_1_with_the_full_message(
    tmp_path, monkeypatch, capsys
):
    def unreachable(name, **kwargs):
        raise ConnectionError(_UNREACHABLE)

    monkeypatch.setattr(data, "load", unreachable)
    argv = ["train", "--dataset=mnist", f"--run_dir={tmp_path}"]
    assert train_lib.main(argv) == 1
    err = capsys.readouterr().err
    _assert_plain(err)
    assert err == f"error: {_UNREACHABLE}\n"


def test_a_bug_says_how_to_see_the_traceback(monkeypatch, capsys):
    _train_raising(monkeypatch, RuntimeError("internal state\nmore detail"))
    assert train_lib.main(["train"]) == 1
    err = capsys.readouterr().err
    _assert_plain(err)
    assert "RuntimeError: internal state" in err and "more detail" not in err
    assert "--debug" in err


def test_debug_shows_the_traceback(monkeypatch, capsys):
    _train_raising(monkeypatch, RuntimeError("internal state"))
    assert train_lib.main(["train", "--debug"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: internal state" in err
    # Usage errors too, and --debug is no flag of the run itself.
    assert train_lib.main(["train", "--epochs=0", "--debug"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "error: --epochs" in err


def test_ctrl_c_exits_130(monkeypatch):
    _train_raising(monkeypatch, KeyboardInterrupt())
    assert train_lib.main(["train"]) == 130


def test_help_names_debug(capsys):
    assert train_lib.main(["train", "--help"]) == 0
    assert "--debug" in capsys.readouterr().out


def test_split_debug_last_one_wins():
    assert _cli.split_debug(["p", "--debug", "--x=1"]) == (["p", "--x=1"], True)
    assert _cli.split_debug(["p", "--debug", "--nodebug"]) == (["p"], False)


# ------------------------------------------------------------- evaluate


_EVALUATE_MISTAKES = {
    "missing_model": (["--model=no/such/model.keras"], 2, "no/such"),
    "not_keras": (["--model={tmp}/notes.txt"], 2, "notes.txt"),
    "unknown_flag": (["--extractr=digits"], 2, "extractr"),
    "bad_value": (["--num_real=3"], 2, "--num_real"),
    "positional": (["model.keras"], 2, "model.keras"),
    "unknown_dataset": (
        ["--model={model}", "--dataset=no_such_data"],
        2,
        "no_such_data",
    ),
    "truncated_model": (["--model={tmp}/cut.keras"], 1, "cut.keras"),
}


@pytest.mark.parametrize(
    "argv, code, names", _EVALUATE_MISTAKES.values(), ids=_EVALUATE_MISTAKES
)
def test_evaluate_mistakes(tmp_path, image_model, capsys, argv, code, names):
    argv = _mistake_argv(argv, tmp_path, image_model)
    assert evaluate_lib.main(["evaluate", *argv]) == code
    err = capsys.readouterr().err
    _assert_plain(err)
    assert names in err


def test_evaluate_unreachable_hosts_exit_1(image_model, monkeypatch, capsys):
    def unreachable(name, **kwargs):
        raise ConnectionError(_UNREACHABLE)

    monkeypatch.setattr(data, "load", unreachable)
    argv = ["evaluate", f"--model={image_model}", "--dataset=mnist"]
    assert evaluate_lib.main(argv) == 1
    assert capsys.readouterr().err == f"error: {_UNREACHABLE}\n"
    assert evaluate_lib.main([*argv, "--debug"]) == 1
    assert "Traceback" in capsys.readouterr().err


# --------------------------------------------------------------- export

_EXPORT = "tfgan-export: error: "
_EXPORT_MISTAKES = {
    "no_model_flag": (["--out", "{tmp}/o"], 2, "--model"),
    "missing_model": (["--model", "no/m.keras", "--out", "o"], 2, "no/m"),
    "unknown_flag": (["--model", "m.keras", "--formats_", "x"], 2, "formats_"),
    "positional": (["--model", "m.keras", "--out", "o", "extra"], 2, "extra"),
    "bad_value": (["--model", "m.keras", "--out", "o", "--seed=-1"], 2, "seed"),
    "out_is_a_file": (
        ["--model", "{model}", "--out", "{tmp}/notes.txt"],
        2,
        "notes.txt",
    ),
    "truncated_model": (["--model", "{tmp}/cut.keras", "--out", "o"], 1, "cut"),
}


@pytest.mark.parametrize(
    "argv, code, names", _EXPORT_MISTAKES.values(), ids=_EXPORT_MISTAKES
)
def test_export_mistakes(tmp_path, image_model, capsys, argv, code, names):
    argv = _mistake_argv(argv, tmp_path, image_model)
    assert export_cli.main(argv) == code
    err = capsys.readouterr().err
    assert err.startswith(_EXPORT) and "Traceback" not in err, err
    assert names in err


@pytest.mark.parametrize(
    "error, code",
    [
        (verify.ParityError("float32 parity check failed.", None), 1),
        (OSError(errno.ENOSPC, "No space left on device", "o/x.tflite"), 1),
        (RuntimeError("converter crashed"), 1),
    ],
    ids=["parity", "disk_full", "bug"],
)
def test_export_failures_exit_1(monkeypatch, capsys, error, code):
    def fail(config):
        raise error

    monkeypatch.setattr(pipeline, "run_export", fail)
    argv = ["--model", "m.keras", "--out", "o"]
    assert export_cli.main(argv) == code
    err = capsys.readouterr().err
    _assert_plain(err, _EXPORT)
    assert export_cli.main([*argv, "--debug"]) == code
    assert "Traceback" in capsys.readouterr().err


# ------------------------------------------------ the three, from a shell


def test_each_command_from_a_shell(tmp_path):
    """One subprocess per command, run side by side (each imports TF)."""
    commands = {
        "train": (
            [
                "tfgan_lite.train",
                "--dataset",
                "no_such_data",
                f"--run_dir={tmp_path / 'run'}",
            ],
            "no_such_data",
        ),
        "evaluate": (
            ["tfgan_lite.evaluate", f"--model={tmp_path / 'none.keras'}"],
            "none.keras",
        ),
        "export": (
            ["tfgan_lite.export", "--model", "none.keras", "--out", "o"],
            "none.keras",
        ),
    }
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    running = {
        name: subprocess.Popen(
            [sys.executable, "-m", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env=env,
        )
        for name, (argv, _) in commands.items()
    }
    for name, process in running.items():
        out, err = process.communicate(timeout=120)
        assert process.returncode == 2, (name, out, err)
        assert "Traceback" not in err, (name, err)
        assert "error: " in err and commands[name][1] in err, (name, err)
