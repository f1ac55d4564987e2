"""The data of each kind of run, and the one read before step 1.

A run builds its pipeline once and reads its first batches once
(:func:`read_first`): the clustering, the real samples of the health
checks, the measurements and the pictures, and the length of a pass of
unknown length all come from that read. Training then iterates fresh
pipelines from the same factory (see ``fit_loop``), whose order is a pure
function of the seed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import tensorflow as tf

from tfgan_lite import data as data_lib
from tfgan_lite.commands._cli import UsageError
from tfgan_lite.commands.names import (
    FOLDER_PAIR_SEPARATOR,
    IMAGE_DATASETS,
    IMAGE_SHAPES,
    POINT_DATASETS,
)

if TYPE_CHECKING:
    from tfgan_lite.commands.config import TrainConfig

__all__ = [
    "HOLD_BACK_MAX",
    "HOLD_BACK_MIN",
    "HOLD_BACK_SHARE",
    "IMAGE_SHAPES",
    "POINT_DATASETS",
    "FirstRead",
    "HeldBack",
    "class_names",
    "held_back",
    "held_back_images",
    "is_folder",
    "read_first",
    "split_held_back",
]

# A folder's quality is measured on images that training never sees: this
# share of its image files, at most HOLD_BACK_MAX. Below HOLD_BACK_MIN
# (folders under 2,000 images) the halves of the real reference would
# hold under 100 images each, fewer than the 64 features of the random
# embedding need for a full-rank covariance, while the images held back
# would cost the training set a tenth: such folders are measured against
# their training images instead, and the output says so.
HOLD_BACK_SHARE = 0.1
HOLD_BACK_MAX = 2_000
HOLD_BACK_MIN = 200


# --------------------------------------------------------------------------
# Pipelines.


def _load(dataset: str, **kwargs) -> tf.data.Dataset:
    """data.load, with its refusals turned into the command's own."""
    try:
        return data_lib.load(dataset, **kwargs)
    except (ConnectionError, TimeoutError):
        raise  # Unreachable hosts are a failure, not a usage error.
    except (ValueError, OSError) as e:
        raise UsageError(f"--dataset {dataset}: {e}") from None


def images(config: TrainConfig) -> tf.data.Dataset:
    """The images of a dcgan preset, with labels for a conditional run.

    A folder's images held back for measurement (:func:`held_back`) are
    left out.
    """
    height, width, channels = IMAGE_SHAPES[config.model]
    held = held_back(config)
    kwargs = {} if held is None else {"keep": held.trains}
    return _load(
        config.dataset,
        image_size=(height, width),
        channels=channels,
        with_labels=config.conditional,
        batch_size=config.batch_size,
        seed=config.seed,
        **kwargs,
    )


# --------------------------------------------------------------------------
# A folder's images held back for measurement.


class HeldBack(NamedTuple):
    """A folder's image files held back from training, for measurement.

    Attributes:
        files: The held-back files, paths relative to the folder (POSIX).
        total: Image files in the folder, held back or not.
        digest: SHA-256 of the sorted held-back paths, one per line: the
            same digest means the same split.
    """

    files: frozenset[str]
    total: int
    digest: str

    def trains(self, path: str) -> bool:
        """Whether training reads the file (relative POSIX path)."""
        return path not in self.files

    def record(self) -> dict:
        """The split as config.json and metrics.json record it."""
        return {
            "images": len(self.files),
            "of": self.total,
            "share": HOLD_BACK_SHARE,
            "digest": self.digest,
        }


def _rank(path: str) -> str:
    return hashlib.sha256(path.encode("utf-8")).hexdigest()


def split_held_back(files: Sequence[str]) -> frozenset[str]:
    """The files of a folder held back from training for measurement.

    :data:`HOLD_BACK_SHARE` of them (at most :data:`HOLD_BACK_MAX`): those
    whose relative path has the smallest SHA-256. The split depends on the
    file names alone, not on a seed or a shuffle, so that a resumed run and
    ``tfgan-evaluate`` find the same one, and a file added later moves at
    most one file across it. None are held back when that would be fewer
    than :data:`HOLD_BACK_MIN` files.

    Args:
        files: Paths relative to the folder, POSIX form.

    Returns:
        The held-back paths; empty when the folder is too small.
    """
    count = min(HOLD_BACK_MAX, int(len(files) * HOLD_BACK_SHARE))
    if count < HOLD_BACK_MIN:
        return frozenset()
    return frozenset(sorted(files, key=lambda f: (_rank(f), f))[:count])


def is_folder(dataset: str) -> bool:
    """Whether --dataset names a folder of images (names win over folders)."""
    named = (*IMAGE_DATASETS, *POINT_DATASETS)
    return dataset not in named and Path(dataset).expanduser().is_dir()


def held_back(config: TrainConfig) -> HeldBack | None:
    """The images a folder run holds back for measurement, if any.

    An image GAN run on a folder of at least 2,000 images holds images
    back (:func:`split_held_back`), whether or not it measures them:
    ``metrics_every`` may change when a run resumes, and the images it
    trains on must not; ``tfgan-evaluate`` measures against them later.
    """
    if not (config.model in IMAGE_SHAPES and is_folder(config.dataset)):
        return None
    return _held_back(str(Path(config.dataset).expanduser().resolve()))


def _held_back(folder: str) -> HeldBack | None:
    # Listed afresh on every call: a cheap walk, and a folder may change.
    files = data_lib.folders.image_files(folder)
    held = split_held_back(files)
    if not held:
        return None
    digest = hashlib.sha256("\n".join(sorted(held)).encode()).hexdigest()
    return HeldBack(held, len(files), digest)


