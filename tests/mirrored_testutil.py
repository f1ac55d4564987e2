"""Runs a ``tests/scripts`` comparison of MirroredStrategy and one device.

Each script trains the same model twice, on two CPU replicas and on one
device, in a fresh process (the logical devices must be set before
TensorFlow starts) and prints one ``RESULT {json}`` line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPTS = Path(__file__).parent / "scripts"


def mirrored_result(script: str, *args: str, timeout: int = 300) -> dict:
    """Runs ``tests/scripts/<script>`` and returns its ``RESULT`` object."""
    proc = subprocess.run(
        [sys.executable, str(SCRIPTS / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [s for s in proc.stdout.splitlines() if s.startswith("RESULT ")]
    assert lines, proc.stdout[-3000:]
    return json.loads(lines[-1][len("RESULT ") :])
