"""Feature extractors: images in, (N, D) feature arrays out, for the metrics.

The metrics of ``tfgan_lite.metrics`` compare arrays of features. This
module turns images into those arrays with a :class:`FeatureExtractor`:

* :func:`digits_classifier`: a small CNN shipped with the package, trained
  on scikit-learn's 8x8 digits at 28x28 (with augmentation so that it also
  reads MNIST-framed digits). 64-d features and 10 class probabilities.
* :func:`inception_v3`: Keras' ImageNet InceptionV3, from a weights file the
  user provides (nothing is downloaded). 2048-d features, 1000 classes.
* :func:`random_embedding`: a randomly initialised CNN with a fixed seed,
  for data that no classifier was trained on (Naeem et al. 2020,
  https://arxiv.org/abs/2002.09797, Section 5).
* :func:`from_model`: any Keras model or callable.

Every extractor has a `name` that the metrics report with their numbers:
a distance in one feature space says nothing about a distance in another,
so numbers with different names must never be compared.

:func:`extract` (features), :func:`extract_probabilities` (class
probabilities) and :func:`extract_all` (both, in one pass) accept a numpy
array, a ``tf.data.Dataset`` or an iterator of batches, and apply the same
fixed preprocessing to every image, real or generated, because each step
changes the numbers (Parmar et al. 2022, "On Aliased Resizing and
Surprising Subtleties in GAN Evaluation", https://arxiv.org/abs/2104.11222):

1. Check: float images must lie in [-1, 1] (values up to 1e-3 outside
   are clipped; anything further is an error, as is NaN or inf). uint8
   images are read as pixels in [0, 255].
2. Quantise (``quantize=True``, the default): float images are rounded to
   the uint8 grid with ``tfgan_lite._pixels.to_uint8``, exactly as saving
   them to PNG would, so that generated samples are measured like real
   images read from files. uint8 images are already on the grid.
3. Scale to [-1, 1], convert channels and resize, with the steps of
   ``tfgan_lite.data`` (so a PNG read by ``data.from_folder`` and the
   sample it was saved from give the same values here, up to float
   rounding of about 1e-7): RGB becomes luma with the
   BT.601 weights (0.299, 0.587, 0.114), images are resized with
   antialiased bilinear interpolation to the extractor's `image_size` when
   their size differs, grayscale is repeated to RGB, and the result is
   clipped to [-1, 1].

Images are processed `batch_size` at a time: for an array, slices of it;
for a dataset or iterator, one batch after another. Only one batch of
images is held at once, plus the features computed so far.

Example:
    >>> import numpy as np
    >>> extractor = random_embedding(seed=0, dim=32)
    >>> extractor.name  # Reported with every number measured with it.
    'random_cnn_v1_seed0_28x28x1_d32'
    >>> images = np.zeros((5, 28, 28, 1), np.float32)
    >>> extract(extractor, images).shape
    (5, 32)
"""

from __future__ import annotations

import collections.abc
import contextlib
import dataclasses
import math
import os
import pathlib
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite._pixels import to_uint8
from tfgan_lite._validation import (
    check_bool,
    check_int,
    check_path,
    check_size,
    find_non_finite,
)
from tfgan_lite.data import _pipeline

__all__ = [
    "DIGITS_CLASSIFIER_NAME",
    "FeatureExtractor",
    "digits_classifier",
    "extract",
    "extract_all",
    "extract_probabilities",
    "from_model",
    "inception_v3",
    "random_embedding",
]

# Float images may step this far outside [-1, 1] (a tanh in float16, a
# resize overshoot) and are clipped; further out, they were not scaled.
_RANGE_TOLERANCE = 1e-3

# Rows of class probabilities must sum to 1 within this; float32 softmax
# rows are off by ~1e-7, rows off by more are logits or scores.
_SUM_TOLERANCE = 1e-3

# Rows per chunk when a numpy array is checked before any feature is
# computed: a few MB at a time, however large the array.
_CHECK_CHUNK = 4096

