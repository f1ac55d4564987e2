"""How a GAN step splits its batch and schedules its optional terms.

Pure functions of tensors and counters: Algorithm 1's minibatches
(Goodfellow et al. 2014), top-k training's kept fraction (Sinha et al.
2020) and lazy R1/R2 (Karras et al. 2020). ``GAN`` reads its compile
settings and calls them.
"""

from __future__ import annotations

import tensorflow as tf

__all__ = ["batch_size", "lazy_penalty", "minibatches", "rows", "top_k_logits"]


def batch_size(batch) -> tf.Tensor:
    """Rows of a batch: a tensor, or a structure of tensors (images, labels)."""
    return tf.shape(tf.nest.flatten(batch)[0])[0]


def rows(batch, start, stop):
    """Rows start:stop of a tensor or of every tensor in a structure."""
    return tf.nest.map_structure(lambda t: t[start:stop], batch)


def minibatches(real, k: int) -> list:
    """Splits a step's batch into k equal minibatches, one per D update.

    Minibatch i holds rows i, i + k, i + 2k, ... . Strided, not contiguous:
    a strategy gives each replica a contiguous part of the global batch, and
    when that part holds a multiple of k rows, replica r's minibatch i is
    exactly its share of the global minibatch i. So d_steps > 1 makes the
    same updates on one device and on several.

    Raises:
        ValueError: If the batch is known to hold fewer than k rows (at
            run time, an assertion fails instead).
    """
    if k == 1:
        return [real]
    static = tf.nest.flatten(real)[0].shape[0]
    message = (
        f"d_steps={k} splits every batch into {k} minibatches, one per "
        f"discriminator update, so batches need at least {k} samples "
        f"(better: a multiple of {k})."
    )
    if static is not None and static < k:
        raise ValueError(message + f" Got a batch of {static}.")
    m = batch_size(real) // k
    with tf.control_dependencies(
        [tf.debugging.assert_positive(m, message=message)]
    ):
        m = tf.identity(m)
    # Rows past k * m (a ragged last batch) are left out.
    return [
        tf.nest.map_structure(lambda t, i=i: t[i : k * m : k], real)
        for i in range(k)
    ]


def top_k_logits(
    fake_logits: tf.Tensor, top_k: float, *, steps: int, step
) -> tf.Tensor:
    """The highest ``top_k`` share of the fakes' logits, at least one.

    Args:
        fake_logits: Flat float32 logits of the generated batch.
        top_k: The kept fraction once annealed, in (0, 1].
        steps: Generator updates over which the fraction falls from 1 to
            top_k; 0 keeps top_k from the start.
        step: The generator updates made so far (a counter).
    """
    # float32, not float64, which TPUs lack.
    fraction = tf.constant(top_k, tf.float32)
    if steps:
        t = tf.cast(step, tf.float32)
        progress = tf.minimum(t / steps, 1.0)
        fraction = 1.0 - (1.0 - fraction) * progress
    n = tf.shape(fake_logits)[0]
    # A slack of 4 float32 ulps keeps rounding (0.6 * 25 = 15.000001)
    # from keeping one sample more than the fraction says.
    wanted = fraction * tf.cast(n, tf.float32) * (1.0 - 4.8e-7)
    k = tf.cast(tf.math.ceil(wanted), tf.int32)
    # Higher logits mean "more real" for every loss of the library.
    return tf.math.top_k(fake_logits, k=tf.clip_by_value(k, 1, n)).values


def lazy_penalty(penalty, interval: int, step) -> tf.Tensor:
    """Lazy regularization: ``interval`` times the penalty every
    interval-th D update, else 0.

    Args:
        penalty: A function of no arguments that computes the penalty
            (R1 on reals, R2 on fakes), called only in the updates that
            are due.
        interval: D updates per evaluation, > 1.
        step: The discriminator updates made so far (a counter).
    """
    # A tf.cond around the penalty term only: the optimizer update
    # stays outside control flow, so replicas still synchronise.
    due = tf.equal(step % interval, 0)
    return tf.cond(
        due,
        lambda: interval * penalty(),
        lambda: tf.zeros((), tf.float32),
    )
