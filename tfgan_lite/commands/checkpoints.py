"""Step checkpoints of a training run: whole files only, exact resume.

A checkpoint is one ``.npz`` file holding every variable of the training
state (:func:`state_variables`: the networks, the EMA copy, the noise-stream
counters, a CycleGAN's image pools, both optimizers' slots, iteration
counters and learning rates) and a JSON record (the step, the learning-rate
scale, the rollbacks so far, each variable's path). It is written under a
temporary name, flushed to disk, then renamed: a rename within a directory
is atomic, so a file named ``ckpt-<step>.npz`` is always whole, whatever
moment the process dies at. The two newest are kept; if the newest cannot
be read (a damaged disk), the one before it is used, with a warning.

Why not ``keras.callbacks.BackupAndRestore(save_freq=N)``: in Keras 3.15 it
overwrites its weights file in place, and on restore it reads only the
epoch from its record, so an interrupted epoch is trained again from its
first batch on top of mid-epoch weights. Why not a ``tf.train.Checkpoint``
of the ``tf.data`` iterator: it stores the shuffle buffer, which holds the
whole cached dataset, in every checkpoint. The data position is recomputed
instead (see ``tfgan_lite.train``): the order of a freshly built pipeline
is a pure function of its seed, so skipping ``step`` batches of it gives
exactly the batches an uninterrupted run would see next.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
import warnings
from collections.abc import Callable, Sequence
from typing import NamedTuple
from zipfile import BadZipFile

import keras
import numpy as np

from tfgan_lite._files import CorruptFileError
from tfgan_lite._validation import check_int
from tfgan_lite.callbacks._common import is_due_or_last
from tfgan_lite.gans.base import state_variables

__all__ = [
    "CheckpointDir",
    "NonFiniteStateError",
    "StepCheckpointer",
    "save_keras",
    "state_variables",
    "training_step",
]

_NAME = re.compile(r"^ckpt-(\d+)\.npz$")
_META = "__meta__"
_UNIQUE_SUFFIX = re.compile(r"_\d+(?=/|$)")


def training_step(model) -> int:
    """Steps a model has trained: its generator optimizer's update count."""
    return int(model.g_optimizer.iterations.numpy())


class NonFiniteStateError(ValueError):
    """The state holds NaN or inf, so it is not saved.

    Attributes:
        paths: The variables holding non-finite values.
    """

    def __init__(self, paths: Sequence[str]):
        super().__init__(
            f"{len(paths)} variables hold NaN or inf (first: {paths[0]})"
        )
        self.paths = list(paths)


class Restored(NamedTuple):
    """A checkpoint read back into the variables.

    Attributes:
        step: Training steps (generator updates) it holds.
        meta: Its JSON record, as saved.
        path: Its file.
    """

    step: int
    meta: dict
    path: str


def _generic(path: str) -> str:
    """A variable path without the "_<n>" that Keras adds to names taken
    earlier in the process ("gan_1/noise_state" -> "gan/noise_state")."""
    return _UNIQUE_SUFFIX.sub("", path)


