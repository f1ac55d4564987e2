"""The verification report: JSON contents and the markdown table."""

import math

from export_testutil import NUM_VERIFY

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
    "uint8_max_abs_error",
    "uint8_parity_tolerance",
    "snr_db_vs_float32",
    "min_snr_db_vs_float32",
    "compiled_model",
    "passed",
    "exported",
}


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
        "model_sha256",
        "web_sampler",
        "not_covered",
    }
    # A model in memory has no file to fingerprint; no page, no strays.
    assert report_json["model_sha256"] is None
    assert report_json["web_sampler"] is None
    assert report_json["not_covered"] == []
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
        # Each file was written and checked by this export.
        assert entry["exported"] == report_json["created"]
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


def test_text_report_is_a_table(full_export):
    _, report = full_export
    text = report.to_text()
    assert "| file | variant | size (bytes) |" in text
    assert "median of 2 runs" in text
    for f in report.files:
        assert f"| {f.path} | {f.variant} |" in text
    # Each row says what was checked against which limit, quantized rows
    # included: their SNR against the float32 file and its floor.
    rows = {
        f.variant: line
        for f in report.files
        for line in text.splitlines()
        if line.startswith(f"| {f.path} |")
    }
    assert "| ok: max abs err " in rows["float32"]
    assert "vs Keras <= 1e-05 limit |" in rows["float32"]
    for variant in set(rows) - {"float32"}:
        assert "| ok: SNR " in rows[variant], rows[variant]
        # The criterion stands beside the verdict, and why a quantized
        # file's larger error against Keras does not fail it.
        assert " dB vs float32 >= 5 dB floor (" in rows[variant]
        assert "error vs Keras is measured, not limited) |" in rows[variant]


def _entry(**fields):
    base = dict(
        path="generator_int8_full.tflite",
        format="tflite",
        variant="int8_full",
        size_bytes=1,
        max_abs_error=1.87,
        psnr_db=18.6,
        latency_ms=1.0,
        latency_batch_size=1,
        inputs=[],
        outputs=[],
    )
    return export.FileReport(**{**base, **fields})


def test_verdict_states_the_criterion_beside_it():
    # The case: a large error against Keras, yet "ok" because a
    # quantized file is held to its SNR against the float32 file.
    quantized = _entry(snr_db_vs_float32=12.34, min_snr_db_vs_float32=5.0)
    assert quantized.verdict() == (
        "ok: SNR 12.3 dB vs float32 >= 5 dB floor (int8_full is quantized: "
        "its error vs Keras is measured, not limited)"
    )
    broken = _entry(snr_db_vs_float32=-3.0, min_snr_db_vs_float32=5.0)
    assert broken.verdict().startswith(
        "FAILED: SNR -3.0 dB vs float32 < 5 dB floor ("
    )
    exact = _entry(
        variant="float32", max_abs_error=4.5e-8, parity_tolerance=1e-5
    )
    assert exact.verdict() == "ok: max abs err 4.5e-08 vs Keras <= 1e-05 limit"
    off = _entry(variant="float32", max_abs_error=2e-3, parity_tolerance=1e-5)
    assert off.verdict() == "FAILED: max abs err 0.002 vs Keras > 1e-05 limit"
    assert _entry().verdict() == "measured only (no limit)"


def test_file_entries_read_back_from_json(full_export, report_json):
    _, report = full_export
    for entry, data in zip(report.files, report_json["files"], strict=True):
        again = export.FileReport.from_dict(data)
        assert again == entry
        assert again.to_dict() == data
