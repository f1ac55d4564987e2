"""Finds the network to export: a GAN's sampler, a bare generator, or
one generator of a CycleGAN.

Export works on a :class:`GeneratorSpec`, which pins down the Keras model
to trace and its interface: a batch of latent vectors ``z`` of shape
``(batch, latent_dim)``, and for conditional generators an integer class
``label`` of shape ``(batch,)``. A CycleGAN's generators map images to
images instead; they are exported through a :class:`TranslatorSpec`.
:func:`load_generator` reads a ``.keras`` file (a ``tfgan_lite.GAN``, a
``tfgan_lite.CycleGAN`` or a bare generator model),
:func:`resolve_generator` does the same for an object in memory, and
:func:`load_generators` gives every network that one export writes.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import _files

# Importing the modules registers `GAN` and `CycleGAN` for deserialization
# by load_model.
from tfgan_lite import gans as _gans  # noqa: F401
from tfgan_lite._validation import check_bool, check_choice
from tfgan_lite.export.config import DIRECTION_CHOICES
from tfgan_lite.gans.cyclegan import DIRECTIONS, CycleGAN

__all__ = [
    "DIRECTION_CHOICES",
    "GeneratorSpec",
    "TranslatorSpec",
    "load_generator",
    "load_generators",
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


@dataclasses.dataclass(frozen=True)
class TranslatorSpec:
    """One generator of a CycleGAN: images of one domain to the other's.

    Attributes:
        model: G (direction "xy", X -> Y) or F ("yx", Y -> X).
        direction: "xy" or "yx".
        image_shape: Shape of one input image, (height, width, channels).
        sample_shape: Shape of one output image.
        partner: The other direction's generator; it turns images of X
            into inputs of F (see :meth:`inputs_from_x`).
        weights: Always "generator" (a CycleGAN keeps no EMA copy).
        source: Where the model came from (a path, or "<memory>").
    """

    model: keras.Model
    direction: str
    image_shape: tuple[int, ...]
    sample_shape: tuple[int, ...]
    partner: keras.Model | None = None
    weights: str = "generator"
    source: str = "<memory>"

    # Read by code that handles both kinds of spec.
    conditional = False

    def __call__(self, images: Any) -> tf.Tensor:
        """Translates images in [-1, 1] in inference mode (float32 out)."""
        images = tf.cast(images, tf.float32)
        return tf.cast(self.model(images, training=False), tf.float32)

    def inputs_from_x(self, x: np.ndarray) -> np.ndarray:
        """This generator's inputs made from images of domain X.

        G takes them as they are; F takes images of Y, here G(x), the
        translations of the X images (real Y images are not at hand).

        Args:
            x: float32 images of X in [-1, 1], shape (N, *image_shape).

        Returns:
            float32 images to feed this generator.

        Raises:
            ValueError: For direction "yx" without a partner generator.
        """
        if self.direction == "xy":
            return x
        if self.partner is None:
            raise ValueError(
                "F (direction 'yx') needs G to turn images of X into images "
                "of Y; this spec has no partner generator."
            )
        return np.asarray(self.partner(x, training=False), np.float32)


def load_generator(
    path: str | os.PathLike[str],
    *,
    use_ema: bool = True,
    direction: str | None = None,
) -> GeneratorSpec | TranslatorSpec:
    """Loads the network to export from a ``.keras`` file.

    Args:
        path: A ``.keras`` file written by ``gan.save(...)`` (a
            ``tfgan_lite.GAN``) or by ``generator.save(...)`` (a bare
            generator model).
        use_ema: For a GAN with ``ema_generator``, export the EMA weights.
        direction: For a CycleGAN only: "xy" (G, the default) or "yx" (F).

    Returns:
        The generator and its interface.

    Raises:
        FileNotFoundError: If nothing exists at ``path``.
        ValueError: If ``path`` is a directory, not a ``.keras`` archive,
            or holds a model that is not a generator; or ``direction`` is
            given for a model that is not a CycleGAN.
        tfgan_lite._files.CorruptFileError: A ValueError, if the archive
            is truncated or corrupt or cannot be deserialized.
        TypeError: If the file holds something other than a Keras model.
    """
    return resolve_generator(
        _read_keras(path),
        use_ema=use_ema,
        source=str(path),
        direction=direction,
    )


def load_generators(
    model: Any, *, use_ema: bool = True, direction: str | None = None
) -> list[GeneratorSpec | TranslatorSpec]:
    """Every network one export writes: one generator, or CycleGAN's.

    Args:
        model: A ``.keras`` path or an object that
            :func:`resolve_generator` takes.
        use_ema: For a GAN with ``ema_generator``, export the EMA weights.
        direction: For a CycleGAN only: "xy" (G: X -> Y, the default for a
            CycleGAN), "yx" (F: Y -> X) or "both" (G, then F).

    Returns:
        The specs, in export order.

    Raises:
        FileNotFoundError, TypeError, ValueError: As
            :func:`load_generator`, and for an unknown direction.
    """
    if direction is not None:
        direction = check_choice(direction, "direction", DIRECTION_CHOICES)
    if isinstance(model, str | os.PathLike):
        source, obj = str(model), _read_keras(model)
    else:
        source, obj = "<memory>", model
    names = DIRECTIONS if direction == "both" else (direction,)
    return [
        resolve_generator(obj, use_ema=use_ema, source=source, direction=d)
        for d in names
    ]


def _read_keras(path: str | os.PathLike[str]) -> Any:
    """Loads a ``.keras`` archive, with messages that say what to pass."""
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
    # compile=False: export needs neither optimizers nor losses.
    return _files.load_keras(
        path,
        hint=hint,
        remedy="Save the model again (gan.save(...)), or export the last "
        "good model of the run, RUN_DIR/checkpoints/last.keras.",
        compile=False,
    )


def resolve_generator(
    obj: Any,
    *,
    use_ema: bool = True,
    source: str = "<memory>",
    direction: str | None = None,
) -> GeneratorSpec | TranslatorSpec:
    """Picks the network to export from a GAN or a generator in memory.

    Args:
        obj: A ``tfgan_lite.GAN`` (or any object with a ``generator``
            Keras model or layer and optionally ``ema_generator`` and
            ``latent_dim``), a bare generator ``keras.Model``, or a
            :class:`GeneratorSpec` (returned as is); or a
            ``tfgan_lite.CycleGAN`` or :class:`TranslatorSpec`.
        use_ema: Export ``obj.ema_generator`` when it exists.
        source: Recorded in the spec, for reports.
        direction: For a CycleGAN only: "xy" (G: X -> Y; None means "xy")
            or "yx" (F: Y -> X).

    Returns:
        The generator and its interface.

    Raises:
        TypeError: If ``obj`` is neither a GAN nor a Keras model.
        ValueError: If the model does not take latent vectors, or
            ``direction`` is given for a model that is not a CycleGAN or
            names no direction of one.
    """
    if isinstance(obj, CycleGAN):
        return _translator_spec(obj, direction or "xy", source)
    if isinstance(obj, TranslatorSpec) and direction in (None, obj.direction):
        return obj
    if direction is not None:
        raise ValueError(
            f"`direction` applies to CycleGAN models only (G: X -> Y is "
            f"'xy', F: Y -> X is 'yx'); {source} holds a "
            f"{_kind(obj)}, which has no direction. Drop --direction."
        )
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


def _kind(obj: Any) -> str:
    if isinstance(obj, TranslatorSpec):
        return f"{obj.direction!r} translator"
    return type(obj).__name__


def _translator_spec(
    model: CycleGAN, direction: str, source: str
) -> TranslatorSpec:
    """The spec of G ("xy") or F ("yx"), with static image shapes."""
    if direction not in DIRECTIONS:
        raise ValueError(
            f"A CycleGAN has the directions {', '.join(DIRECTIONS)} (G: X -> "
            f"Y and F: Y -> X), got direction={direction!r}. Export both "
            "with direction='both' (--direction both)."
        )
    network = model.generator_for(direction)
    partner = model.generator_for("yx" if direction == "xy" else "xy")
    shapes = (
        (model.x_shape, model.y_shape)
        if direction == "xy"
        else (model.y_shape, model.x_shape)
    )
    if any(s is None for s in shapes):
        raise ValueError(
            f"The CycleGAN from {source} has no static image shapes (X "
            f"{model.x_shape}, Y {model.y_shape}); LiteRT files need them. "
            "Build the generators on keras.Input((H, W, C))."
        )
    return TranslatorSpec(
        model=network,
        direction=direction,
        image_shape=tuple(shapes[0]),
        sample_shape=tuple(shapes[1]),
        partner=partner,
        source=source,
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
