"""Headless Chromium for the page tests, driven by Playwright for Python.

The browser is the system's Chromium (Debian's ``chromium`` package, or
``$CHROMIUM``); Playwright only drives it and never downloads one. The
flags keep Chromium off the network: a test machine reaches only
localhost.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NODE_MODULES = REPO / "node_modules"

_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_path() -> str | None:
    """The system Chromium, or None."""
    named = os.environ.get("CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def skip_reason(*, litertjs: bool = False) -> str | None:
    """Why the page tests cannot run here, or None when they can."""
    if chromium_path() is None:
        return (
            "no Chromium (apt-get install chromium, or set $CHROMIUM); "
            ".ci/run installs it"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "no Playwright for Python (pip install playwright)"
    if litertjs and not (NODE_MODULES / "@litertjs/core").is_dir():
        return "no LiteRT.js (npm ci in the repository root)"
    return None


@contextlib.contextmanager
def browser() -> Iterator:
    """A headless Chromium, closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=chromium_path(), headless=True, args=list(_FLAGS)
        )
        try:
            yield chromium
        finally:
            chromium.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # The tests' output stays readable.
        pass


@contextlib.contextmanager
def serve(directory: str | os.PathLike[str]) -> Iterator[str]:
    """Serves ``directory`` on a free localhost port; yields its URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def tensorboard(
    logdir: str | os.PathLike[str], *, timeout: float = 120.0
) -> Iterator[str]:
    """Runs ``tensorboard --logdir`` on a free localhost port; yields its URL.

    Raises:
        RuntimeError: If it does not answer within ``timeout`` seconds.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "tensorboard.main",
        f"--logdir={logdir}",
        f"--port={port}",
        "--host=127.0.0.1",
        "--load_fast=false",
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{url}/data/runs", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "tensorboard did not answer: "
                        + process.stderr.read().decode(errors="replace")[-2000:]
                        if process.poll() is not None
                        else f"tensorboard did not answer in {timeout} s"
                    ) from None
                time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
