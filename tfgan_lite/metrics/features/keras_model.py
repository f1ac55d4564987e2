"""Any Keras model or callable as a feature extractor (`from_model`)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import keras
import tensorflow as tf

from tfgan_lite._validation import check_bool, check_size
from tfgan_lite.data import _pipeline
from tfgan_lite.metrics.features.extractor import (
    FeatureExtractor,
    _check_name,
)

__all__ = ["from_model"]


def _compiled(model: keras.Model, image_size, channels) -> Callable:
    """`model` as one traced function of float32 image batches."""
    spec = tf.TensorSpec((None, *image_size, channels), tf.float32)

    # One trace for every batch size (the last batch is often smaller).
    @tf.function(input_signature=[spec])
    def call(images):
        outputs = model(images, training=False)
        if isinstance(outputs, (list, tuple)):
            return tuple(_flatten(y) for y in outputs)
        return _flatten(outputs)

    return call


def _flatten(y: tf.Tensor) -> tf.Tensor:
    # Feature maps (N, h, w, c) become vectors (N, h*w*c).
    if y.shape.rank == 2:
        return y
    return tf.reshape(y, (tf.shape(y)[0], -1))


def _model_input(model: keras.Model) -> tuple[int | None, ...] | None:
    try:
        shape = model.input_shape
    except (AttributeError, ValueError):
        return None  # A subclassed model that was never built.
    if isinstance(shape, list) or shape is None or len(shape) != 4:
        raise ValueError(
            f"The model must take one batch of images (N, H, W, C); its "
            f"input shape is {shape}."
        )
    return tuple(shape[1:])


def _resolve_input(
    model: Any, image_size: Any, channels: Any
) -> tuple[tuple[int, int], int]:
    known = _model_input(model) if isinstance(model, keras.Model) else None
    if known is not None:
        height, width, depth = known
        if image_size is None and height is not None and width is not None:
            image_size = (height, width)
        if channels is None:
            channels = depth
    if image_size is None or channels is None:
        raise ValueError(
            "Cannot read the input size from the model (no static input "
            "shape). Pass image_size=(H, W) and channels=1 or 3."
        )
    image_size = check_size(image_size, "image_size")
    channels = _pipeline.check_channels(channels)
    if known is not None and not _shape_matches(known, (*image_size, channels)):
        raise ValueError(
            f"image_size={image_size} and channels={channels} do not match "
            f"the model's input shape {(None, *known)}. Leave them as None "
            f"to use the model's."
        )
    return image_size, channels


def _shape_matches(known, wanted) -> bool:
    return all(k is None or k == w for k, w in zip(known, wanted, strict=True))


def from_model(
    model: Any,
    *,
    name: str,
    image_size: tuple[int, int] | None = None,
    channels: int | None = None,
    layer: str | None = None,
    probabilities: bool = False,
) -> FeatureExtractor:
    """Any Keras model or callable as a feature extractor.

    Args:
        model: A Keras model, or any callable from a float32 batch of images
            in [-1, 1] to an array with one row per image.
        name: Identifies the feature space in reported results; include the
            weights' version (e.g. ``"my_cnn_v2_fc1"``).
        image_size: The (height, width) the model takes; None reads it from
            a Keras model's input shape.
        channels: 1 or 3; None reads it from a Keras model's input shape.
        layer: Name of a layer of a functional or Sequential Keras model
            whose output is the features; None for the model's output.
            Outputs of rank > 2 are flattened to (N, D).
        probabilities: Whether the model's output is class probabilities
            (a softmax, rows summing to 1), available through
            :func:`extract_probabilities`.

    Returns:
        A :class:`FeatureExtractor`.

    Raises:
        TypeError: If `model` is not callable, or `layer` is given for
            something other than a Keras model.
        ValueError: If the input size cannot be read or disagrees with the
            model, `layer` is not a layer of the model, or the model has
            several outputs.

    Example:
        >>> import numpy as np
        >>> import keras
        >>> from tfgan_lite.metrics.features import (
        ...     extract, extract_probabilities)
        >>> inputs = keras.Input((8, 8, 1))
        >>> hidden = keras.layers.Dense(4, name="hidden")(
        ...     keras.layers.Flatten()(inputs))
        >>> outputs = keras.layers.Dense(3, activation="softmax")(hidden)
        >>> net = keras.Model(inputs, outputs)
        >>> extractor = from_model(net, name="tiny_hidden", layer="hidden",
        ...                        probabilities=True)
        >>> images = np.zeros((2, 8, 8, 1), np.float32)
        >>> extract(extractor, images).shape
        (2, 4)
        >>> extract_probabilities(extractor, images).shape
        (2, 3)
    """
    name = _check_name(name)
    probabilities = check_bool(probabilities, "probabilities")
    if not callable(model):
        raise TypeError(
            f"`model` must be a Keras model or a callable, got "
            f"{type(model).__name__}."
        )
    if layer is not None and not isinstance(layer, str):
        raise TypeError(
            f"`layer` must be a layer name (str) or None, got {layer!r} of "
            f"type {type(layer).__name__}."
        )
    image_size, channels = _resolve_input(model, image_size, channels)
    if not isinstance(model, keras.Model):
        if layer is not None:
            raise TypeError(
                "`layer` needs a functional or Sequential Keras model; "
                f"`model` is a {type(model).__name__}."
            )
        return _whole_output(
            model, name, image_size, channels, probabilities=probabilities
        )
    if len(getattr(model, "outputs", None) or [None]) != 1:
        raise ValueError(
            f"The model has {len(model.outputs)} outputs; wrap it in a "
            f"keras.Model with the one output to use."
        )
    if layer is None:
        call = _compiled(model, image_size, channels)
        return _whole_output(
            call, name, image_size, channels, probabilities=probabilities
        )
    return _layer_extractor(
        model,
        layer,
        name=name,
        image_size=image_size,
        channels=channels,
        probabilities=probabilities,
    )


def _whole_output(
    call: Callable,
    name: str,
    image_size: tuple[int, int],
    channels: int,
    *,
    probabilities: bool,
) -> FeatureExtractor:
    """`call`'s output as the features, and as the probabilities if asked."""
    return FeatureExtractor(
        name=name,
        image_size=image_size,
        channels=channels,
        features=call,
        probabilities=call if probabilities else None,
        joint=_twice(call) if probabilities else None,
    )


