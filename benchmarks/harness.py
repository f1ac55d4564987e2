"""What the benchmark scripts share: timing, the machine, report tables, runs.

A benchmarked recipe is a :class:`Variant`: the train command's config,
built with the library's own ``tfgan_lite.train.build`` and fitted by
:func:`train_variant`.

The scripts in this folder are run as files (``python benchmarks/x.py``),
which puts this folder first on ``sys.path``; they import this module as
``import harness``.

The machine's CPU model, usable cores and system come from the package's
one description, ``tfgan_lite.export.measures.machine_description``; this
module only adds what a training benchmark also reports (all logical
cores, RAM, GPUs) and the float32 matmul peak that FLOP rates are read
against.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import os
import shlex
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import keras
import tensorflow as tf

from tfgan_lite.export import measures

PEAK_N = 2048
PEAK_REPEATS = 10


# --------------------------------------------------------------------------
# Timing.


class Stopwatch:
    """Wall-clock and process CPU time between ``start`` and ``stop``.

    CPU time is reported next to wall time because other processes share
    a small machine: time spent descheduled inflates wall time but not
    CPU time (spin-waiting thread pools inflate CPU time instead).
    """

    def start(self) -> None:
        """Starts (or restarts) both clocks."""
        self._wall = time.perf_counter()
        self._cpu = time.process_time()

    def stop(self) -> tuple[float, float]:
        """Returns the (wall, CPU) seconds since ``start``."""
        return (
            time.perf_counter() - self._wall,
            time.process_time() - self._cpu,
        )


class EpochTimer(keras.callbacks.Callback):
    """Times an epoch from the start of its second step to its end.

    Only ``on_train_batch_begin`` is overridden: a batch-end hook would
    make Keras convert every step's logs in the loop (see
    ``CallbackList._configure_async_dispatch``), which the rows without
    this callback would not pay.

    Attributes:
        result: The (wall, CPU) seconds of the last epoch, once it ends.
    """

    def __init__(self):
        super().__init__()
        self.watch = Stopwatch()
        self.result = None

    def on_train_batch_begin(self, batch, logs=None):
        if batch == 1:
            self.watch.start()

    def on_epoch_end(self, epoch, logs=None):
        # Keras has read the metrics back by now, so the steps are done.
        self.result = self.watch.stop()


def fit_epoch_runner(
    model: keras.Model, dataset: tf.data.Dataset, steps: int
) -> Callable[[], tuple[float, float]]:
    """Returns a function that fits ``model`` one epoch and times it.

    Args:
        model: A compiled model.
        dataset: Repeated training batches.
        steps: Timed steps; the epoch runs one more, untimed, first, so
            that the iterator start-up of each ``fit`` call is left out.

    Returns:
        A function that runs one epoch of ``steps + 1`` steps and returns
        the (wall, CPU) seconds of the last ``steps``.
    """

    def run_epoch() -> tuple[float, float]:
        timer = EpochTimer()
        model.fit(
            dataset,
            epochs=1,
            steps_per_epoch=steps + 1,
            verbose=0,
            callbacks=[timer],
        )
        return timer.result

    return run_epoch


# --------------------------------------------------------------------------
# Machine.


def matmul_peak(n: int = PEAK_N, repeats: int = PEAK_REPEATS) -> float:
    """Best float32 tf.matmul rate of an n x n product, in FLOP/s."""
    a = tf.random.normal((n, n))
    b = tf.random.normal((n, n))
    float(tf.matmul(a, b)[0, 0])  # Warm-up: oneDNN builds its primitive.
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        c = tf.matmul(a, b)
        float(c[0, 0])  # Eager CPU ops are synchronous; this is a guard.
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best


def machine_description() -> dict[str, Any]:
    """The package's machine description, plus what benchmarks report.

    Returns:
        ``measures.machine_description()`` (``"cpu"``, ``"cores"``: usable
        logical CPUs, ``"system"``) with ``"logical_cores"``: all logical
        CPUs (``os.cpu_count()``), ``"ram_gib"``: total RAM in GiB or None
        where /proc/meminfo is missing, and ``"gpus"``: the number of GPUs
        TensorFlow sees.
    """
    return {
        **measures.machine_description(),
        "logical_cores": os.cpu_count(),
        "ram_gib": _ram_gib(),
        "gpus": len(tf.config.list_physical_devices("GPU")),
    }


def _ram_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024**2
    except OSError:
        pass  # Not Linux: RAM goes unreported.
    return None


def package_version(name: str) -> str | None:
    """``__version__`` of an importable module, or None if it won't import.

    Args:
        name: A module name, such as ``"torch"``.

    Returns:
        The version string (``"?"`` for a module without one), or None.
    """
    try:
        module = importlib.import_module(name)
    except ImportError:
        return None
    return getattr(module, "__version__", "?")


def command_line(argv: Sequence[str] | None = None) -> str:
    """This process's command line, quoted so that a shell can rerun it.

    The interpreter is named by its file name alone: a report pasted into
    the docs then shows ``python benchmarks/...``, not this machine's
    install path.
    """
    interpreter, *args = sys.orig_argv if argv is None else argv
    return shlex.join([os.path.basename(interpreter), *args])


# --------------------------------------------------------------------------
# Report tables.


def markdown_table(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    align: str | None = None,
) -> list[str]:
    """Formats a markdown table, one string per line.

    Args:
        header: Column titles.
        rows: Cells, already formatted, one sequence per row; an empty
            cell is written as ``| |``.
        align: One ``"l"`` (left) or ``"r"`` (right) per column; None
            aligns every column left.

    Returns:
        The header line, the alignment line and one line per row.

    Raises:
        ValueError: If ``align`` or a row does not match ``header``.
    """
    align = align or "l" * len(header)
    if len(align) != len(header) or set(align) - {"l", "r"}:
        raise ValueError(
            f"`align` must hold one 'l' or 'r' per column ({len(header)}), "
            f"got {align!r}."
        )
    rules = ["---:" if a == "r" else "---" for a in align]
    lines = [_markdown_row(header), _markdown_row(rules)]
    for row in rows:
        if len(row) != len(header):
            raise ValueError(
                f"Each row must have {len(header)} cells, got {len(row)}: "
                f"{row!r}."
            )
        lines.append(_markdown_row(row))
    return lines


def _markdown_row(cells: Sequence[str]) -> str:
    return "|" + "|".join(f" {c} " if c else " " for c in cells) + "|"


def report_header(
    title: str, *, extra_versions: Sequence[tuple[str, str]] = ()
) -> list[str]:
    """The head every benchmark report starts with, as markdown lines.

    Args:
        title: The report's title, written as a level-2 heading.
        extra_versions: ``(name, version)`` pairs shown after Keras, e.g.
            ``[("PyTorch", "2.13.0+cpu")]``.

    Returns:
        The heading, a blank line, then date, machine, versions and
        command bullets; the caller appends its own bullets.
    """
    import platform

    import tfgan_lite

    machine = machine_description()
    ram, gpus = machine["ram_gib"], machine["gpus"]
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    versions = [
        ("Python", platform.python_version()),
        ("TensorFlow", tf.__version__),
        ("Keras", keras.__version__),
        *extra_versions,
        ("tfgan_lite", tfgan_lite.__version__),
    ]
    return [
        f"## {title}",
        "",
        f"- Date: {now}",
        f"- Machine: {machine['cpu']}, {machine['logical_cores']} logical "
        "cores, "
        + (f"{ram:.1f} GiB RAM, " if ram else "")
        + (f"{gpus} GPU(s) (unused)" if gpus else "no GPU"),
        "- Versions: " + ", ".join(f"{n} {v}" for n, v in versions),
        f"- Command: `{command_line()}`",
    ]


# --------------------------------------------------------------------------
# Training runs and their statistics.


class TimeLimit(keras.callbacks.Callback):
    """Stops ``fit`` once ``seconds`` of wall time have passed."""

    def __init__(self, seconds: float):
        super().__init__()
        self.seconds = seconds

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if time.perf_counter() - self._start > self.seconds:
            self.model.stop_training = True


class Variant(NamedTuple):
    """One benchmarked recipe: what the train command would build.

    Attributes:
        config: The train command's settings (a ``TrainConfig``); the run
            trains ``total_steps(config)`` steps in one go.
        networks: More keyword arguments of the network builder, e.g.
            ``{"pack": 4}`` (``tfgan_lite.train.build(**networks)``).
        max_seconds: Stop training after this many seconds of wall time;
            0 trains all steps.
    """

    config: Any
    networks: Mapping[str, Any] = {}
    max_seconds: float = 0.0


def total_steps(config: Any) -> int:
    """Training steps of a config's whole run."""
    return config.epochs * config.steps


