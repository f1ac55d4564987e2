"""Keras' ImageNet InceptionV3 from a local weights file (`inception_v3`).

Its pool features are those of the Frechet Inception Distance (Heusel et
al. 2017, https://arxiv.org/abs/1706.08500), its class probabilities
those of the Inception Score (Salimans et al. 2016,
https://arxiv.org/abs/1606.03498).
"""

from __future__ import annotations

import os
import warnings

import keras

from tfgan_lite._validation import check_path
from tfgan_lite.metrics.features.extractor import (
    FeatureExtractor,
    _check_name,
)
from tfgan_lite.metrics.features.keras_model import (
    _float32_policy,
    from_model,
)

__all__ = ["inception_v3"]

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
