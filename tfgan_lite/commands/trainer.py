"""``train``: one training run, from its config to a filled run directory.

It checks the run directory (``run_dir``), builds the run (``build``),
writes config.json, and fits through the fault-tolerant loop
(``fit_loop``) with the run's callbacks, TensorBoard and the step
checkpoints; then it saves the model, the last quality report and, if
asked, the export.

Under ``--strategy=multi_worker`` every worker runs this whole function,
as TensorFlow's multi-worker pattern asks: the steps need every worker
for their collective ops, and so would any save or callback that held
one. Only the chief keeps its files; each other worker fills a scratch
directory that is removed at the end (:func:`_train_beside_chief`).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
import tempfile
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

    With ``config.strategy="multi_worker"`` the same call runs on every
    worker of the cluster that ``TF_CONFIG`` names. The chief alone writes
    ``config.run_dir``; the others resume from its checkpoints there, so
    it must be on a filesystem that every worker reads.
    """
    started = time.monotonic()
    if config.strategy == "multi_worker":
        task = devices.cluster_task()
        if not task.is_chief:
            return _train_beside_chief(
                config, task, extra_callbacks, verbose, started
            )
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


def _train_beside_chief(
    config: TrainConfig,
    task: devices.ClusterTask,
    extra_callbacks: Sequence[keras.callbacks.Callback],
    verbose: int | str,
    started: float,
) -> GAN | CycleGAN:
    """A worker's run beside the chief: the same steps, no files kept.

    It runs everything the chief runs, the saves and callbacks included,
    so that each worker meets the same collective ops in the same order;
    its files go to a scratch directory, removed at the end. None of the
    saves holds a collective op today: the step checkpoints and the model
    file read this worker's copies of mirrored variables (a chief saving
    alone, its peer going on to the next step, was tried), and the rest
    is logs and pictures.

    It restores the checkpoints that the chief restores, from
    ``config.run_dir`` (:class:`_SharedCheckpoints`).
    """
    shared = run_dir.paths(config.run_dir)
    # The chief checks the same file: both refuse, or neither.
    run_dir.check_same_run(config, shared["config"])
    scratch = tempfile.mkdtemp(prefix=f"tfgan-worker-{task.index}-")
    try:
        own = dataclasses.replace(config, run_dir=scratch, export=False)
        return _train(
            own, extra_callbacks, verbose, started, [], chief_dir=config.run_dir
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


class _SharedCheckpoints(_checkpoint.CheckpointDir):
    """A multi-worker run's step checkpoints: each worker restores the chief's.

    Every worker saves into its own run directory, of which only the
    chief's is kept. ``restore`` is a collective op, which every worker
    makes at the same point of the run (the fit's start, a rollback): the
    chief restores its newest readable checkpoint and sends its step, and
    each other worker reads that file from the chief's directory. A worker
    restarted before the chief has saved its last step (the newest file
    there is then older) thus waits for the chief instead of resuming
    from another step. The chief keeps the file until its next save,
    after a step that needs every worker.

    Args:
        directory: This worker's checkpoint directory.
        variables: The variables to save and restore.
        strategy: The run's ``MultiWorkerMirroredStrategy``.
        chief_dir: The chief's checkpoint directory; None on the chief.
    """

    def __init__(
        self,
        directory: str,
        variables: Sequence,
        *,
        strategy: tf.distribute.Strategy,
        chief_dir: str | None = None,
    ):
        super().__init__(directory, variables)
        self._strategy = strategy
        self._chief_dir = chief_dir

    def restore(self) -> _checkpoint.Restored | None:
        chief = self._chief_dir is None
        restored = super().restore() if chief else None
        step = devices.from_chief(
            self._strategy,
            -1 if restored is None else restored.step,
            chief=chief,
        )
        if chief or step < 0:
            return restored
        name = os.path.basename(self.path(step))
        return self.restore_file(os.path.join(self._chief_dir, name))


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
    *,
    chief_dir: str | None = None,
) -> GAN | CycleGAN:
    """``train``'s run; ``saved`` receives its step checkpointer.

    ``chief_dir`` is the run directory of the chief when this is another
    worker of a multi-worker run, whose files are not kept; the console
    lines then name the chief's directory.
    """
    paths = run_dir.paths(config.run_dir)
    run_dir.check_same_run(config, paths["config"])
    run_dir.check_writable(config.run_dir)
    if config.deterministic:
        enable_determinism()
    if config.strategy == "multi_worker":
        # Made before any other TensorFlow work, which would start the
        # runtime without collective ops; build() gets the same strategy.
        devices.make_strategy(config.strategy)
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
    variables = _checkpoint.state_variables(model)
    if config.strategy == "multi_worker":
        shared = None if chief_dir is None else run_dir.paths(chief_dir)
        checkpoints = _SharedCheckpoints(
            paths["backup"],
            variables,
            strategy=built.strategy,
            chief_dir=None if shared is None else shared["backup"],
        )
    else:
        checkpoints = _checkpoint.CheckpointDir(paths["backup"], variables)
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
                run_dir=config.run_dir
                if chief_dir is None
                else f"{chief_dir} (the chief's; this worker keeps no files)",
                minutes=config.minutes,
                repeats=built.repeats,
                lr=config.lr,
                replicas=built.strategy.num_replicas_in_sync,
                devices=devices.describe(built.strategy),
                auto_augment=built.resolved.get("augment"),
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
        if chief_dir is not None:
            raise  # Its model file would be removed with its scratch.
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
    if verbose and chief_dir is not None:
        minutes, seconds = divmod(round(time.monotonic() - started), 60)
        print(
            f"Done in {minutes}m{seconds:02d}s. The chief wrote the run's "
            f"files to {chief_dir}.",
            flush=True,
        )
    elif verbose:
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