def with_steps(config: Any, steps: int) -> Any:
    """``config`` training ``steps`` steps in one epoch, in whole chunks."""
    chunk = math.gcd(steps, config.steps_per_execution)
    return dataclasses.replace(
        config, epochs=1, steps=steps, steps_per_execution=chunk
    )


def apply_overrides(config: Any, overrides: Sequence[str]) -> Any:
    """Returns ``config`` with ``name=value`` items of its fields applied.

    The items are read as the train command reads its flags.

    Raises:
        ValueError: For an unknown field, a malformed item or a value that
            the field refuses.
    """
    from absl import flags

    from tfgan_lite.commands.train import parse_settings

    items = [item.strip() for item in overrides]
    try:
        if any("=" not in item for item in items):
            raise ValueError("an item without =")
        changes = parse_settings(["overrides", *(f"--{i}" for i in items)])
    except (flags.Error, ValueError) as e:
        raise ValueError(
            "Overrides are name=value with a name among the fields of "
            f"TrainConfig; got {list(overrides)!r} ({e})."
        ) from None
    return dataclasses.replace(config, **changes)


def train_variant(
    variant: Variant,
    seed: int,
    *,
    dataset: Callable[[], Any] | None = None,
    verbose: int = 0,
    callbacks: Sequence[keras.callbacks.Callback] = (),
) -> tuple[Any, float]:
    """Builds ``variant`` as the train command does and fits it.

    Args:
        variant: The recipe.
        seed: Seed of the weights, the data and the noise.
        dataset: Builds the training data instead of the config's dataset.
        verbose: ``fit``'s verbose.
        callbacks: More callbacks, after the run's state callbacks (so
            they see the weight average updated), e.g. measurements.

    Returns:
        The trained model and the seconds its fit took.
    """
    from tfgan_lite.train import build

    config = dataclasses.replace(variant.config, seed=seed)
    keras.utils.set_random_seed(seed)
    built = build(config, dataset=dataset, **variant.networks)
    callbacks = [*built.callbacks.state, *callbacks]
    if variant.max_seconds:
        callbacks.append(TimeLimit(variant.max_seconds))
    start = time.perf_counter()
    built.model.fit(
        built.make_dataset().repeat(),
        epochs=config.epochs,
        steps_per_epoch=built.steps_per_epoch,
        callbacks=callbacks,
        verbose=verbose,
    )
    return built.model, time.perf_counter() - start


