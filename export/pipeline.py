"""One export run: load, write every format, verify, report.

:func:`run_export` takes an :class:`~tfgan_lite.export.ExportConfig` and
writes, into ``config.out_dir``:

* ``saved_model/``: the SavedModel (``generate``, ``sample``), any batch;
* ``generator_<variant>.tflite``: one LiteRT file per variant
  (``generator_float32.tflite`` always, plus those in ``quantize``), with
  a fixed batch size;
* ``export_report.json``: the verification report, also printed;
* ``web/``, when ``formats`` has "web": a browser sampler around the
  float32 file (see ``export/web.py``).

A CycleGAN exports G (``direction="xy"``, the default), F (``"yx"``) or
both: ``saved_model_<direction>/`` (signature ``translate``) and
``generator_<direction>_<variant>.tflite`` for each.

Successive exports of one model file into one directory add up: when the
directory holds an earlier export of the same file (same SHA-256) with
the same output, weights and verification settings, the files this
export writes replace theirs, the others stay, and the report lists every
file of the directory with the checks of the export that wrote it. So
``--formats saved_model,tflite --quantize float16,int8`` followed by
``--formats tflite,web`` leaves all of them, in one report. Any other
directory that already holds files is refused unless ``overwrite=True``;
then only the paths above are replaced and every other file is left alone
(a ``saved_model/`` directory is deleted only if it is a SavedModel), and
the report names the export-like files it does not cover.

If a float32 file does not match the Keras generator within the
tolerance, or a quantized file falls below its floor against the float32
file, the files and report stay for inspection and
:class:`~tfgan_lite.export.ParityError` is raised.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np

from tfgan_lite.commands import quiet
from tfgan_lite.export import litert, loading, web
from tfgan_lite.export import saved_model as saved_model_lib
from tfgan_lite.export.config import (
    REPORT_FILE,
    SAVED_MODEL_DIR,
    VARIANTS,
    ExportConfig,
    saved_model_dirname,
    tflite_filename,
)
from tfgan_lite.export.report import ExportReport, FileReport, ParityError
from tfgan_lite.export.verify import Verifier, check_parity, new_report

__all__ = ["run_export"]


def run_export(config: ExportConfig) -> ExportReport:
    """Exports, verifies and reports, as the CLI does.

    Args:
        config: What to export and how.

    Returns:
        The report, also written to ``out_dir/export_report.json`` (and
        printed when ``config.verbose``).

    Raises:
        FileNotFoundError, ValueError, TypeError: For a bad model path, a
            model that is not a generator (see ``load_generator``), a
            direction for a model that is not a CycleGAN, or bad
            calibration images.
        FileExistsError: If out_dir holds files, other than an earlier
            export of the same model file with the same settings, and
            overwrite is False; or a path to replace is not one this
            export would write.
        NotADirectoryError: If out_dir is a file.
        ParityError: If a float32 file breaks the parity tolerance or a
            quantized file its floor; the files and report are written
            first.
    """
    # The converter and the LiteRT runtime log to stderr from C++ (about
    # a hundred lines); the report says what the user needs.
    held = quiet.captured_stderr(_is_python_warning, expected=(ParityError,))
    with contextlib.nullcontext() if config.converter_logs else held:
        return _run(config)


def _is_python_warning(line: str) -> bool:
    """Python warnings (``file:line: SomeWarning: ...``) stay visible."""
    return "Warning: " in line and not line.startswith(("INFO", "WARNING"))


def _run(config: ExportConfig) -> ExportReport:
    """run_export without its stderr handling."""
    out = Path(config.out_dir)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(
            f"--out '{out}' is a file; expected a directory (new or empty)."
        )
    specs = loading.load_generators(
        config.model, use_ema=config.use_ema, direction=config.direction
    )
    images = _calibration_images(config, specs)
    directions = [getattr(s, "direction", None) for s in specs]
    if "web" in config.formats:
        _check_web(config, specs)
    # Each translator's own inputs: X for G, G(x) for F.
    inputs = [
        None if images is None else s.inputs_from_x(images) for s in specs
    ]
    verifiers = [
        Verifier(s, config, x) for s, x in zip(specs, inputs, strict=True)
    ]
    report = new_report(verifiers, out)
    report.model_sha256 = _sha256(config.model)
    earlier = _earlier_export(out, report)
    _check_out_dir(out, config, directions, extends=earlier is not None)
    out.mkdir(parents=True, exist_ok=True)
    _clear_planned(out, config, directions)

    for verifier, direction, x in zip(
        verifiers, directions, inputs, strict=True
    ):
        _export_one(verifier, direction, x, out, report)
    for entry in report.files:
        entry.exported = report.created
    _add_earlier(report, earlier, out)
    json_path = report.write_json(out / REPORT_FILE)
    if config.verbose:
        print(report.to_text())
        print(f"Report written to {json_path}")
    check_parity(report, json_path)
    return report


def _export_one(
    verifier: Verifier,
    direction: str | None,
    images: np.ndarray | None,
    out: Path,
    report: ExportReport,
) -> None:
    """Writes and checks the files of one network, adding them to report.

    ``images`` are a translator's real inputs, which calibrate int8_full.
    """
    spec, config = verifier.spec, verifier.config
    if "saved_model" in config.formats:
        path = saved_model_lib.export_saved_model(
            spec, out / saved_model_dirname(direction), uint8=config.uint8
        )
        report.files.append(verifier.saved_model(path, out))
    if not config.variants:
        return
    contents = litert.convert_generator(
        spec,
        variants=config.variants,
        batch_size=config.batch_size,
        uint8=config.uint8,
        calibration_samples=config.calibration_samples,
        calibration_seed=config.calibration_seed,
        calibration_images=images,
    )
    # config.variants puts float32 first, as the verifier needs.
    for variant, content in contents.items():
        path = out / tflite_filename(variant, direction)
        path.write_bytes(content)
        report.files.append(verifier.tflite(path, out, variant))
    if "web" in config.formats:
        folder = web.write_web_sampler(
            out,
            spec,
            out / tflite_filename("float32"),
            uint8=config.uint8,
            batch_size=config.batch_size,
            node_modules=config.litertjs_dir,
        )
        report.web_sampler = f"{web.WEB_DIR}/index.html"
        if config.verbose:
            print(f"Browser sampler written to {folder}/index.html")


def _check_web(config: ExportConfig, specs: list) -> None:
    """Fails fast, before any conversion, when "web" cannot be written."""
    if isinstance(specs[0], loading.TranslatorSpec):
        raise ValueError(
            "The web format samples a generator from latents; a CycleGAN "
            "translates images. Drop 'web' from --formats."
        )
    web.find_litertjs(config.litertjs_dir)


def _calibration_images(config: ExportConfig, specs: list) -> np.ndarray | None:
    """The config's images of X as float32 in [-1, 1], checked; or None."""
    value = config.calibration_images
    if value is None:
        return None
    if not isinstance(specs[0], loading.TranslatorSpec):
        raise ValueError(
            "calibration_images (--calibration_images) are images of a "
            "CycleGAN's domain X; this model is not a CycleGAN. Drop them."
        )
    if isinstance(value, np.ndarray):
        array = value
    else:
        path = Path(value)
        if path.suffix != ".npy" or not path.is_file():
            raise ValueError(
                f"--calibration_images '{path}' is not a .npy file; save the "
                "images of X with numpy.save, shape (N, H, W, C)."
            )
        array = np.load(path, allow_pickle=False)
    x_shape = next(
        (s.image_shape if s.direction == "xy" else s.sample_shape)
        for s in specs
    )
    if array.ndim != 4 or tuple(array.shape[1:]) != tuple(x_shape):
        raise ValueError(
            f"calibration_images must be images of X, shape (N, "
            f"{', '.join(map(str, x_shape))}); got shape {array.shape}."
        )
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 127.5 - 1.0
    if not np.issubdtype(array.dtype, np.floating) or not len(array):
        raise ValueError(
            "calibration_images must be uint8 in [0, 255] or float in "
            f"[-1, 1], at least one image; got {len(array)} of dtype "
            f"{array.dtype}."
        )
    array = array.astype(np.float32)
    if not np.all(np.isfinite(array)) or np.abs(array).max() > 1.0:
        raise ValueError(
            "Float calibration_images must be finite and lie in [-1, 1], "
            f"got values in [{array.min()}, {array.max()}]."
        )
    return array


