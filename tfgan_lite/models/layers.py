"""Discriminator layers that let D see several samples at once.

Mode collapse is hard for a discriminator to see when it scores samples one
at a time: a generator that produces one perfect sample over and over looks
real sample by sample. Both layers here give D a view of a group:

* :class:`Pack` (PacGAN, Lin et al. 2018, https://arxiv.org/abs/1712.04086)
  concatenates m samples into one input, so that D makes one decision per
  pack and a pack of near-identical samples is easy to reject.
* :class:`MinibatchStdDev` (Karras et al. 2018,
  https://arxiv.org/abs/1710.10196, Section 3) appends the average standard
  deviation of the features over a group of samples as one more feature.

``GAN`` scores real and generated batches in separate discriminator calls,
so a group never mixes real with generated samples.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from tfgan_lite._validation import check_int

__all__ = ["MinibatchStdDev", "Pack"]


def _check_divisible(batch, group: int, what: str) -> tf.Tensor:
    """Asserts at run time that the batch splits into whole groups."""
    return tf.debugging.assert_equal(
        batch % group,
        0,
        message=(
            f"{what} needs a batch size divisible by {group}; use a batch "
            f"size (per discriminator update) that is a multiple of {group}."
        ),
    )


@keras.saving.register_keras_serializable(package="tfgan_lite")
class Pack(keras.layers.Layer):
    """Concatenates groups of ``pack`` samples along the last axis.

    Input (N, ..., C) becomes (N / pack, ..., pack * C): points of shape
    (N, 2) become (N / pack, 2 * pack), images (N, H, W, C) become
    (N / pack, H, W, pack * C), the channel stacking of PacGAN. Samples
    i * pack ... (i + 1) * pack - 1 form pack i. A discriminator that starts
    with this layer returns one logit per pack, which every loss of
    ``tfgan_lite.losses`` accepts (they average over logits).

    Args:
        pack: Samples per pack, m in the paper; 1 is a no-op. PacGAN uses 2
            to 4.
        **kwargs: Passed to ``keras.layers.Layer``.

    Raises:
        TypeError, ValueError: If ``pack`` is not a positive int.
        tf.errors.InvalidArgumentError: At run time, for a batch that is
            not a multiple of ``pack``.

    Example:
        >>> import numpy as np
        >>> Pack(2)(np.arange(8, dtype="float32").reshape(4, 2)).numpy()
        array([[0., 1., 2., 3.],
               [4., 5., 6., 7.]], dtype=float32)
    """

    def __init__(self, pack: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.pack = check_int(pack, "pack", minimum=1)

    def call(self, inputs):
        if self.pack == 1:
            return inputs
        inputs = tf.convert_to_tensor(inputs)
        batch = tf.shape(inputs)[0]
        with tf.control_dependencies(
            [_check_divisible(batch, self.pack, f"Pack({self.pack})")]
        ):
            inputs = tf.identity(inputs)
        rest = inputs.shape[1:]
        # (N, ..., C) -> (N/m, m, ..., C) -> (N/m, ..., m, C) -> merge.
        grouped = tf.reshape(inputs, [-1, self.pack, *rest])
        rank = len(rest) + 2
        order = [0, *range(2, rank - 1), 1, rank - 1]
        grouped = tf.transpose(grouped, order)
        return tf.reshape(grouped, [-1, *rest[:-1], self.pack * rest[-1]])

    def compute_output_shape(self, input_shape):
        batch = input_shape[0]
        if batch is not None:
            batch //= self.pack
        last = input_shape[-1]
        last = None if last is None else last * self.pack
        return (batch, *input_shape[1:-1], last)

    def get_config(self):
        return {**super().get_config(), "pack": self.pack}


@keras.saving.register_keras_serializable(package="tfgan_lite")
class MinibatchStdDev(keras.layers.Layer):
    """Appends the group's mean feature standard deviation as a feature.

    For each group of ``group_size`` samples, the standard deviation of
    every feature over the group is averaged into one number, which is
    appended to each sample of the group: as one more feature for inputs
    (N, D), as one more constant channel for feature maps (N, H, W, C). A
    collapsed generator gives groups with a small value, which real groups
    never have, so D can see the collapse.

    Args:
        group_size: Samples per group; None uses the whole batch as one
            group. With a group size the batch must be a multiple of it.
        epsilon: Added to the variance before the square root, so that the
            gradient stays finite for identical samples.
        **kwargs: Passed to ``keras.layers.Layer``.

    Raises:
        TypeError, ValueError: For a non-positive ``group_size`` or a
            negative ``epsilon``.

    Example:
        >>> import numpy as np
        >>> x = np.array([[0.0, 0.0], [2.0, 4.0]], dtype="float32")
        >>> MinibatchStdDev(epsilon=0.0)(x).numpy().tolist()
        [[0.0, 0.0, 1.5], [2.0, 4.0, 1.5]]
    """

    def __init__(
        self, group_size: int | None = None, epsilon: float = 1e-8, **kwargs
    ):
        super().__init__(**kwargs)
        self.group_size = (
            None
            if group_size is None
            else check_int(group_size, "group_size", minimum=1)
        )
        if not isinstance(epsilon, (int, float)) or epsilon < 0:
            raise ValueError(
                f"`epsilon` must be a number >= 0, got epsilon={epsilon!r}."
            )
        self.epsilon = float(epsilon)

    def call(self, inputs):
        x = tf.convert_to_tensor(inputs)
        batch = tf.shape(x)[0]
        group = batch if self.group_size is None else self.group_size
        if self.group_size is not None:
            with tf.control_dependencies(
                [_check_divisible(batch, group, "MinibatchStdDev")]
            ):
                x = tf.identity(x)
        rest = x.shape[1:]
        grouped = tf.reshape(x, [-1, group, *rest])
        # Statistics in float32 even under a mixed-precision policy.
        grouped = tf.cast(grouped, tf.float32)
        variance = tf.math.reduce_variance(grouped, axis=1)
        std = tf.sqrt(variance + self.epsilon)
        stat = tf.reduce_mean(std, axis=list(range(1, len(rest) + 1)))
        # One value per group, repeated for its samples and positions.
        stat = tf.repeat(stat, group)
        stat = tf.reshape(stat, [-1, *([1] * len(rest))])
        stat = tf.broadcast_to(stat, tf.concat([tf.shape(x)[:-1], [1]], 0))
        return tf.concat([x, tf.cast(stat, x.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        last = input_shape[-1]
        return (*input_shape[:-1], None if last is None else last + 1)

    def get_config(self):
        return {
            **super().get_config(),
            "group_size": self.group_size,
            "epsilon": self.epsilon,
        }
