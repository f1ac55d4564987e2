"""Auxiliary losses: the terms that models add to the adversarial ones.

Pure functions, like ``tfgan_lite.losses``:

* the AC-GAN class loss, as a generator/discriminator pair (Odena et al.
  2017, https://arxiv.org/abs/1610.09585);
* the InfoGAN mutual-information loss (Chen et al. 2016,
  https://arxiv.org/abs/1606.03657), one function that both the generator
  and the Q network minimise;
* CycleGAN's image-to-image losses, cycle consistency and identity (Zhu et
  al. 2017, https://arxiv.org/abs/1703.10593), which compare images rather
  than logits.

Cross-entropies are computed from logits (log-softmax), so they stay finite
for logits as large as +-100 in float32.
"""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf

__all__ = [
    "auxiliary_classifier_discriminator_loss",
    "auxiliary_classifier_generator_loss",
    "cycle_consistency_loss",
    "identity_loss",
    "mutual_information_loss",
]


def _cross_entropy(labels, logits) -> tf.Tensor:
    """Mean -log softmax(logits)[label], in float32."""
    logits = tf.cast(tf.convert_to_tensor(logits), tf.float32)
    labels = tf.cast(tf.reshape(labels, (-1,)), tf.int32)
    return tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits)
    )


def auxiliary_classifier_generator_loss(
    fake_class_logits, fake_labels
) -> tf.Tensor:
    """AC-GAN generator class loss: -E[log P(C = c | G(z, c))].

    The generator is rewarded when the discriminator's class head
    recognises the class it was asked for (Odena et al. 2017,
    https://arxiv.org/abs/1610.09585, Eq. 2, L_C on generated samples).

    Args:
        fake_class_logits: Class-head logits on generated samples, shape
            (N, num_classes), in (-inf, inf).
        fake_labels: The classes the samples were generated for, ints of
            shape (N,).

    Returns:
        A scalar float32 tensor, >= 0.

    Example:
        >>> round(float(auxiliary_classifier_generator_loss(
        ...     [[0.0, 0.0]], [1])), 4)  # log 2
        0.6931
    """
    return _cross_entropy(fake_labels, fake_class_logits)


def auxiliary_classifier_discriminator_loss(
    real_class_logits, real_labels, fake_class_logits, fake_labels
) -> tf.Tensor:
    """AC-GAN discriminator class loss: -E[log P(C|real)] - E[log P(C|fake)].

    The class head learns to name the class of real and of generated
    samples (Odena et al. 2017, https://arxiv.org/abs/1610.09585, Eq. 2:
    the discriminator maximises L_S + L_C, with L_C over both sources).

    Args:
        real_class_logits: Class-head logits on real samples, shape
            (N, num_classes), in (-inf, inf).
        real_labels: The real samples' classes, ints of shape (N,).
        fake_class_logits: Class-head logits on generated samples, shape
            (M, num_classes).
        fake_labels: The classes the samples were generated for, (M,).

    Returns:
        A scalar float32 tensor, >= 0.

    Example:
        >>> round(float(auxiliary_classifier_discriminator_loss(
        ...     [[0.0, 0.0]], [0], [[0.0, 0.0]], [1])), 4)  # 2 log 2
        1.3863
    """
    return _cross_entropy(real_labels, real_class_logits) + _cross_entropy(
        fake_labels, fake_class_logits
    )


