"""``train``: one training run, from its config to a filled run directory.

It checks the run directory (``run_dir``), builds the run (``build``),
writes config.json, and fits through the fault-tolerant loop
(``fit_loop``) with the run's callbacks, TensorBoard and the step
checkpoints; then it saves the model, the last quality report and, if
asked, the export.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import warnings
from collections.abc import Sequence

import keras
import tensorflow as tf

from tfgan_lite.commands import checkpoints as _checkpoint
from tfgan_lite.commands import devices, fit_loop, run_dir
from tfgan_lite.commands._console import (
    Progress,
    end_lines,
    log_update_freq,
    own_line_logging,
    resolve_verbose,
    start_line,
)
from tfgan_lite.commands.build import build
from tfgan_lite.commands.config import TrainConfig
from tfgan_lite.commands.datasets import held_back
from tfgan_lite.commands.evaluate import run_real_words, write_run_metrics
from tfgan_lite.gans import GAN, ClusteredGAN, CycleGAN

__all__ = ["enable_determinism", "train"]


class _TensorBoard(keras.callbacks.TensorBoard):
    """Keras' TensorBoard callback, batch curves on the training-step axis.

    Keras numbers its batch points by the calls of the train function,
    counted from 0 in each ``fit``. A resumed run (a new ``fit``) would then
    draw over its first steps, and with ``steps_per_execution=s`` every
    call trains s steps. The point of a call is put at the step the
    model has reached after it instead.
    """

    def __init__(self, log_dir: str, *, steps_per_execution: int, **kwargs):
        super().__init__(log_dir, **kwargs)
        self._chunk = steps_per_execution

    def on_train_batch_begin(self, batch, logs=None):
        # Keras adds one to the counter, then opens the step's writer.
        step = _checkpoint.training_step(self.model) + self._chunk
        self._global_train_batch = step - 1
        super().on_train_batch_begin(batch, logs)


def train(
    config: TrainConfig,
    *,
    extra_callbacks: Sequence[keras.callbacks.Callback] = (),
    verbose: int | str = "auto",
) -> GAN | CycleGAN:
    """Trains a model as described by ``config`` and fills its run directory.

    A ``GAN`` by default (a ``ClusteredGAN`` with the dcgan_28 recipe's
    clusters), a ``ConditionalGAN`` with ``conditional=True`` and a
    ``CycleGAN`` with ``model="cyclegan"``. Running it again with the same
    settings resumes from the last checkpoint, at its step.

    Args:
        config: The run's settings.
        extra_callbacks: More Keras callbacks, run after the built-in ones.
        verbose: 0 prints nothing; 1 Keras' progress bar (the losses,
            live); 2 one line per epoch; "auto" the bar when stdout is a
            terminal, else one line per epoch. Unless 0, a line first says
            what is trained for how long, and lines last say where the
            files are and what to run next.

    Returns:
        The trained model. ``RUN_DIR/model.keras`` holds it too.

    Raises:
        UsageError: If the run directory holds a run with other settings,
            cannot be written or lacks room for the run's files, the data
            does not fit the model (e.g. no class labels), or a batch does
            not fit in memory.
        NonFiniteError: On a NaN or inf that ``config.on_nan`` does not
            roll back (``model.keras`` then holds the last good checkpoint).
        CorruptFileError: If ``RUN_DIR/backup`` holds checkpoints and none
            can be read.
        KeyboardInterrupt: After saving ``model.keras``, on Ctrl-C.

    A run directory that this call created is removed again when the run
    fails or is interrupted before it saved a trained step: a mistake
    found late (data that does not load, a NaN in the first steps) leaves
    no empty run behind. A directory that existed before is never removed.

    With ``config.minutes``, the run stops at the first step end after
    that many minutes from this call's start, saving what a finished run
    saves; calling it again goes on from there.
    """
    started = time.monotonic()
    created = not os.path.lexists(config.run_dir)
    saved: list[_checkpoint.StepCheckpointer] = []
    try:
        return _train(config, extra_callbacks, verbose, started, saved)
    except BaseException as e:
        if not created or _trained_step_saved(saved):
            raise
        shutil.rmtree(config.run_dir, ignore_errors=True)
        if isinstance(e, fit_loop.NonFiniteError):
            # Its message points at the model.keras just removed.
            kept = run_dir.paths(config.run_dir)["model"]
            message = str(e).replace(
                f"{kept} holds the last good checkpoint, step 0.",
                f"no trained step was saved, so {config.run_dir}, which "
                "this run made, was removed.",
            )
            raise fit_loop.NonFiniteError(
                message, e.step, e.restored_step
            ) from None
        raise


def _trained_step_saved(saver: list[_checkpoint.StepCheckpointer]) -> bool:
    """Whether the run saved a checkpoint of a step past 0."""
    try:
        return bool(saver) and any(s > 0 for s in saver[0].checkpoints.steps())
    except OSError:
        return True  # Unreadable: keep it for the user to look at.


def _train(
    config: TrainConfig,
    extra_callbacks: Sequence[keras.callbacks.Callback],
    verbose: int | str,
    started: float,
    saved: list[_checkpoint.StepCheckpointer],
) -> GAN | CycleGAN:
    """``train``'s run; ``saved`` receives its step checkpointer."""
    paths = run_dir.paths(config.run_dir)
    run_dir.check_same_run(config, paths["config"])
    run_dir.check_writable(config.run_dir)
    if config.deterministic:
        enable_determinism()
    keras.utils.set_random_seed(config.seed)

    built = build(config)
    model, per_epoch = built.model, built.steps_per_epoch
    # A folder's images held back for measurement change what it trains
    # on: config.json says which (tfgan-evaluate finds the same split).
    held = held_back(config)
    resolved = dict(built.resolved)
    if held is not None:
        resolved["held_back"] = held.record()
    run_dir.write_config(config, resolved, model, paths["config"])
    checkpoints = _checkpoint.CheckpointDir(
        paths["backup"], _checkpoint.state_variables(model)
    )
    # Saved with every checkpoint; rollbacks change it.
    record = {"lr_scale": 1.0, "rollbacks": 0}
    run_dir.check_free_space(config.run_dir, checkpoints.nbytes)
    saver = _checkpoint.StepCheckpointer(
        checkpoints,
        every=config.checkpoint_every,
        meta=lambda: dict(record),
        keras_path=paths["checkpoint"],
        # With the sample grids: writing a .keras file costs a few steps.
        keras_every=config.sample_every,
        deadline=started + 60 * config.minutes if config.minutes else None,
    )
    saved.append(saver)
    verbose = resolve_verbose(verbose)
    # First, so that Keras uses it instead of its own, added last: the
    # bar's line is finished before other callbacks print at epoch end.
    progress = Progress()
    chunk = config.steps_per_execution
    board = _TensorBoard(
        paths["logs"],
        update_freq=log_update_freq(
            config.log_every_steps,
            epochs=config.epochs,
            steps_per_epoch=per_epoch,
            steps_per_execution=chunk,
        ),
        steps_per_execution=chunk,
    )
    parts = built.callbacks
    # The saver after every callback that changes the state at batch or
    # epoch end (EMAGenerator), so that a checkpoint holds the whole state
    # of its step; it writes checkpoints/last.keras at epoch ends too.
    callbacks = [
        progress,
        *parts.health,
        board,
        *parts.state,
        *parts.observers,
        saver,
        *extra_callbacks,
    ]
    if verbose:
        print(
            start_line(
                model=_model_words(model, config),
                dataset=config.dataset,
                epochs=config.epochs,
                steps_per_epoch=per_epoch,
                batch_size=config.batch_size,
                run_dir=config.run_dir,
                minutes=config.minutes,
                repeats=built.repeats,
                lr=config.lr,
                replicas=built.strategy.num_replicas_in_sync,
                devices=devices.describe(built.strategy),
            ),
            flush=True,
        )
    try:
        with own_line_logging(progress):
            fit_loop.fit(
                config,
                model,
                built.make_dataset,
                saver,
                record,
                per_epoch,
                paths["model"],
                callbacks=callbacks,
                verbose=verbose,
                # The data is shuffled by tfgan_lite.data; Keras cannot
                # shuffle a tf.data.Dataset and warns when asked to.
                shuffle=False,
            )
    except KeyboardInterrupt:
        _checkpoint.save_keras(model, paths["model"])
        print(
            f"\nInterrupted. Saved {paths['model']}. Run the same command "
            "to resume from the last checkpoint.",
            file=sys.stderr,
        )
        raise
    _checkpoint.save_keras(model, paths["model"])
    quality = []
    if parts.measure is not None and parts.measure.history:
        words, against = run_real_words(
            config, parts.measure.reference.num_images
        )
        quality = write_run_metrics(
            parts.measure,
            paths["metrics"],
            real_images=words,
            against=against,
            held_back=None if held is None else held.record(),
        )
    if config.export:
        _export(paths["model"], paths["export"])
    if verbose:
        step = _checkpoint.training_step(model)
        lines = end_lines(
            seconds=time.monotonic() - started,
            paths=paths,
            samples=_latest_samples(paths["samples"]),
            exported=paths["export"] if config.export else None,
            stopped=(step, config.epochs * per_epoch)
            if saver.out_of_time
            else None,
            quality=quality,
        )
        print("\n".join(lines), flush=True)
    return model


