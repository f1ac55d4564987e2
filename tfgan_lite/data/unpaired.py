"""Unpaired two-domain datasets for CycleGAN: batches ``(x, y)``.

Each source yields zipped ``(x_batch, y_batch)`` pairs of float32 images
in [-1, 1], domain X first, the two domains shuffled independently (seed
and seed + 1), so that row i of x has nothing to do with row i of y:

* ``digits_pair(mapping)``: offline, from the bundled scikit-learn digits.
  Domain Y is the same digits with inverted ink ("invert") or turned by
  90 degrees ("rotate"), so the true translation is known:
  ``digits_mapping(mapping)`` applies it and ``digits_pair_arrays`` gives
  (x, G*(x)) arrays to measure a translation error against.
* ``cycle_gan_domains(name)``: the tfds ``cycle_gan/<pair>`` sets
  (horse2zebra, ...), splits trainA/trainB or testA/testB.
* ``folder_pair(path_x, path_y)``: two folders of image files.
* ``array_pair(images_x, images_y)``: two in-memory arrays.
* ``zip_domains(x, y)``: any two batched image datasets; the domains must
  have the same image shape, since nothing resizes them at this point.
* ``load_pair(name)``: any of the named sources by one string.

Examples:
    >>> ds = digits_pair("invert", image_size=(16, 16), batch_size=8)
    >>> [images.shape for images in next(iter(ds))]
    [TensorShape([8, 16, 16, 1]), TensorShape([8, 16, 16, 1])]
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
import tensorflow as tf

from tfgan_lite._validation import check_choice, check_int, check_size
from tfgan_lite.data import _pipeline
from tfgan_lite.data.arrays import from_arrays
from tfgan_lite.data.folders import from_folder
from tfgan_lite.data.tfds import CYCLE_GAN_PAIRS, cycle_gan_pair

__all__ = [
    "DIGITS_MAPPINGS",
    "array_pair",
    "cycle_gan_domains",
    "digits_mapping",
    "digits_pair",
    "digits_pair_arrays",
    "folder_pair",
    "load_pair",
    "zip_domains",
]

# Known translations of the digits: the true G: X -> Y, on [-1, 1] images.
_MAPPINGS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    # Ink becomes paper: x -> -x, exact on [-1, 1].
    "invert": lambda x: -x,
    # A quarter turn counter-clockwise in the (height, width) plane.
    "rotate": lambda x: np.rot90(x, k=1, axes=(1, 2)),
}
DIGITS_MAPPINGS = tuple(_MAPPINGS)

_DIGITS_RANGE = (0.0, 16.0)


def _image_shape(ds: tf.data.Dataset) -> tuple:
    spec = ds.element_spec
    if isinstance(spec, tuple):
        spec = spec[0]
    return tuple(spec.shape[1:])


def zip_domains(
    domain_x: tf.data.Dataset, domain_y: tf.data.Dataset
) -> tf.data.Dataset:
    """Zips two batched image datasets into ``(x, y)`` batches.

    Args:
        domain_x: Batches of images of X (labels, if any, are dropped).
        domain_y: Batches of images of Y.

    Returns:
        A dataset of ``(x_batch, y_batch)``; it ends with the shorter one.

    Raises:
        ValueError: If the two domains' images differ in size or channel
            count; load both with the same ``image_size`` and ``channels``.
    """
    shape_x, shape_y = _image_shape(domain_x), _image_shape(domain_y)
    if shape_x != shape_y:
        raise ValueError(
            f"The two domains have images of different shapes: X is "
            f"{shape_x} and Y is {shape_y} (height, width, channels). Ask "
            "for a common size when loading, e.g. image_size=(256, 256), "
            "channels=3."
        )

    def images(ds):
        if isinstance(ds.element_spec, tuple):
            return ds.map(lambda x, _: x)
        return ds

    return tf.data.Dataset.zip(images(domain_x), images(domain_y))


def _check_mapping(mapping: Any) -> str:
    return check_choice(mapping, "mapping", DIGITS_MAPPINGS)


def digits_mapping(mapping: str) -> Callable[[np.ndarray], np.ndarray]:
    """The true translation X -> Y of a digits pair, on [-1, 1] images.

    Args:
        mapping: "invert" (y = -x) or "rotate" (a quarter turn).

    Returns:
        A function from an (N, H, W, C) array to the mapped array.

    Raises:
        ValueError: For an unknown mapping.

    Examples:
        >>> float(digits_mapping("invert")(np.array([[[[0.5]]]]))[0, 0, 0, 0])
        -0.5
    """
    return _MAPPINGS[_check_mapping(mapping)]


def _raw_digits() -> np.ndarray:
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:
        raise ImportError(
            "The digits pair needs scikit-learn, which bundles the images: "
            "pip install scikit-learn."
        ) from error
    return load_digits().images.astype(np.float32)[..., None]


def digits_pair_arrays(
    mapping: str, *, image_size: tuple[int, int] = (28, 28)
) -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 digits and their true translations, aligned, in [-1, 1].

    For evaluation: the mean absolute error between G(x) and the second
    array is the translation error of a trained G.

    Args:
        mapping: "invert" or "rotate".
        image_size: (height, width); "rotate" needs a square size.

    Returns:
        ``(x, y_true)``, float32 arrays of shape (1797, H, W, 1).

    Raises:
        ValueError: For an unknown mapping or a non-square rotate size.
    """
    fn = digits_mapping(mapping)
    image_size = check_size(image_size, "image_size")
    if mapping == "rotate" and image_size[0] != image_size[1]:
        raise ValueError(
            "mapping='rotate' turns images by 90 degrees, which needs "
            f"square images, got image_size={image_size}."
        )
    x = _pipeline.preprocess(
        _raw_digits(),
        value_range=_DIGITS_RANGE,
        image_size=image_size,
        channels=1,
    ).numpy()
    return x, np.ascontiguousarray(fn(x))


