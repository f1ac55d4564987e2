"""The verification report: JSON contents, PSNR, latency, parity failure."""

import json
import math

import numpy as np
import pytest
from export_testutil import NUM_VERIFY, latents, small_gan

from tfgan_lite import export

FILE_KEYS = {
    "path",
    "format",
    "variant",
    "size_bytes",
    "max_abs_error",
    "psnr_db",
    "latency_ms",
    "latency_batch_size",
    "inputs",
    "outputs",
    "max_abs_error_vs_float32",
    "psnr_db_vs_float32",
    "parity_tolerance",
    "operators",
    "passed",
}


@pytest.fixture(scope="module")
def report_json(full_export):
    out, _ = full_export
    return json.loads((out / "export_report.json").read_text())


def test_report_json_keys_and_files(full_export, report_json):
    out, report = full_export
    assert report_json == report.to_dict()
    assert set(report_json) == {
        "source",
        "out_dir",
        "created",
        "machine",
        "generator",
        "output",
        "peak",
        "verification",
        "latency",
        "files",
        "passed",
    }
    assert report_json["passed"] is True
    assert report_json["output"] == "float" and report_json["peak"] == 2.0
    assert report_json["generator"]["weights"] == "ema"
    assert report_json["verification"]["num_latents"] == NUM_VERIFY
    assert report_json["latency"]["runs"] == 2
    assert report_json["latency"]["statistic"] == "median"
    assert set(report_json["machine"]) == {"cpu", "cores", "system"}
    paths = [f["path"] for f in report_json["files"]]
    assert paths == [
        "saved_model",
        "generator_float32.tflite",
        "generator_float16.tflite",
        "generator_int8.tflite",
        "generator_int8_full.tflite",
    ]
    for entry in report_json["files"]:
        assert set(entry) == FILE_KEYS
        assert entry["latency_ms"] > 0 and entry["latency_batch_size"] == 1
        path = out / entry["path"]
        if entry["format"] == "tflite":
            assert entry["size_bytes"] == path.stat().st_size
        else:
            total = sum(
                p.stat().st_size for p in path.rglob("*") if p.is_file()
            )
            assert entry["size_bytes"] == total
    by_variant = {f["path"]: f for f in report_json["files"]}
    for name in ("saved_model", "generator_float32.tflite"):
        assert by_variant[name]["parity_tolerance"] == 1e-5
        assert by_variant[name]["max_abs_error"] <= 1e-5
        assert by_variant[name]["max_abs_error_vs_float32"] is None
    for name in ("generator_float16.tflite", "generator_int8_full.tflite"):
        assert by_variant[name]["parity_tolerance"] is None
        assert by_variant[name]["max_abs_error_vs_float32"] > 0
    tflite_io = by_variant["generator_float32.tflite"]
    assert tflite_io["inputs"] == [
        {
            "name": "z",
            "shape": [1, 32],
            "dtype": "float32",
            "tensor_name": "generate_z:0",
        }
    ]
    assert tflite_io["outputs"][0]["name"] == "images"
    assert tflite_io["outputs"][0]["shape"] == [1, 28, 28, 1]
    assert "TRANSPOSE_CONV" in tflite_io["operators"]
    assert by_variant["saved_model"]["inputs"][0]["shape"] == [None, 32]


def test_psnr_and_error_recomputed_by_hand(full_export, gan, report_json):
    out, _ = full_export
    z = latents(NUM_VERIFY, seed=0)
    reference = gan.ema_generator(z, training=False).numpy().astype(np.float64)
    interpreter = export.load_interpreter(out / "generator_float16.tflite")
    got = export.run_generate(interpreter, z).astype(np.float64)
    mse = np.mean((got - reference) ** 2)
    by_hand = 10 * math.log10(2.0**2 / mse)
    entry = next(f for f in report_json["files"] if f["variant"] == "float16")
    assert entry["psnr_db"] == pytest.approx(by_hand, rel=1e-9)
    assert entry["max_abs_error"] == pytest.approx(
        np.abs(got - reference).max(), rel=1e-9
    )


def test_psnr_formula():
    a = np.zeros((4, 4), np.float32)
    b = np.full((4, 4), 0.1, np.float32)
    # 10 log10(2^2 / 0.01) = 26.0206 dB.
    assert export.psnr(b, a, peak=2.0) == pytest.approx(26.0206, abs=1e-4)
    c = np.full((4, 4), 10, np.uint8)
    d = np.full((4, 4), 12, np.uint8)
    assert export.psnr(c, d, peak=255) == pytest.approx(
        10 * math.log10(255**2 / 4)
    )
    assert export.psnr(a, a, peak=2.0) == math.inf
    assert export.max_abs_error(d, c) == 2.0  # no uint8 wrap-around
    with pytest.raises(ValueError, match="shape"):
        export.psnr(a, a[:2], peak=2.0)


def test_infinite_psnr_is_null_in_json(tmp_path):
    entry = export.FileReport(
        path="x",
        format="tflite",
        variant="float32",
        size_bytes=1,
        max_abs_error=0.0,
        psnr_db=math.inf,
        latency_ms=1.0,
        latency_batch_size=1,
        inputs=[],
        outputs=[],
        parity_tolerance=1e-5,
    )
    assert entry.to_dict()["psnr_db"] is None
    assert entry.to_dict()["passed"] is True


def test_latency_median_counts_runs():
    calls = []
    ms = export.metrics.median_latency_ms(
        lambda: calls.append(1), runs=5, warmup=3
    )
    assert len(calls) == 8 and ms >= 0
    with pytest.raises(ValueError, match="runs"):
        export.metrics.median_latency_ms(lambda: None, runs=0)


def test_text_report_is_a_table(full_export):
    _, report = full_export
    text = report.to_text()
    assert "| file | variant | size (bytes) |" in text
    assert "median of 2 runs" in text
    for f in report.files:
        assert f"| {f.path} | {f.variant} |" in text


def test_parity_failure_raises_and_keeps_report(tmp_path, monkeypatch):
    real = export.litert.run_generate

    def off_by_1e_3(*args, **kwargs):
        return real(*args, **kwargs) + 1e-3

    monkeypatch.setattr(export.litert, "run_generate", off_by_1e_3)
    config = export.ExportConfig(
        model=small_gan(seed=1),
        out_dir=tmp_path / "bad",
        formats=("tflite",),
        num_verify=2,
        latency_runs=1,
        verbose=False,
    )
    with pytest.raises(export.ParityError, match="generator_float32.tflite"):
        export.run_export(config)
    saved = json.loads((tmp_path / "bad" / "export_report.json").read_text())
    assert saved["passed"] is False
    assert saved["files"][0]["max_abs_error"] == pytest.approx(1e-3, rel=0.01)
