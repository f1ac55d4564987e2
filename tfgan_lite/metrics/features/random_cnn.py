"""A randomly initialised CNN as an embedding (`random_embedding`).

For data that no classifier was trained on (Naeem et al. 2020,
https://arxiv.org/abs/2002.09797, Section 5).
"""

from __future__ import annotations

import math

import keras
import numpy as np

from tfgan_lite._validation import check_int, check_size
from tfgan_lite.data import _pipeline
from tfgan_lite.metrics.features.extractor import FeatureExtractor
from tfgan_lite.metrics.features.keras_model import (
    _float32_policy,
    from_model,
)

__all__ = ["random_embedding"]


def _random_cnn(
    image_size: tuple[int, int], channels: int, dim: int
) -> keras.Model:
    """The untrained network of :func:`random_embedding`."""
    layers = keras.layers
    inputs = keras.Input((*image_size, channels))
    x = inputs
    height, width = image_size
    widths = (32, 64, 128, 256)
    stage = 0
    while min(height, width) >= 8:
        x = layers.Conv2D(
            widths[min(stage, len(widths) - 1)],
            3,
            padding="same",
            activation="relu",
        )(x)
        x = layers.AveragePooling2D(2)(x)
        height, width, stage = height // 2, width // 2, stage + 1
    x = layers.Flatten()(x)
    outputs = layers.Dense(dim)(x)
    return keras.Model(inputs, outputs)


def random_embedding(
    *,
    seed: int = 0,
    image_size: tuple[int, int] = (28, 28),
    channels: int = 1,
    dim: int = 256,
) -> FeatureExtractor:
    """A randomly initialised CNN with a fixed seed, as an embedding.

    For data that no trained classifier fits, Naeem et al. 2020
    ("Reliable Fidelity and Diversity Metrics for Generative Models",
    https://arxiv.org/abs/2002.09797, Section 5) recommend the features
    of a randomly initialised network. Here: 3x3 convolutions (ReLU,
    widths 32, 64, 128, 256, then 256) each followed by a 2x2 average
    pool, repeated while the smaller side is at least 8 pixels, then a
    dense projection of the flattened map to `dim` features.

    Weights are drawn with ``numpy.random.default_rng(seed)`` (He-normal
    kernels, zero biases; the projection has variance 1 / fan-in), so the
    same seed gives the same network in every run, independent of
    TensorFlow's or Keras' global seeds. The name records every argument.

    Args:
        seed: Seed of the weights, >= 0.
        image_size: The (height, width) the network takes.
        channels: 1 or 3.
        dim: Number of features, >= 1.

    Returns:
        A :class:`FeatureExtractor` named like
        ``"random_cnn_v1_seed0_28x28x1_d256"``, without probabilities.

    Raises:
        TypeError, ValueError: If an argument has the wrong type or value.

    Example:
        >>> from tfgan_lite.metrics.features import extract
        >>> a = random_embedding(seed=3, dim=8)
        >>> b = random_embedding(seed=3, dim=8)
        >>> x = np.linspace(-1, 1, 2 * 28 * 28).reshape(2, 28, 28)
        >>> bool(np.array_equal(extract(a, x), extract(b, x)))
        True
    """
    seed = check_int(seed, "seed", minimum=0)
    image_size = check_size(image_size, "image_size")
    channels = _pipeline.check_channels(channels)
    dim = check_int(dim, "dim", minimum=1)
    with _float32_policy():
        model = _random_cnn(image_size, channels, dim)
    rng = np.random.default_rng(seed)
    weights = []
    for variable in model.weights:
        shape = tuple(variable.shape)
        if len(shape) == 1:
            weights.append(np.zeros(shape, np.float32))
            continue
        fan_in = math.prod(shape[:-1])
        gain = 1.0 if len(shape) == 2 else 2.0  # He for ReLU layers.
        std = math.sqrt(gain / fan_in)
        weights.append((rng.standard_normal(shape) * std).astype(np.float32))
    model.set_weights(weights)
    name = (
        f"random_cnn_v1_seed{seed}_{image_size[0]}x{image_size[1]}x"
        f"{channels}_d{dim}"
    )
    return from_model(model, name=name)
