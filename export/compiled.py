"""LiteRT's CompiledModel API, the runtime that apps and litert-benchmark use.

LiteRT 2 recommends ``CompiledModel`` over the classic ``Interpreter``: it
compiles the graph once for an accelerator (here the CPU, through XNNPACK)
and runs it on tensor buffers. The export checks every ``.tflite`` file
through both, with the same limits, because a file that the Interpreter
runs is not proven to run in an app.

ai-edge-litert 2.x has it in Python as
``ai_edge_litert.compiled_model.CompiledModel`` (``from_file``,
``create_input_buffer_by_name``, ``run_by_name``); older releases have no
Python binding, and :func:`unavailable_reason` then says so.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib import metadata

import numpy as np

from tfgan_lite.export import litert

__all__ = [
    "CompiledRunner",
    "litert_version",
    "unavailable_reason",
]


def litert_version() -> str:
    """The installed ai-edge-litert version, or "unknown"."""
    try:
        return metadata.version("ai-edge-litert")
    except metadata.PackageNotFoundError:
        return "unknown"


def unavailable_reason() -> str | None:
    """Why CompiledModel cannot be used here; None when it can."""
    try:
        from ai_edge_litert import compiled_model  # noqa: F401
    except ImportError as e:
        return f"not available in ai-edge-litert {litert_version()} ({e})"
    return None


class CompiledRunner:
    """One signature of a ``.tflite`` file, compiled for the CPU.

    Args:
        path: The ``.tflite`` file.
        signature: The signature to run (``generate`` or ``translate``).
        num_threads: CPU threads (XNNPACK), as for the Interpreter.

    Raises:
        ImportError: If ai-edge-litert has no CompiledModel.
        RuntimeError, ValueError: If LiteRT refuses the file.
    """

    def __init__(
        self, path: str | os.PathLike[str], signature: str, *, num_threads: int
    ):
        from ai_edge_litert.compiled_model import CompiledModel
        from ai_edge_litert.hardware_accelerator import HardwareAccelerator
        from ai_edge_litert.options import CpuOptions, Options

        options = Options(
            hardware_accelerators=HardwareAccelerator.CPU,
            cpu_options=CpuOptions(num_threads=num_threads),
        )
        self._model = CompiledModel.from_file(os.fspath(path), options=options)
        self.signature = signature
        self.inputs = self._model.get_input_tensor_details(signature)
        self.outputs = self._model.get_output_tensor_details(signature)
        self._in = {
            name: self._model.create_input_buffer_by_name(signature, name)
            for name in self.inputs
        }
        self._out = {
            name: self._model.create_output_buffer_by_name(signature, name)
            for name in self.outputs
        }
        first = next(iter(self.inputs))
        self.batch_size = int(self.inputs[first]["shape"][0])

    def write(self, feeds: dict[str, np.ndarray]) -> None:
        """Copies one batch of inputs into the input buffers."""
        for name, value in feeds.items():
            dtype = np.dtype(self.inputs[name]["dtype"])
            self._in[name].write(np.ascontiguousarray(value, dtype))

    def invoke(self) -> None:
        """Runs the signature on the buffers' current inputs."""
        self._model.run_by_name(self.signature, self._in, self._out)

    def read(self) -> dict[str, np.ndarray]:
        """The output buffers as arrays of their declared shapes."""
        out = {}
        for name, details in self.outputs.items():
            shape = [int(d) for d in details["shape"]]
            flat = self._out[name].read(
                int(np.prod(shape)), np.dtype(details["dtype"])
            )
            out[name] = flat.reshape(shape)
        return out

    def run(self, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Runs any number of rows, fed in the file's fixed batch size.

        Args:
            feeds: Inputs by signature name, each with N rows; the last
                batch is padded as ``litert.pad_batch`` does.

        Returns:
            Every output, N rows each.
        """
        first = next(iter(feeds))
        n, batch = len(feeds[first]), self.batch_size
        parts: dict[str, list[np.ndarray]] = {}
        for i in range(0, n, batch):
            rows = min(batch, n - i)
            self.write(
                {
                    k: litert.pad_batch(v[i : i + rows], batch)
                    for k, v in feeds.items()
                }
            )
            self.invoke()
            for name, value in self.read().items():
                parts.setdefault(name, []).append(value[:rows])
        return {name: np.concatenate(p) for name, p in parts.items()}

    def timed_call(self, feeds: dict[str, np.ndarray]) -> Callable[[], None]:
        """A call that runs one batch of ``feeds``, for timing.

        It copies the inputs in and the outputs out, as the Interpreter's
        signature runner does, so the two latencies compare like for like.
        """

        def call() -> None:
            self.write(feeds)
            self.invoke()
            self.read()

        return call
