"""Gradient penalties on the discriminator.

The penalties differentiate the discriminator with respect to its input,
per sample. They assume that the discriminator treats samples independently
(no batch normalization across the batch): otherwise the gradient of the
summed outputs mixes samples. The reference discriminators in
``tfgan_lite.models`` satisfy this.
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

from tfgan_lite import _noise

__all__ = ["gradient_penalty", "r1_penalty", "r2_penalty"]

# Keeps sqrt differentiable where an input gradient is exactly zero; shifts the
# norm by at most 1e-6 in float32.
_NORM_EPSILON = 1e-12


def _as_float32(x, name: str) -> tf.Tensor:
    x = tf.convert_to_tensor(x)
    if not x.dtype.is_floating:
        raise TypeError(
            f"Expected a floating-point `{name}` batch, got dtype "
            f"{x.dtype.name}. Scale images to floats in [-1, 1] first."
        )
    # Penalties are squared gradient norms: in float16 they overflow or
    # underflow long before the loss does, so they are always float32.
    return tf.cast(x, tf.float32)


def _input_gradient(
    discriminator: Callable, x: tf.Tensor, training: bool
) -> tf.Tensor:
    """Gradient of sum_i D(x_i) with respect to x, flattened per sample."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = tf.cast(discriminator(x, training=training), tf.float32)
        total = tf.reduce_sum(logits)
    grad = tape.gradient(total, x)
    if grad is None:
        raise ValueError(
            "The discriminator's output does not depend on its input, so the "
            "penalty has no gradient to measure. Check the discriminator."
        )
    return tf.reshape(grad, (tf.shape(grad)[0], -1))


def gradient_penalty(
    discriminator: Callable,
    real,
    fake,
    *,
    interpolation_weights=None,
    seed: int | None = None,
    target: float = 1.0,
    training: bool = True,
) -> tf.Tensor:
    """WGAN-GP penalty: E[(||grad_x D(x_hat)||_2 - target)^2].

    ``x_hat = eps * real + (1 - eps) * fake`` with one ``eps ~ U[0, 1]`` per
    sample, so that the critic is pushed toward unit gradient norm on lines
    between the two distributions.

    Gulrajani et al. 2017, https://arxiv.org/abs/1704.00028, Algorithm 1.
    The usual weight is lambda = 10.

    Args:
        discriminator: A callable ``D(x, training=...)`` returning one logit
            per sample.
        real: Data batch, shape (N, ...), floating.
        fake: Generated batch of the same shape.
        interpolation_weights: Optional eps values, shape (N,), in [0, 1].
            None draws them uniformly, with ``seed`` when given.
        seed: Integer seed for the draw; None for an unseeded draw.
        target: Gradient norm the penalty pulls toward (1.0 in the paper).
        training: Passed to the discriminator.

    Returns:
        A scalar float32 tensor, unweighted.

    Raises:
        TypeError: If the batches are not floating point.
        ValueError: If the batch shapes differ.
    """
    real = _as_float32(real, "real")
    fake = _as_float32(fake, "fake")
    if not real.shape.is_compatible_with(fake.shape):
        raise ValueError(
            "gradient_penalty needs real and fake batches of one shape, got "
            f"{real.shape} and {fake.shape}."
        )
    batch = tf.shape(real)[0]
    if interpolation_weights is None:
        if seed is None:
            eps = tf.random.uniform((batch,), dtype=tf.float32)
        else:
            eps = _noise.uniform((batch,), _noise.seed_pair(seed))
    else:
        eps = tf.cast(tf.reshape(interpolation_weights, (-1,)), tf.float32)
    eps = tf.reshape(eps, [-1] + [1] * (real.shape.rank - 1))
    x_hat = eps * real + (1.0 - eps) * fake
    grad = _input_gradient(discriminator, x_hat, training)
    norm = tf.sqrt(tf.reduce_sum(tf.square(grad), axis=1) + _NORM_EPSILON)
    return tf.reduce_mean(tf.square(norm - target))


def _half_squared_norm(
    discriminator: Callable, x: tf.Tensor, training: bool
) -> tf.Tensor:
    """1/2 E_x[||grad_x D(x)||_2^2] over the batch x: R1 and R2 alike."""
    grad = _input_gradient(discriminator, x, training)
    return 0.5 * tf.reduce_mean(tf.reduce_sum(tf.square(grad), axis=1))


def r1_penalty(
    discriminator: Callable, real, *, training: bool = True
) -> tf.Tensor:
    """R1 penalty: 1/2 E_x[||grad_x D(x)||_2^2] on real data.

    Returned with the paper's factor 1/2, so a weight of gamma reproduces
    the paper's gamma (StyleGAN uses gamma = 10 at 1024^2, smaller at low
    resolution).

    Mescheder et al. 2018, https://arxiv.org/abs/1801.04406, Eq. 9.

    Args:
        discriminator: A callable ``D(x, training=...)`` returning one logit
            per sample.
        real: Data batch, shape (N, ...), floating.
        training: Passed to the discriminator.

    Returns:
        A scalar float32 tensor, unweighted.

    Raises:
        TypeError: If the batch is not floating point.
    """
    return _half_squared_norm(
        discriminator, _as_float32(real, "real"), training
    )


def r2_penalty(
    discriminator: Callable, fake, *, training: bool = True
) -> tf.Tensor:
    """R2 penalty: 1/2 E_x[||grad_x D(x)||_2^2] on generated samples.

    R1's twin on the generator's distribution p_g instead of the data's
    (Mescheder et al. 2018, https://arxiv.org/abs/1801.04406, Eq. 10).
    R3GAN regularizes with both R1 and R2 (Huang et al. 2024,
    https://arxiv.org/abs/2501.05441), one gamma for both. Returned with
    the factor 1/2, as ``r1_penalty``.

    The fakes are taken as constants: the penalty shapes the
    discriminator only, and no gradient reaches the generator through it.

    Args:
        discriminator: A callable ``D(x, training=...)`` returning one logit
            per sample.
        fake: Generated batch, shape (N, ...), floating.
        training: Passed to the discriminator.

    Returns:
        A scalar float32 tensor, unweighted.

    Raises:
        TypeError: If the batch is not floating point.
    """
    # Without the stop, an outer tape would also differentiate the
    # penalty through the generator that made the fakes.
    fake = tf.stop_gradient(_as_float32(fake, "fake"))
    return _half_squared_norm(discriminator, fake, training)
