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
  display conversion, when asked for, runs in float after the DEQUANTIZE:
  left to the converter, its ADD and MUL were quantized with one shared
  scale (that of the product, about 0.8 for [0, 255]), which put the
  pixels up to 50 levels off. The tail's nodes are therefore excluded
  from quantization by name, through the selective quantization of
  ``tf.lite.experimental.QuantizationDebugger``.

Every file has one signature, ``generate``, with input ``z`` (float32,
``(batch_size, latent_dim)``), for conditional generators ``label``
(int32, ``(batch_size,)``), and output ``images``. A CycleGAN generator's
file has ``translate`` instead: input ``images`` (float32,
``(batch_size, H, W, C)``), outputs ``translated`` (float32) and
``translated_uint8``. Its int8_full calibration set is real images when
given, else uniform noise images (see :func:`representative_inputs`).
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

from tfgan_lite import _files
from tfgan_lite._validation import check_int
from tfgan_lite.export import loading
from tfgan_lite.export import saved_model as saved_model_lib
from tfgan_lite.export.config import (
    VARIANTS,
    MissingPackageError,
    check_variants,
)

try:
    from ai_edge_litert import schema_py_generated as schema
    from ai_edge_litert.interpreter import Interpreter
except ModuleNotFoundError as e:
    if not (e.name or "").startswith("ai_edge_litert"):
        raise
    # setup.py requires it wherever LiteRT publishes a wheel; elsewhere
    # (an Intel Mac) or in an environment set up by hand, say what to do.
    raise MissingPackageError(
        "exporting needs LiteRT (the ai-edge-litert package), which is not "
        "installed here: `pip install ai-edge-litert`. LiteRT publishes "
        "wheels for Linux, Windows and Apple-silicon Macs; on an Intel Mac, "
        "copy the model.keras to one of those and export there.",
        name=e.name,
    ) from None

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
    "run_translate",
    "signature_name",
]

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
    spec: loading.GeneratorSpec | loading.TranslatorSpec,
    *,
    num_samples: int,
    batch_size: int = 1,
    seed: int = 1,
    images: np.ndarray | None = None,
) -> list[dict[str, np.ndarray]]:
    """Draws the calibration set of ``int8_full``.

    A generator is calibrated on N(0, 1) latents (with labels cycling
    through the classes). A translator is calibrated on ``images`` when
    given (its own inputs, float32 in [-1, 1]; cycled when fewer than
    ``num_samples``), else on images of uniform noise in [-1, 1], which
    exercise every input level but none of the structure of real images.

    Args:
        spec: The generator (for the input shapes and the label input).
        num_samples: Number of latent vectors or images; at least 1.
        batch_size: Rows per calibration batch, the file's batch size.
        seed: Seed of the numpy generator that draws latents or noise.
        images: Real input images of a translator; ignored otherwise.

    Returns:
        ``ceil(num_samples / batch_size)`` input dicts keyed by signature
        input name (``z``, and ``label`` for conditional generators;
        ``images`` for translators).

    Raises:
        TypeError: If ``num_samples`` or ``batch_size`` is not an int.
        ValueError: If ``num_samples`` or ``batch_size`` is below 1.
    """
    num_samples = check_int(num_samples, "num_samples")
    if num_samples < 1:
        # Not the generic message: say why int8_full needs samples.
        raise ValueError(
            "Full-integer (int8_full) quantization calibrates activation "
            "ranges on representative inputs, but num_samples="
            f"{num_samples}. Use at least 1 (100 is the default) or drop "
            "int8_full."
        )
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    rng = np.random.default_rng(seed)
    rows = -(-num_samples // batch_size) * batch_size
    if isinstance(spec, loading.TranslatorSpec):
        if images is None:
            shape = (rows, *spec.image_shape)
            images = rng.uniform(-1.0, 1.0, shape)
        else:
            images = np.resize(images, (rows, *spec.image_shape))
        feeds = {saved_model_lib.IMAGES: images.astype(np.float32)}
    else:
        z = rng.standard_normal((rows, spec.latent_dim)).astype(np.float32)
        feeds = {saved_model_lib.LATENT: z}
        labels = spec.default_labels(rows)
        if labels is not None:
            feeds[saved_model_lib.LABEL] = labels
    return [
        {name: value[i : i + batch_size] for name, value in feeds.items()}
        for i in range(0, rows, batch_size)
    ]


def signature_name(spec: loading.GeneratorSpec | loading.TranslatorSpec) -> str:
    """The exported signature of a spec: ``generate`` or ``translate``."""
    if isinstance(spec, loading.TranslatorSpec):
        return saved_model_lib.TRANSLATE
    return saved_model_lib.GENERATE


def convert_saved_model(
    saved_model_dir: str | os.PathLike[str],
    *,
    variant: str,
    representative_dataset: Sequence[dict[str, np.ndarray]] | None = None,
    signature: str = saved_model_lib.GENERATE,
) -> bytes:
    """Converts one signature of a SavedModel to LiteRT.

    Args:
        saved_model_dir: A SavedModel written by
            :func:`~tfgan_lite.export.export_saved_model`, best with a fixed
            batch size.
        variant: One of ``VARIANTS``.
        representative_dataset: Calibration inputs for ``int8_full``
            (see :func:`representative_inputs`); ignored otherwise.
        signature: The signature to convert: ``generate``, or
            ``translate`` for a CycleGAN generator.

    Returns:
        The flatbuffer bytes, checked to hold builtin ops only.

    Raises:
        ValueError: For an unknown variant, or ``int8_full`` without a
            non-empty representative dataset.
        tfgan_lite._files.CorruptFileError: A ValueError, if the SavedModel
            is truncated or misses a file.
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
    converter = _files.read_file(
        saved_model_dir,
        lambda: tf.lite.TFLiteConverter.from_saved_model(
            str(saved_model_dir), signature_keys=[signature]
        ),
        what="a TensorFlow SavedModel",
        remedy=saved_model_lib.REEXPORT,
    )
    # Explicit: builtin ops only, so no Flex delegate is ever needed.
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    if variant != "float32":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if variant == "float16":
        converter.target_spec.supported_types = [tf.float16]
    tail = []
    if variant == "int8_full":
        data = list(representative_dataset)
        converter.representative_dataset = _replay(data)
        # The INT8 op set asks for int8 kernels wherever they exist.
        converter.target_spec.supported_ops = [
            tf.lite.OpsSet.TFLITE_BUILTINS_INT8
        ]
        # The interface stays float32; see the module docstring.
        converter.inference_input_type = tf.float32
        converter.inference_output_type = tf.float32
        tail = _uint8_tail_nodes(saved_model_dir, signature)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_CALIBRATION_WARNING)
        if tail:
            content = _convert_with_float_tail(converter, data, tail)
        else:
            content = converter.convert()
    check_builtin_only(content)
    return content


def _uint8_tail_nodes(
    saved_model_dir: str | os.PathLike[str], signature: str
) -> list[str]:
    """Names of the uint8 tail's nodes, when the signature has one."""
    loaded = saved_model_lib.load_saved_model(saved_model_dir)
    fn = loaded.signatures[signature]
    if not any(s.dtype == tf.uint8 for s in fn.structured_outputs.values()):
        return []
    traced = tf.function(saved_model_lib.to_uint8).get_concrete_function(
        tf.TensorSpec((1,), tf.float32)
    )
    return [
        f"{saved_model_lib.UINT8_TAIL}/{op.name}"
        for op in traced.graph.get_operations()
        if op.type not in ("Placeholder", "Identity", "NoOp")
    ]


def _convert_with_float_tail(
    converter: tf.lite.TFLiteConverter,
    data: list[dict[str, np.ndarray]],
    tail: list[str],
) -> bytes:
    """Full-integer conversion that keeps the ``tail`` nodes in float."""
    # The float tail needs the float kernels too.
    converter.target_spec.supported_ops = [
        tf.lite.OpsSet.TFLITE_BUILTINS_INT8,
        tf.lite.OpsSet.TFLITE_BUILTINS,
    ]
    options = tf.lite.experimental.QuantizationDebugOptions(
        denylisted_nodes=tail
    )
    debugger = tf.lite.experimental.QuantizationDebugger(
        converter=converter,
        debug_dataset=_replay(data),
        debug_options=options,
    )
    return debugger.get_nondebug_quantized_model()


def _replay(data: list[dict[str, np.ndarray]]) -> Callable[[], Iterable]:
    def generator():
        yield from data

    return generator


def convert_generator(
    generator: loading.GeneratorSpec | loading.TranslatorSpec | keras.Model,
    *,
    variants: Sequence[str] = ("float32",),
    batch_size: int = 1,
    uint8: bool = False,
    calibration_samples: int = 100,
    calibration_seed: int = 1,
    calibration_images: np.ndarray | None = None,
) -> dict[str, bytes]:
    """Converts a generator to LiteRT flatbuffers, one per variant.

    A SavedModel with a fixed-batch ``generate`` signature is written to a
    temporary directory and converted with ``from_saved_model``.

    Args:
        generator: A GeneratorSpec, GAN or generator ``keras.Model``, or
            a TranslatorSpec or CycleGAN (its G).
        variants: Names from ``VARIANTS``.
        batch_size: The files' fixed batch size (1 suits mobile apps).
        uint8: Output uint8 images in [0, 255] instead of floats (a
            translator always returns both).
        calibration_samples: Latents (or images) that calibrate
            ``int8_full``.
        calibration_seed: Seed of the calibration latents or noise images.
        calibration_images: A translator's real input images for
            ``int8_full`` (see :func:`representative_inputs`).

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
            images=calibration_images,
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
                path,
                variant=variant,
                representative_dataset=data,
                signature=signature_name(spec),
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

    Raises:
        FileNotFoundError: If no file exists at the path.
        tfgan_lite._files.CorruptFileError: A ValueError, if the file is
            truncated or not a LiteRT flatbuffer.
    """
    if isinstance(model, bytes | bytearray):
        interpreter = Interpreter(
            model_content=bytes(model), num_threads=num_threads
        )
        interpreter.allocate_tensors()
        return interpreter
    path = os.fspath(model)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"No LiteRT file at '{path}'. Pass a .tflite file that "
            "tfgan-export writes."
        )

    def load() -> Interpreter:
        interpreter = Interpreter(model_path=path, num_threads=num_threads)
        interpreter.allocate_tensors()
        return interpreter

    return _files.read_file(
        path,
        load,
        what="a LiteRT model",
        remedy=saved_model_lib.REEXPORT,
    )


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
    feeds = {saved_model_lib.LATENT: z}
    if label is not None:
        feeds[saved_model_lib.LABEL] = label
    out = _run_batches(interpreter, saved_model_lib.GENERATE, feeds)
    return out[saved_model_lib.IMAGES]


