"""Tests for tfgan_lite.conditional.ConditionalGAN and its presets."""

import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf
from mirrored_testutil import mirrored_result

from tfgan_lite import GAN, ConditionalGAN, _noise, models
from tfgan_lite.models.conditional import ClassMaps, conditional_mlp


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _linear_pair():
    """G(z, y) = a z + e[y] and D(x, y) = w x + v[y], scalars, no biases."""
    z = keras.Input((1,))
    y = keras.Input((), dtype="int32")
    e = keras.layers.Flatten()(keras.layers.Embedding(2, 1, name="e")(y))
    a_z = keras.layers.Dense(1, use_bias=False, name="a")(z)
    g = keras.Model([z, y], keras.layers.Add()([a_z, e]))
    x = keras.Input((1,))
    dy = keras.Input((), dtype="int32")
    v = keras.layers.Flatten()(keras.layers.Embedding(2, 1, name="v")(dy))
    w_x = keras.layers.Dense(1, use_bias=False, name="w")(x)
    d = keras.Model([x, dy], keras.layers.Add()([w_x, v]))
    g.get_layer("a").set_weights([np.array([[0.5]])])
    g.get_layer("e").set_weights([np.array([[-1.0], [2.0]])])
    d.get_layer("w").set_weights([np.array([[0.3]])])
    d.get_layer("v").set_weights([np.array([[0.2], [-0.4]])])
    return g, d


def test_one_step_matches_hand_computed_sgd_step():
    g, d = _linear_pair()
    gan = ConditionalGAN(g, d, num_classes=2, seed=7)
    lr = 0.1
    gan.compile(keras.optimizers.SGD(lr), keras.optimizers.SGD(lr))
    real = np.array([[1.0], [-2.0], [0.5], [3.0]], np.float32)
    y = np.array([0, 1, 1, 0])
    gan.fit(real, y, batch_size=4, epochs=1, verbose=0, shuffle=False)

    # Reference in float64 numpy: D step on noise draw 0, then G step on
    # noise draw 1 through the updated D (non-saturating loss).
    a, e, w, v = 0.5, np.array([-1.0, 2.0]), 0.3, np.array([0.2, -0.4])
    r = real[:, 0].astype(np.float64)
    z0 = _noise.normal((4, 1), [7, 0]).numpy()[:, 0].astype(np.float64)
    z1 = _noise.normal((4, 1), [7, 1]).numpy()[:, 0].astype(np.float64)
    fake = a * z0 + e[y]
    d_real, d_fake = w * r + v[y], w * fake + v[y]
    # d/dD of softplus(-D) is -sigmoid(-D); of softplus(D), sigmoid(D).
    g_real, g_fake = -_sigmoid(-d_real) / 4, _sigmoid(d_fake) / 4
    grad_w = np.sum(g_real * r) + np.sum(g_fake * fake)
    grad_v = np.array([np.sum((g_real + g_fake)[y == c]) for c in range(2)])
    w, v = w - lr * grad_w, v - lr * grad_v
    fake = a * z1 + e[y]
    g_out = -_sigmoid(-(w * fake + v[y])) / 4
    grad_a = np.sum(g_out * w * z1)
    grad_e = np.array([np.sum((g_out * w)[y == c]) for c in range(2)])
    a, e = a - lr * grad_a, e - lr * grad_e

    np.testing.assert_allclose(
        d.get_layer("w").get_weights()[0][0, 0], w, rtol=1e-5
    )
    np.testing.assert_allclose(
        d.get_layer("v").get_weights()[0][:, 0], v, rtol=1e-5
    )
    np.testing.assert_allclose(
        g.get_layer("a").get_weights()[0][0, 0], a, rtol=1e-5
    )
    np.testing.assert_allclose(
        g.get_layer("e").get_weights()[0][:, 0], e, rtol=1e-5
    )


def test_projection_discriminator_matches_numpy():
    d = models.conditional_dcgan_discriminator(
        (28, 28, 1), 3, conditioning="projection", width=4
    )
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (5, 28, 28, 1)).astype("float32")
    y = np.array([0, 1, 2, 1, 0], np.int32)
    # Random embeddings: Keras starts them small, which would hide errors.
    embed = rng.normal(
        size=d.get_layer("projection_embedding").get_weights()[0].shape
    )
    d.get_layer("projection_embedding").set_weights([embed])
    h = d.get_layer("body")(x).numpy().astype(np.float64)
    logit_layer = [layer for layer in d.layers if layer.name == "logit"][0]
    kernel, bias = logit_layer.get_weights()
    expected = h @ kernel[:, 0] + bias[0] + np.sum(embed[y] * h, axis=1)
    got = d([x, y]).numpy()[:, 0]
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_concat_discriminator_sees_one_hot_maps():
    d = models.conditional_dcgan_discriminator(
        (28, 28, 1), 3, conditioning="concat", width=4
    )
    x = np.zeros((2, 28, 28, 1), np.float32)
    y = np.array([0, 2], np.int32)
    maps = np.zeros((2, 28, 28, 4), np.float32)
    maps[0, ..., 1] = 1.0
    maps[1, ..., 3] = 1.0
    np.testing.assert_array_equal(ClassMaps(3)([x, y]).numpy(), maps)
    body = d.get_layer("body")
    logit_layer = [layer for layer in d.layers if layer.name == "logit"][0]
    expected = logit_layer(body(maps)).numpy()
    np.testing.assert_allclose(d([x, y]).numpy(), expected, rtol=1e-5)
    # The label changes the score.
    assert abs(float(expected[0, 0] - expected[1, 0])) > 1e-6