def mutual_information_loss(
    q_outputs,
    codes,
    *,
    categorical: Sequence[int] = (),
    continuous: int = 0,
) -> tf.Tensor:
    """InfoGAN's loss -L_I: the negated variational bound on I(c; G(z, c)).

    L_I = E[log Q(c | G(z, c))] + H(c) (Chen et al. 2016,
    https://arxiv.org/abs/1606.03657, Eq. 5); H(c) is a constant, so this
    returns -E[log Q(c|x)] up to constants. Categorical codes use a softmax
    over their logits; continuous codes a Gaussian of unit variance around
    Q's mean, whose negative log-likelihood is 1/2 (c - mu)^2 plus a
    constant (the paper's fixed-variance choice). The generator and Q both
    minimise it.

    Args:
        q_outputs: Q's outputs, shape (N, sum(categorical) + continuous):
            the logits of each categorical code in turn, then the means of
            the continuous codes.
        codes: The codes the samples were generated from, shape
            (N, len(categorical) + continuous): each categorical code as a
            class id (a float holding an int), then the continuous values.
        categorical: The number of values of each categorical code.
        continuous: The number of continuous codes.

    Returns:
        A scalar float32 tensor: the summed per-code losses, averaged over
        the batch.

    Example:
        >>> q = [[0.0, 0.0, 0.5]]  # one 2-way code, one continuous code
        >>> round(float(mutual_information_loss(
        ...     q, [[1.0, 1.5]], categorical=(2,), continuous=1)), 4)
        1.1931
    """
    q_outputs = tf.cast(tf.convert_to_tensor(q_outputs), tf.float32)
    codes = tf.cast(tf.convert_to_tensor(codes), tf.float32)
    loss = tf.constant(0.0)
    start = 0
    for i, size in enumerate(categorical):
        loss += _cross_entropy(
            tf.cast(tf.round(codes[:, i]), tf.int32),
            q_outputs[:, start : start + size],
        )
        start += size
    if continuous:
        first = len(categorical)
        diff = codes[:, first : first + continuous] - q_outputs[:, start:]
        loss += tf.reduce_mean(0.5 * tf.reduce_sum(tf.square(diff), axis=1))
    return loss


# -- Image-to-image (CycleGAN) ---------------------------------------------


def _l1(a, b) -> tf.Tensor:
    # float32: half-precision sums over whole images overflow.
    a = tf.cast(tf.convert_to_tensor(a), tf.float32)
    return tf.reduce_mean(tf.abs(a - tf.cast(b, tf.float32)))


def cycle_consistency_loss(x, x_cycled, y, y_cycled) -> tf.Tensor:
    """Cycle-consistency loss: E|F(G(x)) - x| + E|G(F(y)) - y|.

    Zhu et al. 2017 (CycleGAN), https://arxiv.org/abs/1703.10593, Eq. 2.
    Each term is the mean absolute difference per pixel and channel, as in
    the paper's implementation, so the value does not grow with image size.

    Args:
        x: Images of domain X, in [-1, 1], shape (N, H, W, C).
        x_cycled: F(G(x)), the same shape.
        y: Images of domain Y, in [-1, 1], shape (M, H', W', C').
        y_cycled: G(F(y)), the same shape as y.

    Returns:
        A scalar float32 tensor, in [0, 4] for images in [-1, 1].

    Example:
        >>> float(cycle_consistency_loss([1.0, -1.0], [0.5, -1.0], [0], [0.5]))
        0.75
    """
    return _l1(x, x_cycled) + _l1(y, y_cycled)


def identity_loss(x, f_of_x, y, g_of_y) -> tf.Tensor:
    """Identity-mapping loss: E|F(x) - x| + E|G(y) - y|.

    Asks each generator to leave images of its target domain unchanged
    (Zhu et al. 2017, https://arxiv.org/abs/1703.10593, Section 5.2, after
    Taigman et al. 2017, https://arxiv.org/abs/1611.02200); it keeps
    colours from drifting in photo<->painting translation.

    Args:
        x: Images of domain X, in [-1, 1].
        f_of_x: F(x), the Y->X generator applied to x; the same shape.
        y: Images of domain Y, in [-1, 1].
        g_of_y: G(y), the X->Y generator applied to y; the same shape.

    Returns:
        A scalar float32 tensor, in [0, 4] for images in [-1, 1].

    Example:
        >>> float(identity_loss([1.0, 1.0], [1.0, 0.0], [0.0], [0.0]))
        0.5
    """
    return _l1(x, f_of_x) + _l1(y, g_of_y)