# The version is part of the name: retrained weights get a new name, so
# numbers measured with different weights are never mixed.
DIGITS_CLASSIFIER_NAME = "digits_cnn_v1"
_DIGITS_WEIGHTS = (
    pathlib.Path(__file__).parent / "assets" / "digits_cnn_v1.weights.h5"
)
_DIGITS_SIZE = (28, 28)

# Where Keras gets the InceptionV3 weights with the ImageNet top
# (keras/src/applications/inception_v3.py, WEIGHTS_PATH).
_INCEPTION_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
_INCEPTION_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/"
    f"inception_v3/{_INCEPTION_FILE}"
)
_INCEPTION_HOW_TO = (
    "Nothing is downloaded at run time. On a machine with internet "
    "access, run\n"
    '    python -c "import keras; '
    "keras.applications.InceptionV3(weights='imagenet')\"\n"
    f"and copy ~/.keras/models/{_INCEPTION_FILE} here, or download\n"
    f"    {_INCEPTION_URL}\n"
    "(the weights with the classification top, not the '_notop' file)."
)


# --------------------------------------------------------------------------
# The record.


@dataclasses.dataclass(frozen=True)
class FeatureExtractor:
    """A network that maps images to features, with what it expects.

    The callables take a float32 tensor of shape
    (N, image_size[0], image_size[1], channels) with values in [-1, 1];
    :func:`extract` prepares every batch that way. They return a tensor or
    array with N rows.

    Attributes:
        name: Identifies the feature space (network, weights version,
            layer). Metrics report it with every number; numbers with
            different names must not be compared.
        image_size: The (height, width) the callables expect.
        channels: The channels the callables expect: 1 or 3.
        features: Images -> features of shape (N, D).
        probabilities: Images -> class probabilities of shape (N, C), rows
            summing to 1; None when the network is not a classifier.
        joint: Images -> ``(features, probabilities)`` from one forward
            pass, which :func:`extract_all` uses so that a classifier runs
            once; None to call `features` and `probabilities` in turn.

    Raises:
        TypeError, ValueError: On construction, if a field has the wrong
            type or value.

    Example:
        >>> import tensorflow as tf
        >>> flat = FeatureExtractor(
        ...     name="pixels_8x8", image_size=(8, 8), channels=1,
        ...     features=lambda x: tf.reshape(x, (-1, 64)))
        >>> extract(flat, np.zeros((3, 8, 8), np.float32)).shape
        (3, 64)
    """

    name: str
    image_size: tuple[int, int]
    channels: int
    features: Callable[[tf.Tensor], Any] = dataclasses.field(repr=False)
    probabilities: Callable[[tf.Tensor], Any] | None = dataclasses.field(
        default=None, repr=False
    )
    joint: Callable[[tf.Tensor], tuple[Any, Any]] | None = dataclasses.field(
        default=None, repr=False
    )

    def __post_init__(self):
        _check_name(self.name)
        # Frozen: the checked, canonical values are written once, here.
        object.__setattr__(
            self, "image_size", check_size(self.image_size, "image_size")
        )
        object.__setattr__(
            self, "channels", _pipeline.check_channels(self.channels)
        )
        for field in ("features", "probabilities", "joint"):
            value = getattr(self, field)
            if field == "features" or value is not None:
                _check_callable(value, field)
        if self.joint is not None and self.probabilities is None:
            raise ValueError(
                "`joint` returns features and probabilities, so "
                "`probabilities` must be given too."
            )


def _check_name(name: Any) -> str:
    what = "a non-empty str that identifies the feature space"
    fix = 'Pass for example name="my_classifier_v1".'
    if not isinstance(name, str):
        raise TypeError(
            f"`name` must be {what}, got {name!r} of type "
            f"{type(name).__name__}. {fix}"
        )
    if not name.strip():
        raise ValueError(f"`name` must be {what}, got name={name!r}. {fix}")
    return name


def _check_callable(value: Any, name: str) -> None:
    if not callable(value):
        raise TypeError(
            f"`{name}` must be callable (images -> array), got {value!r} of "
            f"type {type(value).__name__}."
        )


