"""TensorFlow Datasets sources, including both domains of CycleGAN sets."""

from __future__ import annotations

import os
import re
import socket
import urllib.parse
from typing import Any

import tensorflow as tf

from tfgan_lite._validation import check_int, check_path
from tfgan_lite.data import _pipeline

__all__ = [
    "CYCLE_GAN_PAIRS",
    "SUPPORTED_TFDS",
    "cycle_gan_pair",
    "from_tfds",
]

SUPPORTED_TFDS = ("mnist", "fashion_mnist", "cifar10", "celeb_a")

# The configs of tfds "cycle_gan" (4.9.x). Kept here so that a misspelled
# name fails at once, without importing or downloading anything.
CYCLE_GAN_PAIRS = (
    "apple2orange",
    "summer2winter_yosemite",
    "horse2zebra",
    "monet2photo",
    "cezanne2photo",
    "ukiyoe2photo",
    "vangogh2photo",
    "maps",
    "facades",
    "iphone2dslr_flower",
)

# Native (height, width, channels) of each tfds source after any crop.
_TFDS_NATIVE = {
    "mnist": (28, 28, 1),
    "fashion_mnist": (28, 28, 1),
    "cifar10": (32, 32, 3),
    # CelebA is 218x178; the 140x140 face crop is usually trained at 64x64.
    "celeb_a": (64, 64, 3),
    "cycle_gan": (256, 256, 3),
}

_CELEB_A_CROP = (140, 140)

_CYCLE_GAN_SPLITS = ("trainA", "trainB", "testA", "testB")

# tfds first tries its own mirror on Google Cloud Storage, then the
# dataset's source hosts.
_MIRROR_HOST = "storage.googleapis.com"
PROBE_TIMEOUT_SECONDS = 5.0
"""Seconds to wait for each download host before calling it unreachable."""

_OFFLINE_CHOICES = (
    "Offline sources: the bundled digits (--dataset digits, or "
    "tfgan_lite.data.digits), a folder of images (--dataset path/to/folder, "
    "or data.from_folder) and arrays (data.from_arrays)."
)


def _split_tfds_name(name: Any) -> tuple[str, str | None]:
    """Returns (dataset, cycle_gan_pair or None), or raises ValueError."""
    if isinstance(name, str):
        if name in SUPPORTED_TFDS:
            return name, None
        family, _, pair = name.partition("/")
        if family == "cycle_gan" and pair in CYCLE_GAN_PAIRS:
            return family, pair
    raise ValueError(
        f"Unknown dataset {name!r}. Supported: "
        f"{', '.join(SUPPORTED_TFDS)}, and cycle_gan/<pair> with <pair> one "
        f"of {', '.join(CYCLE_GAN_PAIRS)}."
    )


def _check_cycle_gan_split(split: str, name: str) -> None:
    # Checked here because tfds only knows split names after downloading.
    base = re.split(r"[\[+]", split, maxsplit=1)[0]
    if base not in _CYCLE_GAN_SPLITS:
        raise ValueError(
            f"{name} has the splits {', '.join(_CYCLE_GAN_SPLITS)} (A and B "
            f"are the two domains), got split={split!r}. Pass "
            f"split='trainA' for one domain, or use cycle_gan_pair() for "
            f"both."
        )


