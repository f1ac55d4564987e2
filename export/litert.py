"""LiteRT (TFLite) flatbuffers of a generator's ``generate`` signature.

Each file is converted with ``tf.lite.TFLiteConverter.from_saved_model``
from a SavedModel whose ``generate`` signature has a fixed batch size
(mobile runtimes plan memory for static shapes). Only builtin ops are
allowed (``OpsSet.TFLITE_BUILTINS``, never ``SELECT_TF_OPS``), so the
files run on the stock LiteRT runtime without the Flex delegate.

Variants (``VARIANTS``):

* ``float32``: no quantization; matches the Keras generator to ~1e-6.
* ``float16``: weights stored as float16 (about half the size), computed
  in float32 after dequantization at load time.
* ``int8``: dynamic-range quantization: int8 weights, float activations.
* ``int8_full``: full-integer quantization: int8 weights and int8
  activations, calibrated on N(0, 1) latent vectors. The input ``z`` and
  the output stay float32 (a QUANTIZE op at the entrance and a DEQUANTIZE
  op at the exit), so app code is the same for every variant. The uint8
  display conversion, when asked for, runs after the DEQUANTIZE.

Every file has one signature, ``generate``, with input ``z`` (float32,
``(batch_size, latent_dim)``), for conditional generators ``label``
(int32, ``(batch_size,)``), and output ``images``.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

import keras
import numpy as np
import tensorflow as tf
from ai_edge_litert import schema_py_generated as schema
from ai_edge_litert.interpreter import Interpreter

from tfgan_lite._validation import check_int
from tfgan_lite.export import loading
from tfgan_lite.export import saved_model as saved_model_lib

__all__ = [
    "VARIANTS",
    "OperatorInfo",
    "check_builtin_only",
    "check_variants",
    "convert_generator",
    "convert_saved_model",
    "list_operators",
    "load_interpreter",
    "pad_batch",
    "representative_inputs",
    "run_generate",
]

VARIANTS: tuple[str, ...] = ("float32", "float16", "int8", "int8_full")

_OP_NAMES = {
    code: name
    for name, code in vars(schema.BuiltinOperator).items()
    if not name.startswith("_")
}
_TYPE_NAMES = {
    code: name.lower()
    for name, code in vars(schema.TensorType).items()
    if not name.startswith("_")
}

# The converter calibrates int8_full through tf.lite.Interpreter, which
# warns about its own deprecation; our code never uses that interpreter.
_CALIBRATION_WARNING = r"\s*Warning: tf\.lite\.Interpreter is deprecated"


class OperatorInfo(NamedTuple):
    """One operator of a flatbuffer's main graph.

    Attributes:
        name: Builtin op name (e.g. "FULLY_CONNECTED"), or the custom code
            of a custom op (Flex ops are custom ops named "Flex...").
        builtin: False for custom ops (including Flex ops).
        input_types: Tensor types of the inputs, e.g. ("int8", "int8").
        output_types: Tensor types of the outputs.
    """

    name: str
    builtin: bool
    input_types: tuple[str, ...]
    output_types: tuple[str, ...]


def list_operators(model_content: bytes) -> list[OperatorInfo]:
    """Lists the operators of a LiteRT flatbuffer's first subgraph.

    Args:
        model_content: The ``.tflite`` file's bytes.

    Returns:
        One entry per operator, in execution order.
    """
    model = schema.ModelT.InitFromPackedBuf(bytearray(model_content), 0)
    graph = model.subgraphs[0]

    def types(indices) -> tuple[str, ...]:
        if indices is None:
            return ()
        return tuple(
            _TYPE_NAMES.get(graph.tensors[i].type, "?")
            for i in indices
            if i >= 0
        )

    ops = []
    for op in graph.operators or []:
        opcode = model.operatorCodes[op.opcodeIndex]
        # Old files store small codes in the deprecated field only.
        code = max(opcode.builtinCode, opcode.deprecatedBuiltinCode)
        builtin = code != schema.BuiltinOperator.CUSTOM
        if builtin:
            name = _OP_NAMES.get(code, f"BUILTIN_{code}")
        else:
            name = opcode.customCode or ""
            if isinstance(name, bytes):
                name = name.decode("utf-8", "replace")
        ops.append(
            OperatorInfo(name, builtin, types(op.inputs), types(op.outputs))
        )
    return ops


def check_builtin_only(model_content: bytes) -> None:
    """Checks that a flatbuffer needs no Flex delegate and no custom op.

    Args:
        model_content: The ``.tflite`` file's bytes.

    Raises:
        ValueError: If any operator is a custom op (Flex ops included).
    """
    custom = sorted(
        {op.name for op in list_operators(model_content) if not op.builtin}
    )
    if custom:
        raise ValueError(
            f"The LiteRT model uses non-builtin ops {custom}; "
            "the stock mobile runtime cannot run them. Replace the layers "
            "that need them."
        )


def representative_inputs(
    spec: loading.GeneratorSpec,
    *,
    num_samples: int,
    batch_size: int = 1,
    seed: int = 1,
) -> list[dict[str, np.ndarray]]:
    """Draws the calibration set of ``int8_full``: N(0, 1) latents.

    Args:
        spec: The generator (for the latent size and the label input).
        num_samples: Number of latent vectors; at least 1.
        batch_size: Rows per calibration batch, the file's batch size.
        seed: Seed of the numpy generator that draws the latents.

    Returns:
        ``ceil(num_samples / batch_size)`` input dicts keyed by signature
        input name (``z``, and ``label`` for conditional generators).

    Raises:
        TypeError: If ``num_samples`` or ``batch_size`` is not an int.
        ValueError: If ``num_samples`` or ``batch_size`` is below 1.
    """
    num_samples = check_int(num_samples, "num_samples")
    if num_samples < 1:
        # Not the generic message: say why int8_full needs samples.
        raise ValueError(
            "Full-integer (int8_full) quantization calibrates activation "
            "ranges on representative latents, but num_samples="
            f"{num_samples}. Use at least 1 (100 is the default) or drop "
            "int8_full."
        )
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    rng = np.random.default_rng(seed)
    batches = -(-num_samples // batch_size)
    z = rng.standard_normal((batches * batch_size, spec.latent_dim))
    z = z.astype(np.float32)
    labels = spec.default_labels(len(z))
    out = []
    for i in range(0, len(z), batch_size):
        item = {saved_model_lib.LATENT: z[i : i + batch_size]}
        if labels is not None:
            item[saved_model_lib.LABEL] = labels[i : i + batch_size]
        out.append(item)
    return out


def convert_saved_model(
    saved_model_dir: str | os.PathLike[str],
    *,
    variant: str,
    representative_dataset: Sequence[dict[str, np.ndarray]] | None = None,
) -> bytes:
    """Converts the ``generate`` signature of a SavedModel to LiteRT.

    Args:
        saved_model_dir: A SavedModel written by
            :func:`~tfgan_lite.export.export_saved_model`, best with a fixed
            batch size.
        variant: One of ``VARIANTS``.
        representative_dataset: Calibration inputs for ``int8_full``
            (see :func:`representative_inputs`); ignored otherwise.

    Returns:
        The flatbuffer bytes, checked to hold builtin ops only.

    Raises:
        ValueError: For an unknown variant, or ``int8_full`` without a
            non-empty representative dataset.
    """
    check_variants([variant])
    if variant == "int8_full" and not representative_dataset:
        raise ValueError(
            "int8_full (full-integer) quantization needs a non-empty "
            "representative dataset to calibrate activation ranges; got "
            f"{representative_dataset!r}. Pass representative_inputs("
            "spec, num_samples=100) or choose another variant "
            f"({', '.join(v for v in VARIANTS if v != 'int8_full')})."
        )
    converter = tf.lite.TFLiteConverter.from_saved_model(
        str(saved_model_dir), signature_keys=[saved_model_lib.GENERATE]
    )
    # Explicit: builtin ops only, so no Flex delegate is ever needed.
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    if variant != "float32":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if variant == "float16":
        converter.target_spec.supported_types = [tf.float16]
    if variant == "int8_full":
        data = list(representative_dataset)
        converter.representative_dataset = _replay(data)
        # The INT8 op set asks for int8 kernels wherever they exist; only
        # ops without one (the uint8 display tail after DEQUANTIZE) stay
        # float.
        converter.target_spec.supported_ops = [
            tf.lite.OpsSet.TFLITE_BUILTINS_INT8
        ]
        # The interface stays float32; see the module docstring.
        converter.inference_input_type = tf.float32
        converter.inference_output_type = tf.float32
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_CALIBRATION_WARNING)
        content = converter.convert()
    check_builtin_only(content)
    return content


def _replay(data: list[dict[str, np.ndarray]]) -> Callable[[], Iterable]:
    def generator():
        yield from data

    return generator


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


def convert_generator(
    generator: loading.GeneratorSpec | keras.Model,
    *,
    variants: Sequence[str] = ("float32",),
    batch_size: int = 1,
    uint8: bool = False,
    calibration_samples: int = 100,
    calibration_seed: int = 1,
) -> dict[str, bytes]:
    """Converts a generator to LiteRT flatbuffers, one per variant.

    A SavedModel with a fixed-batch ``generate`` signature is written to a
    temporary directory and converted with ``from_saved_model``.

    Args:
        generator: A GeneratorSpec, GAN or generator ``keras.Model``.
        variants: Names from ``VARIANTS``.
        batch_size: The files' fixed batch size (1 suits mobile apps).
        uint8: Output uint8 images in [0, 255] instead of floats.
        calibration_samples: Latents drawn to calibrate ``int8_full``.
        calibration_seed: Seed of the calibration latents.

    Returns:
        A dict from variant name to flatbuffer bytes.

    Raises:
        ValueError: For an unknown variant, a batch size below 1, or
            ``int8_full`` with ``calibration_samples`` below 1.
    """
    variants = check_variants(variants)
    spec = loading.resolve_generator(generator)
    data = None
    if "int8_full" in variants:
        # Before the slow SavedModel write: fail fast on a bad setting.
        data = representative_inputs(
            spec,
            num_samples=calibration_samples,
            batch_size=batch_size,
            seed=calibration_seed,
        )
    out = {}
    with tempfile.TemporaryDirectory(prefix="tfgan_export_") as tmp:
        path = saved_model_lib.export_saved_model(
            spec,
            Path(tmp) / "fixed_batch",
            uint8=uint8,
            batch_size=batch_size,
            include_sample=False,
        )
        for variant in variants:
            out[variant] = convert_saved_model(
                path, variant=variant, representative_dataset=data
            )
    return out


def load_interpreter(
    model: str | os.PathLike[str] | bytes, *, num_threads: int = 1
) -> Interpreter:
    """Loads a flatbuffer in the LiteRT interpreter (no Flex delegate).

    Args:
        model: A ``.tflite`` path or the flatbuffer bytes.
        num_threads: CPU threads of the interpreter.

    Returns:
        An ``ai_edge_litert`` interpreter with tensors allocated.
    """
    if isinstance(model, bytes | bytearray):
        interpreter = Interpreter(
            model_content=bytes(model), num_threads=num_threads
        )
    else:
        interpreter = Interpreter(
            model_path=os.fspath(model), num_threads=num_threads
        )
    interpreter.allocate_tensors()
    return interpreter


def run_generate(
    interpreter: Interpreter,
    z: np.ndarray,
    *,
    label: np.ndarray | None = None,
) -> np.ndarray:
    """Runs the ``generate`` signature over any number of latents.

    The file has a fixed batch size B; the latents are fed B at a time and
    the last batch is padded with copies of its first row.

    Args:
        interpreter: From :func:`load_interpreter`.
        z: Latent vectors, shape (N, latent_dim).
        label: Class ids, shape (N,), for conditional generators.

    Returns:
        The N outputs, stacked.
    """
    runner = interpreter.get_signature_runner(saved_model_lib.GENERATE)
    details = runner.get_input_details()[saved_model_lib.LATENT]
    batch = int(details["shape"][0])
    outputs = []
    for i in range(0, len(z), batch):
        rows = slice(i, i + batch)
        feeds = {saved_model_lib.LATENT: pad_batch(z[rows], batch)}
        if label is not None:
            feeds[saved_model_lib.LABEL] = pad_batch(label[rows], batch)
        result = runner(**feeds)[saved_model_lib.IMAGES]
        outputs.append(result[: len(z[rows])])
    return np.concatenate(outputs)


def pad_batch(x: np.ndarray, batch: int) -> np.ndarray:
    """Pads rows to a fixed batch with copies of the first row.

    Args:
        x: Array with 1 to ``batch`` rows.
        batch: The batch size to reach.

    Returns:
        ``x`` with ``batch`` rows.
    """
    if len(x) == batch:
        return x
    filler = np.repeat(x[:1], batch - len(x), axis=0)
    return np.concatenate([x, filler])
