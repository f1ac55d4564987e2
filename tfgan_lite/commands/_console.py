"""What the training command prints: its first line, progress, last lines.

* One line first: what is trained on what, for how long, and where the
  run directory is (:func:`start_line`).
* Progress: Keras' progress bar on a terminal; one line per epoch when
  output goes to a file or a CI log, where the bar's carriage-return
  updates pile up (:class:`Progress`, :func:`resolve_verbose`).
* Health messages (``tfgan_lite`` loggers) on their own line, never glued
  to an unfinished progress-bar line (:func:`own_line_logging`).
* Last lines: where the model, the samples and the logs are, and the next
  commands (:func:`end_lines`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
import sys
import time
from collections.abc import Iterator, Mapping, Sequence

import keras

from tfgan_lite.commands.build import SMALL_FOLDER_IMAGES

__all__ = [
    "MIN_LOGGED_POINTS",
    "Progress",
    "end_lines",
    "log_update_freq",
    "own_line_logging",
    "resolve_verbose",
    "start_line",
]

# A default run logs at least this many points per training curve.
MIN_LOGGED_POINTS = 100
# Steps between points when the steps per epoch are unknown (a dataset of
# unknown cardinality): often enough for a short run.
_UNKNOWN_LENGTH_EVERY = 10


def resolve_verbose(verbose: int | str) -> int:
    """``fit``'s verbose: "auto" is the bar on a terminal, else 2.

    Verbose 2 prints one line per epoch, which suits a log file.
    """
    if verbose != "auto":
        return int(verbose)
    isatty = getattr(sys.stdout, "isatty", lambda: False)
    return 1 if isatty() else 2


def log_update_freq(
    log_every_steps: int,
    *,
    epochs: int,
    steps_per_epoch: int | None,
    steps_per_execution: int = 1,
) -> int | str:
    """``keras.callbacks.TensorBoard(update_freq=...)`` of a run.

    Args:
        log_every_steps: Steps between logged points; 0 logs per epoch
            only; -1 picks the largest period that still gives
            :data:`MIN_LOGGED_POINTS` points over the run (every step for
            shorter runs).
        epochs: Epochs of the run.
        steps_per_epoch: Steps of one epoch, or None when unknown.
        steps_per_execution: Steps per call of the train function; the
            callbacks see only every this-many steps, so a picked period
            is a multiple of it.

    Returns:
        A positive step count, or "epoch".
    """
    if log_every_steps == 0:
        return "epoch"
    if log_every_steps > 0:
        return log_every_steps
    chunk = steps_per_execution
    if steps_per_epoch is None:
        return -(-_UNKNOWN_LENGTH_EVERY // chunk) * chunk
    every = epochs * steps_per_epoch // MIN_LOGGED_POINTS
    return max(chunk, every // chunk * chunk)


class Progress(keras.callbacks.ProgbarLogger):
    """Keras' progress bar (verbose 1), or one line per epoch (verbose 2).

    Put it first in ``fit``'s callbacks: Keras then uses it instead of
    adding its own at the end, so the bar's line is finished before any
    other callback prints at the end of an epoch. ``line_open`` says
    whether the bar's line is unfinished.
    """

    def __init__(self):
        super().__init__()
        self.line_open = False
        self._epoch_start = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.monotonic()
        if self.verbose == 1:
            super().on_epoch_begin(epoch, logs)
        else:
            self._reset_progbar()

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        self.line_open = self.verbose == 1

    def on_epoch_end(self, epoch, logs=None):
        if self.verbose == 1:
            super().on_epoch_end(epoch, logs)
        elif self.verbose:
            seconds = time.monotonic() - self._epoch_start
            figures = " - ".join(
                f"{name}: {float(value):.4g}"
                for name, value in sorted((logs or {}).items())
            )
            head = f"Epoch {epoch + 1}/{self.epochs} - {seconds:.0f}s"
            print(f"{head} - {figures}", flush=True)
        self.line_open = False

    def end_line(self) -> None:
        """Ends the bar's unfinished line, so the next text starts anew."""
        if self.line_open:
            sys.stdout.write("\n")
            sys.stdout.flush()
            self.line_open = False