def recipe_and_bare_rows(
    reference: Any,
    rows: Sequence[str],
    *,
    train_recipe: Callable[[], tuple[Any, Any, int]],
    train_bare: Callable[[int], Any],
    steps: int,
    batch: int,
) -> tuple[dict, dict, int]:
    """Trains and scores the "recipe" and "bare" rows that ``rows`` names.

    Args:
        reference: A ``metrics.Reference`` that scores each row's samples.
        rows: Among "recipe" and "bare".
        train_recipe: Returns (averaged samples, live samples, images seen).
        train_bare: Trains the bare GAN ``steps`` steps; returns samples.
        steps: The bare GAN's steps when the recipe does not run.
        batch: Images per step of the bare GAN.

    Returns:
        ``(results, samples, bare steps)``: row name -> (the comparison,
        seconds), row name -> samples, and the bare GAN's steps, as many
        images as the recipe saw when it ran.
    """
    results, samples = {}, {}
    if "recipe" in rows:
        start = time.perf_counter()
        averaged, live, seen = train_recipe()
        seconds = time.perf_counter() - start
        steps = seen // batch
        samples["recipe"], samples["recipe-live"] = averaged, live
        results["recipe"] = (reference.compare(averaged), seconds)
        results["recipe-live"] = (reference.compare(live), seconds)
    if "bare" in rows:
        start = time.perf_counter()
        samples["bare"] = train_bare(steps)
        results["bare"] = (
            reference.compare(samples["bare"]),
            time.perf_counter() - start,
        )
    return results, samples, steps


def mean_se(values: Sequence[float]) -> tuple[float, float]:
    """Mean and standard error (sample std / sqrt(n); 0 for one value)."""
    values = [float(v) for v in values]
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, 0.0
    return mean, statistics.stdev(values) / math.sqrt(len(values))


def format_mean_se(values: Sequence[float], digits: int = 1) -> str:
    """``"mean ± se"`` with ``digits`` decimals; just the mean for one run.

    NaN values (reverse KL with no high-quality sample) are left out, and
    counted: ``"0.12 ± 0.01 (1 NaN)"``.
    """
    finite = [v for v in values if not math.isnan(v)]
    missing = len(values) - len(finite)
    note = f" ({missing} NaN)" if missing else ""
    if not finite:
        return "NaN"
    mean, se = mean_se(finite)
    if len(finite) == 1:
        return f"{mean:.{digits}f}{note}"
    return f"{mean:.{digits}f} ± {se:.{digits}f}{note}"