def held_back_images(config: TrainConfig) -> np.ndarray | None:
    """The held-back images of a folder run, in [-1, 1]; None if none.

    Read through the training pipeline's own decoding and resizing, in the
    order of the run's seed (the global seed must be the run's, as
    training and ``tfgan-evaluate`` set it).
    """
    held = held_back(config)
    if held is None:
        return None
    height, width, channels = IMAGE_SHAPES[config.model]
    dataset = _load(
        config.dataset,
        image_size=(height, width),
        channels=channels,
        batch_size=1,
        seed=config.seed,
        keep=held.files.__contains__,
    )
    return np.concatenate([batch.numpy() for batch in dataset])


def labelled_images(config: TrainConfig) -> tf.data.Dataset:
    """Images and class labels; a folder needs one subfolder per class."""
    path = Path(config.dataset).expanduser()
    if path.is_dir() and not any(p.is_dir() for p in path.iterdir()):
        raise UsageError(
            f"--conditional reads class labels from subfolders, one per "
            f"class (class ids follow the sorted subfolder names), and "
            f"{config.dataset} has no subfolders."
        )
    return images(config)


def points(config: TrainConfig) -> tf.data.Dataset:
    """Batches of a 2-D mixture."""
    return _load(config.dataset, batch_size=config.batch_size, seed=config.seed)


def pair(config: TrainConfig) -> tf.data.Dataset:
    """Two domains: a named pair, or two folders "A,B"."""
    digits = config.dataset.startswith("digits_")
    side = config.image_size or (32 if digits else 256)
    kwargs = {
        "image_size": (side, side),
        "batch_size": config.batch_size,
        "seed": config.seed,
    }
    try:
        if FOLDER_PAIR_SEPARATOR not in config.dataset:
            return data_lib.load_pair(config.dataset, **kwargs)
        folders = config.dataset.split(FOLDER_PAIR_SEPARATOR)
        if len(folders) != 2 or not all(folders):
            raise ValueError(
                "give two folders, the domains X and Y, as path/to/A,path/to/B."
            )
        return data_lib.unpaired.folder_pair(*folders, **kwargs)
    except (ConnectionError, TimeoutError):
        raise  # Unreachable hosts are a failure, not a usage error.
    except (ValueError, OSError) as e:
        raise UsageError(f"--dataset {config.dataset}: {e}") from None


def class_names(dataset: str, loaded: tf.data.Dataset) -> list[str]:
    """The classes of a labelled dataset, in class id order.

    Raises:
        UsageError: If the data has fewer than two classes.
    """
    if dataset == "digits":
        names = [str(digit) for digit in range(10)]
    elif dataset in data_lib.SUPPORTED_TFDS:
        import tensorflow_datasets as tfds

        names = list(tfds.builder(dataset).info.features["label"].names)
    else:
        # A folder: one class per subfolder, ids in sorted name order.
        names = list(loaded.class_names)
    if len(names) < 2:
        raise UsageError(
            f"--conditional needs at least two classes; --dataset {dataset} "
            f"has {len(names)} ({', '.join(names)}). A folder's classes "
            "are its subfolders."
        )
    return names


# --------------------------------------------------------------------------
# The one read before step 1.


class FirstRead(NamedTuple):
    """The first batches of a run's data, read once and shared.

    Attributes:
        samples: The first samples of the training stream (images, points,
            or domain X of a pair; labels dropped), as many as asked for
            or as the stream holds: one pass, or more for a repeated one.
        first_pass: The first batches of the first pass, up to the first
            batch end at or past the samples asked for (the clustering's).
        pass_batches: Batches of one pass, when the read reached its end;
            else None.
    """

    samples: np.ndarray
    first_pass: tuple[np.ndarray, ...]
    pass_batches: int | None


def _samples(element) -> tf.Tensor:
    return element[0] if isinstance(element, tuple) else element


def read_first(
    dataset: tf.data.Dataset,
    *,
    samples: int,
    pass_samples: int = 0,
    count_pass: bool = False,
    repeat: bool = False,
) -> FirstRead:
    """Reads the first batches of ``dataset`` once, for every consumer.

    A new iterator of the same pipeline continues its shuffle where the
    last one ended, so pass k of a repeated stream is the k-th iteration
    of ``dataset``: a read past one pass gives the batches that
    ``dataset.repeat()`` gives.

    Args:
        dataset: The run's pipeline, one pass, not yet iterated.
        samples: Samples of the stream wanted.
        pass_samples: Samples of the first pass wanted.
        count_pass: Read to the end of the first pass to count its batches
            (only the samples wanted are kept).
        repeat: Whether the run repeats the data, so that ``samples`` may
            come from more than one pass.

    Raises:
        UsageError: If the data holds no full batch.
    """
    kept, held, cut, batches, ended = [], 0, 0, 0, False
    pass_index = 0
    while True:
        for element in dataset:
            first = pass_index == 0
            batches += first
            if held < samples or (first and held < pass_samples):
                if first and held < pass_samples:
                    cut = len(kept) + 1
                kept.append(_samples(element).numpy())
                held += len(kept[-1])
            more = first and (count_pass or held < pass_samples)
            if held >= samples and not more:
                break
        else:
            ended = ended or pass_index == 0
            if not batches:
                raise UsageError("The dataset holds no full batch.")
            if repeat and held < samples:
                pass_index += 1
                continue
        break
    return FirstRead(
        samples=np.concatenate(kept)[:samples] if kept else np.zeros((0,)),
        first_pass=tuple(kept[:cut]),
        pass_batches=batches if ended else None,
    )