def digits_pair(
    mapping: str = "invert",
    *,
    image_size: tuple[int, int] = (28, 28),
    batch_size: int = 64,
    seed: int = 0,
) -> tf.data.Dataset:
    """The bundled digits (X) and their mapped copies (Y), unpaired.

    Offline: scikit-learn ships the 1,797 8x8 digits. Y holds the same
    images after the known mapping but in an order shuffled independently
    of X, so a model sees no pairs; ``digits_pair_arrays`` gives the
    aligned pairs for evaluation.

    Args:
        mapping: "invert" (ink becomes paper) or "rotate" (a quarter turn).
        image_size: (height, width); square for "rotate".
        batch_size: Images per batch in each domain.
        seed: Shuffle seed of X; Y uses seed + 1.

    Returns:
        A dataset of ``(x_batch, y_batch)``, float32 in [-1, 1].

    Raises:
        ValueError: For an unknown mapping, a non-square rotate size or a
            batch larger than 1,797.

    Examples:
        >>> x, y = next(iter(digits_pair("invert", batch_size=4)))
        >>> x.shape, y.shape
        (TensorShape([4, 28, 28, 1]), TensorShape([4, 28, 28, 1]))
    """
    x, y = digits_pair_arrays(mapping, image_size=image_size)
    return array_pair(
        x, y, batch_size=batch_size, seed=seed, value_range=(-1.0, 1.0)
    )


def array_pair(
    images_x: Any,
    images_y: Any,
    *,
    image_size: tuple[int, int] | None = None,
    channels: int | None = None,
    batch_size: int = 1,
    seed: int = 0,
    value_range: tuple[float, float] | None = None,
) -> tf.data.Dataset:
    """Two in-memory image arrays as unpaired ``(x, y)`` batches.

    Args:
        images_x: Array (N, H, W, C) of domain X; see ``from_arrays``.
        images_y: Array (M, H, W, C) of domain Y; see ``from_arrays``.
        image_size: Common (height, width); None keeps the arrays' own,
            which must then agree.
        channels: Common channels, 1 or 3; None keeps the arrays' own.
        batch_size: Images per batch in each domain.
        seed: Shuffle seed of X; Y uses seed + 1.
        value_range: The arrays' (low, high); see ``from_arrays``.

    Returns:
        A dataset of ``(x_batch, y_batch)``, float32 in [-1, 1].

    Raises:
        ValueError: If the domains differ in shape with no common
            image_size/channels asked for, or for any error of
            ``from_arrays``.
    """
    seed = check_int(seed, "seed", minimum=0)
    kwargs = dict(
        image_size=image_size,
        channels=channels,
        batch_size=batch_size,
        value_range=value_range,
    )
    return zip_domains(
        from_arrays(images_x, seed=seed, **kwargs),
        from_arrays(images_y, seed=seed + 1, **kwargs),
    )


