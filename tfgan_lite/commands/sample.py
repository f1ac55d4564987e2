"""``tfgan-sample``: writes a trained model's samples as PNG files.

Also ``python -m tfgan_lite.commands.sample``. Reads a trained model
(``RUN_DIR/model.keras``) and writes its samples as PNG files: one grid
(``--grid``) or one file per sample. The same ``--seed`` gives the same
images from the same file.

* ``GAN``: ``--count`` samples.
* ``ConditionalGAN``: one row per class in a grid, the class id on the
  left of each row and the same latent vector down each column (all
  classes unless ``--labels`` names some); single files cycle through the
  classes, or take ``--labels``.
* ``ClusteredGAN`` and ``InfoGAN``: ``--labels`` picks clusters, or values
  of the first categorical code; without it, samples come from the prior.
* ``CycleGAN``: it translates images rather than drawing them, so it needs
  ``--images`` (a ``.npy`` array (N, H, W, C) in [-1, 1] or uint8, or a
  PNG/JPEG file); the grid holds rows x, G(x), F(G(x)).

Exit codes: 0 on success, 2 for a usage mistake (a bad flag, a model file
that does not exist, ``--labels`` for a model without labels), 1 for a
file that cannot be read (a truncated or corrupt model), 130 on Ctrl-C.

Examples:
    tfgan-sample --model runs/default/model.keras --grid --out grid.png
    tfgan-sample --model runs/cond/model.keras --labels=3 --count=16 \\
        --out threes
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Sequence
from typing import Any

# No TensorFlow or Keras here at module level: flags are checked, and a
# usage mistake reported, before they load.
from tfgan_lite._validation import check_choice, check_int
from tfgan_lite.commands import _cli, _flags
from tfgan_lite.commands import quiet as _quiet

__all__ = ["SampleConfig", "main", "parse_labels", "sample"]

_PROG = "tfgan-sample"
_DIRECTIONS = ("xy", "yx")
_MODEL_HINT = (
    "Pass --model=RUN_DIR/model.keras, the file tfgan-train (python -m "
    "tfgan_lite.train) writes."
)


@dataclasses.dataclass(frozen=True)
class SampleConfig:
    """What to sample and where to write it.

    Attributes:
        model: A ``.keras`` file of a model of the package.
        out: With ``grid``, the PNG file to write ("" writes
            ``samples.png``); without it, the folder for the files (""
            writes into ``samples/``). Existing files are replaced.
        grid: One PNG grid instead of one file per sample.
        count: Samples to draw; with labels, split evenly between them
            (at least one each).
        seed: Seed of the latent vectors: the same seed gives the same
            images.
        labels: Class ids (ConditionalGAN), clusters (ClusteredGAN) or
            values of the first categorical code (InfoGAN): "3", "0,1,2"
            or "all". "" uses the model's default.
        ema: Sample the EMA generator when the model keeps one; False
            samples the raw generator.
        images: For a CycleGAN, the images to translate: a ``.npy`` file
            of shape (N, H, W, C), float in [-1, 1] or uint8, or a PNG or
            JPEG file.
        direction: For a CycleGAN, "xy" (G: X -> Y) or "yx" (F: Y -> X).
        scale: With ``grid``, screen pixels per image pixel (nearest
            neighbour, so the pixels stay as the model drew them); 0 picks
            the smallest that makes each cell at least 80 pixels high
            (3 for 28x28 digits), since a grid of 28-pixel cells is too
            small to read on a screen. Single files keep the model's size.
    """

    model: str = "runs/default/model.keras"
    out: str = ""
    grid: bool = False
    count: int = 64
    seed: int = 0
    labels: str = ""
    ema: bool = True
    images: str = ""
    direction: str = "xy"
    scale: int = 0

    def __post_init__(self):
        check_int(self.count, "--count", minimum=1)
        check_int(self.scale, "--scale", minimum=0)
        check_int(self.seed, "--seed", minimum=0)
        check_choice(self.direction, "--direction", _DIRECTIONS)
        if self.labels:
            parse_labels(self.labels)


def parse_labels(text: str) -> list[int] | str:
    """Reads ``--labels``: "all", or comma-separated non-negative ids.

    Raises:
        ValueError: For anything else, naming what was given.
    """
    text = text.strip()
    if text == "all":
        return "all"
    try:
        ids = [int(part) for part in text.split(",")]
    except ValueError:
        ids = []
    if not ids or any(i < 0 for i in ids):
        raise ValueError(
            "--labels must be 'all' or comma-separated class ids >= 0 "
            f"(e.g. --labels=3 or --labels=0,1,2), got --labels={text!r}."
        )
    return ids


def _out_path(config: SampleConfig) -> str:
    return config.out or ("samples.png" if config.grid else "samples")


def _check_paths(config: SampleConfig) -> None:
    """Refuses paths that cannot work, before TensorFlow loads."""
    from tfgan_lite.commands.evaluate import check_model_path

    check_model_path(config.model, _MODEL_HINT)
    if config.images and not os.path.isfile(config.images):
        raise FileNotFoundError(
            f"No images file at '{config.images}'. Pass --images=FILE, a "
            ".npy array (N, H, W, C) or a PNG/JPEG image."
        )
    out = _out_path(config)
    if config.grid:
        if not out.lower().endswith(".png"):
            raise ValueError(
                f"--grid writes one PNG file, so --out must end in .png; "
                f"got --out={out!r}."
            )
        if os.path.isdir(out):
            raise ValueError(f"--out={out!r} is a folder, not a PNG file.")
    elif os.path.exists(out) and not os.path.isdir(out):
        raise ValueError(
            f"--out={out!r} is a file; without --grid, --out names the "
            "folder the PNG files go into."
        )


# --------------------------------------------------------------------------
# The work, once TensorFlow is loaded.


def _load_model(path: str):
    from tfgan_lite import _files
    from tfgan_lite.gans.base import AdversarialModel

    model = _files.load_keras(
        path,
        hint=_MODEL_HINT,
        remedy="Train again to write it anew, or sample the last good "
        "model of the run, RUN_DIR/checkpoints/last.keras.",
        compile=False,
    )
    if not isinstance(model, AdversarialModel):
        raise TypeError(
            f"{path} holds a {type(model).__name__}, not a model of "
            "tfgan_lite (GAN, ConditionalGAN, ClusteredGAN, InfoGAN or "
            "CycleGAN)."
        )
    return model


def _label_count(model) -> tuple[int, str] | None:
    """How many labels the model takes and what they are, or None."""
    from tfgan_lite.gans.clustered import ClusteredGAN
    from tfgan_lite.gans.conditional import ConditionalGAN
    from tfgan_lite.gans.infogan import InfoGAN

    if isinstance(model, ConditionalGAN):
        return model.num_classes, "classes"
    if isinstance(model, ClusteredGAN):
        return model.num_clusters, "clusters"
    if isinstance(model, InfoGAN) and model.categorical:
        return model.categorical[0], "values of its first categorical code"
    return None


def _labels(config: SampleConfig, model) -> list[int] | None:
    """The labels to draw, checked against the model; None for none."""
    from tfgan_lite.gans.conditional import ConditionalGAN

    known = _label_count(model)
    if not config.labels:
        # A conditional grid shows every class, one row each.
        if config.grid and isinstance(model, ConditionalGAN):
            return list(range(model.num_classes))
        return None
    if known is None:
        raise ValueError(
            f"--labels: {config.model} holds a {type(model).__name__}, "
            "which takes no labels. Drop --labels."
        )
    count, what = known
    ids = parse_labels(config.labels)
    if ids == "all":
        return list(range(count))
    bad = [i for i in ids if i >= count]
    if bad:
        raise ValueError(
            f"--labels: this {type(model).__name__} has {count} {what} "
            f"(ids 0 to {count - 1}); got {', '.join(map(str, bad))}."
        )
    return ids


def _generate(model, config: SampleConfig, n: int, label: int | None):
    from tfgan_lite.gans.infogan import InfoGAN

    if isinstance(model, InfoGAN) and label is not None:
        # InfoGAN's labels are its first categorical code.
        network = model.sampler if config.ema else model.generator
        z = model.latents(n, category=label, seed=config.seed)
        return network(z, training=False).numpy()
    return model.generate(n, labels=label, seed=config.seed, use_ema=config.ema)


def _read_images(path: str):
    import numpy as np
    import tensorflow as tf

    from tfgan_lite import _files

    if path.lower().endswith(".npy"):
        array = _files.read_file(
            path,
            lambda: np.load(path, allow_pickle=False),
            what="a .npy array",
            remedy="Write it again with numpy.save.",
        )
    else:
        array = _files.read_file(
            path,
            lambda: tf.io.decode_image(
                tf.io.read_file(path), expand_animations=False
            ).numpy()[np.newaxis],
            what="a PNG or JPEG image",
            remedy="Pass a readable image, or a .npy array.",
        )
    if array.ndim == 3:
        array = array[..., np.newaxis]
    if array.ndim != 4:
        raise ValueError(
            f"--images: expected images of shape (N, H, W, C), got shape "
            f"{array.shape} from {path}."
        )
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 127.5 - 1.0
    return array.astype(np.float32)


def _translations(config: SampleConfig, model) -> tuple[Any, Any]:
    """A CycleGAN's grid, or its translations, of ``--images``."""
    from tfgan_lite.callbacks.cycle_grid import cycle_grid

    if not config.images:
        raise ValueError(
            f"{config.model} holds a CycleGAN, which translates images "
            "rather than drawing them: pass --images=FILE (a .npy array "
            "(N, H, W, C) in [-1, 1] or uint8, or a PNG/JPEG image) of "
            f"domain {config.direction[0].upper()}."
        )
    if config.labels:
        raise ValueError("--labels: a CycleGAN takes no labels.")
    images = _read_images(config.images)[: config.count]
    expected = model.x_shape if config.direction == "xy" else model.y_shape
    if expected is not None and images.shape[1:] != tuple(expected):
        raise ValueError(
            f"--images have shape {images.shape[1:]}, but the CycleGAN "
            f"translates images of shape {tuple(expected)} in direction "
            f"{config.direction}."
        )
    if config.grid:
        grid = cycle_grid(model, images, direction=config.direction)
        return _upscale(grid, config.scale, images.shape[1]), None
    return None, model.translate(images, direction=config.direction)


