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
fails when Keras changes them; delete this module when the issue is fixed.
"""

from __future__ import annotations

import keras
import tensorflow as tf

__all__ = ["in_multi_worker_mode", "maybe_symbolic_build", "step_logs"]


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