def _fsync_dir(directory: str) -> None:
    # The rename itself reaches the disk only with the directory's entry.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # Not every platform opens directories.
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class CheckpointDir:
    """The step checkpoints of one run, in one directory.

    Args:
        directory: Where the files go; made if missing.
        variables: The variables to save and restore, in a fixed order.
        keep: Newest files kept, at least 1.
    """

    def __init__(self, directory: str, variables: Sequence, *, keep: int = 2):
        self.directory = directory
        self.variables = list(variables)
        self.keep = max(1, keep)
        os.makedirs(directory, exist_ok=True)
        # Temporary files of writes that never finished are never read.
        for name in os.listdir(directory):
            if name.endswith(".tmp"):
                os.remove(os.path.join(directory, name))

    @property
    def nbytes(self) -> int:
        """Bytes of the variables' values, about a checkpoint's size."""
        return sum(
            int(np.prod(v.shape)) * np.dtype(v.dtype).itemsize
            for v in self.variables
        )

    def steps(self) -> list[int]:
        """Steps of the checkpoints on disk, newest first."""
        found = (_NAME.match(n) for n in os.listdir(self.directory))
        return sorted((int(m.group(1)) for m in found if m), reverse=True)

    def path(self, step: int) -> str:
        return os.path.join(self.directory, f"ckpt-{step:09d}.npz")

    def save(self, step: int, **meta) -> str:
        """Writes the variables as checkpoint ``step``; returns its path.

        Raises:
            NonFiniteStateError: If a float variable holds NaN or inf;
                nothing is written then.
            OSError: If the file cannot be written (a full disk); the
                checkpoints already there stay as they were.
        """
        values = [np.asarray(v.numpy()) for v in self.variables]
        bad = [
            v.path
            for v, a in zip(self.variables, values, strict=True)
            if a.dtype.kind in "fc" and not np.isfinite(a).all()
        ]
        if bad:
            raise NonFiniteStateError(bad)
        record = {"step": int(step), **meta}
        record["paths"] = [v.path for v in self.variables]
        final = self.path(step)
        temporary = final + ".tmp"
        try:
            self._write(temporary, record, values)
            os.replace(temporary, final)
        except BaseException:
            if os.path.exists(temporary):
                os.remove(temporary)
            raise
        _fsync_dir(self.directory)
        self._remove_old()
        return final

    @staticmethod
    def _write(path: str, record: dict, values: Sequence[np.ndarray]) -> None:
        """Writes a whole checkpoint file and flushes it to the disk."""
        arrays = {f"v{i}": a for i, a in enumerate(values)}
        with open(path, "wb") as f:
            np.savez(f, **{_META: np.array(json.dumps(record))}, **arrays)
            f.flush()
            os.fsync(f.fileno())

    def _remove_old(self) -> None:
        """Removes all but the ``keep`` newest checkpoints."""
        for old in self.steps()[self.keep :]:
            os.remove(self.path(old))

    def restore(self) -> Restored | None:
        """Reads the newest readable checkpoint into the variables.

        Returns:
            What was restored, or None when there is no checkpoint.

        Raises:
            ValueError: If a checkpoint holds other variables than these
                (another model).
            CorruptFileError: If there are checkpoints and none can be
                read.
        """
        steps, skipped = self.steps(), []
        for step in steps:
            path = self.path(step)
            try:
                meta, values = self._read(path)
            except (OSError, ValueError, KeyError, EOFError, BadZipFile) as e:
                skipped.append(f"{path} ({type(e).__name__}: {e})")
                continue
            self._assign(path, meta, values)
            if skipped:
                warnings.warn(
                    f"Skipped unreadable checkpoints: {'; '.join(skipped)}. "
                    f"Resuming from {path}.",
                    stacklevel=2,
                )
            return Restored(int(meta["step"]), meta, path)
        if steps:
            raise CorruptFileError(
                f"None of the checkpoints in {self.directory} can be read "
                f"(first: {skipped[0]}). Remove that directory to train "
                "from the start.",
                self.directory,
            )
        return None

    def restore_file(self, path: str) -> Restored:
        """Reads one checkpoint file, from any directory, into the variables.

        Raises:
            CorruptFileError: If it cannot be read.
            ValueError: If it holds other variables than these.
        """
        try:
            meta, values = self._read(path)
        except (OSError, ValueError, KeyError, EOFError, BadZipFile) as e:
            raise CorruptFileError(
                f"Checkpoint {path} cannot be read ({type(e).__name__}: {e}).",
                path,
            ) from None
        self._assign(path, meta, values)
        return Restored(int(meta["step"]), meta, path)

    def _assign(self, path: str, meta: dict, values: list[np.ndarray]) -> None:
        self._check_matches(path, meta, values)
        for variable, value in zip(self.variables, values, strict=True):
            variable.assign(value)

    @staticmethod
    def _read(path: str) -> tuple[dict, list[np.ndarray]]:
        with np.load(path, allow_pickle=False) as archive:
            meta = json.loads(str(archive[_META]))
            count = len(meta["paths"])
            # Reading every array checks every member's CRC.
            return meta, [archive[f"v{i}"] for i in range(count)]

    def _check_matches(self, path, meta, values) -> None:
        ours = [_generic(v.path) for v in self.variables]
        shapes = [tuple(v.shape) for v in self.variables]
        theirs = [_generic(p) for p in meta["paths"]]
        if theirs != ours or [a.shape for a in values] != shapes:
            raise ValueError(
                f"Checkpoint {path} holds the state of another model "
                f"({len(meta['paths'])} variables, ours {len(ours)}). Use "
                "another --run_dir, or the flags of the run that made it."
            )


def _non_finite_logs(logs) -> str:
    """The non-finite scalars of fit's logs as "name=value, ..."; "" if none."""
    found = []
    for name, value in (logs or {}).items():
        try:
            number = float(np.asarray(value).reshape(()))
        except (TypeError, ValueError):
            continue  # Not a scalar.
        if not math.isfinite(number):
            found.append(f"{name}={number}")
    return ", ".join(found)


