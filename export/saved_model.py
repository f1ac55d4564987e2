"""TensorFlow SavedModel export of a generator, with serving signatures.

The SavedModel is written with ``keras.export.ExportArchive`` and holds:

* ``generate(z)`` (also ``serving_default``): latent vectors ``z``,
  float32 ``(batch, latent_dim)``, in; ``{"images": samples}`` out.
* ``sample(seed, n)``: draws ``z ~ N(0, I)`` inside the graph from the
  package's noise stream (``tf.random.stateless_normal`` with the Philox
  algorithm) and returns ``{"images": samples}`` for ``n`` samples.
  ``seed`` is an int64 tensor of shape (2,); the same seed gives the same
  images. ``seed=[s, 0]`` draws the latents that ``GAN.generate(n,
  seed=s)`` draws.
* For a conditional generator both signatures take one more input,
  ``label``: int32 class ids of shape ``(batch,)`` (``(n,)`` for sample).

With ``uint8=True`` both signatures return ``images`` as uint8 in
[0, 255], computed in the graph by :func:`to_uint8`, the package's one
pixel mapping: ``clip(round((x + 1) * 127.5), 0, 255)`` where ``round``
rounds half to even (``tf.round``, ``np.round``), and NaN becomes 0.

A CycleGAN generator (a :class:`~tfgan_lite.export.TranslatorSpec`) gets
one signature instead, ``translate(images)`` (also ``serving_default``):
float32 images in [-1, 1] of shape ``(batch, H, W, C)`` in, and out both
``translated`` (float32 in [-1, 1]) and ``translated_uint8`` (uint8, by
:func:`to_uint8`), so an app can show the result without converting it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import _files, _noise, _pixels
from tfgan_lite._validation import check_optional_int
from tfgan_lite.export import loading

__all__ = [
    "GENERATE",
    "IMAGES",
    "LABEL",
    "LATENT",
    "SAMPLE",
    "SAMPLE_COUNT",
    "SEED",
    "TRANSLATE",
    "TRANSLATED",
    "TRANSLATED_UINT8",
    "UINT8_TAIL",
    "export_saved_model",
    "load_saved_model",
    "to_uint8",
    "to_uint8_numpy",
]

# Signature, input and output names; apps and tests rely on them.
GENERATE = "generate"
SAMPLE = "sample"
LATENT = "z"
LABEL = "label"
SEED = "seed"
SAMPLE_COUNT = "n"
IMAGES = "images"
# The translator signature: input IMAGES, outputs TRANSLATED(_UINT8).
TRANSLATE = "translate"
TRANSLATED = "translated"
TRANSLATED_UINT8 = "translated_uint8"

# Public as export.to_uint8; sample grids share the same definition.
to_uint8 = _pixels.to_uint8

# The name scope of the uint8 tail in exported graphs. Full-integer LiteRT
# conversion keeps the ops under it in float (see litert.py).
UINT8_TAIL = "uint8_tail"


# What to do about a SavedModel that cannot be read.
REEXPORT = (
    "Export it again: tfgan-export --model RUN_DIR/model.keras --out DIR "
    "--overwrite."
)


def load_saved_model(path: str | os.PathLike[str]) -> Any:
    """Loads a SavedModel directory, naming it when it cannot be read.

    Args:
        path: A directory written by :func:`export_saved_model`.

    Returns:
        What ``tf.saved_model.load`` returns; its ``signatures`` hold the
        serving functions.

    Raises:
        FileNotFoundError: If ``path`` holds no ``saved_model.pb``.
        tfgan_lite._files.CorruptFileError: A ValueError, if the graph is
            truncated or a variables file is missing or truncated.
    """
    path = Path(path)
    if not (path / "saved_model.pb").is_file():
        raise FileNotFoundError(
            f"No SavedModel at '{path}': it holds no saved_model.pb. Pass "
            "the saved_model directory that tfgan-export writes."
        )
    return _files.read_file(
        path,
        lambda: tf.saved_model.load(str(path)),
        what="a TensorFlow SavedModel",
        remedy=REEXPORT,
    )


def _uint8_tail(x) -> tf.Tensor:
    with tf.name_scope(UINT8_TAIL):
        return to_uint8(x)


def to_uint8_numpy(x: Any) -> np.ndarray:
    """:func:`to_uint8` with a numpy result, for reference outputs.

    Args:
        x: Float samples, nominally in [-1, 1].

    Returns:
        A uint8 numpy array of the same shape.

    Example:
        >>> to_uint8_numpy(np.array([-1.0, 0.0, 0.5, 1.0, np.nan])).tolist()
        [0, 128, 191, 255, 0]
    """
    return to_uint8(x).numpy()


def export_saved_model(
    generator: loading.GeneratorSpec | loading.TranslatorSpec | keras.Model,
    path: str | os.PathLike[str],
    *,
    uint8: bool = False,
    batch_size: int | None = None,
    include_sample: bool = True,
) -> Path:
    """Writes a generator as a SavedModel with ``generate`` and ``sample``.

    Args:
        generator: A :class:`~tfgan_lite.export.GeneratorSpec`, a
            ``tfgan_lite.GAN`` (its EMA generator when it has one) or a
            generator ``keras.Model``; or a
            :class:`~tfgan_lite.export.TranslatorSpec`, which gets the
            ``translate`` signature instead.
        path: Directory to write; it must not exist yet or be empty.
        uint8: Return uint8 images in [0, 255] instead of floats in [-1, 1]
            (a translator always returns both).
        batch_size: Fixed batch size of ``generate``; None (the default)
            accepts any batch size. LiteRT conversion uses a fixed one.
        include_sample: Also add the ``sample(seed, n)`` signature.

    Returns:
        The SavedModel directory.

    Raises:
        TypeError, ValueError: If ``generator`` is not a generator, or
            ``batch_size`` is neither None nor a positive int.
    """
    spec = loading.resolve_generator(generator)
    batch_size = check_optional_int(batch_size, "batch_size", minimum=1)
    archive = keras.export.ExportArchive()
    if isinstance(spec, loading.TranslatorSpec):
        _add_translate(archive, spec, batch_size)
    else:
        _add_generate(archive, spec, uint8, batch_size, include_sample)
    path = Path(path)
    archive.write_out(str(path), verbose=False)
    return path


def _add_translate(
    archive: keras.export.ExportArchive,
    spec: loading.TranslatorSpec,
    batch_size: int | None,
) -> None:
    def translate(images):
        translated = spec(images)
        return {
            TRANSLATED: translated,
            TRANSLATED_UINT8: _uint8_tail(translated),
        }

    images = tf.TensorSpec((batch_size, *spec.image_shape), tf.float32, IMAGES)
    archive.add_endpoint(TRANSLATE, translate, input_signature=[images])


def _add_generate(
    archive: keras.export.ExportArchive,
    spec: loading.GeneratorSpec,
    uint8: bool,
    batch_size: int | None,
    include_sample: bool,
) -> None:
    finish = _uint8_tail if uint8 else tf.identity

    def generate(z, label=None):
        return {IMAGES: finish(spec(z, label))}

    def sample(seed, n, label=None):
        if label is not None:
            # A clear runtime error beats a shape mismatch deep in the net;
            # the control dependency makes the check run first.
            check = tf.debugging.assert_equal(
                tf.shape(label)[0],
                n,
                message=f"`{LABEL}` must hold one class id per sample (n).",
            )
            with tf.control_dependencies([check]):
                label = tf.identity(label)
        shape = tf.stack([n, tf.constant(spec.latent_dim, tf.int32)])
        z = _noise.normal(shape, seed)
        return generate(z, label)

    z_spec = tf.TensorSpec((batch_size, spec.latent_dim), tf.float32, LATENT)
    label_spec = [tf.TensorSpec((batch_size,), tf.int32, LABEL)]
    if not spec.conditional:
        label_spec = []
    # No archive.track(model): the endpoints' variables are saved anyway,
    # and with the TF backend track() would store every weight a second
    # time (as Keras variables beside the tf.Variables), doubling the size.
    archive.add_endpoint(
        GENERATE, generate, input_signature=[z_spec, *label_spec]
    )
    if include_sample:
        counts = [
            tf.TensorSpec((2,), tf.int64, SEED),
            tf.TensorSpec((), tf.int32, SAMPLE_COUNT),
        ]
        if spec.conditional:
            label_spec = [tf.TensorSpec((None,), tf.int32, LABEL)]
        archive.add_endpoint(
            SAMPLE, sample, input_signature=[*counts, *label_spec]
        )
