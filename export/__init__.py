"""Export of trained generators to SavedModel and LiteRT (TFLite) files.

With a trained model in ``runs/mnist/model.keras``::

    from tfgan_lite import export

    report = export.run_export(export.ExportConfig(
        model="runs/mnist/model.keras", out_dir="exported",
        quantize=("float16", "int8", "int8_full")))

writes ``exported/saved_model/`` (signatures ``generate(z)`` and
``sample(seed, n)``), ``exported/generator_<variant>.tflite`` and
``exported/export_report.json``. The same from a shell: ``tfgan-export``
or ``python -m tfgan_lite.export``.

A saved ``tfgan_lite.CycleGAN`` exports its generators as image-to-image
models: ``ExportConfig(model="runs/cyclegan/model.keras", out_dir=...,
direction="both", calibration_images=x_images)`` writes
``saved_model_xy/`` and ``saved_model_yx/`` (signature
``translate(images)`` returning ``translated`` and ``translated_uint8``)
and ``generator_<direction>_<variant>.tflite``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tfgan_lite import _lazy

if TYPE_CHECKING:
    from tfgan_lite.export.config import ExportConfig
    from tfgan_lite.export.config import MissingPackageError
    from tfgan_lite.export.config import saved_model_dirname
    from tfgan_lite.export.config import tflite_filename
    from tfgan_lite.export.config import VARIANTS
    from tfgan_lite.export.litert import OperatorInfo
    from tfgan_lite.export.litert import check_builtin_only
    from tfgan_lite.export.litert import convert_generator
    from tfgan_lite.export.litert import convert_saved_model
    from tfgan_lite.export.litert import list_operators
    from tfgan_lite.export.litert import load_interpreter
    from tfgan_lite.export.litert import representative_inputs
    from tfgan_lite.export.litert import run_generate
    from tfgan_lite.export.litert import run_translate
    from tfgan_lite.export.loading import GeneratorSpec
    from tfgan_lite.export.loading import TranslatorSpec
    from tfgan_lite.export.loading import load_generator
    from tfgan_lite.export.loading import load_generators
    from tfgan_lite.export.loading import resolve_generator
    from tfgan_lite.export.measures import max_abs_error
    from tfgan_lite.export.measures import psnr
    from tfgan_lite.export.pipeline import run_export
    from tfgan_lite.export.report import CompiledModelCheck
    from tfgan_lite.export.report import ExportReport
    from tfgan_lite.export.report import FileReport
    from tfgan_lite.export.report import ParityError
    from tfgan_lite.export.saved_model import export_saved_model
    from tfgan_lite.export.saved_model import to_uint8
    from tfgan_lite.export.saved_model import to_uint8_numpy

__all__ = [
    "VARIANTS",
    "CompiledModelCheck",
    "ExportConfig",
    "ExportReport",
    "FileReport",
    "MissingPackageError",
    "GeneratorSpec",
    "OperatorInfo",
    "ParityError",
    "TranslatorSpec",
    "check_builtin_only",
    "convert_generator",
    "convert_saved_model",
    "export_saved_model",
    "list_operators",
    "load_generator",
    "load_generators",
    "load_interpreter",
    "max_abs_error",
    "psnr",
    "representative_inputs",
    "resolve_generator",
    "run_export",
    "run_generate",
    "run_translate",
    "saved_model_dirname",
    "tflite_filename",
    "to_uint8",
    "to_uint8_numpy",
]

# Public name -> the module it comes from, in the order they load:
# importing the package loads no TensorFlow, so that `python -m
# tfgan_lite.export` starts quietly (tfgan_lite._lazy says why).
_EXPORTS = {
    "ExportConfig": "tfgan_lite.export.config",
    "MissingPackageError": "tfgan_lite.export.config",
    "saved_model_dirname": "tfgan_lite.export.config",
    "tflite_filename": "tfgan_lite.export.config",
    "VARIANTS": "tfgan_lite.export.config",
    "OperatorInfo": "tfgan_lite.export.litert",
    "check_builtin_only": "tfgan_lite.export.litert",
    "convert_generator": "tfgan_lite.export.litert",
    "convert_saved_model": "tfgan_lite.export.litert",
    "list_operators": "tfgan_lite.export.litert",
    "load_interpreter": "tfgan_lite.export.litert",
    "representative_inputs": "tfgan_lite.export.litert",
    "run_generate": "tfgan_lite.export.litert",
    "run_translate": "tfgan_lite.export.litert",
    "GeneratorSpec": "tfgan_lite.export.loading",
    "TranslatorSpec": "tfgan_lite.export.loading",
    "load_generator": "tfgan_lite.export.loading",
    "load_generators": "tfgan_lite.export.loading",
    "resolve_generator": "tfgan_lite.export.loading",
    "max_abs_error": "tfgan_lite.export.measures",
    "psnr": "tfgan_lite.export.measures",
    "run_export": "tfgan_lite.export.pipeline",
    "CompiledModelCheck": "tfgan_lite.export.report",
    "ExportReport": "tfgan_lite.export.report",
    "FileReport": "tfgan_lite.export.report",
    "ParityError": "tfgan_lite.export.report",
    "export_saved_model": "tfgan_lite.export.saved_model",
    "to_uint8": "tfgan_lite.export.saved_model",
    "to_uint8_numpy": "tfgan_lite.export.saved_model",
}
__getattr__, __dir__ = _lazy.surface(globals(), _EXPORTS)