def from_tfds(
    name: str,
    *,
    split: str = "train",
    image_size: tuple[int, int] | None = None,
    channels: int | None = None,
    batch_size: int = 64,
    seed: int = 0,
    with_labels: bool = False,
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
) -> tf.data.Dataset:
    """Builds a batched [-1, 1] image dataset from TensorFlow Datasets.

    The data is downloaded and prepared by tfds on first use (into
    `data_dir`, default ``~/tensorflow_datasets``). Supported:

    - ``mnist``: 28x28 gray digits, http://yann.lecun.com/exdb/mnist/
    - ``fashion_mnist``: 28x28 gray clothes (Xiao et al. 2017,
      https://arxiv.org/abs/1708.07747)
    - ``cifar10``: 32x32 RGB objects,
      https://www.cs.toronto.edu/~kriz/cifar.html
    - ``celeb_a``: 218x178 RGB faces (Liu et al. 2015,
      https://arxiv.org/abs/1411.7766). The face region is taken with a
      centered 140x140 crop (rows 39..178, columns 19..158), as is common
      for GANs, then resized, by default to 64x64.
    - ``cycle_gan/<pair>``: one domain of an unpaired translation set
      (Zhu et al. 2017, https://arxiv.org/abs/1703.10593), with splits
      trainA, trainB, testA, testB; 256x256 RGB, no augmentation. See
      ``cycle_gan_pair`` for both domains at once.

    Args:
        name: One of ``SUPPORTED_TFDS``, or ``"cycle_gan/<pair>"`` with
            <pair> in ``CYCLE_GAN_PAIRS``.
        split: A tfds split, e.g. "train", "test" or "train[:10%]".
        image_size: Output (height, width); None keeps the native size (for
            CelebA: 64x64; CycleGAN: 256x256).
        channels: Output channels, 1 or 3; None keeps the native ones.
        batch_size: Examples per batch; the last partial batch is dropped.
        seed: Seed of the file order and of the shuffle.
        with_labels: If True, elements are ``(images, labels)`` with int64
            class ids (for CycleGAN: 0 for domain A, 1 for domain B).
        data_dir: Where tfds stores the data.
        download: If False, only already prepared data is used.

    Returns:
        A ``tf.data.Dataset`` of float32 batches of shape
        (batch_size, height, width, channels), or of ``(images, labels)``.

    Raises:
        ValueError: If `name` or a CycleGAN split is unknown, if
            ``with_labels=True`` for CelebA (it has 40 binary attributes,
            not a class label), or if `batch_size` exceeds the split size.
        FileNotFoundError: If the data is not prepared in `data_dir` and
            `download` is False.
        ConnectionError: If the data is not prepared and none of its
            download hosts answers within ``PROBE_TIMEOUT_SECONDS`` each
            (instead of tfds' minutes of retries); the message says how to
            prepare it on a connected machine and names the offline
            sources.

    Examples:
        Offline, tfds' mock data can stand in for the real images:

        >>> import tensorflow_datasets as tfds
        >>> with tfds.testing.mock_data(num_examples=8):
        ...     ds = from_tfds("cifar10", batch_size=4)
        ...     next(iter(ds)).shape
        TensorShape([4, 32, 32, 3])
    """
    dataset, pair = _split_tfds_name(name)
    if pair is not None:
        _check_cycle_gan_split(split, name)
    native = _TFDS_NATIVE[dataset]
    options = _pipeline.image_options(
        image_size, channels, batch_size, seed, with_labels, native=native
    )
    if options.with_labels and dataset == "celeb_a":
        raise ValueError(
            "celeb_a has 40 binary attributes, not a class label, so "
            "with_labels=True is not supported for it. Pass "
            "with_labels=False, or load it with tensorflow_datasets "
            "directly to use the attributes."
        )
    if data_dir is not None:
        data_dir = check_path(data_dir, "data_dir")

    source = _load_prepared(
        name,
        split=split,
        data_dir=data_dir,
        download=download,
        seed=options.seed,
    )
    num_examples = int(source.cardinality())
    if num_examples >= 0:
        _pipeline.check_batch_fits(
            options.batch_size, num_examples, f"{name} split {split!r}"
        )
    if options.with_labels:
        ds = source.map(lambda ex: (ex["image"], ex["label"]))
    else:
        ds = source.map(lambda ex: ex["image"])
    return _pipeline.image_dataset(
        ds,
        options=options,
        num_examples=num_examples,
        # CycleGAN images are not all the same size: no chunks for them.
        fixed_shape=source.element_spec["image"].shape.is_fully_defined(),
        crop=_CELEB_A_CROP if dataset == "celeb_a" else None,
    )


def _reachable(host: str, port: int) -> bool:
    """Whether a TCP connection to host:port opens within the timeout."""
    try:
        socket.create_connection((host, port), PROBE_TIMEOUT_SECONDS).close()
    except OSError:
        return False
    return True


def _download_hosts(builder) -> list[tuple[str, int]]:
    """(host, port) of tfds' mirror and of every source URL of `builder`."""
    hosts = {(_MIRROR_HOST, 443)}
    for url in builder.url_infos or {}:
        parts = urllib.parse.urlsplit(url)
        if parts.hostname:
            default = 443 if parts.scheme == "https" else 80
            hosts.add((parts.hostname, parts.port or default))
    return sorted(hosts)


