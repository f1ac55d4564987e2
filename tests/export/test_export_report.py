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
    assert "vs Keras (limit 1e-05) |" in rows["float32"]
    for variant in set(rows) - {"float32"}:
        assert "| ok: SNR " in rows[variant], rows[variant]
        assert " dB vs float32 (floor " in rows[variant]
