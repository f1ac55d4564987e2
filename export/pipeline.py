"""One export run: load, write every format, verify, report.

:func:`run_export` takes an :class:`~tfgan_lite.export.ExportConfig` and
writes, into ``config.out_dir``:

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
:class:`~tfgan_lite.export.ParityError` is raised.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tfgan_lite.export import litert, loading
from tfgan_lite.export import saved_model as saved_model_lib
from tfgan_lite.export.config import (
    REPORT_FILE,
    SAVED_MODEL_DIR,
    ExportConfig,
    tflite_filename,
)
from tfgan_lite.export.report import ExportReport
from tfgan_lite.export.verify import Verifier, check_parity

__all__ = ["run_export"]


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

    verifier = Verifier(spec, config)
    report = verifier.new_report(out)
    if "saved_model" in config.formats:
        path = saved_model_lib.export_saved_model(
            spec, out / SAVED_MODEL_DIR, uint8=config.uint8
        )
        report.files.append(verifier.saved_model(path, out))
    if config.variants:
        contents = litert.convert_generator(
            spec,
            variants=config.variants,
            batch_size=config.batch_size,
            uint8=config.uint8,
            calibration_samples=config.calibration_samples,
            calibration_seed=config.calibration_seed,
        )
        # config.variants puts float32 first, as the verifier needs.
        for variant, content in contents.items():
            path = out / tflite_filename(variant)
            path.write_bytes(content)
            report.files.append(verifier.tflite(path, out, variant))

    json_path = report.write_json(out / REPORT_FILE)
    if config.verbose:
        print(report.to_text())
        print(f"Report written to {json_path}")
    check_parity(report, json_path)
    return report


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