def _mixture(n_per_class, rng):
    angles = np.arange(4) * np.pi / 2
    modes = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    y = np.repeat(np.arange(4), n_per_class)
    x = modes[y] + 0.1 * rng.normal(size=(len(y), 2))
    return x.astype("float32"), y.astype("int32"), modes


def test_requested_class_lands_on_its_mode():
    rng = np.random.default_rng(0)
    x, y, modes = _mixture(256, rng)
    gan = ConditionalGAN(
        *conditional_mlp(4, latent_dim=2, hidden=16), num_classes=4, seed=0
    )
    gan.compile(
        keras.optimizers.Adam(5e-3, beta_1=0.5),
        keras.optimizers.Adam(5e-3, beta_1=0.5),
    )
    gan.fit(x, y, batch_size=64, epochs=20, verbose=0)
    labels = np.repeat(np.arange(4), 100)
    samples = gan.generate(400, labels=labels, seed=1)
    nearest = np.argmin(
        ((samples[:, None, :] - modes[None]) ** 2).sum(-1), axis=1
    )
    # Chance is 25%.
    assert np.mean(nearest == labels) > 0.9


def _tiny_cgan(aux=False, conditioning="projection"):
    g, d = models.conditional_dcgan_28(
        num_classes=3,
        latent_dim=4,
        width=4,
        conditioning=conditioning,
        aux_classifier=aux,
    )
    return ConditionalGAN(g, d, num_classes=3, seed=5)


@pytest.mark.parametrize("conditioning", ["projection", "concat"])
def test_save_and_reload_with_both_optimizers(tmp_path, conditioning):
    gan = _tiny_cgan(aux=True, conditioning=conditioning)
    gan.compile(aux_weight=0.5, r1_penalty=0.1)
    x = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1))
    history = gan.fit(
        x.astype("float32"), np.arange(8) % 3, batch_size=4, verbose=0
    )
    assert "class_loss" in history.history
    path = tmp_path / "cgan.keras"
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, ConditionalGAN)
    assert loaded.num_classes == 3 and loaded.aux_weight == 0.5
    labels = [0, 1, 2, 2]
    np.testing.assert_array_equal(
        loaded.generate(4, labels=labels, seed=3),
        gan.generate(4, labels=labels, seed=3),
    )
    for opt in ("g_optimizer", "d_optimizer"):
        ours, theirs = getattr(gan, opt), getattr(loaded, opt)
        assert int(theirs.iterations) == int(ours.iterations) == 2
        for a, b in zip(ours.variables, theirs.variables, strict=True):
            np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_aux_loss_matches_numpy_on_the_class_head():
    gan = _tiny_cgan(aux=True)
    gan.compile(aux_weight=2.0)
    x = np.random.default_rng(1).uniform(-1, 1, (4, 28, 28, 1))
    real = (tf.constant(x, tf.float32), tf.constant([0, 1, 2, 0]))
    z = gan._noise(4, training=False)
    out = gan._forward(real, z, need_d=True, need_g=True, training=False)
    fake = gan.generator([z, real[1]]).numpy()

    def ce(images):
        images = tf.constant(images, tf.float32)
        logits = gan.discriminator([images, real[1]])[1].numpy()
        logits = logits.astype(np.float64)
        log_p = logits - np.log(np.exp(logits).sum(1, keepdims=True))
        return -np.mean(log_p[np.arange(4), real[1].numpy()])

    np.testing.assert_allclose(out["class_loss"], ce(x) + ce(fake), rtol=1e-4)


@pytest.mark.slow
def test_mirrored_strategy_matches_single_device():
    result = mirrored_result("conditional_mirrored.py")
    assert result["replicas"] == 2
    assert result["weight_error"] < 1e-5, result
    for name in ("d_loss", "g_loss", "gradient_penalty", "r1_penalty"):
        assert result["mirrored"][name] == pytest.approx(
            result["single"][name], rel=1e-5, abs=1e-6
        )


def test_generate_labels_int_and_array():
    gan = _tiny_cgan()
    one = gan.generate(2, labels=1, seed=0)
    many = gan.generate(2, labels=np.array([1, 1]), seed=0)
    np.testing.assert_array_equal(one, many)
    other = gan.generate(2, labels=[2, 2], seed=0)
    assert np.abs(one - other).max() > 0


