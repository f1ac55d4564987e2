"""The keras.io-style DCGAN ``train_step``, as a speed reference for GAN.

Row c of ``throughput.py`` runs it on fresh copies of the networks that
``tfgan_lite.GAN`` trains, so that the difference between the two rows is
the cost of what ``GAN`` adds around the same two updates, not of
different work.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import tensorflow as tf


class ReferenceGAN(keras.Model):
    """The keras.io-style DCGAN step, written out with nothing else.

    Differences from the keras.io example that keep the work equal to
    ``GAN``: the generator runs with ``training=True`` in both updates
    (batch statistics, as ``GAN`` does), labels are not noised, real is
    labelled 1, and the losses are the non-saturating pair.

    Args:
        generator: Maps latents of shape ``(batch, latent_dim)`` to images.
        discriminator: Maps images to logits of shape ``(batch, 1)``.
        latent_dim: Width of the generator's input.
        **kwargs: Passed to ``keras.Model``.
    """

    def __init__(self, generator, discriminator, latent_dim, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.bce = keras.losses.BinaryCrossentropy(from_logits=True)

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def train_step(self, real):
        batch = tf.shape(real)[0]
        z = tf.random.normal((batch, self.latent_dim))
        fake = self.generator(z, training=True)
        images = tf.concat([real, fake], axis=0)
        labels = tf.concat([tf.ones((batch, 1)), tf.zeros((batch, 1))], 0)
        with tf.GradientTape() as tape:
            logits = self.discriminator(images, training=True)
            d_loss = self.bce(labels, logits)
        d_vars = self.discriminator.trainable_weights
        grads = tape.gradient(d_loss, d_vars)
        self.d_optimizer.apply_gradients(zip(grads, d_vars, strict=True))

        z = tf.random.normal((batch, self.latent_dim))
        with tf.GradientTape() as tape:
            fake = self.generator(z, training=True)
            logits = self.discriminator(fake, training=True)
            g_loss = self.bce(tf.ones((batch, 1)), logits)
        g_vars = self.generator.trainable_weights
        grads = tape.gradient(g_loss, g_vars)
        self.g_optimizer.apply_gradients(zip(grads, g_vars, strict=True))

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {m.name: m.result() for m in self.metrics}


def fit_bare(
    networks: Callable[[], tuple[keras.Model, keras.Model]],
    images,
    *,
    lr: float,
    steps: int,
    batch: int,
    seed: int,
    n: int,
    predict_batch: int = 256,
):
    """Trains a bare keras.io-style GAN on ``images``; returns ``n`` samples.

    ``networks()`` builds (generator, discriminator) after the seed is set,
    so their first weights follow ``seed`` too. Adam(``lr``) for both
    players, ``steps`` steps of ``batch`` images shuffled with ``seed``,
    then ``n`` samples of the live generator.
    """
    keras.utils.set_random_seed(seed)
    generator, discriminator = networks()
    latent_dim = generator.input_shape[-1]
    gan = ReferenceGAN(generator, discriminator, latent_dim=latent_dim)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(lr),
        g_optimizer=keras.optimizers.Adam(lr),
    )
    dataset = (
        tf.data.Dataset.from_tensor_slices(images)
        .repeat()
        .shuffle(len(images), seed=seed)
        .batch(batch, drop_remainder=True)
    )
    gan.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
    z = keras.random.normal((n, latent_dim), seed=seed + 1)
    return gan.generator.predict(z, batch_size=predict_batch, verbose=0)
