"""The tfgan-export command, run in-process through cli.main()."""

import importlib
import json
import subprocess
import sys

import numpy as np
import pytest
from export_testutil import small_gan

from tfgan_lite import export
from tfgan_lite.export import cli, pipeline


@pytest.fixture(scope="module")
def gan_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("run") / "model.keras"
    small_gan(seed=2).save(path)
    return path


def _run(*args):
    return cli.main([*args, "--latency_runs", "1", "--num_verify", "4"])


def test_end_to_end_writes_expected_files(gan_file, tmp_path, capsys):
    out = tmp_path / "export"
    status = _run(
        "--model",
        str(gan_file),
        "--out",
        str(out),
        "--formats",
        "saved_model,tflite",
        "--quantize",
        "float16,int8",
        "--uint8",
    )
    assert status == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "export_report.json",
        "generator_float16.tflite",
        "generator_float32.tflite",
        "generator_int8.tflite",
        "saved_model",
    ]
    assert (out / "saved_model" / "saved_model.pb").exists()
    report = json.loads((out / "export_report.json").read_text())
    assert report["output"] == "uint8" and report["peak"] == 255.0
    assert report["passed"] is True
    assert report["generator"]["weights"] == "ema"
    assert report["source"] == str(gan_file)
    for entry in report["files"]:
        assert entry["outputs"][0]["dtype"] == "uint8"
    printed = capsys.readouterr().out
    assert "| generator_int8.tflite | int8 |" in printed
    assert "export_report.json" in printed


def test_noema_batch_size_and_tflite_only(gan_file, tmp_path):
    out = tmp_path / "raw"
    status = _run(
        "--model",
        str(gan_file),
        "--out",
        str(out),
        "--formats",
        "tflite",
        "--noema",
        "--batch_size",
        "2",
    )
    assert status == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "export_report.json",
        "generator_float32.tflite",
    ]
    report = json.loads((out / "export_report.json").read_text())
    assert report["generator"]["weights"] == "generator"
    (entry,) = report["files"]
    assert entry["inputs"][0]["shape"] == [2, 32]
    assert entry["latency_batch_size"] == 2


def test_overwrite(gan_file, tmp_path, capsys):
    out = tmp_path / "again"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    (out / "generator_float32.tflite").write_bytes(b"stale")
    args = ("--model", str(gan_file), "--out", str(out), "--formats", "tflite")
    assert _run(*args) == 2
    err = capsys.readouterr().err
    assert "already holds files (generator_float32.tflite, notes.txt)" in err
    assert "--overwrite" in err
    assert (out / "generator_float32.tflite").read_bytes() == b"stale"
    assert _run(*args, "--overwrite") == 0
    assert (out / "generator_float32.tflite").read_bytes()[4:8] == b"TFL3"
    assert (out / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--out", "x"], "--model"),
        (["--model", "m.keras", "--out", "x", "--bogus"], "bogus"),
        (["--model", "m.keras", "--out", "x", "extra"], "positional"),
        (["--model", "m.keras", "--out", "x", "--batch_size", "0"], "batch"),
        (
            ["--model", "m.keras", "--out", "x", "--quantize", "int4"],
            "Known variants: float32, float16, int8, int8_full",
        ),
    ],
)
def test_bad_flags_exit_2(args, message, capsys):
    assert cli.main(args) == 2
    assert message in capsys.readouterr().err


def test_flag_defaults_are_export_config_defaults(monkeypatch):
    seen = []
    monkeypatch.setattr(pipeline, "run_export", seen.append)
    assert cli.main(["--model", "m.keras", "--out", "o"]) == 0
    assert seen == [export.ExportConfig(model="m.keras", out_dir="o")]


def test_config_errors_exit_2_without_traceback(capsys):
    assert cli.main(["--model", "m.keras", "--out", "o", "--seed", "-1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tfgan-export: error: ") and "seed" in err
    assert "Traceback" not in err


def test_missing_model_exits_2(tmp_path, capsys):
    status = cli.main(
        ["--model", str(tmp_path / "nope.keras"), "--out", str(tmp_path / "o")]
    )
    assert status == 2
    assert "No model file" in capsys.readouterr().err


def test_parity_failure_exits_1(gan_file, tmp_path, capsys, monkeypatch):
    litert = importlib.import_module("tfgan_lite.export.litert")
    real = litert.run_generate
    monkeypatch.setattr(
        litert,
        "run_generate",
        lambda *a, **k: real(*a, **k) + np.float32(1e-3),
    )
    out = tmp_path / "bad"
    status = _run("--model", str(gan_file), "--out", str(out))
    assert status == 1
    assert "parity check failed" in capsys.readouterr().err
    assert (out / "export_report.json").exists()


def test_help_and_module_entry_point(capsys):
    assert cli.main(["--help"]) == 0
    text = capsys.readouterr().out
    for flag in ("--model", "--out", "--quantize", "--uint8", "--[no]ema"):
        assert flag in text
    module = importlib.import_module("tfgan_lite.export.__main__")
    assert module.main is cli.main


def test_verbose_lets_the_converter_logs_through(monkeypatch):
    seen = []
    monkeypatch.setattr(pipeline, "run_export", seen.append)
    assert cli.main(["--model", "m.keras", "--out", "o"]) == 0
    assert cli.main(["--model", "m.keras", "--out", "o", "--verbose"]) == 0
    assert [c.converter_logs for c in seen] == [False, True]


def test_missing_litert_is_a_message_not_a_traceback(
    tmp_path, capsys, monkeypatch
):
    # A platform without a LiteRT wheel: importing ai_edge_litert fails.
    monkeypatch.setitem(sys.modules, "ai_edge_litert", None)
    # As in a fresh process: the modules that import it are not loaded.
    for name in ("litert", "compiled", "verify", "pipeline"):
        monkeypatch.delitem(sys.modules, f"tfgan_lite.export.{name}")
        monkeypatch.delattr(export, name)
    status = cli.main(["--model", "m.keras", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("tfgan-export: error: exporting needs LiteRT")
    assert "`pip install ai-edge-litert`" in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()


_NO_TENSORFLOW = """
import sys
from tfgan_lite.export import cli
status = cli.main(sys.argv[1:])
print(status, sorted(m for m in ("tensorflow", "keras") if m in sys.modules))
"""


@pytest.mark.parametrize(
    "args, message",
    [
        (["--model", "m.keras", "--out", "o", "--quantize", "int4"], "int4"),
        (["--out", "o"], "--model"),
    ],
)
def test_usage_errors_come_before_tensorflow(args, message):
    # The launch protocol: the command module imports without TensorFlow
    # and checks its flags before starting it (the behaviour behind a
    # usage error reported in well under 2 s).
    done = subprocess.run(
        [sys.executable, "-c", _NO_TENSORFLOW, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.split("\n")[0] == "2 []"
    assert done.stderr.startswith("tfgan-export: error: ")
    assert message in done.stderr and "Traceback" not in done.stderr