def _model_words(model: keras.Model, config: TrainConfig) -> str:
    """What the start line says is trained, e.g. "a GAN (dcgan_28)"."""
    preset = config.model
    if isinstance(model, ClusteredGAN):
        preset += f", {model.num_clusters} clusters"
    return f"a {type(model).__name__} ({preset})"


def _export(model_path: str, out_dir: str) -> None:
    """Exports the trained generator: SavedModel and float32 LiteRT."""
    from tfgan_lite import export

    export.run_export(
        export.ExportConfig(model=model_path, out_dir=out_dir, overwrite=True)
    )


def _latest_samples(folder: str) -> str | None:
    """The newest sample picture a run wrote, or None."""
    for name in ("samples_latest.png", "scatter_latest.png"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return path
    return None


# --------------------------------------------------------------------------
# Determinism.


def enable_determinism() -> None:
    """Op determinism, and on a CPU-only machine one thread per op.

    On the CPU, op determinism alone left 3 of 36 small runs sharing two
    cores with other weights than the rest: with several threads, timing
    decides which thread runs a kernel and so the order of its float sums.
    With one inter-op and one intra-op thread, 36 of 36 were identical.
    """
    tf.config.experimental.enable_op_determinism()
    if any(tf.config.list_physical_devices(k) for k in ("GPU", "TPU")):
        return
    try:
        tf.config.threading.set_inter_op_parallelism_threads(1)
        tf.config.threading.set_intra_op_parallelism_threads(1)
    except RuntimeError:
        # TensorFlow's runtime started before this call, with its threads.
        if not _one_thread_per_op():
            warnings.warn(
                "deterministic=True could not limit TensorFlow to one "
                "thread per op because its runtime had already started, so "
                "CPU runs may differ in the last bits. Set the environment "
                "variables TF_NUM_INTEROP_THREADS=1 and "
                "TF_NUM_INTRAOP_THREADS=1 before starting Python, or call "
                "train() before any other TensorFlow work.",
                stacklevel=3,
            )


def _one_thread_per_op() -> bool:
    """Whether the started runtime has one inter- and one intra-op thread."""
    config = tf.config.threading
    pairs = (
        (config.get_inter_op_parallelism_threads(), "TF_NUM_INTEROP_THREADS"),
        (config.get_intra_op_parallelism_threads(), "TF_NUM_INTRAOP_THREADS"),
    )
    # 0 means the default, which the environment variable overrides.
    return all(
        n == 1 or (n == 0 and os.environ.get(var, "").strip() == "1")
        for n, var in pairs
    )
