"""What an export writes, where, and how it is checked: ExportConfig.

:class:`ExportConfig` is the one place that states each setting's default
and allowed range. The ``tfgan-export`` command builds one flag per field
from it (see ``cli.py``), as ``python -m tfgan_lite.train`` does from
``TrainConfig``, so the command's defaults are the config's.

Example:
    >>> config = ExportConfig(model="run/model.keras", out_dir="exported",
    ...                       formats="tflite", quantize="int8")
    >>> config.variants
    ('float32', 'int8')
    >>> config.planned_paths()
    ['generator_float32.tflite', 'generator_int8.tflite', 'export_report.json']

A CycleGAN's generators are named by direction:

    >>> config.planned_paths(directions=("xy", "yx"))[:2]
    ['generator_xy_float32.tflite', 'generator_xy_int8.tflite']
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tfgan_lite._validation import (
    check_bool,
    check_choice,
    check_float,
    check_int,
)

if TYPE_CHECKING:
    import keras

    from tfgan_lite.export import loading

# This module loads neither TensorFlow nor Keras: `tfgan-export` checks its
# flags against ExportConfig before TensorFlow starts. So the names that
# the heavier modules share with it (VARIANTS for litert, WEB_DIR for web,
# DIRECTION_CHOICES for loading) are written here and imported there.

__all__ = [
    "DEFAULT_FORMATS",
    "DIRECTION_CHOICES",
    "FORMATS",
    "MINIMUMS",
    "REPORT_FILE",
    "SAVED_MODEL_DIR",
    "VARIANTS",
    "WEB_DIR",
    "ExportConfig",
    "MissingPackageError",
    "check_variants",
    "saved_model_dirname",
    "tflite_filename",
]

VARIANTS: tuple[str, ...] = ("float32", "float16", "int8", "int8_full")
# What `direction` may ask of a CycleGAN: G ("xy"), F ("yx") or both
# (tfgan_lite.CycleGAN's DIRECTIONS and "both"; a test holds them equal).
DIRECTION_CHOICES: tuple[str, ...] = ("xy", "yx", "both")
WEB_DIR = "web"
FORMATS: tuple[str, ...] = ("saved_model", "tflite", "web")
# The web sampler needs LiteRT.js from npm, so it is asked for by name.
DEFAULT_FORMATS: tuple[str, ...] = ("saved_model", "tflite")
SAVED_MODEL_DIR = "saved_model"
REPORT_FILE = "export_report.json"

# The smallest allowed value of each numeric field. Seeds go to numpy's
# default_rng, which refuses negative ones.
MINIMUMS: dict[str, int | float] = {
    "batch_size": 1,
    "calibration_samples": 0,
    "calibration_seed": 0,
    "num_verify": 1,
    "verify_seed": 0,
    "latency_runs": 1,
    "latency_warmup": 0,
    "num_threads": 1,
    "parity_tolerance": 0.0,
    "quantized_min_snr_db": 0.0,
}


class MissingPackageError(ModuleNotFoundError):
    """A package that exporting needs is not installed.

    The message says which package and how to install it; ``tfgan-export``
    prints it and exits with status 1.
    """


def check_variants(variants: Iterable[str]) -> tuple[str, ...]:
    """Validates quantization variant names.

    Args:
        variants: Names to check.

    Returns:
        The names as a tuple, in the order given.

    Raises:
        TypeError: If a name is not a string.
        ValueError: If a name is not in ``VARIANTS``.
    """
    out = []
    for v in variants:
        if not isinstance(v, str):
            raise TypeError(f"Variant names are strings, got {v!r}.")
        if v not in VARIANTS:
            raise ValueError(
                f"Unknown quantization variant {v!r}. Known variants: "
                f"{', '.join(VARIANTS)} (float32 is always written)."
            )
        out.append(v)
    return tuple(out)


def tflite_filename(variant: str, direction: str | None = None) -> str:
    """The file name of one LiteRT variant.

    Args:
        variant: A name from ``VARIANTS``.
        direction: A CycleGAN generator's direction ("xy" or "yx"); None
            for a GAN's generator.

    Returns:
        ``f"generator_{variant}.tflite"``, or
        ``f"generator_{direction}_{variant}.tflite"``.

    Example:
        >>> tflite_filename("int8")
        'generator_int8.tflite'
        >>> tflite_filename("int8", "yx")
        'generator_yx_int8.tflite'
    """
    if direction is None:
        return f"generator_{variant}.tflite"
    return f"generator_{direction}_{variant}.tflite"


def saved_model_dirname(direction: str | None = None) -> str:
    """The SavedModel directory: ``saved_model`` or ``saved_model_<dir>``.

    Args:
        direction: A CycleGAN generator's direction, or None.

    Returns:
        The directory name relative to the export directory.

    Example:
        >>> saved_model_dirname("xy")
        'saved_model_xy'
    """
    if direction is None:
        return SAVED_MODEL_DIR
    return f"{SAVED_MODEL_DIR}_{direction}"


@dataclasses.dataclass(frozen=True, kw_only=True)
class ExportConfig:
    """What to export, where, and how to verify it.

    Attributes:
        model: A ``.keras`` path (a GAN, a CycleGAN or a bare generator),
            or a ``tfgan_lite.GAN``, ``tfgan_lite.CycleGAN``, generator
            ``keras.Model`` or GeneratorSpec in memory.
        out_dir: Directory for the files; created if missing.
        formats: Any of "saved_model", "tflite", "web" (a comma-separated
            string is accepted too). "web" writes a browser sampler
            (``web/``, see ``export/web.py``) around the float32 LiteRT
            file, which is then written and verified too.
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
            ``verify.UINT8_PARITY_TOLERANCE`` level).
        quantized_min_snr_db: Smallest SNR, in dB against the float32
            LiteRT file (``10 log10(var(float32 out) / MSE)``), that a
            float16 or int8 file may have; below it the conversion counts
            as broken. 5 dB is an RMS error of 56% of the outputs' standard
            deviation (working int8 files reach 10 to 20 dB); 0 fails only
            files whose error outweighs the signal. PSNR would not do: a
            low-contrast output has a high PSNR even when it is garbage.
        direction: For a CycleGAN only: "xy" exports G (X -> Y), "yx"
            exports F (Y -> X), "both" exports both. None means "xy" for
            a CycleGAN; any other model refuses a direction.
        calibration_images: For a CycleGAN only: real images of domain X,
            shape (N, H, W, C), float in [-1, 1] or uint8 in [0, 255], as
            an array or a ``.npy`` path. They calibrate int8_full and are
            the verification inputs (the first ``num_verify``); F gets
            G's translations of them. None uses images of uniform noise.
        litertjs_dir: For "web": the ``node_modules`` folder of an npm
            install of ``@litertjs/core``, whose module and WASM files are
            copied into ``web/``. None searches ``node_modules`` in the
            working directory and its parents.
        verbose: Print the report.
        converter_logs: Let the converter's and LiteRT's own log lines
            (C++, on stderr) through; False holds them back (Python
            warnings still show, and on an unexpected error every line
            does), as ``tfgan-export`` does without ``--verbose``.

    Raises:
        TypeError, ValueError: On construction, for a bad setting (unknown
            format or variant, int8_full without calibration, ...).
    """

    model: str | os.PathLike[str] | keras.Model | loading.GeneratorSpec
    out_dir: str | os.PathLike[str]
    formats: Sequence[str] = DEFAULT_FORMATS
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
    quantized_min_snr_db: float = 5.0
    direction: str | None = None
    calibration_images: str | os.PathLike[str] | np.ndarray | None = None
    litertjs_dir: str | os.PathLike[str] | None = None
    verbose: bool = True
    converter_logs: bool = False

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
        quantize = check_variants(_names(self.quantize, "quantize"))
        if quantize and "tflite" not in formats:
            raise ValueError(
                f"quantize={list(quantize)} applies to LiteRT files, but "
                f"formats={list(formats)} has no 'tflite'. Add it or drop "
                "quantize."
            )
        for name in (
            "uint8",
            "use_ema",
            "overwrite",
            "verbose",
            "converter_logs",
        ):
            check_bool(getattr(self, name), name)
        # Plain Python numbers from here on (the report is written as JSON).
        numbers = {}
        for name, low in MINIMUMS.items():
            value = getattr(self, name)
            if isinstance(low, float):
                numbers[name] = check_float(value, name, low=low)
            else:
                numbers[name] = check_int(value, name, minimum=low)
        if self.direction is not None:
            object.__setattr__(
                self,
                "direction",
                check_choice(self.direction, "direction", DIRECTION_CHOICES),
            )
        images = self.calibration_images
        if images is not None and not isinstance(
            images, str | os.PathLike | np.ndarray
        ):
            raise TypeError(
                "`calibration_images` must be a .npy path or a numpy array "
                f"of images, got {type(images).__name__}."
            )
        if "int8_full" in quantize and numbers["calibration_samples"] < 1:
            raise ValueError(
                "int8_full (full-integer) quantization calibrates activation "
                "ranges on representative latents, but calibration_samples="
                f"{self.calibration_samples}. Pass calibration_samples >= 1 "
                "(--calibration_samples; default 100) or drop int8_full."
            )
        # Normalized forms; frozen, hence object.__setattr__.
        object.__setattr__(self, "formats", formats)
        object.__setattr__(self, "quantize", quantize)
        for name, value in numbers.items():
            object.__setattr__(self, name, value)

    @property
    def variants(self) -> tuple[str, ...]:
        """The LiteRT variants to write, float32 first; () without tflite.

        The web format needs the float32 file, so it counts as tflite.
        """
        if "tflite" not in self.formats and "web" not in self.formats:
            return ()
        rest = [v for v in self.quantize if v != "float32"]
        return ("float32", *dict.fromkeys(rest))

    def planned_paths(
        self, directions: Sequence[str | None] = (None,)
    ) -> list[str]:
        """The paths, relative to out_dir, that this export writes.

        Args:
            directions: The exported CycleGAN directions, or ``(None,)``
                (the default) for a GAN's generator.

        Returns:
            SavedModel directories, LiteRT files, then the report.
        """
        paths = []
        for d in directions:
            if "saved_model" in self.formats:
                paths.append(saved_model_dirname(d))
            paths += [tflite_filename(v, d) for v in self.variants]
        if "web" in self.formats:
            paths.append(WEB_DIR)
        return [*paths, REPORT_FILE]


def _names(value: Any, what: str) -> tuple[str, ...]:
    """Format or variant names, lower-cased, from a list or "a,b" string."""
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
