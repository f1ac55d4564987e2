"""The verification report of an export: per-file parity, size, latency.

:class:`ExportReport` is printed as a markdown table and written as JSON
(``export_report.json``) beside the exported files. JSON has no infinity:
a PSNR of identical outputs is written as ``null``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from pathlib import Path
from typing import Any

__all__ = [
    "CompiledModelCheck",
    "ExportReport",
    "FileReport",
    "ParityError",
]


@dataclasses.dataclass
class CompiledModelCheck:
    """A LiteRT file run through LiteRT's CompiledModel API.

    Its errors are held to the limits of the file's Interpreter run (see
    :class:`FileReport`), on the same inputs.

    Attributes:
        status: "ok", "refused" (LiteRT would not compile or run the
            file) or "not available" (no CompiledModel in this
            ai-edge-litert).
        reason: Why it was refused or is not available; else None.
        max_abs_error: Largest absolute difference to the Keras
            generator, as ``FileReport.max_abs_error``.
        uint8_max_abs_error: A CycleGAN file's uint8 output against the
            reference, in pixel levels.
        snr_db_vs_float32: For quantized variants: SNR against the
            float32 file run by the Interpreter.
        max_abs_diff_vs_interpreter: Largest difference to the same
            file's Interpreter outputs (0.0: both agree exactly).
        latency_ms: Median latency of one batch, inputs copied in and
            outputs copied out as for the Interpreter.
    """

    status: str
    reason: str | None = None
    max_abs_error: float | None = None
    uint8_max_abs_error: float | None = None
    snr_db_vs_float32: float | None = None
    max_abs_diff_vs_interpreter: float | None = None
    latency_ms: float | None = None


@dataclasses.dataclass
class FileReport:
    """Verification of one exported file (or SavedModel directory).

    Attributes:
        path: Path relative to the export directory.
        format: "saved_model" or "tflite".
        variant: "float32", "float16", "int8" or "int8_full".
        size_bytes: File size (for a SavedModel, all files in it).
        max_abs_error: Largest absolute difference to the Keras generator
            on the verification latents (in pixel levels for uint8).
        psnr_db: PSNR against the Keras generator, in dB (inf: equal).
        latency_ms: Median latency of one ``generate`` call.
        latency_batch_size: Batch size of the timed call.
        inputs: ``{"name", "shape", "dtype"}`` of each signature input;
            LiteRT files add "tensor_name", the name of
            ``get_input_details()``.
        outputs: The same for the outputs.
        max_abs_error_vs_float32: For quantized LiteRT variants: largest
            difference to the float32 LiteRT file.
        psnr_db_vs_float32: PSNR against the float32 LiteRT file.
        parity_tolerance: The bound ``max_abs_error`` is held to (float32
            files only); None when the file is not held to one.
        operators: Distinct op names of a LiteRT file, sorted.
        uint8_max_abs_error: For a CycleGAN file: largest difference, in
            pixel levels, of its ``translated_uint8`` output to the Keras
            reference mapped by ``to_uint8``.
        uint8_parity_tolerance: The bound ``uint8_max_abs_error`` is held
            to (float32 files only), else None.
        snr_db_vs_float32: For quantized LiteRT variants: SNR against
            the float32 LiteRT file, ``10 log10(var(float32) / MSE)``.
        min_snr_db_vs_float32: The lowest ``snr_db_vs_float32`` a working
            conversion has; a file below it (or with NaN outputs) fails
            as a broken conversion.
        compiled_model: For LiteRT files: the same checks through LiteRT's
            CompiledModel API (held to the same limits), or None.
        exported: ISO 8601 time of the export that wrote and checked the
            file; an earlier export's for a file kept from it (see
            ``tfgan_lite.export.run_export``).
    """

    path: str
    format: str
    variant: str
    size_bytes: int
    max_abs_error: float
    psnr_db: float
    latency_ms: float
    latency_batch_size: int
    inputs: list[dict[str, Any]]
    outputs: list[dict[str, Any]]
    max_abs_error_vs_float32: float | None = None
    psnr_db_vs_float32: float | None = None
    parity_tolerance: float | None = None
    operators: list[str] | None = None
    uint8_max_abs_error: float | None = None
    uint8_parity_tolerance: float | None = None
    snr_db_vs_float32: float | None = None
    min_snr_db_vs_float32: float | None = None
    compiled_model: CompiledModelCheck | None = None
    exported: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileReport:
        """The entry :meth:`to_dict` wrote (a null PSNR is infinite).

        Raises:
            TypeError, KeyError: If ``data`` is not such an entry.
        """
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in fields}
        if values.get("psnr_db", 0.0) is None:
            values["psnr_db"] = math.inf
        check = values.get("compiled_model")
        if check is not None:
            values["compiled_model"] = CompiledModelCheck(**check)
        return cls(**values)

    def problems(self) -> list[str]:
        """Each limit the file breaks, in words; empty when it passes.

        NaN errors break every limit they are held to (comparisons with
        NaN are false).
        """
        out = []
        held = (
            (self.max_abs_error, self.parity_tolerance, "max abs error"),
            (
                self.uint8_max_abs_error,
                self.uint8_parity_tolerance,
                "uint8 max abs error",
            ),
        )
        for value, bound, what in held:
            if bound is not None and not value <= bound:
                out.append(f"{what} {value:.3g} > {bound:g}")
        low = self.min_snr_db_vs_float32
        vs = self.snr_db_vs_float32
        if low is not None and vs is not None and not vs >= low:
            out.append(
                f"SNR vs float32 {_db(vs)} dB < {low:g} dB (broken conversion)"
            )
        out += self._compiled_problems()
        return out

    def _compiled_problems(self) -> list[str]:
        """The limits that the CompiledModel run breaks."""
        check = self.compiled_model
        if check is None or check.status == "not available":
            return []
        if check.status != "ok":
            return [f"CompiledModel {check.status}: {check.reason}"]
        out = []
        held = (
            (check.max_abs_error, self.parity_tolerance, "max abs error"),
            (
                check.uint8_max_abs_error,
                self.uint8_parity_tolerance,
                "uint8 max abs error",
            ),
        )
        for value, bound, what in held:
            if bound is not None and value is not None and not value <= bound:
                out.append(f"CompiledModel {what} {value:.3g} > {bound:g}")
        low, vs = self.min_snr_db_vs_float32, check.snr_db_vs_float32
        if low is not None and vs is not None and not vs >= low:
            out.append(
                f"CompiledModel SNR vs float32 {_db(vs)} dB < {low:g} dB"
            )
        return out

    @property
    def passed(self) -> bool:
        """False when the file breaks one of its limits."""
        return not self.problems()

    def limits(self) -> str:
        """The limits the file is held to, for the report's table."""
        parts = []
        if self.parity_tolerance is not None:
            parts.append(f"<= {self.parity_tolerance:g}")
        if self.uint8_parity_tolerance is not None:
            parts.append(f"uint8 <= {self.uint8_parity_tolerance:g}")
        if self.min_snr_db_vs_float32 is not None:
            parts.append(f"SNR >= {self.min_snr_db_vs_float32:g} dB vs float32")
        return ", ".join(parts)

    def checks(self) -> list[str]:
        """Each figure the file is held to, measured, against its limit.

        E.g. "max abs err 4.5e-08 vs Keras <= 1e-05 limit" for a float32
        file, "SNR 18.6 dB vs float32 >= 5 dB floor" for a quantized one
        (``<`` and ``>`` where the file breaks the limit).
        """
        out = []
        held = (
            (
                "max abs err",
                self.max_abs_error,
                self.parity_tolerance,
                " vs Keras",
            ),
            (
                "uint8 max abs err",
                self.uint8_max_abs_error,
                self.uint8_parity_tolerance,
                "",
            ),
        )
        for what, value, bound, against in held:
            if bound is not None:
                sign = "<=" if value is not None and value <= bound else ">"
                out.append(
                    f"{what} {_num(value, '.2g')}{against} {sign} {bound:g} "
                    "limit"
                )
        low, vs = self.min_snr_db_vs_float32, self.snr_db_vs_float32
        if low is not None:
            sign = ">=" if vs is not None and vs >= low else "<"
            out.append(f"SNR {_db(vs)} dB vs float32 {sign} {low:g} dB floor")
        return out

    def verdict(self) -> str:
        """The report's last column: pass or fail, and by which criterion.

        A quantized file is held to its SNR against the float32 file, a
        floor that only a broken conversion falls below; its error against
        Keras is the quantization's own and is measured, not limited.
        """
        checks = self.checks()
        if not checks:
            return "measured only (no limit)"
        text = f"{'ok' if self.passed else 'FAILED'}: {'; '.join(checks)}"
        if self.min_snr_db_vs_float32 is not None:
            text += (
                f" ({self.variant} is quantized: its error vs Keras is "
                "measured, not limited)"
            )
        return text

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: fields plus ``passed``; inf PSNRs become None."""
        out = {k: _finite(v) for k, v in dataclasses.asdict(self).items()}
        out["passed"] = self.passed
        return out


@dataclasses.dataclass
class ExportReport:
    """Everything an export wrote and how well each file matches Keras.

    Attributes:
        source: Where the model came from.
        out_dir: The export directory.
        created: ISO 8601 time of the export.
        machine: ``measures.machine_description()``.
        generator: Latent size, sample shape, label input and weights.
        output: "float" ([-1, 1] floats) or "uint8" ([0, 255] pixels).
        peak: Peak-to-peak range used for PSNR (2.0 or 255).
        verification: How outputs were compared (latents, seed, reference).
        latency: How latency was timed (runs, warm-up, threads).
        files: One entry per exported file, those kept from an earlier
            export of the same model into the folder included.
        model_sha256: SHA-256 of the model file; None for a model in
            memory. A later export of the same file, with the same
            settings, adds to the folder (``run_export``).
        web_sampler: The browser page (``web/index.html``), if the folder
            has one written around its float32 file; else None.
        not_covered: Files in the folder that look like exports
            (``generator_*.tflite``, ``saved_model*``, ``web``) but were
            written by none of the exports this report covers.
    """

    source: str
    out_dir: str
    created: str
    machine: dict[str, Any]
    generator: dict[str, Any]
    output: str
    peak: float
    verification: dict[str, Any]
    latency: dict[str, Any]
    files: list[FileReport] = dataclasses.field(default_factory=list)
    model_sha256: str | None = None
    web_sampler: str | None = None
    not_covered: list[str] = dataclasses.field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every file meets its parity tolerance."""
        return all(f.passed for f in self.files)

    def failures(self) -> list[FileReport]:
        """The files that break their parity tolerance."""
        return [f for f in self.files if not f.passed]

    def file(self, path: str) -> FileReport:
        """Returns the entry of one file.

        Args:
            path: The file's path relative to ``out_dir``.

        Returns:
            Its FileReport.

        Raises:
            KeyError: If no such file was exported.
        """
        for f in self.files:
            if f.path == path:
                return f
        raise KeyError(
            f"No exported file {path!r}; files: {[f.path for f in self.files]}"
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of the report."""
        out = {
            k: _finite(v)
            for k, v in dataclasses.asdict(self).items()
            if k != "files"
        }
        out["files"] = [f.to_dict() for f in self.files]
        out["passed"] = self.passed
        return out

    def write_json(self, path: str | os.PathLike[str]) -> Path:
        """Writes :meth:`to_dict` as strict JSON (no NaN or Infinity).

        Args:
            path: The file to write.

        Returns:
            The path written.
        """
        path = Path(path)
        text = json.dumps(self.to_dict(), indent=2, allow_nan=False)
        path.write_text(text + "\n", encoding="utf-8")
        return path

    def _describe(self) -> list[str]:
        g, v = self.generator, self.verification
        if "directions" in g:
            shapes = ", ".join(
                f"{d}: {tuple(s['input_shape'])} -> {tuple(s['output_shape'])}"
                for d, s in g["directions"].items()
            )
            return [
                f"CycleGAN generators: {shapes}, output={self.output}",
                f"parity: {v['num_images']} images, {v['inputs']}, vs the "
                "Keras generator; errors in [-1, 1] units (uint8 output in "
                f"pixel levels), PSNR peak {self.peak:g}",
                f"int8_full calibration: {v['calibration']}",
            ]
        unit = "pixel levels" if self.output == "uint8" else "[-1, 1] units"
        return [
            f"generator: latent_dim={g['latent_dim']}, "
            f"sample_shape={tuple(g['sample_shape'])}, "
            f"conditional={g['conditional']}, weights={g['weights']}, "
            f"output={self.output}",
            f"parity: {v['num_latents']} latents "
            f"(seed {v['seed']}) vs the Keras generator; "
            f"errors in {unit}, PSNR peak {self.peak:g}",
        ]

    def to_text(self) -> str:
        """Renders the report as a short header and a markdown table."""
        lines = [
            f"Export of {self.source} to {self.out_dir}",
            *self._describe(),
            f"latency: median of {self.latency['runs']} runs after "
            f"{self.latency['warmup']} warm-up, LiteRT with "
            f"{self.latency['num_threads']} thread(s), on "
            f"{self.machine['cpu']} ({self.machine['cores']} cores)",
            *(
                [f"CompiledModel: {self.latency['compiled_model']}"]
                if "compiled_model" in self.latency
                else []
            ),
            "",
            "| file | variant | size (bytes) | max abs err | PSNR (dB) "
            "| vs float32 max err | vs float32 PSNR | latency (ms) "
            "| CompiledModel (ms) | CompiledModel vs Interpreter "
            "| batch | checked against its limit |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
            "| --- | ---: | --- |",
        ]
        for f in self.files:
            parity = f.verdict()
            lines.append(
                f"| {f.path} | {f.variant} | {f.size_bytes} "
                f"| {f.max_abs_error:.3g} | {_db(f.psnr_db)} "
                f"| {_num(f.max_abs_error_vs_float32)} "
                f"| {_db(f.psnr_db_vs_float32)} | {f.latency_ms:.3f} "
                f"| {_compiled_cells(f.compiled_model)} "
                f"| {f.latency_batch_size} | {parity} |"
            )
        kept = [f for f in self.files if f.exported not in (None, self.created)]
        if kept:
            lines.append(
                "Kept from an earlier export of the same model file with the "
                "same settings (checked then): "
                + ", ".join(f"{f.path} ({f.exported})" for f in kept)
            )
        if self.web_sampler:
            lines.append(
                f"browser sampler: {self.web_sampler} (runs "
                "generator_float32.tflite)"
            )
        if self.not_covered:
            lines.append(
                "Not covered by this report (written by another export; "
                f"not checked): {', '.join(self.not_covered)}"
            )
        return "\n".join(lines)


def _compiled_cells(check: CompiledModelCheck | None) -> str:
    """The CompiledModel latency and agreement cells of a table row."""
    if check is None:
        return "- | -"
    if check.status != "ok":
        return f"- | {check.status}"
    diff = check.max_abs_diff_vs_interpreter
    agree = "identical" if diff == 0.0 else f"max diff {_num(diff)}"
    return f"{check.latency_ms:.3f} | {agree}"


def _finite(value: Any) -> Any:
    """Replaces infinite and NaN floats (also nested) with None for JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _num(value: float | None, spec: str = ".3g") -> str:
    return "-" if value is None else format(value, spec)


def _db(value: float | None) -> str:
    if value is None:
        return "-"
    return "inf" if math.isinf(value) else f"{value:.1f}"


class ParityError(RuntimeError):
    """An exported file breaks its limit: float32 parity or quantized floor.

    Attributes:
        report: The full report (also written as JSON).
    """

    def __init__(self, message: str, report: ExportReport):
        super().__init__(message)
        self.report = report
