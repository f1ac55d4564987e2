"""A folder of image files as a batched [-1, 1] dataset."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import tensorflow as tf

from tfgan_lite._validation import check_path
from tfgan_lite.data import _pipeline

__all__ = [
    "from_folder",
    "image_files",
]

_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif")


def _list_image_files(root: Path) -> list[Path]:
    # Sorted so that the dataset (and so the shuffle) is the same every run.
    return sorted(
        path
        for path in root.rglob("*")
        if path.suffix.lower() in _IMAGE_EXTENSIONS and path.is_file()
    )


def image_files(path: str | os.PathLike) -> list[str]:
    """The image files `from_folder` reads, as sorted POSIX paths relative
    to `path` (not decoded; what `keep` is asked about).

    Raises:
        FileNotFoundError, NotADirectoryError: As `from_folder`.
    """
    root = _check_folder(path)
    return [
        file.relative_to(root).as_posix() for file in _list_image_files(root)
    ]


def _folder_labels(
    root: Path, files: list[Path]
) -> tuple[list[int], list[str]]:
    """Labels each file by its top-level subfolder (sorted names)."""
    tops = [path.relative_to(root).parts for path in files]
    loose = [str(files[i]) for i, parts in enumerate(tops) if len(parts) == 1]
    if loose:
        raise ValueError(
            f"with_labels=True needs one subfolder per class in {root}, but "
            f"{len(loose)} images lie directly in it (e.g. {loose[0]}). Move "
            f"them into class subfolders, or pass with_labels=False."
        )
    class_names = sorted({parts[0] for parts in tops})
    index = {name: i for i, name in enumerate(class_names)}
    return [index[parts[0]] for parts in tops], class_names


def _decode_image_file(path: tf.Tensor) -> tf.Tensor:
    # Always decode as RGB (alpha dropped, gray repeated, GIFs' first frame)
    # so every file has a known channel count; conversion comes later.
    image = tf.io.decode_image(
        tf.io.read_file(path), channels=3, expand_animations=False
    )
    image.set_shape([None, None, 3])
    return image


def _decodable(files: list[Path], root: Path) -> list[Path]:
    """The files TensorFlow can decode; warns naming each of the others.

    Each file is decoded once, in parallel, when the dataset is built: a
    corrupt file found in the middle of a run would otherwise stop it with
    an error that does not name the file.
    """
    paths = [str(file) for file in files]
    ds = (
        tf.data.Dataset.from_tensor_slices(paths)
        .map(
            lambda p: (p, tf.shape(_decode_image_file(p))),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
        .ignore_errors()
    )
    good = {p.decode() for p, _ in ds.as_numpy_iterator()}
    bad = [path for path in paths if path not in good]
    if bad and len(bad) == len(paths):
        raise ValueError(
            f"Folder {str(root)!r} holds no image that can be decoded: all "
            f"{len(bad)} image files are corrupt, truncated or not images: "
            f"{', '.join(bad)}."
        )
    if bad:
        warnings.warn(
            f"Skipping {len(bad)} of {len(paths)} image files in "
            f"{str(root)!r} that cannot be decoded (corrupt, truncated or "
            f"not images): {', '.join(bad)}.",
            stacklevel=3,
        )
    return [file for file in files if str(file) in good]


def _check_folder(path: str | os.PathLike) -> Path:
    root = Path(check_path(path, "path")).expanduser()
    if not root.exists():
        raise FileNotFoundError(
            f"Image folder {str(root)!r} does not exist. Pass the path of a "
            f"folder that holds .jpg/.png/.bmp/.gif files (absolute, or "
            f"relative to {os.getcwd()!r})."
        )
    if not root.is_dir():
        raise NotADirectoryError(
            f"{str(root)!r} is a file, not a folder. Pass the folder that "
            f"holds the images, or load a single array with from_arrays()."
        )
    return root


def from_folder(
    path: str | os.PathLike,
    *,
    image_size: tuple[int, int] = (64, 64),
    channels: int = 3,
    batch_size: int = 64,
    seed: int = 0,
    with_labels: bool = False,
    keep: Callable[[str], bool] | None = None,
) -> tf.data.Dataset:
    """Builds a batched [-1, 1] image dataset from a folder of image files.

    Every .jpg, .jpeg, .png, .bmp and .gif file under `path` (searched
    recursively, extension case ignored) is used. Images of any size are
    resized to `image_size` (antialiased bilinear, aspect ratio not kept),
    and any channel count is converted to `channels` (alpha is dropped; the
    first frame of a GIF is used).

    Every file is decoded once when the dataset is built. Files that cannot
    be decoded (corrupt, truncated, or not images despite their extension)
    are skipped with a ``UserWarning`` that gives their count and names
    each one, so that a few bad files in a scraped folder do not stop a run
    hours in; a folder where no file decodes is an error.

    With ``with_labels=True`` each image is labelled by the subfolder of
    `path` that holds it (class ids follow the sorted subfolder names, as in
    ``keras.utils.image_dataset_from_directory``), and the dataset gets a
    ``class_names`` attribute.

    Args:
        path: The folder.
        image_size: Output (height, width).
        channels: Output channels, 1 or 3.
        batch_size: Examples per batch; the last partial batch is dropped.
        seed: Seed of the shuffle.
        with_labels: If True, elements are ``(images, labels)`` with int64
            class ids.
        keep: Called with each image file's path relative to `path`, in
            POSIX form (as :func:`image_files` lists them); the files it
            returns False for are left out, e.g. images held back for
            measurement. None keeps every file.

    Returns:
        A ``tf.data.Dataset`` of float32 batches of shape
        (batch_size, height, width, channels), or of ``(images, labels)``.

    Raises:
        TypeError: If `path` is not a str or os.PathLike, or another
            argument has the wrong type.
        FileNotFoundError: If `path` does not exist.
        NotADirectoryError: If `path` is a file.
        ValueError: If `path` is empty, if the folder holds no images (or
            none that decodes), if `batch_size` exceeds their number, or if
            ``with_labels=True`` and images lie outside class subfolders.

    Examples:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     for i in range(4):
        ...         pixels = tf.fill([30, 40, 3], tf.constant(60 * i, "uint8"))
        ...         png = tf.io.encode_png(pixels)
        ...         tf.io.write_file(os.path.join(folder, f"{i}.png"), png)
        ...     ds = from_folder(folder, image_size=(32, 32), batch_size=2)
        ...     next(iter(ds)).shape
        TensorShape([2, 32, 32, 3])
    """
    root = _check_folder(path)
    options = _pipeline.image_options(
        image_size, channels, batch_size, seed, with_labels
    )
    files = _list_image_files(root)
    if files and keep is not None:
        if not callable(keep):
            raise TypeError(
                f"`keep` must be None or a callable (relative path -> "
                f"bool), got {keep!r} of type {type(keep).__name__}."
            )
        files = [f for f in files if keep(f.relative_to(root).as_posix())]
        if not files:
            raise ValueError(
                f"`keep` left out every image of folder {str(root)!r}. "
                "Pass a predicate that keeps some."
            )
    if not files:
        raise ValueError(
            f"Folder {str(root)!r} holds no images (searched recursively "
            f"for {', '.join(_IMAGE_EXTENSIONS)}). Add image files or pass "
            f"another folder."
        )
    files = _decodable(files, root)
    _pipeline.check_batch_fits(
        options.batch_size, len(files), f"folder {str(root)!r}"
    )

    labels = class_names = None
    if options.with_labels:
        ids, class_names = _folder_labels(root, files)
        labels = np.asarray(ids, np.int64)
    ds = _pipeline.image_dataset(
        _pipeline.from_slices([str(file) for file in files], labels),
        options=options,
        num_examples=len(files),
        fixed_shape=False,
        decode=_decode_image_file,
    )
    if class_names is not None:
        ds.class_names = class_names
    return ds
