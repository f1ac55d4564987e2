"""Pack and MinibatchStdDev: golden outputs, errors, saving, training."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite
from tfgan_lite import models
from tfgan_lite.models import layers


def test_pack_concatenates_consecutive_points():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    out = layers.Pack(3)(x).numpy()
    want = np.stack([np.concatenate(x[i : i + 3]) for i in (0, 3)])
    np.testing.assert_array_equal(out, want)


def test_pack_stacks_images_along_channels():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 5, 3, 2)).astype(np.float32)
    out = layers.Pack(2)(x).numpy()
    assert out.shape == (2, 5, 3, 4)
    for p in range(2):
        want = np.concatenate([x[2 * p], x[2 * p + 1]], axis=-1)
        np.testing.assert_array_equal(out[p], want)


def test_pack_of_one_is_the_identity_and_shapes_are_static():
    x = np.ones((3, 2), np.float32)
    np.testing.assert_array_equal(layers.Pack(1)(x), x)
    symbolic = layers.Pack(4)(keras.Input((28, 28, 1)))
    assert tuple(symbolic.shape) == (None, 28, 28, 4)


def test_pack_refuses_a_batch_that_does_not_split():
    with pytest.raises(tf.errors.InvalidArgumentError, match="divisible by 4"):
        layers.Pack(4)(np.zeros((6, 2), np.float32))


def _reference_stddev(x, group):
    """Per group: mean over features of the population std over samples."""
    out = []
    for start in range(0, len(x), group):
        block = x[start : start + group].astype(np.float64)
        stat = np.sqrt(block.var(axis=0) + 1e-8).mean()
        extra = np.full(block.shape[:-1] + (1,), stat)
        out.append(np.concatenate([block, extra], axis=-1))
    return np.concatenate(out)


@pytest.mark.parametrize("shape", [(8, 3), (8, 4, 4, 2)])
@pytest.mark.parametrize("group", [None, 2, 4])
def test_minibatch_stddev_matches_numpy(shape, group):
    x = np.random.default_rng(1).normal(size=shape).astype(np.float32)
    out = layers.MinibatchStdDev(group)(x).numpy()
    want = _reference_stddev(x, group or len(x))
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)


def test_minibatch_stddev_is_small_for_a_collapsed_batch():
    collapsed = np.ones((8, 3), np.float32)
    varied = np.random.default_rng(2).normal(size=(8, 3)).astype(np.float32)
    low = layers.MinibatchStdDev()(collapsed).numpy()[0, -1]
    high = layers.MinibatchStdDev()(varied).numpy()[0, -1]
    assert low == pytest.approx(1e-4, rel=1e-3) and high > 0.5


@pytest.mark.parametrize(
    "make,error,message",
    [
        (lambda: layers.Pack(0), ValueError, "positive int, got pack=0"),
        (lambda: layers.Pack(True), TypeError, "pack"),
        (lambda: layers.Pack(2.0), TypeError, "got 2.0 of type float"),
        (lambda: layers.MinibatchStdDev(0), ValueError, "group_size=0"),
        (lambda: layers.MinibatchStdDev(epsilon=-1.0), ValueError, "epsilon"),
        (lambda: models.mlp(pack=0), ValueError, "pack=0"),
        (lambda: models.dcgan_28(pack=-1), ValueError, "pack=-1"),
        (
            lambda: models.mlp_discriminator(minibatch_stddev=1),
            TypeError,
            "minibatch_stddev",
        ),
    ],
)
def test_bad_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_packed_discriminators_save_and_reload(tmp_path):
    d = models.dcgan_discriminator(
        (28, 28, 1), width=4, pack=2, minibatch_stddev=True
    )
    x = np.random.default_rng(3).uniform(-1, 1, (4, 28, 28, 1))
    path = tmp_path / "d.keras"
    d.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.get_layer("pack").pack == 2
    np.testing.assert_allclose(loaded(x), d(x), rtol=1e-6)
    assert d(x).shape == (2, 1)


def test_gan_trains_with_a_packed_minibatch_stddev_discriminator():
    g, d = models.mlp(
        latent_dim=4, hidden=16, depth=2, pack=4, minibatch_stddev=True
    )
    gan = tfgan_lite.GAN(g, d, seed=0)
    gan.compile(d_steps=2)
    points = np.random.default_rng(4).normal(size=(64, 2)).astype("float32")
    history = gan.fit(points, batch_size=16, epochs=2, verbose=0)
    assert np.isfinite(history.history["d_loss"]).all()
    # 64 points in batches of 16: 4 steps an epoch, 2 D updates each.
    assert int(gan.d_optimizer.iterations) == 16
    # Each D update sees 8 points: 2 packs of 4.
    with pytest.raises(tf.errors.InvalidArgumentError, match="divisible"):
        gan.fit(points[:12], batch_size=12, epochs=1, verbose=0)