def _sha256(model: object) -> str | None:
    """The SHA-256 of a model file; None for a model in memory."""
    if not isinstance(model, str | os.PathLike):
        return None
    digest = hashlib.sha256()
    with open(model, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# What must agree for a later export to add to an earlier one's folder.
_SAME = ("source", "generator", "output", "peak", "verification")


def _earlier_export(out: Path, report: ExportReport) -> dict | None:
    """The report of an earlier export in ``out`` that this one extends.

    Returns:
        Its JSON form, when ``out`` holds the report of an export of the
        same model file (same SHA-256) with the same settings; else None.
    """
    if report.model_sha256 is None or not (out / REPORT_FILE).is_file():
        return None
    try:
        earlier = json.loads((out / REPORT_FILE).read_text(encoding="utf-8"))
        ours = report.to_dict()
        if earlier.get("model_sha256") != report.model_sha256 or any(
            earlier.get(key) != ours[key] for key in _SAME
        ):
            return None
        for entry in earlier["files"]:
            entry.setdefault("exported", earlier.get("created"))
            FileReport.from_dict(entry)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        # Not a report this version wrote: the folder counts as foreign.
        return None
    return earlier


def _add_earlier(report: ExportReport, earlier: dict | None, out: Path) -> None:
    """Adds the earlier export's files that are still present and that
    this export did not write; names the export-like files that no
    report covers."""
    if earlier is not None:
        written = {f.path for f in report.files}
        for entry in map(FileReport.from_dict, earlier["files"]):
            if entry.path not in written and (out / entry.path).exists():
                report.files.append(entry)
        if earlier.get("web_sampler") and _is_web_sampler(out / web.WEB_DIR):
            report.web_sampler = report.web_sampler or earlier["web_sampler"]
    order = {v: i for i, v in enumerate(VARIANTS)}
    report.files.sort(
        key=lambda f: (
            f.format != "saved_model",
            f.path.removesuffix(f"{f.variant}.tflite"),
            order.get(f.variant, len(order)),
        )
    )
    covered = {f.path for f in report.files}
    if report.web_sampler:
        covered.add(web.WEB_DIR)
    report.not_covered = sorted(
        p.name
        for p in out.iterdir()
        if p.name not in covered
        and (
            (p.name.startswith("generator_") and p.suffix == ".tflite")
            or p.name.startswith(SAVED_MODEL_DIR)
            or (p.name == web.WEB_DIR and _is_web_sampler(p))
        )
    )


def _is_web_sampler(path: Path) -> bool:
    return (path / "sampler.json").is_file()


def _check_out_dir(
    out: Path,
    config: ExportConfig,
    directions: list[str | None],
    *,
    extends: bool = False,
) -> None:
    """Refuses a non-empty directory without overwrite, unless it holds
    an earlier export that this one ``extends``."""
    if not out.exists():
        return
    present = sorted(p.name for p in out.iterdir())
    if present and not config.overwrite and not extends:
        shown = ", ".join(present[:5]) + (", ..." if len(present) > 5 else "")
        raise FileExistsError(
            f"Output directory '{out}' already holds files ({shown}), and "
            "not an earlier export of this model file with the same "
            "settings (which a new export adds to). Choose a new or empty "
            "directory, or pass --overwrite (overwrite=True) to replace the "
            "files this export writes "
            f"({', '.join(config.planned_paths(directions))}); other files "
            "are kept."
        )
    saved_dirs = [saved_model_dirname(d) for d in directions]
    for saved in (out / name for name in saved_dirs):
        if "saved_model" in config.formats and saved.exists():
            if not saved.is_dir() or not (
                (saved / "saved_model.pb").exists() or not any(saved.iterdir())
            ):
                raise FileExistsError(
                    f"'{saved}' exists and is not a SavedModel, so overwrite "
                    "will not delete it. Move it away or pick another --out."
                )
    sampler = out / web.WEB_DIR
    if "web" in config.formats and sampler.exists():
        if not _is_web_sampler(sampler):
            raise FileExistsError(
                f"'{sampler}' exists and is not a web sampler, so overwrite "
                "will not delete it. Move it away or pick another --out."
            )
    for name in config.planned_paths(directions):
        if name in (*saved_dirs, web.WEB_DIR):
            continue
        if (out / name).is_dir():
            raise FileExistsError(
                f"'{out / name}' is a directory where the export writes a "
                "file. Move it away or pick another --out."
            )


def _clear_planned(
    out: Path, config: ExportConfig, directions: list[str | None]
) -> None:
    """Removes previous SavedModels; files are overwritten in place."""
    for direction in directions:
        saved = out / saved_model_dirname(direction)
        if "saved_model" in config.formats and saved.is_dir():
            shutil.rmtree(saved)
