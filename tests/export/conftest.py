"""Session-scoped exports shared by the export tests.

Exports take seconds each, so the full four-variant export of one small
GAN is made once and read by the SavedModel, LiteRT and report tests.
"""

import json

import pytest
from export_testutil import LATENCY_RUNS, NUM_VERIFY, small_gan

from tfgan_lite import export


@pytest.fixture(scope="session")
def gan():
    return small_gan()


@pytest.fixture(scope="session")
def full_export(gan, tmp_path_factory):
    """All formats and variants of ``gan``; returns (out_dir, report)."""
    out = tmp_path_factory.mktemp("full_export")
    report = export.run_export(
        export.ExportConfig(
            model=gan,
            out_dir=out,
            quantize=("float16", "int8", "int8_full"),
            num_verify=NUM_VERIFY,
            latency_runs=LATENCY_RUNS,
            calibration_samples=32,
            verbose=False,
        )
    )
    return out, report


@pytest.fixture(scope="session")
def report_json(full_export):
    """The export_report.json of ``full_export``, as read back."""
    out, _ = full_export
    return json.loads((out / "export_report.json").read_text())