def sample(config: SampleConfig) -> list[str]:
    """Draws the samples ``config`` asks for and writes them as PNG files.

    Returns:
        The paths written.

    Raises:
        FileNotFoundError: If the model (or images) file does not exist.
        tfgan_lite._files.CorruptFileError: A ValueError, if a file is
            truncated or corrupt.
        TypeError, ValueError: If the file holds no model of the package,
            ``--labels`` does not fit the model, or the model does not make
            images.
    """
    import numpy as np

    from tfgan_lite.callbacks._grid import label_rows, make_grid
    from tfgan_lite.gans.cyclegan import CycleGAN

    model = _load_model(config.model)
    row_labels = None
    if isinstance(model, CycleGAN):
        grid, samples = _translations(config, model)
    else:
        shape = tuple(model.sample_shape)
        if len(shape) not in (2, 3):
            raise ValueError(
                f"{config.model} makes samples of shape {shape}, not "
                "images, so there is nothing to write as PNG. Measure 2-D "
                "points with tfgan-evaluate --dataset=ring (or grid)."
            )
        labels = _labels(config, model)
        if labels is None:
            samples = _generate(model, config, config.count, None)
            file_labels = None
        else:
            per_label = max(1, config.count // len(labels))
            # Each label from the same seed: column j is one latent vector
            # drawn as every label.
            samples = np.concatenate(
                [_generate(model, config, per_label, c) for c in labels]
            )
            file_labels = [c for c in labels for _ in range(per_label)]
            row_labels = labels
        grid = None
        if config.grid:
            grid = make_grid(
                samples, rows=None if row_labels is None else len(labels)
            )
            if row_labels is not None:
                grid = label_rows(
                    grid,
                    row_labels,
                    cell_height=shape[0],
                    gap=_gap(grid, len(row_labels), shape[0]),
                )
            grid = _upscale(grid, config.scale, shape[0])
    out = _out_path(config)
    if grid is not None:
        folder = os.path.dirname(out)
        if folder:
            os.makedirs(folder, exist_ok=True)
        _write_png(grid, out)
        return [out]
    os.makedirs(out, exist_ok=True)
    names = (
        [f"sample_{i:04d}.png" for i in range(len(samples))]
        if row_labels is None
        else _labelled_names(file_labels)
    )
    paths = [os.path.join(out, name) for name in names]
    for image, path in zip(samples, paths, strict=True):
        _write_png(make_grid(image[np.newaxis], gap=0), path)
    return paths


# The smallest cell height a grid is drawn at unless --scale says otherwise.
_CELL_PIXELS = 80


def _upscale(grid, scale: int, cell_height: int):
    """``grid`` with each pixel drawn as ``scale`` x ``scale`` pixels."""
    if scale == 0:
        scale = max(1, -(-_CELL_PIXELS // cell_height))
    return grid.repeat(scale, axis=0).repeat(scale, axis=1)


def _gap(grid, rows: int, cell_height: int) -> int:
    """The gap make_grid chose, from the grid's height."""
    return (
        0 if rows == 1 else (grid.shape[0] - rows * cell_height) // (rows - 1)
    )


def _labelled_names(labels: list[int]) -> list[str]:
    seen: dict[int, int] = {}
    names = []
    for label in labels:
        index = seen.get(label, 0)
        seen[label] = index + 1
        names.append(f"label{label}_{index:04d}.png")
    return names


def _write_png(pixels, path: str) -> None:
    import tensorflow as tf

    data = tf.io.encode_png(pixels).numpy()
    # Written aside and renamed: a viewer never reads half a file.
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)


# --------------------------------------------------------------------------
# The command line.

_HELPS = {
    "model": "The .keras file of a trained model of tfgan_lite.",
    "out": "With --grid, the PNG file (default samples.png); else the "
    "folder of the PNG files (default samples/).",
    "grid": "Write one PNG grid instead of one file per sample.",
    "count": "Samples to draw (with --labels, split between the labels).",
    "seed": "Seed of the latent vectors; the same seed, the same images.",
    "labels": "Class ids, clusters or InfoGAN code values: 3, 0,1,2 or all.",
    "ema": "Sample the EMA generator when the model keeps one.",
    "images": "CycleGAN: images to translate, .npy (N, H, W, C) or PNG/JPEG.",
    "direction": "CycleGAN: xy (G: X -> Y) or yx (F: Y -> X).",
    "scale": "With --grid, screen pixels per image pixel; 0: enough for "
    "cells of at least 80 pixels (3 for 28x28 images).",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Parses flags, samples, writes; returns an exit code.

    The flags and paths are checked before TensorFlow is imported, so a
    usage mistake is reported at once. ``--debug`` prints the traceback
    of an error.
    """
    from absl import flags

    values = flags.FlagValues()
    _flags.define(values, SampleConfig, _HELPS)
    args, debug = _cli.split_debug(argv if argv is not None else sys.argv)
    if _flags.help_requested(args[1:]):
        return _cli.print_help(
            f"usage: {_PROG} [--flag=value ...]\n"
            "   or: python -m tfgan_lite.commands.sample [--flag=value ...]"
            "\n\nWrites samples of a trained model as PNG files: one grid "
            "(--grid) or one\nfile per sample. The same --seed gives the "
            "same images.\n",
            values,
        )

    status, config, level = _cli.parse_config(
        args,
        values,
        SampleConfig,
        _HELPS,
        debug=debug,
        prog=_PROG,
        check=_check_paths,
    )
    if status:
        return status
    _quiet.start(level)

    def run() -> None:
        paths = sample(config)
        if len(paths) == 1:
            print(f"Wrote {paths[0]}")
        else:
            print(
                f"Wrote {len(paths)} PNG files to {_out_path(config)}/ "
                f"({os.path.basename(paths[0])} ... "
                f"{os.path.basename(paths[-1])})"
            )

    return _cli.run(run, debug=debug, prog=_PROG)


if __name__ == "__main__":
    sys.exit(main())
