"""Every LiteRT file checked and timed through LiteRT's CompiledModel too."""

import numpy as np
import pytest
from export_testutil import LATENT, latents

from tfgan_lite import export
from tfgan_lite.export import compiled, verify

TFLITE = (
    "generator_float32.tflite",
    "generator_float16.tflite",
    "generator_int8.tflite",
    "generator_int8_full.tflite",
)


def test_compiled_model_runs_like_the_interpreter(full_export):
    out, _ = full_export
    z = latents(5, seed=3)
    for name in TFLITE:
        runner = compiled.CompiledRunner(out / name, "generate", num_threads=1)
        assert runner.batch_size == 1
        assert list(runner.inputs) == ["z"]
        assert list(runner.inputs["z"]["shape"]) == [1, LATENT]
        got = runner.run({"z": z})["images"]
        expected = export.run_generate(export.load_interpreter(out / name), z)
        assert got.shape == (5, 28, 28, 1) and got.dtype == np.float32
        np.testing.assert_allclose(got, expected, atol=1e-6, rtol=0)


def test_report_holds_compiled_model_to_the_same_limits(full_export):
    _, report = full_export
    assert "CompiledModel" in report.latency["compiled_model"]
    for name in TFLITE:
        entry = report.file(name)
        check = entry.compiled_model
        assert check.status == "ok" and check.reason is None
        assert check.latency_ms > 0
        assert check.max_abs_diff_vs_interpreter <= 1e-6
        assert check.max_abs_error == pytest.approx(
            entry.max_abs_error, abs=1e-6
        )
        if entry.variant == "float32":
            assert check.max_abs_error <= entry.parity_tolerance
            assert check.snr_db_vs_float32 is None
        else:
            assert check.snr_db_vs_float32 >= entry.min_snr_db_vs_float32
    assert report.file("saved_model").compiled_model is None
    text = report.to_text()
    assert "| CompiledModel (ms) | CompiledModel vs Interpreter |" in text
    assert "CompiledModel: ai_edge_litert.compiled_model" in text


def _entry(check):
    return export.FileReport(
        path="generator_float32.tflite",
        format="tflite",
        variant="float32",
        size_bytes=1,
        max_abs_error=0.0,
        psnr_db=float("inf"),
        latency_ms=1.0,
        latency_batch_size=1,
        inputs=[],
        outputs=[],
        parity_tolerance=1e-5,
        compiled_model=check,
    )


def test_a_refused_or_wrong_compiled_run_fails_the_file():
    refused = _entry(
        export.CompiledModelCheck(status="refused", reason="RuntimeError: x")
    )
    assert refused.problems() == ["CompiledModel refused: RuntimeError: x"]
    wrong = _entry(
        export.CompiledModelCheck(
            status="ok",
            max_abs_error=0.5,
            max_abs_diff_vs_interpreter=0.5,
            latency_ms=1.0,
        )
    )
    assert wrong.problems() == ["CompiledModel max abs error 0.5 > 1e-05"]
    row = _row(wrong)
    assert "| 1.000 | max diff 0.5 |" in row and "FAILED" in row
    missing = _entry(
        export.CompiledModelCheck(
            status="not available", reason="not available in ai-edge-litert 1"
        )
    )
    assert missing.passed
    assert "| - | not available |" in _row(missing)
    assert missing.to_dict()["compiled_model"]["status"] == "not available"


def _row(entry) -> str:
    report = verify.ExportReport(
        source="s",
        out_dir="o",
        created="c",
        machine={"cpu": "cpu", "cores": 1},
        generator={
            "latent_dim": 1,
            "sample_shape": [1],
            "conditional": False,
            "weights": "generator",
        },
        output="float",
        peak=2.0,
        verification={"num_latents": 1, "seed": 0},
        latency={"runs": 1, "warmup": 0, "num_threads": 1},
        files=[entry],
    )
    return report.to_text().splitlines()[-1]


def test_without_compiled_model_the_report_says_so(tmp_path, monkeypatch):
    reason = "not available in ai-edge-litert 1.0.0"
    monkeypatch.setattr(compiled, "unavailable_reason", lambda: reason)
    from export_testutil import quick_config

    report = export.run_export(quick_config(tmp_path, formats="tflite"))
    (entry,) = report.files
    assert entry.compiled_model.status == "not available"
    assert entry.compiled_model.reason == reason
    assert report.passed
    assert f"CompiledModel: {reason}" in report.to_text()
