"""Label conditioning, shared by ConditionalGAN and ClusteredGAN.

Both players see one integer label per sample: a class given with the
data (``ConditionalGAN``) or a cluster found in it (``ClusteredGAN``).
Fakes are drawn for the labels of the real batch, so both players compare
samples of the same labels, and WGAN-GP's real-fake interpolations stay
within one label.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tfgan_lite._validation import check_int
from tfgan_lite.gans.gan import GAN

__all__ = ["LabelConditionedGAN", "check_labels"]


def check_labels(labels, n: int, num_classes: int) -> np.ndarray:
    """Returns class ids for n samples as an int32 array of shape (n,).

    Args:
        labels: One class id for all n samples, or n class ids.
        n: Number of samples.
        num_classes: Class ids must lie in [0, num_classes).

    Returns:
        An int32 numpy array of shape (n,).

    Raises:
        TypeError: If the labels are not integers.
        ValueError: If a label lies outside [0, num_classes), or the count
            is not n.

    Example:
        >>> check_labels(2, 3, num_classes=10).tolist()
        [2, 2, 2]
        >>> check_labels([0, 12], 2, num_classes=10)
        Traceback (most recent call last):
        ...
        ValueError: `labels` must hold class ids in [0, 9], got labels[1]=12.
    """
    if np.ndim(labels) == 0 and not isinstance(labels, np.ndarray):
        label = check_int(labels, "labels", minimum=0, maximum=num_classes - 1)
        return np.full((n,), label, np.int32)
    array = np.asarray(labels)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
        raise TypeError(
            "`labels` must be an int or an array of ints (class ids), got "
            f"dtype {array.dtype}."
        )
    if array.shape != (n,):
        raise ValueError(
            f"`labels` must hold one class id per sample, shape ({n},), got "
            f"shape {array.shape}."
        )
    bad = np.flatnonzero((array < 0) | (array >= num_classes))
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"`labels` must hold class ids in [0, {num_classes - 1}], got "
            f"labels[{i}]={int(array[i])}."
        )
    return array.astype(np.int32)


class LabelConditionedGAN(GAN):
    """A GAN whose discriminator scores ``[samples, labels]``.

    A subclass says where a batch's labels come from (``_real_batch``
    returns ``(samples, labels)``) and how the generator takes a label
    (``_condition``); the fakes, the logits and the critic of the
    penalties are this class's.
    """

    # A discriminator with a class head returns [logit, class_logits].
    aux_classifier = False

    def _condition(self, z, labels):
        """The generator's input for latents z and labels (one per row)."""
        raise NotImplementedError

    def _scores(self, samples, training: bool):
        """(flat float32 logits, class logits or None) for (x, labels)."""
        x, labels = samples
        scores = self.discriminator([x, labels], training=training)
        class_logits = None
        if self.aux_classifier:
            scores, class_logits = scores
        return tf.cast(tf.reshape(scores, (-1,)), tf.float32), class_logits

    def _logits(self, samples, training: bool) -> tf.Tensor:
        return self._scores(samples, training)[0]

    def _fake(self, real, z, training: bool):
        _, labels = real
        fake = self.generator(self._condition(z, labels), training=training)
        return fake, labels

    def _augment_samples(self, samples):
        images, labels = samples
        return self.augment(images), labels

    def _critic(self, real, fake) -> tuple:
        images, labels = real

        def critic(x, training: bool = True):
            return self._logits((x, labels), training)

        # Fakes share the real batch's labels, so one label per row fits
        # both ends of WGAN-GP's interpolation.
        return critic, images, fake[0]
