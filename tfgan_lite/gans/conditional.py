"""ConditionalGAN: a GAN whose players see class labels.

The generator maps (z, label) to a sample of that class and the
discriminator scores (sample, label) pairs (Mirza & Osindero 2014,
https://arxiv.org/abs/1411.1784). How D uses the label is its
architecture's business: by projection (Miyato & Koyama 2018,
https://arxiv.org/abs/1802.05637) or by concatenated one-hot maps, as in
``tfgan_lite.models.conditional_dcgan``. A discriminator with a second
output of class logits adds the AC-GAN class loss (Odena et al. 2017,
https://arxiv.org/abs/1610.09585).

``ConditionalGAN`` subclasses ``GAN`` (through the label conditioning it
shares with ``ClusteredGAN``) and overrides only how batches are
unpacked, how the generator takes a label, and the extra class loss; the
update (Algorithm 1, penalties, replica and loss scaling) stays ``GAN``'s.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import auxiliary_losses
from tfgan_lite._validation import check_float, check_int
from tfgan_lite.gans._labels import LabelConditionedGAN, check_labels
from tfgan_lite.gans.gan import AuxiliaryTerms

__all__ = ["ConditionalGAN", "check_labels"]

_CLASS_LOSS = "class_loss"
_EXPECTED_G = (
    "a generator with two inputs, in this order: latent vectors z of shape "
    "(batch, latent_dim) and integer class labels of shape (batch,)"
)
_EXPECTED_D = (
    "a discriminator with two inputs, in this order: samples and integer "
    "class labels of shape (batch,)"
)


def _inputs(network, role: str, expected: str) -> list:
    try:
        return list(network.inputs)
    except (AttributeError, ValueError):
        raise ValueError(
            f"ConditionalGAN needs a functional {role} with static inputs: "
            f"{expected}."
        ) from None


def _is_label(tensor) -> bool:
    dtype = keras.backend.standardize_dtype(tensor.dtype)
    return len(tensor.shape) == 1 and "int" in dtype


@keras.saving.register_keras_serializable(package="tfgan_lite")
class ConditionalGAN(LabelConditionedGAN):
    """A class-conditional GAN trained with ``fit`` on (images, labels).

    Each training batch is a pair (images, integer labels); fakes are drawn
    for the labels of the real batch, so the generator sees the data's class
    frequencies and both players compare samples of the same classes (which
    also makes WGAN-GP's real-fake interpolations same-class). Everything
    else, including the metrics, is ``GAN``'s; a discriminator with a class
    head adds the ``class_loss`` metric.

    Args:
        generator: A functional Keras model taking ``[z, label]``: z of shape
            (batch, latent_dim), float, and label of shape (batch,), int.
        discriminator: A functional Keras model taking ``[samples, label]``
            and returning one logit per sample, or ``[logit, class_logits]``
            with class_logits of shape (batch, num_classes) for AC-GAN.
        num_classes: Number of classes; labels lie in [0, num_classes).
        latent_dim: Size of z. None reads it from the generator.
        seed: Seed of the training noise stream (see ``GAN``).
        ema: Keep an EMA copy of the generator (see ``GAN``).
        **kwargs: Passed to ``GAN``: latent_dim, seed and ema above, and
            ``keras.Model``'s arguments (e.g. ``name``).

    Raises:
        TypeError: If a network is not a Keras layer or model.
        ValueError: If a network's inputs are not (z or samples, label), the
            generator's label embedding is not num_classes wide, or a class
            head does not output num_classes logits.

    Example:
        >>> from tfgan_lite import models
        >>> g, d = models.conditional_dcgan_28(
        ...     num_classes=10, latent_dim=8, width=4)
        >>> gan = ConditionalGAN(g, d, num_classes=10, seed=0)
        >>> gan.compile()
        >>> images = np.zeros((16, 28, 28, 1), "float32")
        >>> labels = np.arange(16) % 10
        >>> history = gan.fit(images, labels, batch_size=8, verbose=0)
        >>> gan.generate(4, labels=[0, 1, 2, 3], seed=0).shape
        (4, 28, 28, 1)
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        *,
        num_classes: int,
        **kwargs,
    ):
        # latent_dim, seed and ema are GAN's, with GAN's defaults.
        super().__init__(generator, discriminator, **kwargs)
        self.num_classes = check_int(num_classes, "num_classes", minimum=2)
        _, scores = self._trace_networks(
            self.generator, self.discriminator, self.latent_dim
        )
        self.aux_classifier = isinstance(scores, (list, tuple))
        self._check_classes(scores)
        self._add_tracker(_CLASS_LOSS)
        self.aux_weight = 0.0

    # -- construction ------------------------------------------------------

    @staticmethod
    def _resolve_latent_dim(generator, latent_dim: int | None) -> int:
        inputs = _inputs(generator, "generator", _EXPECTED_G)
        if (
            len(inputs) != 2
            or len(inputs[0].shape) != 2
            or not _is_label(inputs[1])
        ):
            shapes = [tuple(t.shape) for t in inputs]
            raise ValueError(
                f"ConditionalGAN needs {_EXPECTED_G}; this generator takes "
                f"inputs of shapes {shapes}."
            )
        known = inputs[0].shape[-1]
        if latent_dim is not None:
            latent_dim = check_int(latent_dim, "latent_dim", minimum=1)
            if known not in (None, latent_dim):
                raise ValueError(
                    f"latent_dim={latent_dim} but the generator takes latent "
                    f"vectors of size {known}."
                )
            return latent_dim
        if known is None:
            raise ValueError("Pass ConditionalGAN(..., latent_dim=N).")
        return int(known)

    @staticmethod
    def _trace_networks(generator, discriminator, latent_dim: int) -> tuple:
        """Calls both networks on (latents or samples, labels) symbolically.

        Returns:
            (sample shape, the discriminator's symbolic outputs).
        """
        inputs = _inputs(discriminator, "discriminator", _EXPECTED_D)
        if len(inputs) != 2 or not _is_label(inputs[1]):
            shapes = [tuple(t.shape) for t in inputs]
            raise ValueError(
                f"ConditionalGAN needs {_EXPECTED_D}; this discriminator "
                f"takes inputs of shapes {shapes}."
            )
        z = keras.KerasTensor((None, latent_dim), dtype="float32")
        label = keras.KerasTensor((None,), dtype="int32")
        fake = generator([z, label])
        scores = discriminator([fake, label])
        logits = scores[0] if isinstance(scores, (list, tuple)) else scores
        if tuple(logits.shape) not in ((None, 1), (None,)):
            raise ValueError(
                "The discriminator must return one logit per sample, shape "
                f"(batch, 1) or (batch,); it returns {tuple(logits.shape)}."
            )
        return tuple(fake.shape[1:]), scores

    def _check_classes(self, scores) -> None:
        """Checks the label embedding and any class head for num_classes."""
        for layer in self.generator.layers:
            if isinstance(layer, keras.layers.Embedding) and (
                layer.input_dim != self.num_classes
            ):
                raise ValueError(
                    f"num_classes={self.num_classes} but the generator's "
                    f"label embedding '{layer.name}' takes "
                    f"{layer.input_dim} classes. Build the generator for "
                    f"{self.num_classes} classes."
                )
        if self.aux_classifier and (
            len(scores) != 2
            or tuple(scores[1].shape) != (None, self.num_classes)
        ):
            raise ValueError(
                "An AC-GAN discriminator returns [logit, class_logits] with "
                f"class_logits of shape (batch, {self.num_classes}); this one "
                f"returns shapes {[tuple(s.shape) for s in scores]}."
            )

    # -- compile and serialization -------------------------------------------

    def compile(self, *args, aux_weight: float = 1.0, **kwargs) -> None:
        """Chooses the optimizers and the game, as ``GAN.compile``.

        Args:
            *args: Passed to ``GAN.compile``.
            aux_weight: Weight of the AC-GAN class loss added to both
                players' losses (Odena et al. 2017 use 1); used only with a
                discriminator that has a class head. 0 turns it off.
            **kwargs: Passed to ``GAN.compile``.
        """
        weight = check_float(aux_weight, "aux_weight", low=0.0)
        super().compile(*args, **kwargs)
        self.aux_weight = weight

    def get_compile_config(self) -> dict:
        config = super().get_compile_config()
        return {**config, "aux_weight": self.aux_weight} if config else {}

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes}

    def _metric_names(self) -> list[str]:
        extra = [_CLASS_LOSS] if self._uses_aux() else []
        return super()._metric_names() + extra

    def _uses_aux(self) -> bool:
        return self.aux_classifier and bool(getattr(self, "aux_weight", 0.0))

    # -- sampling ------------------------------------------------------------

    def call(self, inputs, training: bool = False):
        """Generates samples from ``[z, labels]``."""
        z, labels = inputs
        samples = self.generator([z, labels], training=training)
        return tf.cast(samples, tf.float32)

    def _generator_inputs(self, z: tf.Tensor, labels):
        """[z, labels]; None labels cycle through the classes 0, 1, ..."""
        n = int(z.shape[0])
        if labels is None:
            labels = np.arange(n) % self.num_classes
        labels = tf.constant(check_labels(labels, n, self.num_classes))
        return self._condition(z, labels)

    def _condition(self, z, labels):
        return [z, labels]

    # -- the adversarial step hooks -------------------------------------------

    def _real_batch(self, data):
        """Unpacks (images, labels) and checks both."""
        images, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        if labels is None:
            raise ValueError(
                "ConditionalGAN trains on (images, labels) batches, but this "
                "data has no labels. Pass fit(images, labels), or a dataset "
                "of (images, labels) pairs (e.g. tfgan_lite.data.digits("
                "with_labels=True))."
            )
        images = self._checked_samples(images)
        labels = tf.convert_to_tensor(labels)
        if not labels.dtype.is_integer:
            raise TypeError(
                "ConditionalGAN needs integer class labels, got dtype "
                f"{labels.dtype.name}."
            )
        labels = tf.cast(tf.reshape(labels, (-1,)), tf.int32)
        # An Embedding looks up out-of-range ids as zeros on some devices,
        # which would train silently on wrong classes.
        message = f"Labels must lie in [0, {self.num_classes})."
        checks = [
            tf.debugging.assert_non_negative(labels, message=message),
            tf.debugging.assert_less(labels, self.num_classes, message=message),
        ]
        with tf.control_dependencies(checks):
            return images, tf.identity(labels)

    def _auxiliary(self, real, z, fake, training: bool):
        if not self._uses_aux():
            return None
        # The class head is read in passes of its own, so that GAN's
        # forward pass stays as it is, at the cost of two more D passes.
        real_classes = self._scores(real, training)[1]
        fake_classes = self._scores(fake, training)[1]
        d_term = auxiliary_losses.auxiliary_classifier_discriminator_loss(
            real_classes, real[1], fake_classes, fake[1]
        )
        g_term = auxiliary_losses.auxiliary_classifier_generator_loss(
            fake_classes, fake[1]
        )
        return AuxiliaryTerms(
            discriminator=self.aux_weight * d_term,
            generator=self.aux_weight * g_term,
            metrics={_CLASS_LOSS: d_term},
        )
