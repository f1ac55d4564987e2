"""The package's random numbers: one algorithm, and a saved noise stream.

Every seeded draw in tfgan_lite (training noise, ``GAN.generate(seed=s)``,
the WGAN-GP interpolation weights, the SavedModel's ``sample(seed, n)``
signature) goes through this module, so that one seed means the same numbers
everywhere: ``sample(seed=[s, 0], n)`` in an exported model draws exactly the
latents of ``GAN.generate(n, seed=s)``.

The algorithm is fixed rather than auto-selected so that TensorFlow's kernels
draw the same stream on every device. XLA lowers the same algorithm
differently: a seed gives other numbers with ``jit_compile=True`` (seen with
TF 2.21 on the CPU).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import tensorflow as tf

__all__ = ["ALGORITHM", "NoiseStream", "normal", "seed_pair", "uniform"]

ALGORITHM = "philox"


def seed_pair(seed: int) -> list[int]:
    """The stateless seed ``[seed, 0]`` that an integer seed stands for."""
    return [seed, 0]


def normal(shape, seed) -> tf.Tensor:
    """Draws N(0, 1) float32 values from a stateless seed of shape (2,)."""
    return tf.random.stateless_normal(shape, seed=seed, alg=ALGORITHM)


def uniform(shape, seed) -> tf.Tensor:
    """Draws U[0, 1) float32 values from a stateless seed of shape (2,)."""
    return tf.random.stateless_uniform(shape, seed=seed, alg=ALGORITHM)


class NoiseStream:
    """A counter-based noise stream whose position is a model variable.

    The state ``[seed, counter]`` is a non-trainable int64 weight of the
    owning layer, so it is saved in ``.keras`` files and checkpoints with
    the weights: a resumed run draws the noise an uninterrupted one would.
    Each draw uses the current state as a stateless seed, then advances the
    counter by one.

    Under a distribution strategy every replica draws the global batch with
    the same seed and keeps its own slice, so N replicas see exactly the
    noise that one device sees for the global batch.

    Args:
        owner: The layer that owns (and saves) the state variable.
        seed: The stream's integer seed.
        name: The variable's name; it names the weight in saved files.
        start: The counter's first value. Streams of one seed with starts
            far apart (e.g. 0 and 2**40) never overlap in practice.
    """

    def __init__(
        self,
        owner: keras.layers.Layer,
        seed: int,
        *,
        name: str,
        start: int = 0,
    ):
        self.state = owner.add_weight(
            shape=(2,),
            dtype="int64",
            initializer=keras.initializers.Constant([seed, start]),
            trainable=False,
            # Replicas must agree on the stream; the first one's is kept.
            aggregation="only_first_replica",
            name=name,
        )

    def _next_seed(self) -> tf.Tensor:
        seed = tf.convert_to_tensor(self.state)
        self.state.assign_add(tf.constant([0, 1], dtype=tf.int64))
        return seed

    def _draw(self, fn, local_batch, shape: Sequence[int]) -> tf.Tensor:
        seed = self._next_seed()
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        if replicas == 1:
            return fn((local_batch, *shape), seed)
        replica = tf.distribute.get_replica_context().replica_id_in_sync_group
        full = fn((local_batch * replicas, *shape), seed)
        return full[replica * local_batch : (replica + 1) * local_batch]

    def normal(self, local_batch, shape: Sequence[int] = ()) -> tf.Tensor:
        """N(0, 1) values, shape (local_batch, *shape); advances the stream."""
        return self._draw(normal, local_batch, shape)

    def uniform(self, local_batch, shape: Sequence[int] = ()) -> tf.Tensor:
        """U[0, 1) values, shape (local_batch, *shape); advances the stream."""
        return self._draw(uniform, local_batch, shape)
