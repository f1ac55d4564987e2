"""Finds the network to export: a GAN's sampler or a bare generator.

Export works on a :class:`GeneratorSpec`, which pins down the Keras model
to trace and its interface: a batch of latent vectors ``z`` of shape
``(batch, latent_dim)``, and for conditional generators an integer class
``label`` of shape ``(batch,)``. :func:`load_generator` reads a ``.keras``
file (a ``tfgan_lite.GAN`` or a bare generator model) and
:func:`resolve_generator` does the same for an object in memory.
"""

from __future__ import annotations

import dataclasses
import os
import zipfile
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

# Importing the module registers `GAN` for deserialization by load_model.
from tfgan_lite import gan as _gan_module  # noqa: F401
from tfgan_lite._validation import check_bool

__all__ = [
    "GeneratorSpec",
    "load_generator",
    "resolve_generator",
]

_EXPECTED = (
    "a generator that maps latent vectors, shape (batch, latent_dim), to "
    "samples (optionally with a second input: an integer class label of "
    "shape (batch,))"
)


@dataclasses.dataclass(frozen=True)
class GeneratorSpec:
    """A generator network and the interface that export gives it.

    Attributes:
        model: The Keras model to export (the EMA copy when it was chosen).
        latent_dim: Size of the latent vector z.
        sample_shape: Shape of one generated sample, without the batch.
        latent_index: Position of z among the model's inputs.
        label_index: Position of the class label among the model's inputs,
            or None for an unconditional generator.
        label_dtype: The model's dtype for the label input, or None.
        num_classes: Number of classes a conditional generator accepts,
            when it could be read (from an Embedding layer); None otherwise.
        weights: "ema" when the exported weights are the GAN's exponential
            moving average, else "generator".
        source: Where the model came from (a path, or "<memory>").
    """

    model: keras.Model | keras.layers.Layer
    latent_dim: int
    sample_shape: tuple[int | None, ...]
    latent_index: int = 0
    label_index: int | None = None
    label_dtype: str | None = None
    num_classes: int | None = None
    weights: str = "generator"
    source: str = "<memory>"

    @property
    def conditional(self) -> bool:
        """Whether the generator takes a class label besides z."""
        return self.label_index is not None

    def __call__(self, z: Any, label: Any = None) -> tf.Tensor:
        """Runs the generator in inference mode.

        Args:
            z: Latent vectors, shape (batch, latent_dim), float32.
            label: Class labels, shape (batch,), for a conditional
                generator; must be None otherwise.

        Returns:
            The generated samples, shape (batch, *sample_shape).

        Raises:
            ValueError: If a label is missing or superfluous.
        """
        if not self.conditional:
            if label is not None:
                raise ValueError(
                    "This generator takes no label; call it with z only."
                )
            return self.model(z, training=False)
        if label is None:
            raise ValueError(
                "This generator is conditional: pass label=, integer class "
                "ids of shape (batch,)."
            )
        inputs = [None, None]
        # Keras refuses a list mixing numpy arrays and tensors.
        inputs[self.latent_index] = tf.cast(z, tf.float32)
        inputs[self.label_index] = tf.cast(label, self.label_dtype)
        return self.model(inputs, training=False)

    def default_labels(self, n: int) -> np.ndarray | None:
        """Labels used for checks and calibration: cycling through classes.

        Args:
            n: How many labels.

        Returns:
            int32 array ``arange(n) % num_classes`` (all zeros when the
            number of classes is unknown), or None when unconditional.
        """
        if not self.conditional:
            return None
        classes = self.num_classes or 1
        return (np.arange(n) % classes).astype(np.int32)


def load_generator(
    path: str | os.PathLike[str], *, use_ema: bool = True
) -> GeneratorSpec:
    """Loads the network to export from a ``.keras`` file.

    Args:
        path: A ``.keras`` file written by ``gan.save(...)`` (a
            ``tfgan_lite.GAN``) or by ``generator.save(...)`` (a bare
            generator model).
        use_ema: For a GAN with ``ema_generator``, export the EMA weights.

    Returns:
        The generator and its interface.

    Raises:
        FileNotFoundError: If nothing exists at ``path``.
        ValueError: If ``path`` is a directory, not a ``.keras`` archive,
            cannot be loaded, or holds a model that is not a generator.
        TypeError: If the file holds something other than a Keras model.
    """
    path = Path(path)
    hint = (
        "Pass the .keras file written by gan.save(...) or "
        "generator.save(...), e.g. --model RUN_DIR/model.keras."
    )
    if not path.exists():
        raise FileNotFoundError(f"No model file at '{path}'. {hint}")
    if path.is_dir():
        found = sorted(p.name for p in path.glob("*.keras"))
        if (path / "saved_model.pb").exists():
            what = "a TensorFlow SavedModel directory"
        else:
            what = "a directory"
        extra = f" It contains {', '.join(found)}." if found else ""
        raise ValueError(
            f"'{path}' is {what}, not a .keras file.{extra} {hint}"
        )
    if path.suffix != ".keras" or not zipfile.is_zipfile(path):
        raise ValueError(
            f"'{path}' is not a Keras v3 model archive (expected a zip file "
            f"named *.keras, got a {path.suffix or 'suffix-less'} file that "
            f"{'is' if zipfile.is_zipfile(path) else 'is not'} a zip "
            f"archive). {hint}"
        )
    try:
        # compile=False: export needs neither optimizers nor losses.
        obj = keras.saving.load_model(path, compile=False)
    except Exception as e:  # Keras raises many types for a bad archive.
        raise ValueError(
            f"Could not load '{path}' as a Keras model: "
            f"{type(e).__name__}: {e}. {hint}"
        ) from e
    return resolve_generator(obj, use_ema=use_ema, source=str(path))


