"""Error measures, latency timing and the machine description."""

import math

import numpy as np
import pytest

from tfgan_lite import export


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


def test_latency_median_counts_runs():
    calls = []
    ms = export.measures.median_latency_ms(
        lambda: calls.append(1), runs=5, warmup=3
    )
    assert len(calls) == 8 and ms >= 0
    with pytest.raises(ValueError, match="runs"):
        export.measures.median_latency_ms(lambda: None, runs=0)


def test_machine_description_keys():
    machine = export.measures.machine_description()
    assert set(machine) == {"cpu", "cores", "system"}
    assert isinstance(machine["cpu"], str) and machine["cpu"]
    assert isinstance(machine["cores"], int) and machine["cores"] >= 1