def _twice(call: Callable) -> Callable:
    # The output is both the features and the probabilities: one pass.
    def joint(images):
        output = call(images)
        return output, output

    return joint


def _layer_extractor(
    model: keras.Model,
    layer: str,
    *,
    name: str,
    image_size: tuple[int, int],
    channels: int,
    probabilities: bool,
) -> FeatureExtractor:
    if not getattr(model, "inputs", None):
        raise ValueError(
            "`layer` needs a functional or Sequential Keras model built on a "
            "keras.Input, so that the layer's output can be reached; this "
            "model has no symbolic inputs."
        )
    names = [lay.name for lay in model.layers]
    if layer not in names:
        raise ValueError(
            f"`layer` must name a layer of the model, got layer={layer!r}. "
            f"Its layers are: {', '.join(names)}."
        )
    inputs = model.inputs
    hidden = model.get_layer(layer).output
    features = _compiled(keras.Model(inputs, hidden), image_size, channels)
    if not probabilities:
        return FeatureExtractor(
            name=name,
            image_size=image_size,
            channels=channels,
            features=features,
        )
    both = _compiled(
        keras.Model(inputs, [hidden, model.outputs[0]]), image_size, channels
    )
    return FeatureExtractor(
        name=name,
        image_size=image_size,
        channels=channels,
        features=features,
        probabilities=_compiled(model, image_size, channels),
        joint=both,
    )


@contextlib.contextmanager
def _float32_policy():
    """Builds models in float32 whatever the global dtype policy is.

    An extractor's numbers must not depend on the mixed precision of the
    run that measures (``keras.mixed_precision.set_global_policy``): under
    "mixed_bfloat16" the digits classifier's softmax rows sum to 1 only
    within bfloat16's 3 significant digits.
    """
    saved = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("float32")
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(saved)
