"""ClusteredGAN: an unconditional GAN trained on cluster pseudo-labels.

Unconditional GANs on data with distinct classes draw many samples between
the classes: a continuous latent space maps onto separated modes only by
passing through the gaps. Conditioning both players on cluster labels
found without supervision removes most of them (Lucic et al. 2019,
https://arxiv.org/abs/1903.02271, Section 3.2; Liu et al. 2020,
https://arxiv.org/abs/2006.10728). Here the clusters are k-means clusters
of the real images' histograms of oriented gradients, or of their pixels
downsampled (:meth:`ClusteredGAN.adapt`, called by ``fit`` when it has
not run). The discriminator scores (image, cluster);
the generator takes latents alone and reads its cluster from z[:, 0]
(``models.clustered.LatentCluster``), so sampling, export and LiteRT files
are those of an unconditional GAN.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite._validation import check_choice, check_int
from tfgan_lite.gans import _cluster_features, _kmeans
from tfgan_lite.gans._labels import LabelConditionedGAN, check_labels
from tfgan_lite.models.clustered import LatentCluster

__all__ = ["ADAPT_SAMPLES", "FEATURES", "ClusteredGAN"]

# Samples that adapt() reads and clusters at most, by default.
ADAPT_SAMPLES = 10_000
# Samples whose features adapt computes at once.
_FEATURE_CHUNK = 1_024

# The kinds of ``features`` that the clusters are found in.
FEATURES = _cluster_features.FEATURES

# The smallest image side that features=None clusters by HOG: below it
# the 2x2-cell blocks would hold a few pixels each.
_MIN_HOG_SIDE = 8


def _cluster_layer(generator: keras.Model) -> LatentCluster | None:
    """The generator's LatentCluster layer, searched in nested models."""
    for layer in getattr(generator, "layers", ()):
        if isinstance(layer, LatentCluster):
            return layer
        found = _cluster_layer(layer)
        if found is not None:
            return found
    return None


def _images(batch) -> Any:
    """Images from a batch that may be (images, labels, ...)."""
    return batch[0] if isinstance(batch, (tuple, list)) else batch


