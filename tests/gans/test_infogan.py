"""Tests for tfgan_lite.infogan.InfoGAN and the auxiliary losses."""

import keras
import numpy as np
import pytest

from tfgan_lite import InfoGAN, auxiliary_losses
from tfgan_lite.models.infogan import infogan_dcgan


def _log_softmax(x):
    x = np.asarray(x, np.float64)
    return x - np.log(np.exp(x).sum(1, keepdims=True))


def test_mutual_information_loss_matches_numpy():
    rng = np.random.default_rng(0)
    q = rng.normal(size=(5, 3 + 2 + 2))
    codes = np.stack(
        [rng.integers(0, 3, 5), rng.integers(0, 2, 5)], axis=1
    ).astype(np.float64)
    cont = rng.uniform(-1, 1, (5, 2))
    got = auxiliary_losses.mutual_information_loss(
        q.astype("float32"),
        np.concatenate([codes, cont], 1).astype("float32"),
        categorical=(3, 2),
        continuous=2,
    )
    rows = np.arange(5)
    expected = (
        -np.mean(_log_softmax(q[:, :3])[rows, codes[:, 0].astype(int)])
        - np.mean(_log_softmax(q[:, 3:5])[rows, codes[:, 1].astype(int)])
        + np.mean(0.5 * np.sum((cont - q[:, 5:]) ** 2, axis=1))
    )
    np.testing.assert_allclose(float(got), expected, rtol=1e-5)


def test_auxiliary_classifier_losses_match_numpy():
    rng = np.random.default_rng(1)
    real, fake = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    y_real, y_fake = np.array([0, 2, 1, 1]), np.array([2, 2, 0, 1])
    rows = np.arange(4)
    ce_real = -np.mean(_log_softmax(real)[rows, y_real])
    ce_fake = -np.mean(_log_softmax(fake)[rows, y_fake])
    g = auxiliary_losses.auxiliary_classifier_generator_loss(
        fake.astype("float32"), y_fake
    )
    d = auxiliary_losses.auxiliary_classifier_discriminator_loss(
        real.astype("float32"), y_real, fake.astype("float32"), y_fake
    )
    np.testing.assert_allclose(float(g), ce_fake, rtol=1e-5)
    np.testing.assert_allclose(float(d), ce_real + ce_fake, rtol=1e-5)


def _tiny(**kwargs):
    g, d = infogan_dcgan(noise_dim=4, categorical=(3,), continuous=1, width=4)
    return InfoGAN(g, d, categorical=(3,), continuous=1, seed=0, **kwargs)


def test_info_loss_is_reported_and_matches_numpy():
    gan = _tiny()
    gan.compile(info_weight=0.5)
    z = gan._noise(6, training=False)
    codes = gan.codes(z).numpy()
    # Codes: one-hot over 3 values, continuous in [-1, 1].
    np.testing.assert_array_equal(
        z.numpy()[:, 4:7], np.eye(3)[codes[:, 0].astype(int)]
    )
    assert np.all(np.abs(codes[:, 1]) <= 1)
    real = np.zeros((6, 28, 28, 1), "float32")
    out = gan._forward(real, z, need_d=True, need_g=True, training=False)
    q = gan.discriminator(gan.generator(z))[1].numpy()
    rows = np.arange(6)
    expected = -np.mean(
        _log_softmax(q[:, :3])[rows, codes[:, 0].astype(int)]
    ) + np.mean(0.5 * (codes[:, 1] - q[:, 3]) ** 2)
    np.testing.assert_allclose(float(out["info_loss"]), expected, rtol=1e-4)


def test_fit_save_and_reload(tmp_path):
    gan = _tiny()
    gan.compile(info_weight=2.0)
    history = gan.fit(
        np.zeros((8, 28, 28, 1), "float32"), batch_size=4, verbose=0
    )
    assert np.isfinite(history.history["info_loss"][0])
    gan.save(tmp_path / "info.keras")
    loaded = keras.models.load_model(tmp_path / "info.keras")
    assert isinstance(loaded, InfoGAN) and loaded.info_weight == 2.0
    assert loaded.categorical == (3,) and loaded.continuous == 1
    np.testing.assert_array_equal(
        loaded.generate(3, seed=1), gan.generate(3, seed=1)
    )
    assert int(loaded.d_optimizer.iterations) == 2


def test_latents_fix_the_category():
    z = _tiny().latents(4, category=2, seed=0).numpy()
    np.testing.assert_array_equal(z[:, 4:7], np.tile([0.0, 0.0, 1.0], (4, 1)))


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda gan: gan.latents(2, category=3), ValueError),
        (lambda gan: gan.latents(0), ValueError),
        (lambda gan: gan.compile(info_weight=-1.0), ValueError),
        (lambda gan: gan.generate(2, labels=1), ValueError),
    ],
)
def test_bad_calls(call, error):
    with pytest.raises(error):
        call(_tiny())


def test_codes_must_fit_and_q_must_match():
    g, d = infogan_dcgan(noise_dim=4, categorical=(3,), continuous=1, width=4)
    with pytest.raises(ValueError, match=r"Q must output \(batch, 5\)"):
        InfoGAN(g, d, categorical=(3,), continuous=2, latent_dim=8)
    with pytest.raises(ValueError, match="latent_dim is 8"):
        InfoGAN(g, d, categorical=(9,), continuous=1)
    with pytest.raises(ValueError, match="categorical"):
        InfoGAN(g, d, categorical=(1,), continuous=1)
