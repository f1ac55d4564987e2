"""Error measures, latency and a machine description for export reports.

PSNR follows the usual definition, ``10 * log10(peak**2 / MSE)`` in dB,
where ``peak`` is the peak-to-peak range of the signal: 2.0 for float
samples in [-1, 1] and 255 for uint8 pixels. Identical outputs have
MSE 0 and an infinite PSNR. :func:`snr` divides by the reference's own
variance instead, so it does not flatter low-contrast outputs.
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from tfgan_lite._validation import check_float, check_int

__all__ = [
    "FLOAT_PEAK",
    "UINT8_PEAK",
    "machine_description",
    "max_abs_error",
    "median_latency_ms",
    "psnr",
    "snr",
]

FLOAT_PEAK = 2.0
UINT8_PEAK = 255.0


def max_abs_error(actual: Any, expected: Any) -> float:
    """Largest absolute difference, computed in float64.

    Args:
        actual: Array of outputs under test.
        expected: Reference array of the same shape.

    Returns:
        ``max |actual - expected|`` (in pixel levels for uint8 arrays).

    Raises:
        ValueError: If the shapes differ.

    Example:
        >>> max_abs_error(np.array([10, 200], np.uint8), [12, 198])
        2.0
    """
    a, e = _pair(actual, expected)
    return float(np.max(np.abs(a - e))) if a.size else 0.0


def psnr(actual: Any, expected: Any, *, peak: float) -> float:
    """Peak signal-to-noise ratio in dB: ``10 log10(peak^2 / MSE)``.

    Args:
        actual: Array of outputs under test.
        expected: Reference array of the same shape.
        peak: Peak-to-peak range of the signal (2.0 for [-1, 1] floats,
            255 for uint8).

    Returns:
        The PSNR in dB; ``math.inf`` when the arrays are equal.

    Raises:
        TypeError: If ``peak`` is not a number.
        ValueError: If the shapes differ or ``peak`` is not positive.

    Example:
        >>> round(psnr([0.1, -0.1], [0.0, 0.0], peak=2.0), 4)
        26.0206
    """
    peak = check_float(peak, "peak", low=0.0, low_closed=False)
    a, e = _pair(actual, expected)
    mse = float(np.mean((a - e) ** 2))
    if mse == 0.0:
        return math.inf
    return 10.0 * math.log10(peak**2 / mse)


def snr(actual: Any, expected: Any) -> float:
    """Signal-to-noise ratio in dB: ``10 log10(var(expected) / MSE)``.

    Args:
        actual: Array of outputs under test.
        expected: Reference array of the same shape.

    Returns:
        The SNR in dB: 0 when the error is as large as the reference's
        spread around its mean; ``math.inf`` when the arrays are equal;
        NaN for NaN inputs.

    Raises:
        ValueError: If the shapes differ.

    Example:
        >>> round(snr([1.1, -1.1], [1.0, -1.0]), 4)
        20.0
    """
    a, e = _pair(actual, expected)
    mse = float(np.mean((a - e) ** 2))
    if mse == 0.0:
        return math.inf
    variance = float(np.var(e))
    if variance == 0.0:
        return -math.inf
    return 10.0 * math.log10(variance / mse)


def _pair(actual: Any, expected: Any) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        raise ValueError(
            f"Cannot compare outputs of shape {a.shape} with a reference of "
            f"shape {e.shape}."
        )
    return a, e


def median_latency_ms(
    fn: Callable[[], Any], *, runs: int, warmup: int = 2
) -> float:
    """Median wall-clock time of ``fn()`` in milliseconds.

    Args:
        fn: The call to time; its result is discarded.
        runs: Timed calls (the median is over these); at least 1.
        warmup: Untimed calls first, to pay one-off costs (tracing,
            allocation, caches).

    Returns:
        The median of ``runs`` timings, in ms.

    Raises:
        TypeError: If ``runs`` or ``warmup`` is not an int.
        ValueError: If ``runs`` < 1 or ``warmup`` < 0.
    """
    runs = check_int(runs, "runs", minimum=1)
    warmup = check_int(warmup, "warmup", minimum=0)
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(times)


def machine_description() -> dict[str, Any]:
    """Describes this machine for reports.

    Returns:
        ``{"cpu": model name from /proc/cpuinfo (or platform), "cores":
        usable logical CPUs, "system": OS and architecture}``.
    """
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass  # Not Linux: keep the platform's answer.
    return {
        "cpu": cpu,
        # The CPUs this process may use, which containers often limit.
        "cores": (
            len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity")
            else os.cpu_count()
        ),
        "system": f"{platform.system()} {platform.machine()}",
    }