# -- bad input ---------------------------------------------------------------


@pytest.mark.parametrize(
    "labels, match",
    [
        (3, r"`labels` must be an int in \[0, 2\], got labels=3"),
        (-1, r"`labels` must be an int in \[0, 2\], got labels=-1"),
        ([0, 5], r"class ids in \[0, 2\], got labels\[1\]=5"),
        ([0, 1, 2], r"shape \(2,\), got shape \(3,\)"),
    ],
)
def test_generate_rejects_bad_labels(labels, match):
    with pytest.raises(ValueError, match=match):
        _tiny_cgan().generate(2, labels=labels)


def test_generate_rejects_float_labels():
    with pytest.raises(TypeError, match="array of ints"):
        _tiny_cgan().generate(2, labels=[0.0, 1.0])


def test_unconditional_gan_refuses_labels():
    gan = GAN(*models.mlp(latent_dim=2, hidden=4), seed=0)
    with pytest.raises(ValueError, match="unconditional.*`labels`"):
        gan.generate(2, labels=1)


def test_unconditional_gan_still_ignores_dataset_labels():
    gan = GAN(*models.mlp(latent_dim=2, hidden=4), seed=0)
    gan.compile()
    x = np.random.default_rng(0).normal(size=(8, 2)).astype("float32")
    data = tf.data.Dataset.from_tensor_slices((x, np.arange(8))).batch(4)
    assert np.isfinite(gan.fit(data, verbose=0).history["d_loss"][0])


def test_gan_refuses_conditional_generator():
    with pytest.raises(ValueError, match="use tfgan_lite.ConditionalGAN"):
        GAN(*models.conditional_dcgan_28(3, latent_dim=4, width=4))


def test_fit_without_labels_is_an_error():
    gan = _tiny_cgan()
    gan.compile()
    with pytest.raises(ValueError, match="has no labels"):
        gan.fit(np.zeros((4, 28, 28, 1), "float32"), batch_size=4, verbose=0)


def test_fit_with_out_of_range_labels_is_an_error():
    gan = _tiny_cgan()
    gan.compile()
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[0, 3\)"):
        gan.fit(
            np.zeros((4, 28, 28, 1), "float32"),
            np.array([0, 1, 2, 3]),
            batch_size=4,
            verbose=0,
        )


def test_fit_with_float_labels_is_an_error():
    gan = _tiny_cgan()
    gan.compile()
    with pytest.raises(TypeError, match="integer class labels"):
        gan.fit(
            np.zeros((4, 28, 28, 1), "float32"),
            np.zeros(4, "float32"),
            batch_size=4,
            verbose=0,
        )


def test_generator_embedding_must_match_num_classes():
    g, d = models.conditional_dcgan_28(3, latent_dim=4, width=4)
    with pytest.raises(ValueError, match="num_classes=4 but .* takes 3"):
        ConditionalGAN(g, d, num_classes=4)


def test_class_head_must_match_num_classes():
    g, _ = models.conditional_dcgan_28(3, latent_dim=4, width=4)
    d = models.conditional_dcgan_discriminator(
        (28, 28, 1), 5, width=4, aux_classifier=True
    )
    with pytest.raises(ValueError, match=r"class_logits of shape \(batch, 3\)"):
        ConditionalGAN(g, d, num_classes=3)


def test_unconditional_networks_are_refused():
    g, d = models.dcgan_28(latent_dim=4, width=4)
    with pytest.raises(ValueError, match="two inputs"):
        ConditionalGAN(g, d, num_classes=3)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"num_classes": 1}, ValueError),
        ({"num_classes": 2.0}, TypeError),
        ({"conditioning": "film"}, ValueError),
        ({"aux_classifier": 1}, TypeError),
        ({"image_shape": (30, 30, 1)}, ValueError),
    ],
)
def test_preset_rejects_bad_arguments(kwargs, error):
    args = {"image_shape": (28, 28, 1), "num_classes": 3, "width": 4}
    with pytest.raises(error):
        models.conditional_dcgan(**{**args, **kwargs})


def test_compile_rejects_negative_aux_weight():
    with pytest.raises(ValueError, match="aux_weight"):
        _tiny_cgan().compile(aux_weight=-1.0)


def test_preset_is_registered():
    g, d = models.get("conditional_dcgan_28", num_classes=4, width=4)
    assert d.get_layer("projection_embedding").input_dim == 4


@pytest.mark.parametrize("conditioning", ["projection", "concat"])
def test_discriminator_body_takes_one_image_tensor(conditioning):
    d = models.conditional_dcgan_discriminator(
        (28, 28, 1), 3, conditioning=conditioning, width=4
    )
    body = d.get_layer("body")
    x = np.zeros((2, *body.input.shape[1:]), np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        features = body(x)
    assert not [w for w in caught if "structure" in str(w.message)]
    assert features.shape == (2, body.output.shape[-1])
