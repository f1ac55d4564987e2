"""Mode counts on stacked digits, with the shipped digits classifier.

Each channel of a stacked-digit image (``tfgan_lite.data.stacked_digits``)
is classified on its own; the three classes name one of 1,000 modes. PacGAN
(Lin et al. 2018, https://arxiv.org/abs/1712.04086, Table 2) reports the
modes captured and the reverse KL of the mode histogram against uniform.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tfgan_lite.metrics import features as features_lib
from tfgan_lite.metrics.modes import (
    ModeHistogram,
    mode_histogram,
    stacked_mode_ids,
)

__all__ = ["stacked_modes"]


def stacked_modes(
    images: Any,
    *,
    extractor: features_lib.FeatureExtractor | None = None,
    batch_size: int = 256,
) -> ModeHistogram:
    """Counts the modes of stacked-digit images.

    Args:
        images: Images of shape (N, H, W, K) in [-1, 1] (or uint8): K
            digits stacked as channels (3 for stacked digits), as a numpy
            array.
        extractor: A digit classifier taking one-channel images; None uses
            ``features.digits_classifier()``.
        batch_size: Images per classifier call.

    Returns:
        The :class:`~tfgan_lite.metrics.ModeHistogram` over 10^K modes.

    Raises:
        TypeError: If `images` is not an array or the extractor has no
            class probabilities.
        ValueError: If `images` is not (N, H, W, K) with K >= 1, or holds
            values the classifier cannot take.

    Example:
        >>> from tfgan_lite import data
        >>> images, ids = data.stacked_digits_arrays(200, seed=0)
        >>> result = stacked_modes(images)
        >>> result.counts.shape, result.modes > 150
        ((1000,), True)
    """
    array = np.asarray(images)
    if array.ndim != 4 or array.shape[-1] < 1:
        raise ValueError(
            "`images` must have shape (N, H, W, K): K digits stacked as "
            f"channels; got shape {array.shape}."
        )
    if extractor is None:
        extractor = features_lib.digits_classifier()
    if extractor.probabilities is None:
        raise TypeError(
            f"`extractor` {extractor.name!r} is not a classifier (it has no "
            "probabilities); pass a digit classifier."
        )
    classes = np.stack(
        [
            features_lib.extract_probabilities(
                extractor, array[..., k], batch_size=batch_size
            ).argmax(axis=1)
            for k in range(array.shape[-1])
        ],
        axis=1,
    )
    return mode_histogram(stacked_mode_ids(classes), 10 ** array.shape[-1])