def folder_pair(
    path_x: str | os.PathLike,
    path_y: str | os.PathLike,
    *,
    image_size: tuple[int, int] = (256, 256),
    channels: int = 3,
    batch_size: int = 1,
    seed: int = 0,
) -> tf.data.Dataset:
    """Two folders of image files as unpaired ``(x, y)`` batches.

    Both folders are resized to `image_size` and converted to `channels`
    (see ``from_folder``).

    Args:
        path_x: The folder of domain X.
        path_y: The folder of domain Y.
        image_size: Common (height, width).
        channels: Common channels, 1 or 3.
        batch_size: Images per batch (CycleGAN itself trains with 1).
        seed: Shuffle seed of X; Y uses seed + 1.

    Returns:
        A dataset of ``(x_batch, y_batch)``, float32 in [-1, 1].

    Raises:
        ValueError: For a missing or empty folder, or a batch larger than
            a folder.
    """
    seed = check_int(seed, "seed", minimum=0)
    kwargs = dict(
        image_size=image_size, channels=channels, batch_size=batch_size
    )
    return zip_domains(
        from_folder(path_x, seed=seed, **kwargs),
        from_folder(path_y, seed=seed + 1, **kwargs),
    )


def cycle_gan_domains(
    name: str, *, split: str = "train", batch_size: int = 1, **kwargs: Any
) -> tf.data.Dataset:
    """A tfds ``cycle_gan/<pair>`` set as unpaired ``(x, y)`` batches.

    Domain A (trainA/testA) is X and domain B is Y; see ``cycle_gan_pair``
    for the arguments and the data (https://arxiv.org/abs/1703.10593).

    Args:
        name: A pair such as "horse2zebra", or "cycle_gan/horse2zebra".
        split: "train" or "test", optionally sliced ("train[:10%]").
        batch_size: Images per batch (CycleGAN itself trains with 1).
        **kwargs: ``image_size``, ``channels``, ``seed``, ``data_dir``,
            ``download``, as in ``cycle_gan_pair``.

    Returns:
        A dataset of ``(x_batch, y_batch)``, float32 in [-1, 1].

    Examples:
        >>> import tensorflow_datasets as tfds
        >>> with tfds.testing.mock_data(num_examples=4):
        ...     ds = cycle_gan_domains("horse2zebra", image_size=(32, 32))
        ...     [images.shape for images in next(iter(ds))]
        [TensorShape([1, 32, 32, 3]), TensorShape([1, 32, 32, 3])]
    """
    domain_a, domain_b = cycle_gan_pair(
        name, split=split, batch_size=batch_size, **kwargs
    )
    return zip_domains(domain_a, domain_b)


def load_pair(name: str, **kwargs: Any) -> tf.data.Dataset:
    """Any named two-domain source, for command lines.

    - ``"digits_invert"``, ``"digits_rotate"``: ``digits_pair``.
    - ``"cycle_gan/<pair>"`` or a bare ``<pair>`` such as "horse2zebra":
      ``cycle_gan_domains``.

    Args:
        name: The source's name.
        **kwargs: Keyword arguments of the function chosen above.

    Returns:
        A dataset of ``(x_batch, y_batch)``.

    Raises:
        ValueError: For an unknown name.

    Examples:
        >>> ds = load_pair("digits_rotate", image_size=(8, 8), batch_size=4)
        >>> next(iter(ds))[1].shape
        TensorShape([4, 8, 8, 1])
    """
    if isinstance(name, str) and name.startswith("digits_"):
        mapping = name.removeprefix("digits_")
        if mapping in DIGITS_MAPPINGS:
            return digits_pair(mapping, **kwargs)
    if isinstance(name, str) and name.removeprefix("cycle_gan/") in (
        CYCLE_GAN_PAIRS
    ):
        return cycle_gan_domains(name, **kwargs)
    digits = ", ".join(f"digits_{m}" for m in DIGITS_MAPPINGS)
    raise ValueError(
        f"Unknown two-domain source {name!r}. Known: {digits}, and "
        f"cycle_gan/<pair> with <pair> one of {', '.join(CYCLE_GAN_PAIRS)}. "
        "For folders use folder_pair(path_x, path_y)."
    )
