"""Checks exported files against the Keras generator, and times them.

The reference is the Keras generator itself (``training=False``) on
``num_verify`` latents from ``numpy.random.default_rng(verify_seed)
.standard_normal``, in float32, with labels ``arange(n) % num_classes``
for a conditional generator. Each file is run on the same inputs and gets
a :class:`~tfgan_lite.export.FileReport`: the largest absolute error, the
PSNR, the median latency of a one-batch call, and its inputs and outputs.

A CycleGAN generator is checked the same way on images instead of
latents: the first ``num_verify`` of the config's ``calibration_images``
when given (for F, G's translations of them), else images of uniform noise
in [-1, 1] from ``default_rng(verify_seed)``. Both of its outputs are
checked: ``translated`` against the Keras generator and
``translated_uint8`` against ``to_uint8`` of it.

float32 files are held to the config's ``parity_tolerance``
(``UINT8_PARITY_TOLERANCE`` for uint8 output). The quantized LiteRT
variants are compared with the float32 file and held to a floor,
``quantized_min_snr_db``: quantization costs precision, but a file far
below the floor computes something else. Transposed convolutions have
broken int8 conversions before (tensorflow/tensorflow#39720, #59922), and
this is the check that would catch such a file.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from tfgan_lite.export import compiled, litert, loading, measures
from tfgan_lite.export import saved_model as saved_model_lib
from tfgan_lite.export.config import ExportConfig
from tfgan_lite.export.report import (
    CompiledModelCheck,
    ExportReport,
    FileReport,
    ParityError,
)

__all__ = [
    "UINT8_PARITY_TOLERANCE",
    "ParityError",
    "Verifier",
    "check_parity",
    "new_report",
]

# A float error far below 1e-5 can still move a value across a rounding
# boundary (k + 0.5) / 127.5 - 1, so uint8 outputs may differ by one level.
UINT8_PARITY_TOLERANCE = 1.0


class Verifier:
    """Compares exported files with the Keras reference and times them.

    Args:
        spec: The exported generator, which gives the reference outputs.
        config: The export's settings (latents, seed, uint8, tolerance,
            latency runs and threads).
        images: A translator's verification inputs (its own domain, float32
            in [-1, 1]); the first ``num_verify`` are used. None draws
            uniform noise images. Ignored for generators.
    """

    def __init__(
        self,
        spec: loading.GeneratorSpec | loading.TranslatorSpec,
        config: ExportConfig,
        images: np.ndarray | None = None,
    ):
        self.spec = spec
        self.config = config
        self.signature = litert.signature_name(spec)
        rng = np.random.default_rng(config.verify_seed)
        self.reference_uint8 = None
        if isinstance(spec, loading.TranslatorSpec):
            if images is None:
                shape = (config.num_verify, *spec.image_shape)
                images = rng.uniform(-1.0, 1.0, shape)
            self.feeds = {
                saved_model_lib.IMAGES: images[: config.num_verify].astype(
                    np.float32
                )
            }
            self.output = saved_model_lib.TRANSLATED
            reference = np.asarray(spec(self.feeds[saved_model_lib.IMAGES]))
            self.reference_uint8 = saved_model_lib.to_uint8_numpy(reference)
        else:
            z = rng.standard_normal((config.num_verify, spec.latent_dim))
            self.z = z.astype(np.float32)
            self.label = spec.default_labels(config.num_verify)
            self.feeds = {saved_model_lib.LATENT: self.z}
            if self.label is not None:
                self.feeds[saved_model_lib.LABEL] = self.label
            self.output = saved_model_lib.IMAGES
            reference = np.asarray(spec(self.z, self.label))
            if config.uint8:
                reference = saved_model_lib.to_uint8_numpy(reference)
        self.reference = reference
        if config.uint8 and self.reference_uint8 is None:
            self.peak = measures.UINT8_PEAK
            self.tolerance = UINT8_PARITY_TOLERANCE
        else:
            self.peak = measures.FLOAT_PEAK
            self.tolerance = config.parity_tolerance
        self._float32_out = None

    def new_report(self, out_dir: str | os.PathLike[str]) -> ExportReport:
        """An empty report: what is exported and how it is checked."""
        return new_report([self], out_dir)

    def _latency(self, fn: Callable[[], Any]) -> float:
        return measures.median_latency_ms(
            fn, runs=self.config.latency_runs, warmup=self.config.latency_warmup
        )

    def _entry(self, result: dict[str, np.ndarray], **fields) -> FileReport:
        """A file's entry: errors of ``result`` against the reference."""
        out = result[self.output]
        entry = FileReport(
            max_abs_error=measures.max_abs_error(out, self.reference),
            psnr_db=measures.psnr(out, self.reference, peak=self.peak),
            **fields,
        )
        uint8 = result.get(saved_model_lib.TRANSLATED_UINT8)
        if uint8 is not None:
            entry.uint8_max_abs_error = measures.max_abs_error(
                uint8, self.reference_uint8
            )
        if entry.variant == "float32":
            entry.parity_tolerance = self.tolerance
            if uint8 is not None:
                entry.uint8_parity_tolerance = UINT8_PARITY_TOLERANCE
        return entry

    def saved_model(self, path: Path, out: Path) -> FileReport:
        """Checks and times the signature of a SavedModel.

        Args:
            path: The SavedModel directory.
            out: The export directory, for the entry's relative path.

        Returns:
            The file's entry, held to the parity tolerance.
        """
        loaded = saved_model_lib.load_saved_model(path)
        fn = loaded.signatures[self.signature]
        feeds = {k: tf.constant(v) for k, v in self.feeds.items()}
        one = {k: v[:1] for k, v in feeds.items()}
        result = {k: v.numpy() for k, v in fn(**feeds).items()}
        inputs = fn.structured_input_signature[1]
        outputs = fn.structured_outputs
        return self._entry(
            result,
            path=path.relative_to(out).as_posix(),
            format="saved_model",
            variant="float32",
            size_bytes=_directory_size(path),
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
        )

    def _run_tflite(self, interpreter) -> dict[str, np.ndarray]:
        if self.signature == saved_model_lib.TRANSLATE:
            images = self.feeds[saved_model_lib.IMAGES]
            return litert.run_translate(interpreter, images)
        out = litert.run_generate(interpreter, self.z, label=self.label)
        return {saved_model_lib.IMAGES: out}

    def tflite(self, path: Path, out: Path, variant: str) -> FileReport:
        """Checks and times one LiteRT file.

        Check the float32 file first: the variants after it are compared
        with its outputs, and held to ``quantized_min_snr_db`` against
        them.

        Args:
            path: The ``.tflite`` file.
            out: The export directory, for the entry's relative path.
            variant: The file's variant; float32 is held to the parity
                tolerance, the others to the quantized floor.

        Returns:
            The file's entry.
        """
        interpreter = litert.load_interpreter(
            path, num_threads=self.config.num_threads
        )
        result = self._run_tflite(interpreter)
        runner = interpreter.get_signature_runner(self.signature)
        in_details = runner.get_input_details()
        first = next(iter(self.feeds))
        batch = int(in_details[first]["shape"][0])
        feeds = {
            k: litert.pad_batch(v[:batch], batch) for k, v in self.feeds.items()
        }
        content = path.read_bytes()
        entry = self._entry(
            result,
            path=path.relative_to(out).as_posix(),
            format="tflite",
            variant=variant,
            size_bytes=len(content),
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
        entry.compiled_model = self._compiled(path, result, feeds)
        main = result[self.output]
        if variant == "float32":
            self._float32_out = main
        elif self._float32_out is not None:
            entry.max_abs_error_vs_float32 = measures.max_abs_error(
                main, self._float32_out
            )
            entry.psnr_db_vs_float32 = measures.psnr(
                main, self._float32_out, peak=self.peak
            )
            entry.snr_db_vs_float32 = measures.snr(main, self._float32_out)
            entry.min_snr_db_vs_float32 = self.config.quantized_min_snr_db
        return entry

    def _compiled(
        self,
        path: Path,
        interpreted: dict[str, np.ndarray],
        batch: dict[str, np.ndarray],
    ) -> CompiledModelCheck:
        """Runs and times a LiteRT file through CompiledModel.

        Args:
            path: The ``.tflite`` file.
            interpreted: The Interpreter's outputs on ``self.feeds``.
            batch: One batch of inputs, for timing.

        Returns:
            The check, "refused" with LiteRT's message if it fails.
        """
        reason = compiled.unavailable_reason()
        if reason is not None:
            return CompiledModelCheck(status="not available", reason=reason)
        try:
            runner = compiled.CompiledRunner(
                path, self.signature, num_threads=self.config.num_threads
            )
            result = runner.run(self.feeds)
            latency = self._latency(runner.timed_call(batch))
        except (RuntimeError, ValueError, KeyError) as e:
            return CompiledModelCheck(
                status="refused", reason=f"{type(e).__name__}: {e}"
            )
        main = result[self.output]
        check = CompiledModelCheck(
            status="ok",
            max_abs_error=measures.max_abs_error(main, self.reference),
            max_abs_diff_vs_interpreter=max(
                measures.max_abs_error(result[k], v)
                for k, v in interpreted.items()
            ),
            latency_ms=latency,
        )
        uint8 = result.get(saved_model_lib.TRANSLATED_UINT8)
        if uint8 is not None:
            check.uint8_max_abs_error = measures.max_abs_error(
                uint8, self.reference_uint8
            )
        if self._float32_out is not None:
            check.snr_db_vs_float32 = measures.snr(main, self._float32_out)
        return check

    def describe_inputs(self) -> str:
        """How the verification inputs were made, for the report."""
        if isinstance(self.spec, loading.GeneratorSpec):
            return "numpy default_rng(seed).standard_normal, float32"
        if self.config.calibration_images is None:
            return "uniform noise in [-1, 1], numpy default_rng(seed)"
        return "the first calibration images of X (F: their translations by G)"


def new_report(
    verifiers: list[Verifier], out_dir: str | os.PathLike[str]
) -> ExportReport:
    """An empty report for the specs of one export.

    Args:
        verifiers: One per exported network (one generator, or a
            CycleGAN's G and/or F), sharing one config.
        out_dir: The export directory.

    Returns:
        The report, without files.
    """
    first = verifiers[0]
    spec, config = first.spec, first.config
    # timezone.utc, not datetime.UTC: python_requires is >= 3.10.
    now = datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017
    if isinstance(spec, loading.TranslatorSpec):
        generator = {
            "model": "CycleGAN",
            "weights": spec.weights,
            "directions": {
                v.spec.direction: {
                    "input_shape": list(v.spec.image_shape),
                    "output_shape": list(v.spec.sample_shape),
                }
                for v in verifiers
            },
        }
        output = "float+uint8"
        verification = {
            "num_images": len(first.feeds[saved_model_lib.IMAGES]),
            "seed": config.verify_seed,
            "inputs": first.describe_inputs(),
            "calibration": _calibration(config),
            "reference": "Keras generator, training=False",
        }
    else:
        generator = {
            "latent_dim": spec.latent_dim,
            "sample_shape": list(spec.sample_shape),
            "conditional": spec.conditional,
            "num_classes": spec.num_classes,
            "weights": spec.weights,
        }
        output = "uint8" if config.uint8 else "float"
        verification = {
            "num_latents": config.num_verify,
            "seed": config.verify_seed,
            "latents": first.describe_inputs(),
            "labels": ("arange(n) % num_classes" if spec.conditional else None),
            "reference": "Keras generator, training=False",
        }
    return ExportReport(
        source=spec.source,
        out_dir=str(out_dir),
        created=now.isoformat(timespec="seconds"),
        machine=measures.machine_description(),
        generator=generator,
        output=output,
        peak=first.peak,
        verification=verification,
        latency={
            "runs": config.latency_runs,
            "warmup": config.latency_warmup,
            "statistic": "median",
            "num_threads": config.num_threads,
            "compiled_model": compiled.unavailable_reason()
            or (
                "ai_edge_litert.compiled_model.CompiledModel on the CPU "
                f"(ai-edge-litert {compiled.litert_version()}), same "
                "inputs and limits as the Interpreter"
            ),
        },
    )


def _calibration(config: ExportConfig) -> str | None:
    if "int8_full" not in config.variants:
        return None
    if config.calibration_images is None:
        return (
            f"{config.calibration_samples} images of uniform noise in "
            f"[-1, 1] (seed {config.calibration_seed}): no calibration "
            "images were given; real images of X calibrate better"
        )
    return (
        f"{config.calibration_samples} of the given images of X, cycled "
        "if fewer (F: their translations by G)"
    )


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
    lines = [f"{f.path}: {'; '.join(f.problems())}" for f in report.failures()]
    raise ParityError(
        "The parity check failed against the Keras generator:\n  "
        + "\n  ".join(lines)
        + f"\nThe files and {json_path} were kept for inspection. A "
        "float32 export should match to about 1e-6 and a quantized one "
        "stay near the float32 file; report this with the generator's "
        "layers.",
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
