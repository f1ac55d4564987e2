"""One export run: load, write every format, verify, report.

:func:`run_export` takes an :class:`ExportConfig` and writes, into
``config.out_dir``:

* ``saved_model/``: the SavedModel (``generate``, ``sample``), any batch;
* ``generator_<variant>.tflite``: one LiteRT file per variant
  (``generator_float32.tflite`` always, plus those in ``quantize``), with
  a fixed batch size;
* ``export_report.json``: the verification report, also printed.

An output directory that already holds files is refused unless
``overwrite=True``; then only the paths above are replaced and every
other file is left alone (a ``saved_model/`` directory is deleted only if
it is a SavedModel). If the float32 files do not match the Keras generator
within the tolerance, the files and report stay for inspection and
:class:`ParityError` is raised.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from tfgan_lite.export import litert, loading, metrics
from tfgan_lite.export import saved_model as saved_model_lib
from tfgan_lite.export.report import ExportReport, FileReport

__all__ = [
    "FORMATS",
    "REPORT_FILE",
    "SAVED_MODEL_DIR",
    "UINT8_PARITY_TOLERANCE",
    "ExportConfig",
    "ParityError",
    "run_export",
    "tflite_filename",
]

FORMATS: tuple[str, ...] = ("saved_model", "tflite")
SAVED_MODEL_DIR = "saved_model"
REPORT_FILE = "export_report.json"
# A float error far below 1e-5 can still move a value across a rounding
# boundary (k + 0.5) / 127.5 - 1, so uint8 outputs may differ by one level.
UINT8_PARITY_TOLERANCE = 1.0


def tflite_filename(variant: str) -> str:
    """The file name of one LiteRT variant, e.g. generator_int8.tflite.

    Args:
        variant: A name from ``litert.VARIANTS``.

    Returns:
        ``f"generator_{variant}.tflite"``.
    """
    return f"generator_{variant}.tflite"


class ParityError(RuntimeError):
    """A float32 export does not match the Keras generator.

    Attributes:
        report: The full report (also written as JSON).
    """

    def __init__(self, message: str, report: ExportReport):
        super().__init__(message)
        self.report = report


@dataclasses.dataclass(frozen=True, kw_only=True)
class ExportConfig:
    """What to export, where, and how to verify it.

    Attributes:
        model: A ``.keras`` path (a GAN or a bare generator), or a
            ``tfgan_lite.GAN``, generator ``keras.Model`` or GeneratorSpec
            in memory.
        out_dir: Directory for the files; created if missing.
        formats: Any of "saved_model", "tflite" (a comma-separated string
            is accepted too).
        quantize: LiteRT variants besides float32, which is always
            written: "float16", "int8" (dynamic range), "int8_full" (full
            integer). Needs "tflite" in formats.
        uint8: Output uint8 images in [0, 255] instead of floats in
            [-1, 1], converted in the graph.
        use_ema: Export a GAN's EMA weights when it has them.
        batch_size: Fixed batch size of the LiteRT files.
        overwrite: Allow a non-empty out_dir; replaces only the files this
            export writes.
        calibration_samples: N(0, 1) latents that calibrate int8_full;
            int8_full needs at least 1.
        calibration_seed: Seed of the calibration latents.
        num_verify: Latents compared against the Keras generator.
        verify_seed: Seed of those latents (numpy default_rng).
        latency_runs: Timed runs per file; the report gives the median.
        latency_warmup: Untimed runs before timing.
        num_threads: CPU threads of the LiteRT interpreter when timing.
        parity_tolerance: Largest absolute error allowed for float32 files
            with float output (uint8 output allows
            ``UINT8_PARITY_TOLERANCE`` level).
        verbose: Print the report.

    Raises:
        TypeError, ValueError: On construction, for a bad setting (unknown
            format or variant, int8_full without calibration, ...).
    """

    model: str | os.PathLike[str] | keras.Model | loading.GeneratorSpec
    out_dir: str | os.PathLike[str]
    formats: Sequence[str] = FORMATS
    quantize: Sequence[str] = ()
    uint8: bool = False
    use_ema: bool = True
    batch_size: int = 1
    overwrite: bool = False
    calibration_samples: int = 100
    calibration_seed: int = 1
    num_verify: int = 16
    verify_seed: int = 0
    latency_runs: int = 20
    latency_warmup: int = 2
    num_threads: int = 1
    parity_tolerance: float = 1e-5
    verbose: bool = True

    def __post_init__(self):
        formats = _names(self.formats, "formats")
        for f in formats:
            if f not in FORMATS:
                raise ValueError(
                    f"Unknown export format {f!r}. Known formats: "
                    f"{', '.join(FORMATS)}."
                )
        if not formats:
            raise ValueError(
                f"No export format given; choose from {', '.join(FORMATS)}."
            )
        quantize = litert.check_variants(_names(self.quantize, "quantize"))
        if quantize and "tflite" not in formats:
            raise ValueError(
                f"quantize={list(quantize)} applies to LiteRT files, but "
                f"formats={list(formats)} has no 'tflite'. Add it or drop "
                "quantize."
            )
        for name in ("uint8", "use_ema", "overwrite", "verbose"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(
                    f"`{name}` must be a bool, got {getattr(self, name)!r}."
                )
        for name, low in (
            ("batch_size", 1),
            ("calibration_samples", 0),
            ("calibration_seed", 0),
            ("num_verify", 1),
            ("verify_seed", 0),
            ("latency_runs", 1),
            ("latency_warmup", 0),
            ("num_threads", 1),
        ):
            _check_int(getattr(self, name), name, low)
        if "int8_full" in quantize and self.calibration_samples < 1:
            raise ValueError(
                "int8_full (full-integer) quantization calibrates activation "
                "ranges on representative latents, but calibration_samples="
                f"{self.calibration_samples}. Pass calibration_samples >= 1 "
                "(--calibration_samples; default 100) or drop int8_full."
            )
        tol = self.parity_tolerance
        if isinstance(tol, bool) or not isinstance(tol, int | float) or tol < 0:
            raise ValueError(
                f"`parity_tolerance` must be a float >= 0, got {tol!r}."
            )
        # Normalized forms; frozen, hence object.__setattr__.
        object.__setattr__(self, "formats", formats)
        object.__setattr__(self, "quantize", quantize)

    @property
    def variants(self) -> tuple[str, ...]:
        """The LiteRT variants to write, float32 first; () without tflite."""
        if "tflite" not in self.formats:
            return ()
        rest = [v for v in self.quantize if v != "float32"]
        return ("float32", *dict.fromkeys(rest))

    def planned_paths(self) -> list[str]:
        """The paths, relative to out_dir, that this export writes."""
        paths = [SAVED_MODEL_DIR] if "saved_model" in self.formats else []
        paths += [tflite_filename(v) for v in self.variants]
        return [*paths, REPORT_FILE]


def _names(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    try:
        items = list(value)
    except TypeError:
        raise TypeError(
            f"`{what}` must be a list of names or a comma-separated string, "
            f"got {value!r}."
        ) from None
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"`{what}` holds a non-string {item!r}.")
    names = [item.strip().lower() for item in items]
    return tuple(dict.fromkeys(n for n in names if n))


def _check_int(value: Any, name: str, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(
            f"`{name}` must be an int >= {low}, got {value!r} of type "
            f"{type(value).__name__}."
        )
    if value < low:
        raise ValueError(f"`{name}` must be >= {low}, got {value}.")


def run_export(config: ExportConfig) -> ExportReport:
    """Exports, verifies and reports, as the CLI does.

    Args:
        config: What to export and how.

    Returns:
        The report, also written to ``out_dir/export_report.json`` (and
        printed when ``config.verbose``).

    Raises:
        FileNotFoundError, ValueError, TypeError: For a bad model path or
            a model that is not a generator (see ``load_generator``).
        FileExistsError: If out_dir holds files and overwrite is False, or
            a path to replace is not one this export would write.
        NotADirectoryError: If out_dir is a file.
        ParityError: If a float32 file breaks the parity tolerance; the
            files and report are written first.
    """
    out = Path(config.out_dir)
    _check_out_dir(out, config)
    if isinstance(config.model, str | os.PathLike):
        spec = loading.load_generator(config.model, use_ema=config.use_ema)
    else:
        spec = loading.resolve_generator(config.model, use_ema=config.use_ema)
    out.mkdir(parents=True, exist_ok=True)
    _clear_planned(out, config)

    z, label, reference = _reference(spec, config)
    peak = metrics.UINT8_PEAK if config.uint8 else metrics.FLOAT_PEAK
    tolerance = config.parity_tolerance
    if config.uint8:
        tolerance = UINT8_PARITY_TOLERANCE
    report = _empty_report(spec, config, out, peak, label is not None)
    check = _Checker(config, z, label, reference, peak)
    if "saved_model" in config.formats:
        path = saved_model_lib.export_saved_model(
            spec, out / SAVED_MODEL_DIR, uint8=config.uint8
        )
        report.files.append(check.saved_model(path, out, tolerance))
    if config.variants:
        contents = litert.convert_generator(
            spec,
            variants=config.variants,
            batch_size=config.batch_size,
            uint8=config.uint8,
            calibration_samples=config.calibration_samples,
            calibration_seed=config.calibration_seed,
        )
        float32_out = None
        for variant, content in contents.items():
            path = out / tflite_filename(variant)
            path.write_bytes(content)
            entry, outputs = check.tflite(path, out, variant, float32_out)
            if variant == "float32":
                entry.parity_tolerance = tolerance
                float32_out = outputs
            report.files.append(entry)

    json_path = report.write_json(out / REPORT_FILE)
    if config.verbose:
        print(report.to_text())
        print(f"Report written to {json_path}")
    if not report.passed:
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
    return report


def _reference(
    spec: loading.GeneratorSpec, config: ExportConfig
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """The verification latents, labels and Keras outputs."""
    rng = np.random.default_rng(config.verify_seed)
    z = rng.standard_normal((config.num_verify, spec.latent_dim))
    z = z.astype(np.float32)
    label = spec.default_labels(config.num_verify)
    reference = np.asarray(spec(z, label))
    if config.uint8:
        reference = saved_model_lib.to_uint8_numpy(reference)
    return z, label, reference


def _empty_report(
    spec: loading.GeneratorSpec,
    config: ExportConfig,
    out: Path,
    peak: float,
    labels: bool,
) -> ExportReport:
    """The report's header: what was exported and how it is checked."""
    # timezone.utc, not datetime.UTC: python_requires is >= 3.10.
    now = datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017
    return ExportReport(
        source=spec.source,
        out_dir=str(out),
        created=now.isoformat(timespec="seconds"),
        machine=metrics.machine_description(),
        generator={
            "latent_dim": spec.latent_dim,
            "sample_shape": list(spec.sample_shape),
            "conditional": spec.conditional,
            "num_classes": spec.num_classes,
            "weights": spec.weights,
        },
        output="uint8" if config.uint8 else "float",
        peak=peak,
        verification={
            "num_latents": config.num_verify,
            "seed": config.verify_seed,
            "latents": "numpy default_rng(seed).standard_normal, float32",
            "labels": "arange(n) % num_classes" if labels else None,
            "reference": "Keras generator, training=False",
        },
        latency={
            "runs": config.latency_runs,
            "warmup": config.latency_warmup,
            "statistic": "median",
            "num_threads": config.num_threads,
        },
    )