def run_translate(
    interpreter: Interpreter, images: np.ndarray
) -> dict[str, np.ndarray]:
    """Runs a CycleGAN file's ``translate`` signature over any batch.

    Args:
        interpreter: From :func:`load_interpreter`.
        images: float32 images in [-1, 1], shape (N, H, W, C); fed in the
            file's batch size, the last batch padded as in
            :func:`run_generate`.

    Returns:
        ``{"translated": float32 (N, ...), "translated_uint8": uint8}``.
    """
    feeds = {saved_model_lib.IMAGES: np.asarray(images, np.float32)}
    return _run_batches(interpreter, saved_model_lib.TRANSLATE, feeds)


def _run_batches(
    interpreter: Interpreter, signature: str, feeds: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    runner = interpreter.get_signature_runner(signature)
    first = next(iter(feeds))
    batch = int(runner.get_input_details()[first]["shape"][0])
    n = len(feeds[first])
    outputs: dict[str, list[np.ndarray]] = {}
    for i in range(0, n, batch):
        rows = min(batch, n - i)
        result = runner(
            **{k: pad_batch(v[i : i + rows], batch) for k, v in feeds.items()}
        )
        for name, value in result.items():
            outputs.setdefault(name, []).append(value[:rows])
    return {name: np.concatenate(parts) for name, parts in outputs.items()}


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
