"""Verification against the Keras generator: errors, PSNR, parity."""

import json
import math

import numpy as np
import pytest
from export_testutil import NUM_VERIFY, latents, quick_config, small_gan

from tfgan_lite import export


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


def test_uint8_reference_and_tolerance(tmp_path):
    gan = small_gan(seed=1)
    config = quick_config(tmp_path, model=gan, uint8=True, num_verify=3)
    verifier = export.verify.Verifier(export.resolve_generator(gan), config)
    z = latents(3, seed=0)
    np.testing.assert_array_equal(verifier.z, z)
    expected = export.to_uint8_numpy(gan.ema_generator(z, training=False))
    np.testing.assert_array_equal(verifier.reference, expected)
    assert verifier.reference.dtype == np.uint8
    assert verifier.peak == 255.0
    assert verifier.tolerance == export.verify.UINT8_PARITY_TOLERANCE == 1.0