def _check_out_dir(out: Path, config: ExportConfig) -> None:
    """Refuses a file, or a non-empty directory without overwrite."""
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(
            f"--out '{out}' is a file; expected a directory (new or empty)."
        )
    if not out.exists():
        return
    present = sorted(p.name for p in out.iterdir())
    if present and not config.overwrite:
        shown = ", ".join(present[:5]) + (", ..." if len(present) > 5 else "")
        raise FileExistsError(
            f"Output directory '{out}' already holds files ({shown}). Choose "
            "a new or empty directory, or pass --overwrite (overwrite=True) "
            "to replace the files this export writes "
            f"({', '.join(config.planned_paths())}); other files are kept."
        )
    saved = out / SAVED_MODEL_DIR
    if "saved_model" in config.formats and saved.exists():
        if not saved.is_dir() or not (
            (saved / "saved_model.pb").exists() or not any(saved.iterdir())
        ):
            raise FileExistsError(
                f"'{saved}' exists and is not a SavedModel, so overwrite "
                "will not delete it. Move it away or pick another --out."
            )
    for name in config.planned_paths():
        if name != SAVED_MODEL_DIR and (out / name).is_dir():
            raise FileExistsError(
                f"'{out / name}' is a directory where the export writes a "
                "file. Move it away or pick another --out."
            )