# --------------------------------------------------------------------------
# Extractors.


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
        >>> import keras
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
        return FeatureExtractor(
            name=name,
            image_size=image_size,
            channels=channels,
            features=model,
            probabilities=model if probabilities else None,
            joint=_twice(model) if probabilities else None,
        )
    if len(getattr(model, "outputs", None) or [None]) != 1:
        raise ValueError(
            f"The model has {len(model.outputs)} outputs; wrap it in a "
            f"keras.Model with the one output to use."
        )
    if layer is None:
        call = _compiled(model, image_size, channels)
        return FeatureExtractor(
            name=name,
            image_size=image_size,
            channels=channels,
            features=call,
            probabilities=call if probabilities else None,
            joint=_twice(call) if probabilities else None,
        )
    return _layer_extractor(
        model,
        layer,
        name=name,
        image_size=image_size,
        channels=channels,
        probabilities=probabilities,
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


def inception_v3(
    weights_path: str | os.PathLike, *, name: str = "inception_v3"
) -> FeatureExtractor:
    """Keras' ImageNet InceptionV3, with weights from a local file.

    Features are the 2048-d output of the global average pool
    (``avg_pool``), the layer of the Frechet Inception Distance (Heusel et
    al. 2017, https://arxiv.org/abs/1706.08500); probabilities are the
    1000-way softmax (``predictions``) of the Inception Score (Salimans et
    al. 2016, https://arxiv.org/abs/1606.03498). Images are resized to
    299x299 and grayscale is repeated to RGB. Values in [-1, 1] are
    already InceptionV3's input scaling
    (``keras.applications.inception_v3.preprocess_input`` maps [0, 255]
    to [-1, 1]).

    These are Keras' weights, not the 2015 TensorFlow graph that the
    published FID and Inception Score numbers use, so the values are
    comparable with each other but not with papers.

    Args:
        weights_path: The weights with the classification top, as Keras
            caches them: ``~/.keras/models/`` +
            ``inception_v3_weights_tf_dim_ordering_tf_kernels.h5``, or any
            file saved by ``model.save_weights`` from an
            ``InceptionV3(include_top=True)`` model.
        name: Identifies the weights in reported results.

    Returns:
        A :class:`FeatureExtractor` taking 299x299x3 images.

    Raises:
        FileNotFoundError: If `weights_path` does not exist; the message
            says how to get the file.
        ValueError: If the file does not hold InceptionV3 weights with the
            top (for example the '_notop' file).
    """
    path = check_path(weights_path, "weights_path")
    name = _check_name(name)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"No InceptionV3 weights file at {path!r}. {_INCEPTION_HOW_TO}"
        )
    with _float32_policy():
        base = keras.applications.InceptionV3(weights=None, include_top=True)
    problem = None
    # Keras only warns about some parts it cannot match (they keep their
    # random initial values); any such warning makes the file unusable.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            base.load_weights(path)
        except (ValueError, KeyError, OSError) as error:
            problem = error
    skipped = [
        str(w.message)
        for w in caught
        if "freshly-initialized" in str(w.message)
        or "Skipping" in str(w.message)
    ]
    if problem is not None or skipped:
        raise ValueError(
            f"Could not load InceptionV3 weights with the classification "
            f"top from {path!r}: {problem or skipped[0]} "
            f"{_INCEPTION_HOW_TO}"
        ) from problem
    return from_model(base, name=name, layer="avg_pool", probabilities=True)


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


# --------------------------------------------------------------------------
# Extraction.


