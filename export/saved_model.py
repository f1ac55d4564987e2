"""TensorFlow SavedModel export of a generator, with serving signatures.

The SavedModel is written with ``keras.export.ExportArchive`` and holds:

* ``generate(z)`` (also ``serving_default``): latent vectors ``z``,
  float32 ``(batch, latent_dim)``, in; ``{"images": samples}`` out.
* ``sample(seed, n)``: draws ``z ~ N(0, I)`` inside the graph with
  ``tf.random.stateless_normal(..., seed=seed, alg="philox")`` and returns
  ``{"images": samples}`` for ``n`` samples. ``seed`` is an int64 tensor
  of shape (2,); the same seed gives the same images. ``seed=[s, 0]``
  draws the latents that ``GAN.generate(n, seed=s)`` draws.
* For a conditional generator both signatures take one more input,
  ``label``: int32 class ids of shape ``(batch,)`` (``(n,)`` for sample).

With ``uint8=True`` both signatures return ``images`` as uint8 in
[0, 255], computed in the graph as ``clip(round((x + 1) * 127.5), 0, 255)``
where ``round`` rounds half to even (``tf.round``, ``np.round``).
"""

from __future__ import annotations

import os
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from tfgan_lite.export import loading

__all__ = [
    "GENERATE",
    "IMAGES",
    "LABEL",
    "LATENT",
    "NOISE_ALG",
    "SAMPLE",
    "SAMPLE_COUNT",
    "SEED",
    "export_saved_model",
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

# The algorithm GAN.generate uses, so seed [s, 0] matches generate(seed=s).
NOISE_ALG = "philox"


def to_uint8(x: tf.Tensor) -> tf.Tensor:
    """Maps samples in [-1, 1] to displayable uint8 pixels, in the graph.

    Args:
        x: Float samples, nominally in [-1, 1].

    Returns:
        ``clip(round((x + 1) * 127.5), 0, 255)`` as uint8; ``round`` rounds
        half to even. Values outside [-1, 1] saturate at 0 and 255.
    """
    x = tf.cast(x, tf.float32)
    return tf.cast(
        tf.clip_by_value(tf.round((x + 1.0) * 127.5), 0.0, 255.0), tf.uint8
    )


def to_uint8_numpy(x: np.ndarray) -> np.ndarray:
    """The numpy twin of :func:`to_uint8`, for reference outputs.

    Args:
        x: Float samples, nominally in [-1, 1].

    Returns:
        ``clip(round((x + 1) * 127.5), 0, 255)`` as uint8, computed in
        float32 with ``np.round`` (half to even), like the graph.
    """
    x = np.asarray(x, dtype=np.float32)
    scaled = (x + np.float32(1.0)) * np.float32(127.5)
    return np.clip(np.round(scaled), 0.0, 255.0).astype(np.uint8)


def export_saved_model(
    generator: loading.GeneratorSpec | keras.Model,
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
            generator ``keras.Model``.
        path: Directory to write; it must not exist yet or be empty.
        uint8: Return uint8 images in [0, 255] instead of floats in [-1, 1].
        batch_size: Fixed batch size of ``generate``; None (the default)
            accepts any batch size. LiteRT conversion uses a fixed one.
        include_sample: Also add the ``sample(seed, n)`` signature.

    Returns:
        The SavedModel directory.

    Raises:
        TypeError, ValueError: If ``generator`` is not a generator, or
            ``batch_size`` is not a positive int.
    """
    spec = loading.resolve_generator(generator)
    if batch_size is not None and (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, int)
        or batch_size < 1
    ):
        raise ValueError(
            f"`batch_size` must be a positive int or None, got {batch_size!r}."
        )
    finish = to_uint8 if uint8 else tf.identity

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
        z = tf.random.stateless_normal(shape, seed=seed, alg=NOISE_ALG)
        return generate(z, label)

    z_spec = tf.TensorSpec((batch_size, spec.latent_dim), tf.float32, LATENT)
    label_spec = [tf.TensorSpec((batch_size,), tf.int32, LABEL)]
    if not spec.conditional:
        label_spec = []
    archive = keras.export.ExportArchive()
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
    path = Path(path)
    archive.write_out(str(path), verbose=False)
    return path
