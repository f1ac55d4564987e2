"""A long-lived Python process that answers a test's requests.

Starting TensorFlow takes seconds (tens on a loaded machine), so tests
that need a process of their own (two logical CPUs, README code run as a
new user runs it) share one worker: a script of ``tests/scripts`` whose
main loop is ``serve.serve``. A worker that dies or times out is
replaced by a fresh one at the next request.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

SCRIPTS = Path(__file__).parent / "scripts"


class WorkerError(AssertionError):
    """A request that raised in the worker, timed out or killed it."""


class Worker:
    """Runs ``tests/scripts/<script>`` and sends it one request at a time.

    Args:
        script: The worker's file name in ``tests/scripts``.
        env: Extra environment variables of the worker.
    """

    def __init__(self, script: str, env: dict[str, str] | None = None):
        self._command = [sys.executable, str(SCRIPTS / script)]
        self._env = {**os.environ, **(env or {})}
        self._proc: subprocess.Popen | None = None
        atexit.register(self.close)

    def _start(self) -> None:
        self._log = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(
            self._command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=self._env,
            text=True,
        )
        self._replies: queue.Queue[str] = queue.Queue()
        threading.Thread(
            target=_forward,
            args=(self._proc.stdout, self._replies),
            daemon=True,
        ).start()

    def _output_since(self, offset: int) -> str:
        self._log.seek(offset)
        return self._log.read().decode("utf-8", "replace")

    def ask(self, timeout: float, **request) -> tuple[object, str]:
        """Sends ``request``; returns the result and the output it printed.

        Raises:
            WorkerError: With the worker's traceback and output when the
                request raised, the worker exited or ``timeout`` seconds
                passed.
        """
        if self._proc is None or self._proc.poll() is not None:
            self._start()
        offset = self._log.seek(0, os.SEEK_END)
        self._proc.stdin.write(json.dumps(request) + "\n")
        self._proc.stdin.flush()
        try:
            line = self._replies.get(timeout=timeout)
        except queue.Empty:
            self.close(kill=True)
            raise WorkerError(
                f"no reply in {timeout} s to {request}\n"
                f"output:\n{self._output_since(offset)[-3000:]}"
            ) from None
        if not line:
            code = self._proc.wait()
            self._proc = None
            raise WorkerError(
                f"the worker exited ({code}) on {request}\n"
                f"output:\n{self._output_since(offset)[-3000:]}"
            )
        reply = json.loads(line)
        output = self._output_since(offset)
        if "error" in reply:
            raise WorkerError(
                f"{request} raised:\n{reply['error']}\n"
                f"output:\n{output[-3000:]}"
            )
        return reply["result"], output

    def close(self, kill: bool = False) -> None:
        """Stops the worker; the next request starts a new one."""
        if self._proc is None:
            return
        if not kill:
            self._proc.stdin.close()  # the worker's loop ends
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                kill = True
        if kill:
            self._proc.kill()
            self._proc.wait()
        self._proc = None


def _forward(stream, replies: queue.Queue) -> None:
    for line in stream:
        replies.put(line)
    replies.put("")
