"""Workarounds for Keras bugs, kept together so they can go together.

keras-team/keras#20585: ``Model.fit`` fails under
``MultiWorkerMirroredStrategy`` with more than one worker. Keras reduces
distributed values with ``strategy.reduce("MEAN", v, axis=0)`` in two
places, and with multi-worker collectives that fails on scalars:

1. ``_maybe_symbolic_build`` averages the first data batch before building
   the model. Models of this package build their networks in ``__init__``
   and their optimizer slots in ``compile``, so they skip it:
   :func:`maybe_symbolic_build` replaces the hook.
2. The logs returned by ``train_step``/``test_step`` are reduced the same
   way. :func:`step_logs` returns one-element logs in that case, which
   reduce to scalars.

``tests/test_distribute.py`` reads the Keras source for both places and
fails when Keras changes them; delete both when the issue is fixed.

tensorflow/tensorflow#24632: Keras' ``TensorBoard`` callback makes its
writer the default and pushes ``tf.summary.record_if`` at the start of
``fit`` and takes them back only in ``on_train_end``. A fit that ends in an
exception (Ctrl-C in a notebook, a failed step) leaves both behind, and a
later fit in the same thread records no epoch summaries to TensorBoard.
:func:`summaries_restored` puts the thread's summary state back.
"""

from __future__ import annotations

import contextlib

import keras
import tensorflow as tf
from tensorflow.python.ops import summary_ops_v2

__all__ = [
    "in_multi_worker_mode",
    "maybe_symbolic_build",
    "step_logs",
    "summaries_restored",
]

_SUMMARY_FIELDS = ("writer", "is_recording", "step")


@contextlib.contextmanager
def summaries_restored():
    """Restores the thread's default summary writer, step and recording."""
    # tf.summary has no public way to read and set the recording condition.
    state = summary_ops_v2._summary_state
    saved = [getattr(state, name) for name in _SUMMARY_FIELDS]
    try:
        yield
    finally:
        for name, value in zip(_SUMMARY_FIELDS, saved, strict=True):
            setattr(state, name, value)


def in_multi_worker_mode(strategy: tf.distribute.Strategy) -> bool:
    """True under MultiWorkerMirroredStrategy with more than one worker."""
    # No public API says whether a cluster has several workers.
    return (
        isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
        and strategy.extended._in_multi_worker_mode()
    )


def step_logs(logs: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
    """Returns a step's logs in a shape Keras can reduce across workers."""
    if in_multi_worker_mode(tf.distribute.get_strategy()):
        return {k: tf.reshape(v, (1,)) for k, v in logs.items()}
    return logs


def maybe_symbolic_build(self, iterator=None, data_batch=None):
    """Skips Keras' symbolic build once networks and optimizers exist.

    Assign it as a class attribute of a ``keras.Model`` subclass that
    builds everything before ``fit``:
    ``_maybe_symbolic_build = _keras_compat.maybe_symbolic_build``.
    """
    if self.built and self.compiled:
        return None
    return keras.Model._maybe_symbolic_build(
        self, iterator=iterator, data_batch=data_batch
    )
