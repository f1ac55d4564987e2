"""The one gradient step that every model of the library takes.

A step is a list of phases, one per optimizer group: which entry of the
forward pass's outputs the group minimises, with which optimizer, over which
networks' weights. ``apply_phases`` runs the forward pass once under one
tape per phase and applies each phase's gradients, so that loss scaling
(mixed precision), replica scaling (``tf.distribute``) and gradient norms
are written in one place for the GAN, the conditional models and CycleGAN.
The phase table follows StyleGAN2-ADA's training loop
(https://github.com/NVlabs/stylegan2-ada-pytorch, ``training_loop.py``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import keras
import tensorflow as tf

__all__ = ["Phase", "apply_phases"]


class Phase(NamedTuple):
    """One optimizer group's update.

    Attributes:
        loss_key: The forward pass's output that this group minimises.
        norm_key: Where the global norm of its gradient is reported.
        networks: The networks whose trainable weights it updates.
        optimizer: The optimizer that applies the gradients.
    """

    loss_key: str
    norm_key: str
    networks: tuple[keras.Model, ...]
    optimizer: keras.optimizers.Optimizer


def apply_phases(
    forward: Callable[[], Mapping[str, tf.Tensor]], phases: Sequence[Phase]
) -> dict[str, tf.Tensor]:
    """Runs ``forward`` once and applies each phase's gradient step.

    Args:
        forward: Computes the step's outputs (losses and summaries) from
            the current weights; called once, under every phase's tape.
        phases: The optimizer groups to update, in order.

    Returns:
        ``forward``'s outputs, plus each phase's gradient norm under its
        ``norm_key``.
    """
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    with contextlib.ExitStack() as stack:
        tapes = [stack.enter_context(tf.GradientTape()) for _ in phases]
        out = dict(forward())
        # Optimizers sum gradients over replicas: divide so that the sum is
        # the global-batch mean. scale_loss applies the dynamic loss scale
        # of a LossScaleOptimizer (identity otherwise).
        scaled = [
            p.optimizer.scale_loss(out[p.loss_key] / replicas) for p in phases
        ]
    for tape, loss, phase in zip(tapes, scaled, phases, strict=True):
        variables = [
            v for network in phase.networks for v in network.trainable_variables
        ]
        grads = tape.gradient(loss, variables)
        # Norm of this replica's unscaled batch-mean gradient.
        unscale = replicas / phase.optimizer.scale_loss(1.0)
        out[phase.norm_key] = tf.linalg.global_norm(grads) * unscale
        phase.optimizer.apply(grads, variables)
    return out