class StepCheckpointer(keras.callbacks.Callback):
    """Saves a step checkpoint every ``every`` steps and at every epoch end.

    The step is the generator optimizer's update count, which is part of
    the saved state, so the position a checkpoint stands for can never
    disagree with the weights it holds. Place it after every callback that
    changes the state at batch or epoch end (EMAGenerator), so that a
    checkpoint holds the state an uninterrupted run has at that step.

    Non-finite values (a NaN or inf in the step's logs, or in a variable
    about to be saved) are never saved: the callback records them in
    ``non_finite`` as (step, description) and stops training.

    With a ``deadline``, the first step end at or after it stops training
    too (``out_of_time``): that epoch becomes the fit's last, so that the
    callbacks that write at the last epoch's end (sample grids, quality
    measurements) write, and this one saves the step's checkpoint there.

    Args:
        checkpoints: Where to save.
        every: Steps between checkpoints; 0 saves at epoch ends only.
        meta: Returns the extra record saved with each checkpoint.
        keras_path: Also write the model there, as a ``.keras`` file, at
            the end of epochs 0, ``keras_every``, 2 * ``keras_every``, ...
            and of the fit's last epoch (written under a temporary name,
            then renamed); None writes none.
        keras_every: Epochs between those files. Keras takes about as long
            to write one as the digits recipe takes for 10 steps, so the
            command writes it with its sample grids, not at every epoch.
        deadline: A ``time.monotonic()`` time after which training stops
            at the next step end; None: no budget.
    """

    def __init__(
        self,
        checkpoints: CheckpointDir,
        *,
        every: int,
        meta: Callable[[], dict],
        keras_path: str | None = None,
        keras_every: int = 1,
        deadline: float | None = None,
    ):
        super().__init__()
        self.keras_every = check_int(keras_every, "keras_every", minimum=1)
        self.deadline = deadline
        self.out_of_time = False
        self._epoch = 0
        self.checkpoints = checkpoints
        self.every = every
        self._meta = meta
        self.keras_path = keras_path
        self.non_finite: tuple[int, str] | None = None
        # The epoch after which fit stops (a resumed partial epoch).
        self.stop_after_epoch: int | None = None
        self.seconds: list[float] = []
        self._current = 0
        self._first_batch = 0

    def step(self) -> int:
        return training_step(self.model)

    def on_train_begin(self, logs=None):
        self.non_finite = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        # Read now: TrainingHealth, before this callback, restores an older
        # state at batch end when this step's losses are not finite.
        self._current = self.step()
        self._first_batch = batch

    def on_train_batch_end(self, batch, logs=None):
        # With steps_per_execution > 1, Keras calls this once per chunk of
        # steps: batch is the chunk's last step in the epoch.
        before = self._current
        step = before + batch - self._first_batch + 1
        if self.non_finite is not None:
            return
        found = _non_finite_logs(logs)
        if found:
            self._stop(step, found)
            return
        if self.every and step // self.every > before // self.every:
            # The epoch's last step is saved at epoch end, after callbacks
            # that change the state there (EMAGenerator's recalibration).
            if batch + 1 != self.params.get("steps"):
                self._save(step)
        if (
            self.deadline is not None
            and time.monotonic() >= self.deadline
            and not self.model.stop_training
        ):
            self.out_of_time = True
            self.model.stop_training = True
            # Keras ends the epoch, then the fit. Every callback shares
            # this dict: those that write after the last epoch (ImageGrid,
            # MetricsCallback) take this one for it.
            self.params["epochs"] = self._epoch + 1

    def on_epoch_end(self, epoch, logs=None):
        if self.non_finite is not None:
            return
        found = _non_finite_logs(logs)
        if found:
            self._stop(self.step(), found)
            return
        if self.model.stop_training and not self.out_of_time:
            # Stopped by a callback before this one (TrainingHealth after a
            # non-finite weight); the state is not this epoch's.
            self._stop(self.step(), "a callback stopped training")
            return
        if not self._save(self.step()):
            return
        if self.keras_path is not None and is_due_or_last(
            epoch, self.keras_every, self.params
        ):
            save_keras(self.model, self.keras_path)
        if epoch == self.stop_after_epoch:
            self.model.stop_training = True

    def _save(self, step: int) -> bool:
        start = time.perf_counter()
        try:
            self.checkpoints.save(step, **self._meta())
        except NonFiniteStateError as e:
            self._stop(step, str(e))
            return False
        self.seconds.append(time.perf_counter() - start)
        return True

    def _stop(self, step: int, what: str) -> None:
        self.non_finite = (step, what)
        self.model.stop_training = True


def save_keras(model: keras.Model, path: str) -> None:
    """``model.save(path)`` under a temporary name, then renamed."""
    # Keras wants the .keras suffix on the file it writes.
    temporary = path.removesuffix(".keras") + ".partial.keras"
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    try:
        model.save(temporary)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
