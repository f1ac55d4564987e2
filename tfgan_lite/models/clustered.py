"""Cluster-conditioned DCGAN pairs whose generator takes latents alone.

The generator reads its cluster from the first latent coordinate
(:class:`LatentCluster`) and feeds (z, cluster) to a conditional DCGAN
generator; the discriminator sees (image, cluster) by projection. A plain
draw z ~ N(0, I) therefore picks cluster c with the probability the
layer holds, so the trained generator samples like any unconditional one:
``generate(n)``, export and LiteRT files take z only. See
``tfgan_lite.ClusteredGAN`` for the training side.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite._validation import check_int
from tfgan_lite.models.conditional import (
    conditional_dcgan_discriminator,
    conditional_dcgan_generator,
)

__all__ = ["LatentCluster", "clustered_dcgan"]

_NORMAL = statistics.NormalDist()
# Cumulative probabilities are kept inside (0, 1) so that every edge is
# finite; a cluster below this probability is (almost) never drawn.
_TINY = 1e-12


def edges_for(weights: Sequence[float]) -> np.ndarray:
    """Thresholds on a N(0, 1) coordinate that split it by ``weights``.

    Args:
        weights: K non-negative cluster probabilities, summing to 1.

    Returns:
        K - 1 increasing float64 thresholds t with P(z <= t_j) equal to
        the sum of the first j + 1 weights.
    """
    cumulative = np.clip(np.cumsum(weights)[:-1], _TINY, 1.0 - _TINY)
    return np.array([_NORMAL.inv_cdf(float(c)) for c in cumulative])


@keras.saving.register_keras_serializable(package="tfgan_lite")
class LatentCluster(keras.layers.Layer):
    """The cluster id that the first latent coordinate falls in.

    The layer holds K - 1 thresholds on z[:, 0] (a non-trainable weight,
    set with :meth:`set_weights_from_prior`); cluster c is the interval
    (t_{c-1}, t_c]. With z[:, 0] ~ N(0, 1), cluster c is drawn with its
    prior probability. Comparisons and a sum only, so LiteRT converts it
    with builtin ops.

    Args:
        num_clusters: K, at least 2. The thresholds start at equal
            probabilities.
        **kwargs: Passed to ``keras.layers.Layer``.

    Example:
        >>> layer = LatentCluster(4)
        >>> layer(np.array([[-2.0], [-0.1], [0.1], [2.0]])).numpy().tolist()
        [0, 1, 2, 3]
    """

    def __init__(self, num_clusters: int = 10, **kwargs):
        super().__init__(**kwargs)
        self.num_clusters = check_int(num_clusters, "num_clusters", minimum=2)
        uniform = np.full(self.num_clusters, 1.0 / self.num_clusters)
        self.edges = self.add_weight(
            shape=(self.num_clusters - 1,),
            initializer=keras.initializers.Constant(edges_for(uniform)),
            trainable=False,
            name="edges",
        )

    def set_weights_from_prior(self, prior: Sequence[float]) -> None:
        """Sets the thresholds so that cluster c is drawn with prior[c]."""
        self.edges.assign(edges_for(prior).astype("float32"))

    def prior(self) -> np.ndarray:
        """The probability of each cluster under z[:, 0] ~ N(0, 1)."""
        cdf = [_NORMAL.cdf(float(t)) for t in self.edges.numpy()]
        return np.diff([0.0, *cdf, 1.0])

    def call(self, z):
        first = tf.cast(z[:, :1], self.edges.dtype)
        above = tf.cast(first > self.edges[None, :], tf.int32)
        return tf.reduce_sum(above, axis=1)

    def latents_for(self, z: tf.Tensor, clusters: tf.Tensor) -> tf.Tensor:
        """Moves z[:, 0] into each row's cluster, keeping its quantile.

        z[:, 0] ~ N(0, 1) has quantile u = Phi(z0); the new value is the
        same quantile of the cluster's interval, so rows drawn from N(0, I)
        become draws from N(0, I) given the cluster.
        """
        z = tf.convert_to_tensor(z)
        clusters = tf.cast(clusters, tf.int32)
        edges = tf.cast(self.edges, tf.float64)
        # float64: near 1, float32 cumulative probabilities round to 1.
        cdf = 0.5 * tf.math.erfc(-edges / np.sqrt(2.0))
        zero, one = tf.zeros([1], tf.float64), tf.ones([1], tf.float64)
        low = tf.gather(tf.concat([zero, cdf], 0), clusters)
        high = tf.gather(tf.concat([cdf, one], 0), clusters)
        u = 0.5 * tf.math.erfc(-tf.cast(z[:, 0], tf.float64) / np.sqrt(2.0))
        u = tf.clip_by_value(u, _TINY, 1.0 - _TINY)
        first = tf.cast(tf.math.ndtri(low + u * (high - low)), tf.float32)
        # Rounding must not carry a value across its interval's ends: the
        # interval is (t_{c-1}, t_c], compared in the thresholds' float32.
        edges = tf.cast(self.edges, tf.float32)
        infinity = tf.constant([np.inf], tf.float32)
        lower = tf.gather(tf.concat([-infinity, edges], 0), clusters)
        upper = tf.gather(tf.concat([edges, infinity], 0), clusters)
        first = tf.maximum(first, tf.math.nextafter(lower, upper))
        first = tf.minimum(first, upper)
        return tf.concat([tf.cast(first[:, None], z.dtype), z[:, 1:]], 1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],)

    def compute_output_spec(self, z):
        return keras.KerasTensor((z.shape[0],), dtype="int32")

    def get_config(self) -> dict:
        return {**super().get_config(), "num_clusters": self.num_clusters}


def clustered_dcgan(
    image_shape: Sequence[int] = (28, 28, 1),
    num_clusters: int = 25,
    *,
    latent_dim: int = 64,
    width: int = 64,
    spectral_norm: bool = False,
) -> tuple[keras.Model, keras.Model]:
    """Builds a cluster-conditioned DCGAN (generator, discriminator) pair.

    Args:
        image_shape: Image shape (side, side, channels), side 28, 32 or 64.
        num_clusters: K, the number of clusters, at least 2.
        latent_dim: Size of z; its first coordinate also picks the cluster.
        width: Channel multiplier shared by both networks.
        spectral_norm: Spectrally normalize the discriminator's body.

    Returns:
        ``(generator, discriminator)``: the generator maps z of shape
        (None, latent_dim) to images in [-1, 1] through a
        :class:`LatentCluster` layer named "latent_cluster"; the
        discriminator takes ``[image, cluster]`` (projection).

    Raises:
        TypeError, ValueError: For a wrong argument type or value.

    Example:
        >>> g, d = clustered_dcgan((28, 28, 1), 5, latent_dim=8, width=4)
        >>> g.input_shape, [tuple(t.shape) for t in d.inputs]
        ((None, 8), [(None, 28, 28, 1), (None,)])
    """
    num_clusters = check_int(num_clusters, "num_clusters", minimum=2)
    latent_dim = check_int(latent_dim, "latent_dim", minimum=1)
    core = conditional_dcgan_generator(
        image_shape, num_clusters, latent_dim=latent_dim, width=width
    )
    core = keras.Model(core.inputs, core.output, name="conditional_body")
    z = keras.Input(shape=(latent_dim,), name="latent")
    cluster = LatentCluster(num_clusters, name="latent_cluster")(z)
    generator = keras.Model(z, core([z, cluster]), name="generator")
    discriminator = conditional_dcgan_discriminator(
        image_shape,
        num_clusters,
        conditioning="projection",
        width=width,
        spectral_norm=spectral_norm,
    )
    return generator, discriminator
