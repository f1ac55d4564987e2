"""Differentiable augmentation of the discriminator's images.

Training a GAN on a few thousand images lets the discriminator memorise
them. Augmenting every image the discriminator sees, reals and fakes, in
both players' steps, with operations the generator's gradient flows
through, keeps it from doing so without leaking the augmentations into
the generated images:

- DiffAugment (Zhao et al. 2020, https://arxiv.org/abs/2006.10738):
  colour, translation and cutout on every sample.
- ADA's adaptive probability (Karras et al. 2020,
  https://arxiv.org/abs/2006.06676) over colour, translation and ADA's
  geometric transforms (scaling, rotation, anisotropic scaling).

``GAN.compile(augment="diffaugment")`` or ``augment="ada"`` chooses one
by name (see :func:`get`); ``tfgan_lite.augment.ops`` holds the pure
operations.

Example:
    >>> import numpy as np
    >>> layer = DiffAugment(("translation",), seed=0)
    >>> layer.bind(seed=0)
    >>> images = np.ones((2, 8, 8, 1), "float32")
    >>> layer(images).shape
    TensorShape([2, 8, 8, 1])
"""

from __future__ import annotations

from typing import Any

import keras

from tfgan_lite.augment import ops
from tfgan_lite.augment.policies import ADA_POLICIES
from tfgan_lite.augment.policies import ALL_POLICIES
from tfgan_lite.augment.policies import POLICIES
from tfgan_lite.augment.policies import AdaptiveAugment
from tfgan_lite.augment.policies import Augment
from tfgan_lite.augment.policies import DiffAugment
from tfgan_lite.augment.policies import Draw

__all__ = [
    "ADA_POLICIES",
    "ALL_POLICIES",
    "NAMES",
    "POLICIES",
    "AdaptiveAugment",
    "Augment",
    "DiffAugment",
    "Draw",
    "get",
    "ops",
]

# The names that get() and the train command's --augment take.
NAMES = ("none", "diffaugment", "ada")

_BY_NAME = {"diffaugment": DiffAugment, "ada": AdaptiveAugment}


def get(identifier: Any) -> Augment | None:
    """Resolves a model's ``augment`` argument to a layer or None.

    Args:
        identifier: None or "none" (no augmentation), "diffaugment"
            (:class:`DiffAugment` with its defaults), "ada"
            (:class:`AdaptiveAugment` with its defaults), an
            :class:`Augment`, or an ``Augment``'s serialized config.

    Returns:
        A new layer for a name or a config, the layer itself, or None.

    Raises:
        ValueError: For an unknown name or a config of another class.
        TypeError: For anything else.

    Example:
        >>> type(get("ada")).__name__
        'AdaptiveAugment'
        >>> get("none") is None
        True
    """
    if identifier is None or identifier == "none":
        return None
    if isinstance(identifier, Augment):
        return identifier
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(
                f"Unknown augmentation {identifier!r}. Expected one of "
                f"{', '.join(repr(n) for n in NAMES)}, or an "
                "tfgan_lite.augment.Augment."
            )
        return _BY_NAME[identifier]()
    if isinstance(identifier, dict):
        layer = keras.saving.deserialize_keras_object(identifier)
        if not isinstance(layer, Augment):
            raise ValueError(
                "`augment` config does not describe a "
                f"tfgan_lite.augment.Augment: got {type(layer).__name__}."
            )
        return layer
    raise TypeError(
        "`augment` must be None, one of "
        f"{', '.join(repr(n) for n in NAMES)}, or a "
        f"tfgan_lite.augment.Augment; got {type(identifier).__name__}."
    )