def extract(
    extractor: FeatureExtractor,
    images: Any,
    *,
    batch_size: int = 256,
    quantize: bool = True,
) -> np.ndarray:
    """The features of every image, computed a batch at a time.

    Args:
        extractor: A :class:`FeatureExtractor`.
        images: One of

            * a numpy array (or eager tensor) of shape (N, H, W) or
              (N, H, W, C), C in {1, 3}: floats in [-1, 1] or uint8 pixels
              in [0, 255];
            * a ``tf.data.Dataset`` whose elements are images or
              ``(images, labels, ...)`` tuples (only the first component is
              used), either batched, (n, H, W, C), or single images,
              (H, W, C) or (H, W);
            * an iterator (e.g. a generator) of batches, each an array as
              above or an ``(images, labels, ...)`` tuple.

            Any H and W: images are resized to ``extractor.image_size``.
        batch_size: Images per call of the extractor. The features do not
            depend on it beyond float rounding (about 1e-6).
        quantize: Whether to round float images to the uint8 grid first,
            as saving them to PNG would (see the module docstring).

    Returns:
        A float32 array of shape (N, D), in the order of `images`.

    Raises:
        TypeError: If `images` is of an unsupported kind or dtype (float and
            uint8 are accepted), or an argument has the wrong type.
        ValueError: If `images` has the wrong rank or channels, holds NaN or
            inf, holds floats outside [-1, 1], or is empty.

    Example:
        >>> extractor = random_embedding(seed=0, dim=16)
        >>> images = np.zeros((300, 32, 32, 3), np.float32)
        >>> extract(extractor, images, batch_size=128).shape
        (300, 16)
    """
    return _extract(extractor, images, batch_size, quantize, "features")[0]


def extract_probabilities(
    extractor: FeatureExtractor,
    images: Any,
    *,
    batch_size: int = 256,
    quantize: bool = True,
) -> np.ndarray:
    """The class probabilities of every image, computed a batch at a time.

    Takes the same arguments, and preprocesses the images the same way, as
    :func:`extract`.

    Returns:
        A float32 array of shape (N, C) whose rows sum to 1.

    Raises:
        ValueError: If `extractor` has no `probabilities`, or returns rows
            that are not probabilities; else as :func:`extract`.

    Example:
        >>> images = np.full((2, 28, 28), -1.0, np.float32)
        >>> p = extract_probabilities(digits_classifier(), images)
        >>> p.shape, bool(np.allclose(p.sum(axis=1), 1.0, atol=1e-5))
        ((2, 10), True)
    """
    return _extract(extractor, images, batch_size, quantize, "probabilities")[0]


