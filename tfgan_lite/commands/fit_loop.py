"""The fault-tolerant fit: resume from step checkpoints, roll back on NaN.

A run resumed from its newest checkpoint sees the batches an uninterrupted
run sees, mid-epoch included, from a fresh pipeline (:func:`_stream`). A
NaN or inf in training stops the run naming the step, or with
``on_nan="rollback"`` goes back to the last checkpoint with a lower
learning rate; a non-finite state is never saved.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import keras
import tensorflow as tf

from tfgan_lite.commands import checkpoints as _checkpoint
from tfgan_lite.commands._cli import UsageError

__all__ = ["NonFiniteError", "fit"]


class NonFiniteError(RuntimeError):
    """Training met a NaN or inf it could not roll back; the command exits 1.

    Attributes:
        step: The training step (1-based) whose losses or state were not
            finite.
        restored_step: The step of the checkpoint that RUN_DIR/model.keras
            then holds.
    """

    def __init__(self, message: str, step: int, restored_step: int):
        super().__init__(message)
        self.step = step
        self.restored_step = restored_step


def _stream(make: Callable[[], tf.data.Dataset], step: int):
    """The training batches from ``step`` on, as an uninterrupted run has.

    Each call builds the pipeline afresh: the order of a fresh pipeline's
    k-th pass is a pure function of the seed (its shuffle draws the seeds
    of pass k from a generator that starts at the seed), so skipping
    ``step`` batches gives exactly the batches an uninterrupted run sees
    from ``step`` on, mid-epoch included. Skipping costs producing those
    batches (no training), far less than training them; storing the
    iterator instead would put the shuffle buffer, the whole cached
    dataset, in every checkpoint.

    tf.data's autotuning is off for the stream. Its optimization thread
    sleeps up to a minute between rounds, and the iterator's destructor,
    when ``fit`` returns, waits for that thread: 50 to 57 s after the last
    epoch of the digits recipe in 3 of 8 runs (a native stack showed the
    main thread in ``RootDataset::Iterator``'s destructor). Data that
    fits in memory is cached after its first pass, so there is little
    left to tune.
    """
    options = tf.data.Options()
    options.autotune.enabled = False
    return make().repeat().skip(step).with_options(options)


def _set_learning_rate(model: keras.Model, value: float) -> None:
    for optimizer in (model.g_optimizer, model.d_optimizer):
        optimizer.learning_rate = value


def _where(step: int, per_epoch: int) -> str:
    epoch, batch = divmod(step - 1, per_epoch)
    return f"step {step} (epoch {epoch + 1}, batch {batch + 1} of {per_epoch})"


def fit(
    config: Any,
    model: keras.Model,
    make_dataset: Callable[[], tf.data.Dataset],
    saver: _checkpoint.StepCheckpointer,
    record: dict,
    per_epoch: int,
    model_path: str,
    **fit_kwargs,
) -> None:
    """Fits from the newest checkpoint to the last step, rolling back on NaN.

    It ends early, at a step end, when ``saver``'s deadline has passed
    (``saver.out_of_time``): a time budget, after which a later call goes
    on from that step.

    A run resumed mid-epoch fits the rest of that epoch first (stopping
    after it), then the remaining epochs, so that every step sees the
    batch an uninterrupted run sees. The epoch-end logs of a resumed
    epoch average its resumed steps only.

    Args:
        config: The run's ``TrainConfig``.
        model: The compiled model.
        make_dataset: Builds one pass of the training data afresh.
        saver: The step checkpointer among ``fit_kwargs["callbacks"]``.
        record: Saved with every checkpoint: the learning-rate scale and
            the rollbacks so far; updated from the restored checkpoint.
        per_epoch: Training steps of one epoch.
        model_path: Where the last good checkpoint goes on a NaN.
        **fit_kwargs: More arguments of ``model.fit``.

    Raises:
        NonFiniteError: On a non-finite step that ``config.on_nan`` does
            not roll back; ``model_path`` then holds the last checkpoint.
        UsageError: If a batch does not fit in memory.
    """
    checkpoints = saver.checkpoints
    restored = checkpoints.restore()
    if restored is None:
        # Step 0, so that a rollback always has a checkpoint to go to.
        checkpoints.save(0, **record)
    else:
        record.update(
            {k: restored.meta[k] for k in record if k in restored.meta}
        )
    _set_learning_rate(model, config.lr * record["lr_scale"])
    total = config.epochs * per_epoch
    while (step := _checkpoint.training_step(model)) < total:
        epoch, batch = divmod(step, per_epoch)
        saver.stop_after_epoch = epoch if batch else None
        try:
            model.fit(
                _stream(make_dataset, step),
                initial_epoch=epoch,
                epochs=config.epochs,
                steps_per_epoch=per_epoch - batch,
                **fit_kwargs,
            )
        except (tf.errors.ResourceExhaustedError, MemoryError) as e:
            last = max(checkpoints.steps(), default=0)
            failed = _checkpoint.training_step(model) + 1
            # Without a trained step the run's own directory is removed
            # (trainer.train), so only a trained one is said to be kept.
            kept = f" (the last checkpoint, step {last}, is kept)" * bool(last)
            raise UsageError(
                f"Out of memory in {_where(failed, per_epoch)}: a "
                f"batch of {config.batch_size} does not fit "
                f"({type(e).__name__}). Use a smaller --batch_size or "
                f"--width, with another --run_dir{kept}."
            ) from None
        if saver.out_of_time and saver.non_finite is None:
            return  # The budget is spent; the checkpoint is saved.
        if saver.non_finite is None:
            done = _checkpoint.training_step(model)
            if batch and done == (epoch + 1) * per_epoch:
                continue  # The resumed epoch is done; now the others.
            return
        _after_non_finite(config, model, saver, record, per_epoch, model_path)


def _after_non_finite(
    config: Any,
    model: keras.Model,
    saver: _checkpoint.StepCheckpointer,
    record: dict,
    per_epoch: int,
    model_path: str,
) -> None:
    """Rolls back to the last checkpoint, or raises NonFiniteError."""
    step, what = saver.non_finite
    checkpoints = saver.checkpoints
    restored = checkpoints.restore()
    where = _where(step, per_epoch)
    rollback = config.on_nan == "rollback"
    if rollback and record["rollbacks"] < config.max_rollbacks:
        record["rollbacks"] += 1
        record["lr_scale"] *= config.rollback_lr_factor
        lr = config.lr * record["lr_scale"]
        _set_learning_rate(model, lr)
        # Saved again with the new record, so a resumed run keeps it.
        checkpoints.save(restored.step, **record)
        warnings.warn(
            f"Non-finite values in {where}: {what}. Rolled back to the "
            f"checkpoint of step {restored.step} with learning rate {lr:g} "
            f"(rollback {record['rollbacks']} of {config.max_rollbacks}).",
            stacklevel=2,
        )
        return
    _checkpoint.save_keras(model, model_path)
    after = f" after {record['rollbacks']} rollbacks" if rollback else ""
    advice = (
        "Lower --lr, or raise --max_rollbacks."
        if rollback
        else "Rerun with --on_nan=rollback to go back to it with a lower "
        "learning rate, or lower --lr."
    )
    raise NonFiniteError(
        f"Non-finite values in {where}: {what}. Training stopped{after}; "
        f"{model_path} holds the last good checkpoint, step "
        f"{restored.step}. {advice}",
        step,
        restored.step,
    )