class _OwnLineHandler(logging.StreamHandler):
    """Writes records to stderr, after ending the progress bar's line."""

    def __init__(self, progress: Progress):
        super().__init__(sys.stderr)
        self._progress = progress

    def emit(self, record):
        self._progress.end_line()
        super().emit(record)


@contextlib.contextmanager
def own_line_logging(progress: Progress) -> Iterator[None]:
    """Health warnings start on their own line while the bar is live.

    Only when nobody configured logging (no root handler), where Python
    would print the message with its last-resort handler; a program with
    its own logging setup keeps it.
    """
    if logging.getLogger().handlers:
        yield
        return
    logger = logging.getLogger("tfgan_lite")
    handler = _OwnLineHandler(progress)
    handler.setLevel(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _count(number: int, noun: str) -> str:
    """ "1 step", "2 steps"."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def start_line(
    *,
    model: str,
    dataset: str,
    epochs: int,
    steps_per_epoch: int | None,
    batch_size: int,
    run_dir: str,
    minutes: float = 0.0,
    repeats: bool = False,
    lr: float | None = None,
    replicas: int = 1,
    devices: str = "",
    auto_augment: str | None = None,
) -> str:
    """The command's first line: what, on what, how long, where.

    Args:
        minutes: The run's time budget; 0: none.
        repeats: Whether a folder's images repeat within an epoch
            (``build.MIN_FOLDER_EPOCH_STEPS``); the line says so.
        lr: The learning rate of both players; None leaves it out.
        replicas: Replicas the global batch is split across.
        devices: Where the replicas train (``devices.describe``); "" for
            one device.
        auto_augment: What ``--augment=auto`` resolved to; None when the
            setting was not auto. The line names ADA when it is on.
    """
    steps = (
        ""
        if steps_per_epoch is None
        else f" of {_count(steps_per_epoch, 'step')}"
    )
    if repeats:
        steps += " (the folder's images repeat within an epoch)"
    budget = f" or {minutes:g} min, whichever ends first" if minutes else ""
    batch = f"batch {batch_size}"
    if devices:
        share = batch_size // replicas
        batch += f" ({share} per replica, {devices})"
    if lr is not None:
        batch += f", learning rate {lr:g}"
    if auto_augment == "ada":
        batch += (
            ", ADA augmentation (a folder of fewer than "
            f"{SMALL_FOLDER_IMAGES:,} images)"
        )
    return (
        f"Training {model} on {dataset}: {_count(epochs, 'epoch')}{steps}"
        f"{budget}, {batch}. Run directory: {run_dir}"
    )


def end_lines(
    *,
    seconds: float,
    paths: Mapping[str, str],
    samples: str | None,
    exported: str | None,
    stopped: tuple[int, int] | None = None,
    quality: Sequence[str] = (),
) -> list[str]:
    """The command's last lines: where its files are, what to run next.

    Args:
        seconds: How long the run took, setup and final saves included.
        paths: The run's paths ("model", "samples", "logs", "export").
        samples: The newest sample picture, or None.
        exported: The export folder when the run exported, else None.
        stopped: (step reached, steps planned) when the time budget ended
            the run early, else None.
        quality: The summary lines of the last quality measurement
            (``tfgan_lite.commands.evaluate.write_run_metrics``).
    """
    minutes, secs = divmod(round(seconds), 60)
    if stopped:
        step, total = stopped
        lines = [
            f"Time budget spent: stopped at step {step} of {total}, "
            f"{minutes}m{secs:02d}s in all. Run the same command again to "
            "go on.",
        ]
    else:
        lines = [f"Done in {minutes}m{secs:02d}s."]
    lines += [
        f"  model:   {paths['model']}",
        f"  samples: {samples or paths['samples']}",
        f"  logs:    {paths['logs']}",
    ]
    if exported:
        lines.append(f"  export:  {exported}")
    lines += [*quality]
    model = shlex.quote(paths["model"])
    run_dir = os.path.dirname(paths["model"])
    sampled = shlex.quote(os.path.join(run_dir, "sampled"))
    lines += [
        "Next:",
        f"  tensorboard --logdir {shlex.quote(paths['logs'])}",
        f"  tfgan-evaluate --model {model}",
        f"  tfgan-sample --model {model} --count 16 --out {sampled}",
    ]
    if not exported:
        lines.append(
            f"  tfgan-export --model {model} --out "
            f"{shlex.quote(paths['export'])}"
        )
    return lines
