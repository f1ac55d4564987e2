"""The loop of a test worker: one JSON request a line in, one reply out.

A worker imports TensorFlow once and then answers many requests, so the
tests that need a separate process pay for its start once. Replies go
out on a private copy of stdout; the handled code's prints (and
TensorFlow's C++ logs) go to stderr, which the client reads to explain a
failure.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable


def serve(handle: Callable[..., object]) -> None:
    """Replies ``{"result": handle(**request)}`` or ``{"error": traceback}``.

    Returns when stdin closes, i.e. when the client is gone.
    """
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    for line in sys.stdin:
        try:
            reply = {"result": handle(**json.loads(line))}
        except Exception:
            reply = {"error": traceback.format_exc()}
        sys.stdout.flush()
        sys.stderr.flush()
        replies.write(json.dumps(reply) + "\n")
        replies.flush()
