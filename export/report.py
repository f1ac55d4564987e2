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
    "ExportReport",
    "FileReport",
]


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

    @property
    def passed(self) -> bool:
        """False when the file breaks its parity tolerance."""
        if self.parity_tolerance is None:
            return True
        return self.max_abs_error <= self.parity_tolerance

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
        files: One entry per exported file.
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

    def to_text(self) -> str:
        """Renders the report as a short header and a markdown table."""
        g = self.generator
        unit = "pixel levels" if self.output == "uint8" else "[-1, 1] units"
        lines = [
            f"Export of {self.source} to {self.out_dir}",
            f"generator: latent_dim={g['latent_dim']}, "
            f"sample_shape={tuple(g['sample_shape'])}, "
            f"conditional={g['conditional']}, weights={g['weights']}, "
            f"output={self.output}",
            f"parity: {self.verification['num_latents']} latents "
            f"(seed {self.verification['seed']}) vs the Keras generator; "
            f"errors in {unit}, PSNR peak {self.peak:g}",
            f"latency: median of {self.latency['runs']} runs after "
            f"{self.latency['warmup']} warm-up, LiteRT with "
            f"{self.latency['num_threads']} thread(s), on "
            f"{self.machine['cpu']} ({self.machine['cores']} cores)",
            "",
            "| file | variant | size (bytes) | max abs err | PSNR (dB) "
            "| vs float32 max err | vs float32 PSNR | latency (ms) "
            "| batch | parity |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
            "| --- |",
        ]
        for f in self.files:
            if f.parity_tolerance is None:
                parity = "not held"
            else:
                verdict = "ok" if f.passed else "FAILED"
                parity = f"{verdict} (<= {f.parity_tolerance:g})"
            lines.append(
                f"| {f.path} | {f.variant} | {f.size_bytes} "
                f"| {f.max_abs_error:.3g} | {_db(f.psnr_db)} "
                f"| {_num(f.max_abs_error_vs_float32)} "
                f"| {_db(f.psnr_db_vs_float32)} | {f.latency_ms:.3f} "
                f"| {f.latency_batch_size} | {parity} |"
            )
        return "\n".join(lines)


def _finite(value: Any) -> Any:
    """Replaces infinite and NaN floats (also nested) with None for JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def _db(value: float | None) -> str:
    if value is None:
        return "-"
    return "inf" if math.isinf(value) else f"{value:.1f}"
