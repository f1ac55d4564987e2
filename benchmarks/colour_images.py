"""Colour images: the dcgan_32 and dcgan_64 recipes beside a bare DCGAN.

The colour presets train through the command on a folder of colour
images (``python -m tfgan_lite.train --model=dcgan_32 --dataset=<folder>``).
This benchmark trains them on real colour images, such as the emoji and
photograph crops that ``benchmarks/colour_data.py`` writes, and scores
them beside a bare keras.io-style DCGAN that sees as many images.

``--data`` is a folder written by ``colour_data.py``: ``train/`` trains
the GANs and ``heldout/``, which no GAN sees, is the real reference
(``metrics.Reference``: its halves A and B give the real-vs-real
figures, and samples are measured against half B). A flat folder of
images (``--heldout=0``) is both the training set and the reference.

Rows, each at the same number of images seen:

    recipe       The train command's preset (``TrainConfig(model=...)``)
                 on ``train/``: by default exactly ``python -m
                 tfgan_lite.train --model=<model> --dataset=<train>``, with
                 its own schedule (the command itself holds a tenth of a
                 folder of 2,000 or more images back for its own
                 measurement, and trains on the rest). ``--steps`` and
                 ``--recipe`` (name=value items, as the command's flags)
                 change it. Sampled as users sample it (``GAN.generate``:
                 the weight average).
    recipe-live  The same run's live generator weights.
    bare         The networks of keras.io's "DCGAN to generate face images"
                 scaled to the side: the generator a Dense layer to
                 (side/8)x(side/8)x128, three stride-2 4x4 transposed
                 convolutions (128, 256, 512 filters) with LeakyReLU(0.2),
                 a 5x5 convolution to 3 channels with tanh (images in
                 [-1, 1]); the discriminator three stride-2 4x4
                 convolutions (64, 128, 128) with LeakyReLU(0.2),
                 Flatten, Dropout(0.2) and Dense(1). The non-saturating
                 loss, Adam(1e-4) for both players, batches of 32, no
                 penalty, no average (``keras_reference.ReferenceGAN``). It
                 trains on the images the recipe trains on, as many steps
                 of ``--batch`` images as the recipe's run made.
    train        Real training images, as many as a half: what a GAN that
                 copied its training set would score.

Every row is measured with the library's random-CNN embedding
(``random_cnn_v1``, Naeem et al. 2020), as the train command measures
folder runs (``tfgan_lite.commands.evaluate.run_extractor``): Fréchet
distance (FD) and KID against real half B, each also divided by real
half A's, and precision, recall and coverage.

    python benchmarks/colour_images.py --data=colour/emoji32 \\
        --model=dcgan_32 --grids=grids/emoji32
    python benchmarks/colour_images.py --data=colour/photos64 \\
        --model=dcgan_64 --steps=6000 --recipe=lr=2e-4,r1_penalty=0.2
    python benchmarks/colour_images.py --data=colour/emoji32 \\
        --model=dcgan_32 --quick

Nothing is asserted; the report is markdown, ready for docs/experiments.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

# TensorFlow's C++ start-up and graph-optimizer lines are not the report's.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import harness  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from absl import app, flags  # noqa: E402
from keras_reference import fit_bare  # noqa: E402
from small_data import write_grid  # noqa: E402

from tfgan_lite import data as data_lib  # noqa: E402
from tfgan_lite import metrics  # noqa: E402
from tfgan_lite.commands import datasets as datasets_lib  # noqa: E402
from tfgan_lite.commands.evaluate import run_extractor  # noqa: E402
from tfgan_lite.train import TrainConfig, train  # noqa: E402

FLAGS = flags.FLAGS

MODELS = {"dcgan_32": 32, "dcgan_64": 64}
"""The colour presets and their image side."""
ROWS = ("recipe", "bare")

_BARE_LATENT = 128
_BARE_LR = 1e-4
_QUICK = {"steps": 4, "generated": 200}


class DataError(ValueError):
    """--data cannot be used: the command exits with a message."""


# --------------------------------------------------------------------------
# Data.


def data_folders(data: str) -> tuple[Path, Path | None]:
    """The training folder and the held-out folder (None) of ``--data``.

    Raises:
        DataError: If ``data`` is not a folder, or holds only one of
            ``train/`` and ``heldout/``.
    """
    root = Path(data)
    if not root.is_dir():
        raise DataError(f"--data must be a folder of images, got {data!r}.")
    train_dir, held_dir = root / "train", root / "heldout"
    if train_dir.is_dir() and held_dir.is_dir():
        return train_dir, held_dir
    if train_dir.is_dir() or held_dir.is_dir():
        raise DataError(
            f"--data {data} holds one of train/ and heldout/ without the "
            "other; pass a folder written by colour_data.py, or a flat one."
        )
    return root, None


def load_images(folder: Path, side: int) -> np.ndarray:
    """Every image of a folder, side x side x 3 in [-1, 1], in file order.

    Read through the package's folder loader, as training reads them.

    Raises:
        DataError: If the folder holds no image the loader can read.
    """
    try:
        # Batches of one: the loader drops a last partial batch.
        dataset = data_lib.from_folder(
            folder, image_size=(side, side), channels=3, batch_size=1
        )
    except (TypeError, ValueError) as error:
        raise DataError(f"{folder}: {error}") from None
    return np.concatenate(list(dataset.batch(1024).as_numpy_iterator()))[:, 0]


def training_images(config: TrainConfig) -> np.ndarray:
    """The images the train command trains on for ``config``, in [-1, 1].

    The command's own pipeline: a folder's images held back for its
    measurement are left out, and its last partial batch is dropped.
    """
    batches = datasets_lib.images(config).as_numpy_iterator()
    return np.concatenate(list(batches))


# --------------------------------------------------------------------------
# The bare DCGAN.


def bare_networks(side: int) -> tuple[keras.Model, keras.Model]:
    """keras.io's face DCGAN networks for side x side x 3 images in [-1, 1].

    Raises:
        ValueError: If ``side`` is not a multiple of 8.
    """
    if side % 8:
        raise ValueError(f"The side must be a multiple of 8, got {side}.")
    start = side // 8
    layers = keras.layers
    generator = keras.Sequential(
        [
            keras.Input((_BARE_LATENT,)),
            layers.Dense(start * start * 128),
            layers.Reshape((start, start, 128)),
            layers.Conv2DTranspose(128, 4, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Conv2DTranspose(256, 4, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Conv2DTranspose(512, 4, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Conv2D(3, 5, padding="same", activation="tanh"),
        ],
        name="generator",
    )
    discriminator = keras.Sequential(
        [
            keras.Input((side, side, 3)),
            layers.Conv2D(64, 4, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Conv2D(128, 4, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Conv2D(128, 4, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Flatten(),
            layers.Dropout(0.2),
            layers.Dense(1),
        ],
        name="discriminator",
    )
    return generator, discriminator


def _seen(run: tuple, batch_size: int) -> tuple:
    """(averaged, live, steps made) -> (averaged, live, images seen)."""
    averaged, live, made = run
    return averaged, live, made * batch_size


def train_bare(
    images: np.ndarray, *, steps: int, batch: int, seed: int, n: int
) -> np.ndarray:
    """Trains the bare DCGAN for ``steps`` and returns ``n`` samples."""
    return fit_bare(
        lambda: bare_networks(images.shape[1]),
        images,
        lr=_BARE_LR,
        steps=steps,
        batch=batch,
        seed=seed,
        n=n,
        # Small batches: the last maps are side x side x 512.
        predict_batch=32,
    )


# --------------------------------------------------------------------------
# The recipe.


def recipe_config(
    model: str,
    folder: Path,
    run_dir: Path,
    *,
    steps: int,
    epochs: int,
    seed: int,
    recipe: Sequence[str] = (),
) -> TrainConfig:
    """The train command's config for ``model`` on ``folder``.

    Args:
        model: "dcgan_32" or "dcgan_64".
        folder: The training images.
        run_dir: The run directory.
        steps: Total steps; 0 keeps the schedule. Otherwise 10 epochs of
            ``steps // 10`` (one epoch below 10 steps), with a grid per
            run.
        epochs: Epochs; 0 keeps the recipe's. Ignored with ``steps``.
        seed: The run's seed.
        recipe: name=value changes to the recipe, as the command's flags.

    Raises:
        ValueError: For a change the config refuses.
    """
    config = TrainConfig(
        model=model, dataset=str(folder), run_dir=str(run_dir), seed=seed
    )
    config = harness.apply_overrides(config, recipe)
    if steps:
        chunks = 10 if steps >= 10 else 1
        config = dataclasses.replace(
            config,
            epochs=chunks,
            steps=steps // chunks,
            sample_every=chunks,
            steps_per_execution=1,
        )
    elif epochs:
        config = dataclasses.replace(config, epochs=epochs)
    return config


def train_recipe(
    config: TrainConfig, *, seed: int, n: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """The train command's run of ``config``.

    Returns:
        (averaged samples, live samples, steps made).
    """
    gan = train(config, verbose=0)
    made = int(gan.g_optimizer.iterations.numpy())
    return (
        gan.generate(n, seed=seed + 1),
        gan.generate(n, seed=seed + 1, use_ema=False),
        made,
    )


# --------------------------------------------------------------------------
# Report.

_METRICS = ("fd", "kid", "precision", "recall", "coverage")


def report(
    results: dict[str, tuple[metrics.QualityReport, float]],
    *,
    data: str,
    model: str,
    num_train: int,
    heldout: bool,
    steps: int,
    batch: int,
    seed: int,
    recipe: Sequence[str] = (),
) -> str:
    """The markdown report: header, one row per GAN, then real data."""
    lines = harness.report_header(f"Colour images: {model}")
    first = next(iter(results.values()))[0]
    reference = (
        "its held-out images (heldout/), which no GAN saw"
        if heldout
        else "its training images (no held-out folder)"
    )
    lines += [
        f"- Data: {data}: {num_train} training images the GANs read; "
        f"measured against {reference}: {first.num_real} per half.",
        f"- {steps} steps of {batch} images for each GAN; seed {seed}.",
        "- Recipe: the command's"
        + (f", with {' '.join(recipe)}" if recipe else "")
        + ".",
        f"- Extractor: {first.extractor}. FD and KID are against real half "
        "B; FD / real divides by real half A's FD.",
        f"- {metrics.quality.KID_NOTE}",
    ]
    if "recipe" in results and "bare" in results:
        ratio = results["bare"][0].generated["fd"] / max(
            results["recipe"][0].generated["fd"], 1e-12
        )
        lines.append(f"- FD of bare / FD of recipe: {ratio:.2f}x.")
    lines.append("")
    header = [
        "row",
        "FD",
        "FD / real",
        "KID",
        "precision",
        "recall",
        "coverage",
        "seconds",
    ]

    # KID / real is left out: real KID is about 0, either side of it.
    def cells(figures: dict[str, float], real: dict[str, float]) -> list:
        fd, kid = figures["fd"], figures["kid"]
        return [
            f"{fd:.3f}",
            f"{fd / real['fd']:.2f}" if real["fd"] else "",
            f"{kid:.4f}",
            *(f"{figures[k]:.3f}" for k in _METRICS[2:]),
        ]

    table = [
        [name, *cells(result.generated, result.real), f"{seconds:.0f}"]
        for name, (result, seconds) in results.items()
    ]
    real = first.real
    table.append(["real: half A vs B", *cells(real, real), ""])
    lines += harness.markdown_table(header, table, align="l" + "r" * 7)
    return "\n".join(lines)


def run(
    data: str,
    *,
    model: str,
    steps: int,
    epochs: int = 0,
    batch: int = 32,
    seed: int = 0,
    rows: Sequence[str] = ROWS,
    num_generated: int | None = None,
    recipe: Sequence[str] = (),
    grids: str | None = None,
    run_dir: str | None = None,
) -> str:
    """Trains the chosen rows on ``data`` and returns the report.

    ``steps`` of 0 runs the recipe's own schedule, and the bare GAN as
    many steps of ``batch`` images (``steps`` is then needed without the
    recipe row). ``num_generated`` of None measures as many samples as a
    real half holds.

    Raises:
        DataError: If ``data`` holds no usable images, or the config
            refuses a change of ``recipe``.
    """
    side = MODELS[model]
    train_dir, held_dir = data_folders(data)
    with tempfile.TemporaryDirectory() as work:
        try:
            config = recipe_config(
                model,
                train_dir,
                Path(run_dir) if run_dir else Path(work) / "run",
                steps=steps,
                epochs=epochs,
                seed=seed,
                recipe=recipe,
            )
        except ValueError as error:
            raise DataError(str(error)) from None
        trains = training_images(config)
        real = load_images(held_dir or train_dir, side)
        extractor = run_extractor(
            str(data), (side, side, 3), len(real), "random"
        )
        reference = metrics.Reference(real, extractor=extractor, seed=seed)
        n = num_generated or reference.num_real
        results, samples, steps = harness.recipe_and_bare_rows(
            reference,
            rows,
            train_recipe=lambda: _seen(
                train_recipe(config, seed=seed, n=n), config.batch_size
            ),
            train_bare=lambda bare_steps: train_bare(
                trains, n=n, steps=bare_steps, batch=batch, seed=seed
            ),
            steps=steps,
            batch=batch,
        )
    shuffled = np.random.default_rng(seed).permutation(len(trains))
    results["train"] = (reference.compare(trains[shuffled]), 0.0)
    if grids:
        order = np.random.default_rng(seed).permutation(len(real))
        write_grid(real[order], Path(grids) / "real.png")
        for name, generated in samples.items():
            write_grid(generated, Path(grids) / f"{name}.png")
    return report(
        results,
        data=data,
        model=model,
        num_train=len(trains),
        heldout=held_dir is not None,
        steps=steps,
        batch=batch,
        seed=seed,
        recipe=recipe,
    )


def define_flags() -> None:
    flags.DEFINE_string(
        "data",
        None,
        "Folder of colour images, or one with train/ and heldout/ "
        "(benchmarks/colour_data.py).",
    )
    flags.DEFINE_enum("model", None, list(MODELS), "The colour preset.")
    flags.DEFINE_integer(
        "steps",
        0,
        "Steps of the recipe; 0 keeps the command's own schedule.",
        lower_bound=0,
    )
    flags.DEFINE_integer(
        "epochs",
        0,
        "Epochs of the recipe when --steps is 0; 0 keeps the recipe's.",
        lower_bound=0,
    )
    flags.DEFINE_integer(
        "batch", 32, "Real images per step of the bare GAN.", lower_bound=1
    )
    flags.DEFINE_list(
        "recipe", [], "name=value changes to the recipe, as its flags."
    )
    flags.DEFINE_string("grids", None, "Folder for a sample grid per row.")
    flags.DEFINE_string(
        "run_dir", None, "Where the recipe's run is kept; None: a temp dir."
    )
    flags.DEFINE_integer(
        "seed", 0, "Seed of both GANs and the real halves.", lower_bound=0
    )
    flags.DEFINE_list("rows", list(ROWS), "recipe and/or bare.")
    flags.DEFINE_bool("quick", False, "Smoke run: 4 steps, 200 samples.")


def main(argv: Sequence[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    if not FLAGS.data or not os.path.isdir(FLAGS.data):
        raise app.UsageError(
            f"--data must be a folder of images, got {FLAGS.data!r}."
        )
    if FLAGS.model is None:
        raise app.UsageError(f"--model is needed: one of {list(MODELS)}.")
    unknown = set(FLAGS.rows) - set(ROWS)
    if unknown or not FLAGS.rows:
        raise app.UsageError(
            f"--rows takes recipe and/or bare, got {','.join(FLAGS.rows)!r}."
        )
    quick = _QUICK if FLAGS.quick else {}
    steps = quick.get("steps", FLAGS.steps)
    if steps == 0 and "recipe" not in FLAGS.rows:
        raise app.UsageError("--steps is needed without the recipe row.")
    try:
        text = run(
            FLAGS.data,
            model=FLAGS.model,
            steps=steps,
            epochs=FLAGS.epochs,
            batch=FLAGS.batch,
            seed=FLAGS.seed,
            rows=FLAGS.rows,
            num_generated=quick.get("generated"),
            recipe=FLAGS.recipe,
            grids=FLAGS.grids,
            run_dir=FLAGS.run_dir,
        )
    except DataError as error:
        raise app.UsageError(str(error)) from None
    print(text)


if __name__ == "__main__":
    define_flags()
    app.run(main)
