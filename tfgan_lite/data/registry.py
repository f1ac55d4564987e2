"""``load``: any source of ``tfgan_lite.data`` by name or folder path.

The module is not called ``load.py`` so that the package attribute
``tfgan_lite.data.load`` is only ever the function, never this module.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import tensorflow as tf

from tfgan_lite._validation import check_path
from tfgan_lite.data.folders import from_folder
from tfgan_lite.data.mixtures import grid, mixture_dataset, ring
from tfgan_lite.data.sklearn_digits import digits
from tfgan_lite.data.tfds import CYCLE_GAN_PAIRS, SUPPORTED_TFDS, from_tfds

__all__ = [
    "load",
]

_MIXTURES = {"ring": ring, "grid": grid}

# Points drawn by load("ring"/"grid") when the caller gives no `n`.
_DEFAULT_MIXTURE_SIZE = 100_000


def _load_mixture(name: str, kwargs: dict[str, Any]) -> tf.data.Dataset:
    kwargs = dict(kwargs)
    n = kwargs.pop("n", _DEFAULT_MIXTURE_SIZE)
    batch_size = kwargs.pop("batch_size", 64)
    seed = kwargs.pop("seed", 0)
    points, _ = _MIXTURES[name](n, seed=seed, **kwargs)
    return mixture_dataset(points, batch_size=batch_size, seed=seed)


def load(name_or_path: str | os.PathLike, **kwargs: Any) -> tf.data.Dataset:
    """Loads any supported source by name or folder path.

    - ``"digits"``: ``digits(**kwargs)``, offline.
    - a name in ``SUPPORTED_TFDS`` or ``"cycle_gan/<pair>"``:
      ``from_tfds(name, **kwargs)`` (for CycleGAN pass e.g.
      ``split="trainA"``; ``cycle_gan_pair`` gives both domains).
    - ``"ring"`` / ``"grid"``: the mixture with ``n`` points (default
      100,000), batched by ``mixture_dataset``; `batch_size` and `seed` go
      to both, other kwargs to ``ring`` / ``grid``.
    - a path to an existing folder: ``from_folder(path, **kwargs)``.

    Names win over folders: to load a folder called "mnist", pass
    "./mnist".

    Args:
        name_or_path: A source name or a folder path.
        **kwargs: Keyword arguments of the function chosen above.

    Returns:
        The ``tf.data.Dataset`` that function returns.

    Raises:
        ValueError: If `name_or_path` is empty, or neither a supported name
            nor an existing folder.
        TypeError: If `name_or_path` is not a str or os.PathLike, or
            `kwargs` does not fit the chosen function.

    Examples:
        >>> ds = load("digits", batch_size=32)
        >>> next(iter(ds)).shape
        TensorShape([32, 28, 28, 1])
        >>> ds = load("ring", n=10_000, batch_size=100)
        >>> next(iter(ds)).shape
        TensorShape([100, 2])
    """
    key = check_path(name_or_path, "name_or_path")
    if key == "digits":
        return digits(**kwargs)
    if key in _MIXTURES:
        return _load_mixture(key, kwargs)
    if key in SUPPORTED_TFDS or key.startswith("cycle_gan/"):
        return from_tfds(key, **kwargs)
    if Path(key).expanduser().is_dir():
        return from_folder(key, **kwargs)
    names = ("digits", *SUPPORTED_TFDS, "cycle_gan/<pair>", "ring", "grid")
    raise ValueError(
        f"{key!r} is neither a supported dataset nor an existing folder. "
        f"Supported names: {', '.join(names)} (pairs: "
        f"{', '.join(CYCLE_GAN_PAIRS)}). A path to a folder of images is "
        f"accepted too."
    )
