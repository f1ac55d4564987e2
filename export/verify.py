"""Checks exported files against the Keras generator, and times them.

The reference is the Keras generator itself (``training=False``) on
``num_verify`` latents from ``numpy.random.default_rng(verify_seed)
.standard_normal``, in float32, with labels ``arange(n) % num_classes``
for a conditional generator. Each file is run on the same inputs and gets
a :class:`~tfgan_lite.export.FileReport`: the largest absolute error, the
PSNR, the median latency of a one-batch call, and its inputs and outputs.

Only float32 files are held to a bound, the config's
``parity_tolerance`` (``UINT8_PARITY_TOLERANCE`` for uint8 output); the
quantized LiteRT variants are also compared with the float32 file, and
reported without a bound.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from tfgan_lite.export import litert, loading, measures
from tfgan_lite.export import saved_model as saved_model_lib
from tfgan_lite.export.config import ExportConfig
from tfgan_lite.export.report import ExportReport, FileReport

__all__ = [
    "UINT8_PARITY_TOLERANCE",
    "ParityError",
    "Verifier",
    "check_parity",
]

# A float error far below 1e-5 can still move a value across a rounding
# boundary (k + 0.5) / 127.5 - 1, so uint8 outputs may differ by one level.
UINT8_PARITY_TOLERANCE = 1.0


class ParityError(RuntimeError):
    """A float32 export does not match the Keras generator.

    Attributes:
        report: The full report (also written as JSON).
    """

    def __init__(self, message: str, report: ExportReport):
        super().__init__(message)
        self.report = report


class Verifier:
    """Compares exported files with the Keras reference and times them.

    Args:
        spec: The exported generator, which gives the reference outputs.
        config: The export's settings (latents, seed, uint8, tolerance,
            latency runs and threads).
    """

    def __init__(self, spec: loading.GeneratorSpec, config: ExportConfig):
        self.spec = spec
        self.config = config
        rng = np.random.default_rng(config.verify_seed)
        z = rng.standard_normal((config.num_verify, spec.latent_dim))
        self.z = z.astype(np.float32)
        self.label = spec.default_labels(config.num_verify)
        reference = np.asarray(spec(self.z, self.label))
        if config.uint8:
            reference = saved_model_lib.to_uint8_numpy(reference)
        self.reference = reference
        if config.uint8:
            self.peak = measures.UINT8_PEAK
            self.tolerance = UINT8_PARITY_TOLERANCE
        else:
            self.peak = measures.FLOAT_PEAK
            self.tolerance = config.parity_tolerance
        self._float32_out = None

    def new_report(self, out_dir: str | os.PathLike[str]) -> ExportReport:
        """An empty report: what is exported and how it is checked."""
        spec, config = self.spec, self.config
        # timezone.utc, not datetime.UTC: python_requires is >= 3.10.
        now = datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017
        return ExportReport(
            source=spec.source,
            out_dir=str(out_dir),
            created=now.isoformat(timespec="seconds"),
            machine=measures.machine_description(),
            generator={
                "latent_dim": spec.latent_dim,
                "sample_shape": list(spec.sample_shape),
                "conditional": spec.conditional,
                "num_classes": spec.num_classes,
                "weights": spec.weights,
            },
            output="uint8" if config.uint8 else "float",
            peak=self.peak,
            verification={
                "num_latents": config.num_verify,
                "seed": config.verify_seed,
                "latents": "numpy default_rng(seed).standard_normal, float32",
                "labels": (
                    "arange(n) % num_classes" if spec.conditional else None
                ),
                "reference": "Keras generator, training=False",
            },
            latency={
                "runs": config.latency_runs,
                "warmup": config.latency_warmup,
                "statistic": "median",
                "num_threads": config.num_threads,
            },
        )

    def _latency(self, fn: Callable[[], Any]) -> float:
        return measures.median_latency_ms(
            fn, runs=self.config.latency_runs, warmup=self.config.latency_warmup
        )

    def saved_model(self, path: Path, out: Path) -> FileReport:
        """Checks and times the ``generate`` signature of a SavedModel.

        Args:
            path: The SavedModel directory.
            out: The export directory, for the entry's relative path.

        Returns:
            The file's entry, held to the parity tolerance.
        """
        loaded = tf.saved_model.load(str(path))
        fn = loaded.signatures[saved_model_lib.GENERATE]
        feeds = {saved_model_lib.LATENT: tf.constant(self.z)}
        one = {saved_model_lib.LATENT: tf.constant(self.z[:1])}
        if self.label is not None:
            feeds[saved_model_lib.LABEL] = tf.constant(self.label)
            one[saved_model_lib.LABEL] = tf.constant(self.label[:1])
        result = fn(**feeds)[saved_model_lib.IMAGES].numpy()
        inputs = fn.structured_input_signature[1]
        outputs = fn.structured_outputs
        return FileReport(
            path=path.relative_to(out).as_posix(),
            format="saved_model",
            variant="float32",
            size_bytes=_directory_size(path),
            max_abs_error=measures.max_abs_error(result, self.reference),
            psnr_db=measures.psnr(result, self.reference, peak=self.peak),
            latency_ms=self._latency(lambda: fn(**one)),
            latency_batch_size=1,
            inputs=[
                _tensor_info(k, s.shape.as_list(), s.dtype.as_numpy_dtype)
                for k, s in sorted(inputs.items())
            ],
            outputs=[
                _tensor_info(k, s.shape.as_list(), s.dtype.as_numpy_dtype)
                for k, s in sorted(outputs.items())
            ],
            parity_tolerance=self.tolerance,
        )

    def tflite(self, path: Path, out: Path, variant: str) -> FileReport:
        """Checks and times one LiteRT file.

        Check the float32 file first: the variants after it are compared
        with its outputs too.

        Args:
            path: The ``.tflite`` file.
            out: The export directory, for the entry's relative path.
            variant: The file's variant; only float32 is held to the
                parity tolerance.

        Returns:
            The file's entry.
        """
        interpreter = litert.load_interpreter(
            path, num_threads=self.config.num_threads
        )
        result = litert.run_generate(interpreter, self.z, label=self.label)
        runner = interpreter.get_signature_runner(saved_model_lib.GENERATE)
        in_details = runner.get_input_details()
        batch = int(in_details[saved_model_lib.LATENT]["shape"][0])
        feeds = {
            saved_model_lib.LATENT: litert.pad_batch(self.z[:batch], batch),
        }
        if self.label is not None:
            feeds[saved_model_lib.LABEL] = litert.pad_batch(
                self.label[:batch], batch
            )
        content = path.read_bytes()
        entry = FileReport(
            path=path.relative_to(out).as_posix(),
            format="tflite",
            variant=variant,
            size_bytes=len(content),
            max_abs_error=measures.max_abs_error(result, self.reference),
            psnr_db=measures.psnr(result, self.reference, peak=self.peak),
            latency_ms=self._latency(lambda: runner(**feeds)),
            latency_batch_size=batch,
            inputs=[
                _tensor_info(k, d["shape"], d["dtype"], d["name"])
                for k, d in sorted(in_details.items())
            ],
            outputs=[
                _tensor_info(k, d["shape"], d["dtype"], d["name"])
                for k, d in sorted(runner.get_output_details().items())
            ],
            operators=sorted({o.name for o in litert.list_operators(content)}),
        )
        if variant == "float32":
            entry.parity_tolerance = self.tolerance
            self._float32_out = result
        elif self._float32_out is not None:
            entry.max_abs_error_vs_float32 = measures.max_abs_error(
                result, self._float32_out
            )
            entry.psnr_db_vs_float32 = measures.psnr(
                result, self._float32_out, peak=self.peak
            )
        return entry


def check_parity(report: ExportReport, json_path: Path) -> None:
    """Raises ParityError if a file of ``report`` breaks its tolerance.

    Args:
        report: The finished report.
        json_path: Where it was written, named in the message.

    Raises:
        ParityError: If ``report.passed`` is False.
    """
    if report.passed:
        return
    lines = [
        f"{f.path}: max abs error {f.max_abs_error:.3g} > "
        f"{f.parity_tolerance:g}"
        for f in report.failures()
    ]
    raise ParityError(
        "Float32 parity check failed against the Keras generator:\n  "
        + "\n  ".join(lines)
        + f"\nThe files and {json_path} were kept for inspection. A "
        "float32 export should match to about 1e-6; report this with "
        "the generator's layers.",
        report,
    )


def _directory_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _tensor_info(name: str, shape, dtype, tensor_name=None) -> dict:
    info = {
        "name": name,
        "shape": [None if d is None or d < 0 else int(d) for d in shape],
        "dtype": np.dtype(dtype).name,
    }
    if tensor_name is not None:
        info["tensor_name"] = tensor_name
    return info