@keras.saving.register_keras_serializable(package="tfgan_lite")
class ClusteredGAN(LabelConditionedGAN):
    """A GAN whose players are conditioned on k-means clusters of the data.

    ``fit`` takes unlabelled samples, as ``GAN.fit`` does. Before the
    first step the real samples are clustered (:meth:`adapt`); each real
    batch is then labelled by its nearest cluster centre, fakes are drawn
    for the real batch's clusters, and the discriminator scores (sample,
    cluster). The generator's ``LatentCluster`` layer maps z[:, 0] to a
    cluster with the data's cluster frequencies, so ``generate(n)`` samples
    the whole data distribution, and ``generate(n, labels=c)`` one cluster.

    Args:
        generator: A Keras model from latents (batch, latent_dim) to
            samples, with a ``LatentCluster`` layer of ``num_clusters``
            (e.g. from ``models.clustered_dcgan``).
        discriminator: A Keras model taking ``[samples, cluster]`` and
            returning one logit per sample.
        num_clusters: K, at least 2.
        features: What the clusters are found in: "hog", histograms of
            oriented gradients (Dalal & Triggs 2005), which group images
            by shape whatever their brightness; or "pixels", images
            area-downsampled to at most 14x14 (samples that are not
            images as they are). None: "hog" for images of at least 8
            pixels a side, else "pixels".
        latent_dim: Size of z. None reads it from the generator.
        seed: Seed of the training noise and of the clustering.
        ema: Keep an EMA copy of the generator (see ``GAN``).
        **kwargs: Passed to ``GAN``: latent_dim, seed and ema above, and
            ``keras.Model``'s arguments (e.g. ``name``).

    Raises:
        TypeError: If a network is not a Keras layer or model.
        ValueError: If the generator has no ``LatentCluster`` of
            num_clusters, the discriminator does not take
            (samples, cluster) and return one logit per sample, or
            features is "hog" for samples that are not such images.

    Example:
        >>> from tfgan_lite import models
        >>> g, d = models.clustered_dcgan((28, 28, 1), 3, latent_dim=8,
        ...                               width=4)
        >>> gan = ClusteredGAN(g, d, num_clusters=3, seed=0)
        >>> gan.compile()
        >>> images = np.random.default_rng(0).uniform(
        ...     -1, 1, (24, 28, 28, 1)).astype("float32")
        >>> history = gan.fit(images, batch_size=8, verbose=0)
        >>> gan.cluster_prior().round(3).tolist()
        [0.125, 0.375, 0.5]
        >>> gan.generate(4, labels=2, seed=0).shape
        (4, 28, 28, 1)
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        *,
        num_clusters: int,
        features: str | None = None,
        **kwargs,
    ):
        # latent_dim, seed and ema are GAN's, with GAN's defaults.
        super().__init__(generator, discriminator, **kwargs)
        self.num_clusters = check_int(num_clusters, "num_clusters", minimum=2)
        self.features = self._resolve_features(features)
        layer = _cluster_layer(self.generator)
        if layer is None or layer.num_clusters != self.num_clusters:
            found = "none" if layer is None else layer.num_clusters
            raise ValueError(
                "ClusteredGAN needs a generator that reads its cluster from "
                f"the latents: a LatentCluster layer of {self.num_clusters} "
                f"clusters (found: {found}). Build the pair with "
                "tfgan_lite.models.clustered_dcgan(num_clusters=...)."
            )
        width = _cluster_features.feature_size(self.features, self.sample_shape)
        self.cluster_centers = self.add_weight(
            shape=(self.num_clusters, width),
            initializer="zeros",
            trainable=False,
            name="cluster_centers",
        )
        # 1 once adapt() has set the centres; saved with the weights, so a
        # resumed or reloaded model is not clustered again.
        self.clusters_ready = self.add_weight(
            shape=(),
            dtype="int32",
            initializer="zeros",
            trainable=False,
            name="clusters_ready",
        )

    # -- construction ------------------------------------------------------

    @staticmethod
    def _trace_networks(generator, discriminator, latent_dim: int) -> tuple:
        """Calls G on latents and D on (samples, clusters), symbolically.

        Returns:
            (sample shape, the discriminator's symbolic outputs).
        """
        z = keras.KerasTensor((None, latent_dim), dtype="float32")
        fake = generator(z)
        cluster = keras.KerasTensor((None,), dtype="int32")
        try:
            logits = discriminator([fake, cluster])
        except (ValueError, TypeError) as e:
            raise ValueError(
                "ClusteredGAN's discriminator takes [samples, cluster ids]; "
                f"this one cannot (samples of shape {tuple(fake.shape)}). "
                f"Keras said: {e}"
            ) from e
        outputs = logits if isinstance(logits, (list, tuple)) else [logits]
        shapes = [tuple(t.shape) for t in outputs]
        if shapes not in ([(None, 1)], [(None,)]):
            raise ValueError(
                "The discriminator must return one logit per sample, shape "
                f"(batch, 1) or (batch,); it returns {shapes}."
            )
        return tuple(fake.shape[1:]), logits

    def _resolve_features(self, features: str | None) -> str:
        """The clustering features' kind, checked against the samples."""
        shape = self.sample_shape
        is_image = len(shape) == 3 and min(shape[:2]) >= _MIN_HOG_SIDE
        if features is None:
            return "hog" if is_image else "pixels"
        features = check_choice(
            features, "features", _cluster_features.FEATURES
        )
        if features == "hog" and not is_image:
            raise ValueError(
                'ClusteredGAN(features="hog") needs images of shape (height, '
                f"width, channels), at least {_MIN_HOG_SIDE} pixels a side; "
                f"the generator makes samples of shape {shape}. Pass "
                'features="pixels".'
            )
        return features

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_clusters": self.num_clusters,
            "features": self.features,
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        # Files saved before the features were a choice clustered pixels.
        config = {"features": "pixels", **config}
        return super().from_config(config, custom_objects=custom_objects)

    # -- clusters ----------------------------------------------------------

    def cluster_features(self, samples) -> tf.Tensor:
        """Flat float32 features that the clusters are found in.

        Returns:
            (N, F): block-normalised histograms of oriented gradients with
            features="hog" (7x7 cells, 9 orientations), else the images
            area-downsampled to at most 14 pixels a side, flattened.
        """
        return _cluster_features.features(self.features, samples)

    def assign(self, samples) -> tf.Tensor:
        """The nearest cluster centre of each sample, int32 of shape (N,)."""
        features = self.cluster_features(samples)
        centers = tf.cast(self.cluster_centers, tf.float32)
        # ||x - c||^2 without the ||x||^2 term, which is the same for all c.
        distance = tf.reduce_sum(centers**2, 1)[None] - 2.0 * tf.matmul(
            features, centers, transpose_b=True
        )
        return tf.argmin(distance, axis=1, output_type=tf.int32)

    def adapt(self, data, *, max_samples: int = ADAPT_SAMPLES) -> np.ndarray:
        """Clusters real samples: sets the centres and the cluster prior.

        Args:
            data: Real samples in the generator's range: an array of shape
                (N, *sample_shape), or a ``tf.data.Dataset`` (or other
                iterable) of such batches or of (samples, labels) pairs;
                labels are ignored. At least ``num_clusters`` distinct
                samples.
            max_samples: Samples read at most (the first ones).

        Returns:
            The share of the samples in each cluster, shape (K,), which is
            also the generator's cluster prior.

        Raises:
            TypeError, ValueError: For samples of the wrong dtype or shape,
                non-finite values, or fewer distinct samples than clusters.
        """
        max_samples = check_int(max_samples, "max_samples", minimum=1)
        if isinstance(data, np.ndarray | tf.Tensor):
            data = [data[:max_samples]]
        features, pending, count = [], [], 0

        def flush():
            # One call per chunk rather than per batch: eager features cost
            # about the same for 16 images as for 1,024.
            if pending:
                chunk = tf.concat(pending, axis=0)
                features.append(self.cluster_features(chunk).numpy())
                pending.clear()

        for batch in data:
            images = self._checked_samples(_images(batch))
            images = images[: max_samples - count]
            pending.append(images)
            count += int(images.shape[0])
            if sum(len(p) for p in pending) >= _FEATURE_CHUNK:
                flush()
            if count >= max_samples:
                break
        flush()
        if not features:
            raise ValueError("ClusteredGAN.adapt got no samples.")
        features = np.concatenate(features).astype(np.float64)
        if not np.isfinite(features).all():
            raise ValueError(
                "The samples given to ClusteredGAN.adapt hold NaN or inf "
                "values. Remove or repair them first."
            )
        try:
            centers, assignment = _kmeans.kmeans(
                features, self.num_clusters, seed=self.seed % 2**32
            )
        except ValueError as e:
            if self.features != "hog":
                raise
            raise ValueError(
                f"{e} The samples were compared by their histograms of "
                "oriented gradients, in which images that differ only in "
                'brightness are alike; features="pixels" tells them apart.'
            ) from None
        prior = np.bincount(assignment, minlength=self.num_clusters)
        prior = prior / prior.sum()
        self.cluster_centers.assign(centers.astype("float32"))
        for network in (self.generator, self.ema_generator):
            if network is not None:
                _cluster_layer(network).set_weights_from_prior(prior)
        self.clusters_ready.assign(1)
        return prior

    def cluster_prior(self) -> np.ndarray:
        """The probability of each cluster in ``generate``, shape (K,)."""
        return _cluster_layer(self.generator).prior()

    def fit(self, x=None, *args, **kwargs):
        """``GAN.fit``, clustering the first samples of x if not yet done.

        Clustering reads up to 10,000 samples of x; call :meth:`adapt`
        first to choose them (e.g. for a distributed dataset, which is
        not read here).
        """
        if not int(self.clusters_ready.numpy()):
            if not isinstance(x, np.ndarray | tf.Tensor | tf.data.Dataset):
                raise ValueError(
                    "ClusteredGAN clusters its training data before the "
                    "first step, but cannot read samples from "
                    f"{type(x).__name__}. Call gan.adapt(samples) first."
                )
            self.adapt(x)
        return super().fit(x, *args, **kwargs)

    # -- sampling ------------------------------------------------------------

    def _generator_inputs(self, z: tf.Tensor, labels):
        """z; with labels, z moved into those clusters."""
        if labels is None:
            return z
        n = int(z.shape[0])
        return self._condition(z, check_labels(labels, n, self.num_clusters))

    def _condition(self, z, labels):
        # The generator reads its cluster from z[:, 0]: move z there.
        return _cluster_layer(self.generator).latents_for(z, labels)

    # -- the adversarial step hooks -------------------------------------------

    def _real_batch(self, data):
        """(samples, cluster ids): labels in the data are ignored."""
        images = super()._real_batch(data)
        return images, self.assign(images)
