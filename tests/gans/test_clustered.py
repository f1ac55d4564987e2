"""Tests for tfgan_lite.clustered.ClusteredGAN and the k-means behind it."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from mirrored_testutil import mirrored_result

from tfgan_lite import GAN, ClusteredGAN, models
from tfgan_lite.gans._kmeans import kmeans
from tfgan_lite.models import LatentCluster


def _groups(sizes=(12, 8, 4), side=28, seed=0):
    """Images of constant grey levels -0.8, 0 and 0.8 plus small noise."""
    rng = np.random.default_rng(seed)
    levels = np.repeat([-0.8, 0.0, 0.8][: len(sizes)], sizes)
    images = levels[:, None, None, None] + rng.normal(
        0, 0.02, (len(levels), side, side, 1)
    )
    group = np.repeat(np.arange(len(sizes)), sizes)
    order = rng.permutation(len(levels))
    return images[order].astype("float32"), group[order]


def _image_gan(k=3, **kwargs):
    g, d = models.clustered_dcgan((28, 28, 1), k, latent_dim=8, width=4)
    return ClusteredGAN(g, d, num_clusters=k, seed=0, **kwargs)


def _one_hot_pair(k=3):
    """G(z) = one-hot of z's cluster (fixed); D(x, c) = v[c], no x."""
    z = keras.Input((2,))
    cluster = LatentCluster(k, name="latent_cluster")(z)
    g = keras.Model(z, keras.ops.one_hot(cluster, k))
    x = keras.Input((k,))
    c = keras.Input((), dtype="int32")
    v = keras.layers.Embedding(k, 1, name="v")(c)
    # x * 0 keeps x an input of the graph without changing the logit.
    logit = keras.layers.Add()(
        [keras.layers.Flatten()(v), keras.ops.sum(x * 0.0, 1, keepdims=True)]
    )
    return g, keras.Model([x, c], logit)


# -- k-means ---------------------------------------------------------------


def test_kmeans_finds_the_optimum_of_a_small_example():
    x = np.array([[0.0], [1.0], [10.0], [11.0], [20.0], [21.0]])
    centers, assignment = kmeans(x, 3, seed=0)
    np.testing.assert_allclose(np.sort(centers[:, 0]), [0.5, 10.5, 20.5])
    assert len(set(assignment[::2])) == 3
    assert np.array_equal(assignment[::2], assignment[1::2])


def test_kmeans_is_deterministic_for_a_seed():
    x = np.random.default_rng(0).normal(size=(300, 5))
    a = kmeans(x, 7, seed=3)
    b = kmeans(x, 7, seed=3)
    np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_array_equal(a[0], b[0])


def test_kmeans_needs_enough_distinct_samples():
    x = np.array([[1.0, 2.0]] * 10 + [[3.0, 4.0]] * 10)
    with pytest.raises(ValueError, match="3 clusters from 2 distinct"):
        kmeans(x, 3)


# -- clustering the data ---------------------------------------------------


def test_adapt_recovers_separated_groups_and_their_shares():
    # Groups of grey levels: pixels tell them apart, gradients do not.
    images, group = _groups()
    gan = _image_gan(features="pixels")
    prior = gan.adapt(images)
    assigned = gan.assign(images).numpy()
    # Each cluster is exactly one group (ids are k-means' own).
    mapping = {g: set(assigned[group == g]) for g in range(3)}
    assert all(len(ids) == 1 for ids in mapping.values())
    assert len(set.union(*mapping.values())) == 3
    shares = {mapping[g].pop(): n / 24 for g, n in enumerate((12, 8, 4))}
    np.testing.assert_allclose(prior, [shares[c] for c in range(3)])
    np.testing.assert_allclose(gan.cluster_prior(), prior, atol=1e-6)
    assert int(gan.clusters_ready.numpy()) == 1


def test_adapt_reads_datasets_of_pairs_up_to_max_samples():
    images, _ = _groups()
    ds = tf.data.Dataset.from_tensor_slices((images, np.zeros(24))).batch(5)
    gan = _image_gan(features="pixels")
    gan.adapt(ds, max_samples=24)
    reference = _image_gan(features="pixels")
    reference.adapt(images)
    np.testing.assert_allclose(
        gan.cluster_centers.numpy(), reference.cluster_centers.numpy()
    )
    # The first 7 images alone: each share is a whole number of sevenths.
    prior = gan.adapt(ds, max_samples=7)
    np.testing.assert_allclose(prior * 7, np.round(prior * 7), atol=1e-9)


