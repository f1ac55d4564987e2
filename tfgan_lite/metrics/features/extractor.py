"""The feature extractor record: a network and the images it expects."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from tfgan_lite._validation import check_size
from tfgan_lite.data import _pipeline

__all__ = ["FeatureExtractor"]


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
        >>> import numpy as np
        >>> import tensorflow as tf
        >>> from tfgan_lite.metrics.features import extract
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
