"""Runs a ``tests/scripts`` comparison of MirroredStrategy and one device.

Each script trains the same model twice, on two CPU replicas and on one
device. The logical devices must be set before TensorFlow starts, so the
comparisons run outside the test process: all of them in one worker
(``scripts/mirrored_worker.py``), which starts TensorFlow once.
"""

from __future__ import annotations

from worker_testutil import Worker

_WORKER = Worker("mirrored_worker.py")


def mirrored_result(script: str, *args: str, timeout: int = 300) -> dict:
    """``tests/scripts/<script>``'s ``compare(*args)``, run in the worker."""
    result, _ = _WORKER.ask(timeout, script=script, args=list(args))
    return result