def test_fit_clusters_once_and_keeps_the_clusters():
    images, _ = _groups()
    gan = _image_gan()
    gan.compile()
    gan.fit(images, batch_size=8, epochs=1, verbose=0)
    centers = gan.cluster_centers.numpy()
    assert int(gan.clusters_ready.numpy()) == 1
    # Other data in a second fit must not re-cluster.
    other = np.random.default_rng(5).uniform(-1, 1, (24, 28, 28, 1))
    gan.fit(other.astype("float32"), batch_size=8, epochs=1, verbose=0)
    np.testing.assert_array_equal(gan.cluster_centers.numpy(), centers)


@pytest.mark.parametrize("shape", [(28, 28, 1), (32, 32, 3), (64, 64, 3)])
def test_cluster_features_are_tf_area_resizes(shape):
    # Written as two matrix products, which XLA compiles; the same numbers
    # as tf.image.resize(method="area"), which XLA has no kernel for.
    g, d = models.clustered_dcgan(shape, 3, latent_dim=8, width=4)
    gan = ClusteredGAN(g, d, num_clusters=3, seed=0, features="pixels")
    x = np.random.default_rng(1).uniform(-1, 1, (4, *shape)).astype("float32")
    side = (min(shape[0], 14), min(shape[1], 14))
    want = tf.image.resize(x, side, method="area").numpy().reshape(4, -1)
    np.testing.assert_allclose(gan.cluster_features(x), want, atol=3e-6)


def _reference_hog(images, cells=7, bins=9, epsilon=1e-3):
    """HOG written out in numpy loops, pixel by pixel, for comparison."""
    n, h, w, _ = images.shape
    gray = images.mean(-1).astype(np.float64)
    out = []
    for image in gray:
        padded = np.pad(image, 1, mode="edge")
        histogram = np.zeros((h, w, bins))
        for y in range(h):
            for x in range(w):
                dx = (padded[y + 1, x + 2] - padded[y + 1, x]) / 2
                dy = (padded[y + 2, x + 1] - padded[y, x + 1]) / 2
                angle = np.arctan2(dy, dx) % np.pi
                position = angle / np.pi * bins
                low = int(np.floor(position)) % bins
                share = position - np.floor(position)
                magnitude = np.hypot(dx, dy)
                histogram[y, x, low] += magnitude * (1 - share)
                histogram[y, x, (low + 1) % bins] += magnitude * share
        # Cell sums over fractional cells: tf.image.resize's area average
        # times the cell's area in pixels.
        cell = tf.image.resize(
            histogram[None], (cells, cells), method="area"
        ).numpy()[0] * (h * w / cells**2)
        blocks = []
        for i in range(cells - 1):
            for j in range(cells - 1):
                block = cell[i : i + 2, j : j + 2]
                # concat order: (0, 0), (0, 1), (1, 0), (1, 1) per position
                block = np.concatenate(
                    [block[0, 0], block[0, 1], block[1, 0], block[1, 1]]
                )
                blocks.append(block / np.sqrt((block**2).sum() + epsilon**2))
        flat = np.stack(blocks).reshape(-1)
        out.append(flat / np.linalg.norm(flat))
    return np.stack(out)


@pytest.mark.parametrize("shape", [(28, 28, 1), (32, 32, 3)])
def test_hog_features_match_a_numpy_reference(shape):
    g, d = models.clustered_dcgan(shape, 3, latent_dim=8, width=4)
    gan = ClusteredGAN(g, d, num_clusters=3, seed=0)
    assert gan.features == "hog"
    x = np.random.default_rng(2).uniform(-1, 1, (3, *shape)).astype("float32")
    got = gan.cluster_features(x).numpy()
    assert got.shape == (3, 6 * 6 * 4 * 9)
    np.testing.assert_allclose(got, _reference_hog(x), atol=2e-5)


