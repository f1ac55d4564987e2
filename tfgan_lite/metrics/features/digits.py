"""The digit classifier shipped with the package (`digits_classifier`)."""

from __future__ import annotations

import pathlib

import keras

from tfgan_lite.metrics.features.extractor import FeatureExtractor
from tfgan_lite.metrics.features.keras_model import (
    _float32_policy,
    from_model,
)

__all__ = ["DIGITS_CLASSIFIER_NAME", "digits_classifier"]

# The version is part of the name: retrained weights get a new name, so
# numbers measured with different weights are never mixed.
DIGITS_CLASSIFIER_NAME = "digits_cnn_v1"
# In tfgan_lite/metrics/assets/, the package data of `tfgan_lite.metrics`.
_DIGITS_WEIGHTS = (
    pathlib.Path(__file__).parents[1] / "assets" / "digits_cnn_v1.weights.h5"
)
_DIGITS_SIZE = (28, 28)


def _build_digits_cnn() -> keras.Model:
    """The architecture of :func:`digits_classifier`, untrained.

    ``scripts/train_digits_classifier.py`` trains it and writes the weights
    that :func:`digits_classifier` loads, so the two share this definition.
    """
    layers = keras.layers
    inputs = keras.Input((*_DIGITS_SIZE, 1), name="images")
    x = inputs
    for stage, width in enumerate((16, 32, 64), start=1):
        for part in "ab":
            x = layers.Conv2D(
                width,
                3,
                padding="same",
                activation="relu",
                name=f"conv{stage}{part}",
            )(x)
        if stage < 3:
            x = layers.MaxPooling2D(2, name=f"pool{stage}")(x)
    # Averaging over positions makes the features insensitive to where a
    # digit sits and how much of the frame it fills.
    x = layers.GlobalAveragePooling2D(name="average")(x)
    x = layers.Dense(64, activation="relu", name="features")(x)
    x = layers.Dropout(0.3, name="dropout")(x)
    outputs = layers.Dense(10, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=DIGITS_CLASSIFIER_NAME)


def digits_classifier() -> FeatureExtractor:
    """A small digit classifier shipped with the package (``digits_cnn_v1``).

    Trained by ``scripts/train_digits_classifier.py`` on the 8x8 digits of
    scikit-learn at 28x28x1 in [-1, 1], made exactly as
    ``tfgan_lite.data.digits(image_size=(28, 28))`` makes them, with
    augmentation (scale 0.65-1.05 about the centre, shifts of up to 2.5
    pixels, rotations of up to 12 degrees, blur and stroke-width changes)
    so that it also reads digits framed like MNIST (thin strokes centred
    in a 20x20 box). The weights were fitted on 80% of the 1,797 digits
    (``sklearn.model_selection.train_test_split(test_size=0.2,
    stratify=labels, random_state=0)``); on the other 360:

    * accuracy on the held-out digits: 99.44% (358 of 360);
    * accuracy on the held-out digits shrunk to a centred 20x20 box and
      padded to 28x28 (MNIST framing): 98.89% (356 of 360).

    Architecture: conv 3x3 16-16, max-pool, 32-32, max-pool, 64-64 (ReLU,
    same padding), global average pooling, dense 64 (ReLU: the features),
    dense 10 (softmax: the probabilities); 76,602 parameters.

    Returns:
        A :class:`FeatureExtractor` named ``"digits_cnn_v1"`` taking
        28x28x1 images, with 64-d features and 10 class probabilities.
        Use it for digits only: its features of other images mean little.

    Raises:
        FileNotFoundError: If the weights file is missing from the
            installed package.

    Example:
        >>> import numpy as np
        >>> from tfgan_lite.metrics.features import extract_all
        >>> classifier = digits_classifier()
        >>> classifier.name
        'digits_cnn_v1'
        >>> images = np.full((4, 28, 28, 1), -1.0, np.float32)
        >>> features, probabilities = extract_all(classifier, images)
        >>> features.shape, probabilities.shape
        ((4, 64), (4, 10))
    """
    if not _DIGITS_WEIGHTS.is_file():
        raise FileNotFoundError(
            f"The digit classifier's weights are missing: {_DIGITS_WEIGHTS}. "
            "Reinstall tfgan_lite, or recreate them with "
            f"`python scripts/train_digits_classifier.py --out "
            f"{_DIGITS_WEIGHTS}`."
        )
    with _float32_policy():
        model = _build_digits_cnn()
    model.load_weights(_DIGITS_WEIGHTS)
    return from_model(
        model,
        name=DIGITS_CLASSIFIER_NAME,
        layer="features",
        probabilities=True,
    )
