"""Tests for tfgan_lite.models.clustered: LatentCluster and clustered_dcgan."""

import math

import keras
import numpy as np
import pytest

from tfgan_lite.models import LatentCluster, clustered_dcgan
from tfgan_lite.models.clustered import edges_for


def _phi(x):
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def test_edges_split_a_normal_coordinate_by_the_prior():
    prior = [0.1, 0.2, 0.3, 0.4]
    edges = edges_for(prior)
    # P(z <= t_j) is the cumulative prior, checked through erf.
    np.testing.assert_allclose(
        [_phi(t) for t in edges], [0.1, 0.3, 0.6], atol=1e-12
    )
    assert np.all(np.diff(edges) > 0)


def test_clusters_are_drawn_with_their_prior():
    layer = LatentCluster(4)
    prior = np.array([0.5, 0.05, 0.15, 0.3])
    layer.set_weights_from_prior(prior)
    np.testing.assert_allclose(layer.prior(), prior, atol=1e-6)
    n = 40_000
    z = np.random.default_rng(0).normal(size=(n, 3)).astype("float32")
    counts = np.bincount(layer(z).numpy(), minlength=4)
    # Four binomial standard deviations either side.
    sd = np.sqrt(n * prior * (1 - prior))
    assert np.all(np.abs(counts - n * prior) < 4 * sd), counts


def test_equal_prior_at_construction():
    layer = LatentCluster(4)
    np.testing.assert_allclose(layer.prior(), [0.25] * 4, atol=1e-6)
    z = np.array([[-2.0], [-0.1], [0.1], [2.0]], "float32")
    assert layer(z).numpy().tolist() == [0, 1, 2, 3]


def test_latents_for_lands_every_row_in_its_cluster():
    layer = LatentCluster(5)
    # Clusters of very different sizes, one of them far in the tail.
    layer.set_weights_from_prior([0.6, 0.2, 0.15, 0.049, 0.001])
    rng = np.random.default_rng(1)
    z = rng.normal(size=(5_000, 4)).astype("float32")
    # Extreme draws too, where float rounding is most likely to slip.
    z[:4, 0] = [-9.0, 9.0, 0.0, -1e-30]
    wanted = rng.integers(0, 5, size=len(z))
    moved = layer.latents_for(z, wanted).numpy()
    assert np.all(np.isfinite(moved))
    assert np.array_equal(layer(moved).numpy(), wanted)
    # Only the first coordinate moves.
    np.testing.assert_array_equal(moved[:, 1:], z[:, 1:])


def test_latents_for_keeps_the_quantile_within_the_cluster():
    layer = LatentCluster(3)
    prior = [0.2, 0.5, 0.3]
    layer.set_weights_from_prior(prior)
    z = np.random.default_rng(2).normal(size=(20_000, 2)).astype("float32")
    moved = layer.latents_for(z, np.ones(len(z), "int64")).numpy()
    # Phi(z0') = 0.2 + 0.5 * Phi(z0): uniform on [0.2, 0.7].
    u = np.array([_phi(float(v)) for v in moved[:, 0]])
    expected = 0.2 + 0.5 * np.array([_phi(float(v)) for v in z[:, 0]])
    np.testing.assert_allclose(u, expected, atol=1e-5)
    assert 0.44 < u.mean() < 0.46


def test_layer_and_pair_survive_save_and_load(tmp_path):
    g, _ = clustered_dcgan((28, 28, 1), 3, latent_dim=8, width=4)
    g.get_layer("latent_cluster").set_weights_from_prior([0.7, 0.2, 0.1])
    path = tmp_path / "g.keras"
    g.save(path)
    loaded = keras.models.load_model(path)
    layer = loaded.get_layer("latent_cluster")
    assert isinstance(layer, LatentCluster)
    np.testing.assert_allclose(layer.prior(), [0.7, 0.2, 0.1], atol=1e-6)
    z = np.random.default_rng(0).normal(size=(4, 8)).astype("float32")
    np.testing.assert_allclose(loaded(z), g(z), atol=1e-6)


def test_pair_shapes():
    g, d = clustered_dcgan((32, 32, 3), 4, latent_dim=8, width=4)
    assert g.input_shape == (None, 8)
    assert g.output_shape == (None, 32, 32, 3)
    assert [tuple(t.shape) for t in d.inputs] == [(None, 32, 32, 3), (None,)]
    assert d.output_shape == (None, 1)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"num_clusters": 1}, ValueError),
        ({"num_clusters": 2.5}, TypeError),
        ({"latent_dim": 0}, ValueError),
        ({"image_shape": (30, 30, 1)}, ValueError),
    ],
)
def test_pair_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        clustered_dcgan(**{"latent_dim": 8, "width": 4, **kwargs})


def test_layer_rejects_one_cluster():
    with pytest.raises(ValueError, match="num_clusters"):
        LatentCluster(1)