def _clear_planned(out: Path, config: ExportConfig) -> None:
    """Removes the previous SavedModel; files are overwritten in place."""
    saved = out / SAVED_MODEL_DIR
    if "saved_model" in config.formats and saved.is_dir():
        shutil.rmtree(saved)


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


class _Checker:
    """Compares exported files with the Keras reference and times them."""

    def __init__(
        self,
        config: ExportConfig,
        z: np.ndarray,
        label: np.ndarray | None,
        reference: np.ndarray,
        peak: float,
    ):
        self.config = config
        self.z = z
        self.label = label
        self.reference = reference
        self.peak = peak

    def _latency(self, fn: Callable[[], Any]) -> float:
        return metrics.median_latency_ms(
            fn, runs=self.config.latency_runs, warmup=self.config.latency_warmup
        )

    def saved_model(
        self, path: Path, out: Path, tolerance: float
    ) -> FileReport:
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
            max_abs_error=metrics.max_abs_error(result, self.reference),
            psnr_db=metrics.psnr(result, self.reference, peak=self.peak),
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
            parity_tolerance=tolerance,
        )

    def tflite(
        self,
        path: Path,
        out: Path,
        variant: str,
        float32_out: np.ndarray | None,
    ) -> tuple[FileReport, np.ndarray]:
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
            max_abs_error=metrics.max_abs_error(result, self.reference),
            psnr_db=metrics.psnr(result, self.reference, peak=self.peak),
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
        if float32_out is not None:
            entry.max_abs_error_vs_float32 = metrics.max_abs_error(
                result, float32_out
            )
            entry.psnr_db_vs_float32 = metrics.psnr(
                result, float32_out, peak=self.peak
            )
        return entry, result