def resolve_generator(
    obj: Any, *, use_ema: bool = True, source: str = "<memory>"
) -> GeneratorSpec:
    """Picks the network to export from a GAN or a generator in memory.

    Args:
        obj: A ``tfgan_lite.GAN`` (or any object with a ``generator``
            Keras model or layer and optionally ``ema_generator`` and
            ``latent_dim``), a bare generator ``keras.Model``, or a
            :class:`GeneratorSpec` (returned as is).
        use_ema: Export ``obj.ema_generator`` when it exists.
        source: Recorded in the spec, for reports.

    Returns:
        The generator and its interface.

    Raises:
        TypeError: If ``obj`` is neither a GAN nor a Keras model.
        ValueError: If the model does not take latent vectors.
    """
    if isinstance(obj, GeneratorSpec):
        return obj
    use_ema = check_bool(use_ema, "use_ema")
    generator = getattr(obj, "generator", None)
    # GAN accepts any Keras layer as its generator, not only a Model.
    if isinstance(generator, keras.layers.Layer):
        ema = getattr(obj, "ema_generator", None)
        weights = "generator"
        if use_ema and isinstance(ema, keras.layers.Layer):
            generator, weights = ema, "ema"
        latent_dim = getattr(obj, "latent_dim", None)
        return _spec(generator, latent_dim, weights=weights, source=source)
    if isinstance(obj, keras.Model):
        return _spec(obj, None, weights="generator", source=source)
    raise TypeError(
        f"Expected a tfgan_lite.GAN or a generator keras.Model, got "
        f"{type(obj).__name__}. Load the .keras file written by gan.save()."
    )


def _spec(
    model: keras.layers.Layer, latent_dim: Any, *, weights: str, source: str
) -> GeneratorSpec:
    """Reads the interface of ``model`` and checks it is a generator."""
    try:
        inputs = list(model.inputs)
        outputs = list(model.outputs)
    except (AttributeError, ValueError):
        inputs = outputs = []
    if not inputs:
        return _subclassed_spec(model, latent_dim, weights, source)
    shapes = [tuple(t.shape) for t in inputs]
    latent_index = label_index = None
    for i, t in enumerate(inputs):
        dtype = keras.backend.standardize_dtype(t.dtype)
        if len(t.shape) == 2 and "float" in dtype and t.shape[1] is not None:
            latent_index = i if latent_index is None else latent_index
        elif len(t.shape) == 1 and "int" in dtype:
            label_index = i
    if latent_index is None or len(inputs) != 1 + (label_index is not None):
        raise ValueError(
            f"'{model.name}' from {source} takes inputs of shape "
            f"{shapes[0] if len(shapes) == 1 else shapes}, so it takes no "
            f"latent vector. Export needs {_EXPECTED}. Pass a GAN's .keras "
            "file or its generator, not a discriminator or an image model."
        )
    if len(outputs) != 1:
        raise ValueError(
            f"'{model.name}' has {len(outputs)} outputs; export needs a "
            "generator with a single output tensor (the samples)."
        )
    z_dim = int(inputs[latent_index].shape[1])
    if latent_dim is not None and int(latent_dim) != z_dim:
        raise ValueError(
            f"latent_dim={latent_dim} but the generator takes latent vectors "
            f"of size {z_dim}."
        )
    label_dtype = None
    if label_index is not None:
        label_dtype = keras.backend.standardize_dtype(inputs[label_index].dtype)
    return GeneratorSpec(
        model=model,
        latent_dim=z_dim,
        sample_shape=tuple(outputs[0].shape[1:]),
        latent_index=latent_index,
        label_index=label_index,
        label_dtype=label_dtype,
        num_classes=_num_classes(model) if label_index is not None else None,
        weights=weights,
        source=source,
    )


def _subclassed_spec(
    model: keras.layers.Layer, latent_dim: Any, weights: str, source: str
) -> GeneratorSpec:
    # A subclassed generator has no symbolic inputs; only a GAN knows its
    # latent size, and a trial call on zeros gives the sample shape.
    if latent_dim is None:
        raise ValueError(
            f"Cannot read the latent size of '{model.name}' from {source}: "
            "it has no static inputs. Export the GAN that holds it (which "
            f"knows latent_dim), or a functional/Sequential model; expected "
            f"{_EXPECTED}."
        )
    latent_dim = int(latent_dim)
    try:
        out = model(tf.zeros((1, latent_dim)), training=False)
    except Exception as e:
        raise ValueError(
            f"'{model.name}' could not be called on latent vectors of shape "
            f"(1, {latent_dim}): {e}. Export needs {_EXPECTED}."
        ) from e
    if not tf.is_tensor(out):
        raise ValueError(
            f"'{model.name}' returns {type(out).__name__}; export needs a "
            "generator with a single output tensor (the samples)."
        )
    return GeneratorSpec(
        model=model,
        latent_dim=latent_dim,
        sample_shape=tuple(out.shape[1:]),
        weights=weights,
        source=source,
    )


def _num_classes(model: keras.Model) -> int | None:
    """Class count of a conditional generator, from its Embedding layer."""
    sizes = [
        layer.input_dim
        for layer in getattr(model, "layers", [])
        if isinstance(layer, keras.layers.Embedding)
    ]
    # Several embeddings would be ambiguous: leave the count unknown.
    return int(sizes[0]) if len(sizes) == 1 else None