def extract_all(
    extractor: FeatureExtractor,
    images: Any,
    *,
    batch_size: int = 256,
    quantize: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Features and class probabilities of every image, in one pass.

    Takes the same arguments as :func:`extract`. Each batch is prepared
    once, and the network runs once per batch when the extractor has a
    `joint` callable (every classifier of this module does).

    Returns:
        ``(features, probabilities)``: float32 arrays of shapes (N, D) and
        (N, C).

    Raises:
        ValueError: If `extractor` has no `probabilities`; else as
            :func:`extract_probabilities`.
    """
    return _extract(extractor, images, batch_size, quantize, "all")


def _extract(
    extractor: Any, images: Any, batch_size: Any, quantize: Any, want: str
) -> tuple[np.ndarray, ...]:
    if not isinstance(extractor, FeatureExtractor):
        raise TypeError(
            f"`extractor` must be a FeatureExtractor, got "
            f"{type(extractor).__name__}. Wrap a Keras model with "
            f"from_model(model, name=...)."
        )
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    quantize = check_bool(quantize, "quantize")
    if want != "features" and extractor.probabilities is None:
        raise ValueError(
            f"The extractor {extractor.name!r} is not a classifier: it has "
            f"no `probabilities`. Use extract() for its features, or a "
            f"classifier such as digits_classifier()."
        )
    if want == "features":
        calls = (extractor.features,)
    elif want == "probabilities":
        calls = (extractor.probabilities,)
    else:
        calls = (extractor.features, extractor.probabilities)
    parts: list[list[np.ndarray]] = [[] for _ in calls]
    count = 0
    for batch, where in _batches(images, batch_size):
        x = _prepare(batch, where, extractor, quantize)
        if len(calls) == 2 and extractor.joint is not None:
            outputs = extractor.joint(x)
        else:
            outputs = tuple(call(x) for call in calls)
        for i, output in enumerate(outputs):
            parts[i].append(_as_rows(output, len(batch), extractor, where))
        count += len(batch)
    if not count:
        raise ValueError(
            "`images` holds no images: pass at least one (an empty array or "
            "dataset has nothing to measure)."
        )
    results = tuple(_concatenate(p, extractor) for p in parts)
    if want != "features":
        _check_probabilities(results[-1], extractor)
    return results


def _concatenate(parts: list[np.ndarray], extractor) -> np.ndarray:
    widths = {p.shape[1] for p in parts}
    if len(widths) > 1:
        raise ValueError(
            f"The extractor {extractor.name!r} returned rows of different "
            f"widths {sorted(widths)} for different batches."
        )
    return np.concatenate(parts, axis=0)


def _as_rows(output: Any, n: int, extractor, where: str) -> np.ndarray:
    array = np.asarray(output, dtype=np.float32)
    if array.ndim != 2 or array.shape[0] != n:
        raise ValueError(
            f"The extractor {extractor.name!r} must return one row per image, "
            f"shape ({n}, D), but returned shape {array.shape} for {where}."
        )
    return array


def _check_probabilities(p: np.ndarray, extractor) -> None:
    sums = p.sum(axis=1)
    off = np.flatnonzero(np.abs(sums - 1.0) > _SUM_TOLERANCE)
    if np.any(p < 0.0) or len(off):
        raise ValueError(
            f"The extractor {extractor.name!r} must return class "
            f"probabilities (non-negative rows summing to 1), but "
            f"{len(off)} rows do not sum to 1 or hold negative values. Does "
            f"the model end in a softmax?"
        )


# --------------------------------------------------------------------------
# Batches and their preprocessing.


def _batches(images: Any, batch_size: int) -> Iterator[tuple[Any, str]]:
    """Yields (batch, description) pairs, one batch in memory at a time."""
    if isinstance(images, tf.data.Dataset):
        yield from _dataset_batches(images, batch_size)
    elif isinstance(images, (np.ndarray, tf.Tensor)):
        yield from _array_batches(np.asarray(images), batch_size, "images")
    elif isinstance(images, collections.abc.Iterator):
        for index, item in enumerate(images):
            if isinstance(item, (tuple, list)):
                item = item[0]  # (images, labels, ...)
            where = f"batch {index} of `images`"
            yield from _array_batches(np.asarray(item), batch_size, where)
    else:
        hint = (
            " Stack a list of images first: np.stack(images)."
            if isinstance(images, (list, tuple))
            else ""
        )
        raise TypeError(
            f"`images` must be a numpy array, a tf.data.Dataset or an "
            f"iterator of batches, got {type(images).__name__}.{hint}"
        )


def _array_batches(
    array: np.ndarray, batch_size: int, where: str
) -> Iterator[tuple[np.ndarray, str]]:
    array = _check_array(array, where)
    # Checked in full before the first feature is computed, so that a bad
    # value at the end fails in seconds, not after an hour of features.
    _check_values_in_chunks(array, where)
    for start in range(0, len(array), batch_size):
        stop = min(start + batch_size, len(array))
        yield array[start:stop], f"{where}[{start}:{stop}]"


def _dataset_batches(
    ds: tf.data.Dataset, batch_size: int
) -> Iterator[tuple[np.ndarray, str]]:
    spec = ds.element_spec
    if isinstance(spec, (tuple, list)) and spec:
        spec = spec[0]  # (images, labels, ...): the labels are not needed.
        ds = ds.map(lambda first, *rest: first)
    if not isinstance(spec, tf.TensorSpec):
        raise TypeError(
            f"A dataset for `images` must yield image tensors or (images, "
            f"labels) tuples, got elements {ds.element_spec}."
        )
    _check_dtype(spec.dtype.as_numpy_dtype, "the dataset's images")
    rank = spec.shape.rank
    # Rank 3 is (H, W, C) for one image with 1 or 3 (or unknown) channels,
    # else a batch of grayscale images (N, H, W).
    last = spec.shape[-1] if rank else None
    single = rank == 2 or (rank == 3 and last in (1, 3, None))
    if rank == 4 or (rank == 3 and not single):
        ds = ds.unbatch()  # Re-batched below, to `batch_size`.
    elif rank not in (2, 3):
        raise ValueError(
            f"A dataset for `images` must yield single images (H, W) or "
            f"(H, W, C), or batches (N, H, W) or (N, H, W, C); its images "
            f"have shape {spec.shape}."
        )
    start = 0
    for batch in ds.batch(batch_size):
        array = _check_array(batch.numpy(), "the dataset")
        where = f"images {start} to {start + len(array) - 1} of the dataset"
        _check_values(array, where, offset=start)
        yield array, where
        start += len(array)


def _check_dtype(dtype: np.dtype, where: str) -> None:
    dtype = np.dtype(dtype)
    if dtype == np.uint8 or dtype.name == "bfloat16":
        return
    if dtype.kind != "f":
        raise TypeError(
            f"{where} must be floats in [-1, 1] or uint8 pixels in "
            f"[0, 255], got dtype {dtype}. Scale them to [-1, 1] as float32 "
            f"(x / 127.5 - 1 for pixels)."
        )


def _check_array(array: np.ndarray, where: str) -> np.ndarray:
    _check_dtype(array.dtype, where)
    if array.ndim == 3:
        array = array[..., np.newaxis]  # (N, H, W) grayscale.
    if array.ndim != 4 or array.shape[-1] not in (1, 3):
        raise ValueError(
            f"{where} must have shape (N, H, W) or (N, H, W, C) with C = 1 "
            f"or 3, got shape {array.shape}. For one image, add the batch "
            f"axis: image[np.newaxis]."
        )
    return array


def _check_values_in_chunks(array: np.ndarray, where: str) -> None:
    if array.dtype == np.uint8:
        return
    low, high = math.inf, -math.inf
    for start in range(0, len(array), _CHECK_CHUNK):
        chunk = array[start : start + _CHECK_CHUNK]
        _check_finite(chunk, where, offset=start)
        low = min(low, float(chunk.min()))
        high = max(high, float(chunk.max()))
    if len(array):
        _check_range(low, high, where)


def _check_values(array: np.ndarray, where: str, *, offset: int) -> None:
    if array.dtype != np.uint8:
        _check_finite(array, where, offset=offset)
        _check_range(float(array.min()), float(array.max()), where)


def _check_finite(array: np.ndarray, where: str, *, offset: int) -> None:
    found = find_non_finite(np.asarray(array, np.float32))
    if found is not None:
        count, (first, *rest) = found
        index = ", ".join(str(i) for i in (first + offset, *rest))
        raise ValueError(
            f"{where} holds {count} NaN or inf values; the first is at "
            f"index [{index}]. A diverged generator produces NaN: check the "
            f"training before measuring it."
        )


def _check_range(low: float, high: float, where: str) -> None:
    if low < -1.0 - _RANGE_TOLERANCE or high > 1.0 + _RANGE_TOLERANCE:
        raise ValueError(
            f"{where} must be floats in [-1, 1], but hold values from "
            f"min {low:.6g} to max {high:.6g}. Scale them to [-1, 1] first "
            f"(x / 127.5 - 1 for pixels in [0, 255], 2 * x - 1 for [0, 1]), "
            f"or pass uint8 pixels."
        )


def _prepare(
    batch: np.ndarray, where: str, extractor: FeatureExtractor, quantize: bool
) -> tf.Tensor:
    """One checked batch -> float32 at the extractor's size and channels."""
    if batch.dtype == np.uint8:
        pixels, value_range = batch, _pipeline.UINT8_RANGE
    elif quantize:
        # to_uint8 clips the values within the tolerance to [0, 255].
        pixels, value_range = to_uint8(batch), _pipeline.UINT8_RANGE
    else:
        pixels = np.clip(np.asarray(batch, np.float32), -1.0, 1.0)
        value_range = (-1.0, 1.0)
    # The same scale, channel and resize steps as tfgan_lite.data, so that
    # an image read from a PNG and the sample it came from are equal here.
    return _pipeline.preprocess(
        pixels,
        value_range=value_range,
        image_size=extractor.image_size,
        channels=extractor.channels,
    )