def _load_prepared(
    name: str, *, split: str, data_dir: str | None, download: bool, seed: int
) -> tf.data.Dataset:
    """tfds.load, failing fast when the data is absent and unreachable.

    tfds retries an unreachable download host for minutes; here a dataset
    that is not yet prepared is only downloaded after one of its hosts
    answered within ``PROBE_TIMEOUT_SECONDS``.
    """
    import tensorflow_datasets as tfds  # Slow import: only when needed.

    def load(download: bool) -> tf.data.Dataset:
        return tfds.load(
            name,
            split=split,
            data_dir=data_dir,
            download=download,
            shuffle_files=True,
            read_config=tfds.ReadConfig(shuffle_seed=seed),
        )

    try:
        return load(download=False)
    except AssertionError:
        # tfds' way of saying that the data is not prepared in data_dir.
        pass
    builder = tfds.builder(name, data_dir=data_dir)
    where = builder.data_dir_root
    prepare = (
        f'Prepare it on a connected machine with python -c "import '
        f"tensorflow_datasets as tfds; tfds.load('{name}')\" and copy its "
        f"folder {name.split('/')[0]}/ from ~/tensorflow_datasets into "
        f"{where}."
    )
    if not download:
        raise FileNotFoundError(
            f"Dataset {name!r} is not prepared in {where} and "
            f"download=False. {prepare} {_OFFLINE_CHOICES}"
        )
    hosts = _download_hosts(builder)
    if not any(_reachable(host, port) for host, port in hosts):
        names = ", ".join(host for host, _ in hosts)
        raise ConnectionError(
            f"Dataset {name!r} is not prepared in {where}, and its download "
            f"hosts ({names}) cannot be reached. {prepare} "
            f"{_OFFLINE_CHOICES}"
        )
    return load(download=True)


def cycle_gan_pair(
    name: str,
    *,
    split: str = "train",
    image_size: tuple[int, int] | None = None,
    channels: int | None = None,
    batch_size: int = 1,
    seed: int = 0,
    with_labels: bool = False,
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
) -> tuple[tf.data.Dataset, tf.data.Dataset]:
    """Both domains of a CycleGAN dataset, as two independent datasets.

    The domains are unpaired (Zhu et al. 2017,
    https://arxiv.org/abs/1703.10593; data:
    https://www.tensorflow.org/datasets/catalog/cycle_gan), so domain A is
    shuffled with `seed` and domain B with ``seed + 1``: zipping them gives
    random pairs, not the same index in both.

    Args:
        name: A pair in ``CYCLE_GAN_PAIRS`` such as "horse2zebra", or the
            tfds name "cycle_gan/horse2zebra".
        split: "train" (trainA, trainB) or "test" (testA, testB), optionally
            with a tfds slice such as "train[:50%]".
        image_size: Output (height, width); None keeps 256x256.
        channels: Output channels, 1 or 3; None keeps 3.
        batch_size: Examples per batch (CycleGAN itself trains with 1).
        seed: Seed of domain A; domain B uses ``seed + 1``.
        with_labels: If True, elements are ``(images, labels)``.
        data_dir: Where tfds stores the data.
        download: If False, only already prepared data is used.

    Returns:
        ``(domain_a, domain_b)``, two datasets as from ``from_tfds``.

    Raises:
        TypeError: If `name` is not a str, or an argument has the wrong
            type.
        ValueError: If `name` is not a known pair or `split` is not "train"
            or "test" (with an optional slice).

    Examples:
        Offline, tfds' mock data can stand in for the real images:

        >>> import tensorflow_datasets as tfds
        >>> with tfds.testing.mock_data(num_examples=4):
        ...     horses, zebras = cycle_gan_pair("horse2zebra", batch_size=1)
        ...     pairs = tf.data.Dataset.zip((horses, zebras))
        ...     [images.shape for images in next(iter(pairs))]
        [TensorShape([1, 256, 256, 3]), TensorShape([1, 256, 256, 3])]
    """
    if not isinstance(name, str):
        raise TypeError(
            f"`name` must be a str, got {name!r} of type "
            f"{type(name).__name__}. Pass for example name='horse2zebra'."
        )
    full_name = name if name.startswith("cycle_gan/") else f"cycle_gan/{name}"
    _split_tfds_name(full_name)
    match = re.fullmatch(r"(train|test)(\[.*\])?", str(split))
    if match is None:
        raise ValueError(
            f"cycle_gan_pair() takes split='train' or split='test' (with an "
            f"optional slice such as 'train[:50%]'), got {split!r}. For a "
            f"single domain use from_tfds({full_name!r}, split='trainA')."
        )
    seed = check_int(seed, "seed", minimum=0)
    base, piece = match.group(1), match.group(2) or ""
    kwargs = dict(
        image_size=image_size,
        channels=channels,
        batch_size=batch_size,
        with_labels=with_labels,
        data_dir=data_dir,
        download=download,
    )
    domain_a = from_tfds(
        full_name, split=f"{base}A{piece}", seed=seed, **kwargs
    )
    domain_b = from_tfds(
        full_name, split=f"{base}B{piece}", seed=seed + 1, **kwargs
    )
    return domain_a, domain_b