def _stripes(count=30, side=28, seed=0):
    """Stripes of three orientations on random grey levels."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[:side, :side].astype("float32")
    waves = [np.sin(y), np.sin(x), np.sin((x + y) / np.sqrt(2))]
    group = rng.integers(0, 3, count)
    level = rng.choice([-0.6, 0.0, 0.6], count)
    images = level[:, None, None] + 0.2 * np.stack([waves[g] for g in group])
    return images[..., None].astype("float32"), group


@pytest.mark.parametrize(
    "features, one_group_each", [("hog", True), ("pixels", False)]
)
def test_hog_clusters_shapes_whatever_their_brightness(
    features, one_group_each
):
    images, group = _stripes()
    gan = _image_gan(features=features)
    gan.adapt(images)
    assigned = gan.assign(images).numpy()
    pure = all(len(set(group[assigned == c])) == 1 for c in set(assigned))
    # Pixels group the images by grey level instead, mixing orientations.
    assert pure is one_group_each


def test_features_default_by_sample_shape():
    assert _image_gan().features == "hog"
    g, d = _one_hot_pair()
    assert ClusteredGAN(g, d, num_clusters=3).features == "pixels"


def test_features_are_refused_where_they_do_not_apply():
    g, d = _one_hot_pair()
    with pytest.raises(ValueError, match='needs images.*features="pixels"'):
        ClusteredGAN(g, d, num_clusters=3, features="hog")
    with pytest.raises(ValueError, match="'pixels', 'hog'"):
        _image_gan(features="edges")
    with pytest.raises(TypeError, match="features"):
        _image_gan(features=1)


def test_hog_names_itself_when_images_differ_only_in_brightness():
    images = np.repeat([-0.5, 0.0, 0.5], 4)[:, None, None, None]
    images = np.broadcast_to(images, (12, 28, 28, 1)).astype("float32")
    with pytest.raises(ValueError, match='1 distinct.*features="pixels"'):
        _image_gan().adapt(images)
    assert np.unique(_image_gan(features="pixels").adapt(images)).size == 1


def test_a_clustered_gan_trains_under_xla():
    images, _ = _groups()
    gan = _image_gan()
    gan.compile(jit_compile=True)
    history = gan.fit(images, batch_size=8, epochs=1, verbose=0).history
    assert gan.jit_compile is True
    assert np.isfinite(history["d_loss"]).all()


def test_real_and_fake_batches_are_scored_with_the_real_clusters():
    g, d = _one_hot_pair()
    d.get_layer("v").set_weights([np.array([[-1.0], [0.5], [2.0]])])
    # Three separated groups of points in R^3, 2 + 1 + 1 of them.
    x = np.array([[0, 0, 0], [0, 0, 0.01], [5, 5, 5], [-5, 5, -5]], "float32")
    gan = ClusteredGAN(g, d, num_clusters=3, seed=0)
    gan.adapt(x)
    clusters = gan.assign(x).numpy()
    v = np.array([-1.0, 0.5, 2.0])
    expected = np.mean(1 / (1 + np.exp(-v[clusters])))
    gan.compile(keras.optimizers.SGD(1e-9), keras.optimizers.SGD(1e-9))
    history = gan.fit(x, batch_size=4, epochs=1, verbose=0, shuffle=False)
    np.testing.assert_allclose(history.history["d_real"], [expected], rtol=1e-5)
    # The fakes were drawn for the same clusters, so D scores them alike.
    np.testing.assert_allclose(history.history["d_fake"], [expected], rtol=1e-5)


def test_generate_follows_the_prior_or_the_requested_cluster():
    g, d = _one_hot_pair()
    x = np.array(
        [[0, 0, 0]] * 6 + [[5, 5, 5]] * 3 + [[-5, 5, -5]] * 1, "float32"
    )
    x = x + np.random.default_rng(0).normal(0, 0.01, x.shape).astype("float32")
    gan = ClusteredGAN(g, d, num_clusters=3, seed=0)
    prior = gan.adapt(x)
    np.testing.assert_allclose(np.sort(prior), [0.1, 0.3, 0.6])
    n = 20_000
    shares = gan.generate(n, seed=1).mean(0)
    assert np.all(np.abs(shares - prior) < 4 * np.sqrt(prior * (1 - prior) / n))
    for c in range(3):
        samples = gan.generate(50, labels=c, seed=2)
        assert np.all(samples.argmax(1) == c)


def test_save_and_load_keeps_clusters_prior_and_samples(tmp_path):
    images, _ = _groups()
    gan = _image_gan(ema=True)
    gan.compile()
    gan.fit(images, batch_size=8, epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, ClusteredGAN) and isinstance(loaded, GAN)
    assert int(loaded.clusters_ready.numpy()) == 1
    np.testing.assert_array_equal(
        loaded.cluster_centers.numpy(), gan.cluster_centers.numpy()
    )
    np.testing.assert_allclose(loaded.cluster_prior(), gan.cluster_prior())
    np.testing.assert_allclose(
        loaded.generate(4, seed=0), gan.generate(4, seed=0), atol=1e-6
    )
    np.testing.assert_array_equal(
        loaded.assign(images).numpy(), gan.assign(images).numpy()
    )
    assert loaded.features == gan.features == "hog"


@pytest.mark.slow
def test_mirrored_strategy_matches_single_device():
    result = mirrored_result("clustered_mirrored.py")
    assert result["replicas"] == 2
    # Same clusters, steps, batches and seeds: the same weights.
    assert result["weight_error"] < 1e-5, result
    for name in ("d_loss", "g_loss", "gradient_penalty", "r1_penalty"):
        assert result["mirrored"][name] == pytest.approx(
            result["single"][name], rel=1e-5, abs=1e-6
        )


# -- refusals ----------------------------------------------------------------


def test_generator_without_latent_cluster_is_refused():
    g, _ = models.dcgan_28(latent_dim=8, width=4)
    _, d = models.clustered_dcgan((28, 28, 1), 3, latent_dim=8, width=4)
    with pytest.raises(ValueError, match="LatentCluster layer of 3"):
        ClusteredGAN(g, d, num_clusters=3)


def test_cluster_count_must_match_the_generator():
    g, d = models.clustered_dcgan((28, 28, 1), 3, latent_dim=8, width=4)
    with pytest.raises(ValueError, match="found: 3"):
        ClusteredGAN(g, d, num_clusters=4)


def test_discriminator_must_take_the_cluster():
    g, _ = models.clustered_dcgan((28, 28, 1), 3, latent_dim=8, width=4)
    _, d = models.dcgan_28(latent_dim=8, width=4)
    with pytest.raises(ValueError, match=r"takes \[samples, cluster ids\]"):
        ClusteredGAN(g, d, num_clusters=3)


def test_discriminator_must_return_one_logit_per_sample():
    g, _ = models.clustered_dcgan((28, 28, 1), 3, latent_dim=8, width=4)
    d = models.conditional_dcgan_discriminator(
        (28, 28, 1), 3, width=4, aux_classifier=True
    )
    with pytest.raises(ValueError, match=r"one logit per sample.*\(None, 3\)"):
        ClusteredGAN(g, d, num_clusters=3)


def test_adapt_refuses_bad_samples():
    gan = _image_gan()
    images, _ = _groups()
    bad = images.copy()
    bad[3, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        gan.adapt(bad)
    with pytest.raises(TypeError, match="floating-point"):
        gan.adapt((images * 100).astype("int32"))
    with pytest.raises(ValueError, match="shape"):
        gan.adapt(images[:, :14, :14])
    with pytest.raises(ValueError, match="3 clusters from 1 distinct"):
        gan.adapt(np.zeros((10, 28, 28, 1), "float32"))
    with pytest.raises(ValueError, match="max_samples"):
        gan.adapt(images, max_samples=0)
    assert int(gan.clusters_ready.numpy()) == 0


@pytest.mark.slow
def test_fit_on_an_unreadable_source_asks_for_adapt():
    gan = _image_gan()
    gan.compile()
    images, _ = _groups()

    def batches():
        while True:
            yield images[:8]

    with pytest.raises(ValueError, match=r"Call gan.adapt\(samples\) first"):
        gan.fit(batches(), steps_per_epoch=1, verbose=0)


@pytest.mark.parametrize("labels", [3, [0, 1, 5, 0], -1])
def test_generate_refuses_clusters_out_of_range(labels):
    gan = _image_gan()
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        gan.generate(4, labels=labels)
