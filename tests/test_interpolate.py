"""Tests for tfgan_lite.interpolate: latent and class walks."""

import keras
import numpy as np
import pytest

from tfgan_lite import GAN, ConditionalGAN, models
from tfgan_lite.interpolate import (
    interpolate,
    interpolate_classes,
    interpolate_latents,
)

LATENT = 6


def _pair(seed=0, scale=None):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((2, LATENT))
    if scale is not None:  # Equal norms.
        a, b = scale * a / np.linalg.norm(a), scale * b / np.linalg.norm(b)
    return a, b


def _slerp_reference(a, b, t):
    """Shoemake's formula in float64, one t at a time."""
    omega = np.arccos(np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b))
    return (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)


def test_linear_steps_are_even_and_endpoints_exact():
    a, b = _pair(1)
    z = interpolate_latents(a, b, steps=5, method="linear")
    assert z.shape == (5, LATENT) and z.dtype == np.float32
    np.testing.assert_array_equal(z[0], a.astype(np.float32))
    np.testing.assert_array_equal(z[-1], b.astype(np.float32))
    steps = np.diff(z.astype(np.float64), axis=0)
    np.testing.assert_allclose(steps, np.tile((b - a) / 4, (4, 1)), atol=1e-6)
    np.testing.assert_allclose(z[2], (a + b) / 2, atol=1e-6)


def test_slerp_matches_the_formula_and_keeps_norms():
    a, b = _pair(2, scale=3.0)
    z = interpolate_latents(a, b, steps=7)
    for i, t in enumerate(np.linspace(0, 1, 7)):
        np.testing.assert_allclose(z[i], _slerp_reference(a, b, t), atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(z, axis=1), 3.0, rtol=1e-6)
    # Linear interpolation shrinks the middle vector; slerp does not.
    middle = interpolate_latents(a, b, steps=3, method="linear")[1]
    assert np.linalg.norm(middle) < 3.0 * 0.99
    np.testing.assert_array_equal(z[0], a.astype(np.float32))
    np.testing.assert_array_equal(z[-1], b.astype(np.float32))
    # Equal angles between neighbours: a constant-speed walk.
    cos = [
        np.dot(z[i], z[i + 1]) / np.linalg.norm(z[i]) / np.linalg.norm(z[i + 1])
        for i in range(6)
    ]
    np.testing.assert_allclose(cos, cos[0], atol=1e-6)


def test_slerp_of_parallel_vectors_is_linear():
    a = np.array([1.0, 2.0, 0.0])
    z = interpolate_latents(a, 3 * a, steps=3)
    np.testing.assert_allclose(z[1], 2 * a, atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(z1=np.zeros(LATENT + 1)), ValueError, "same shape"),
        (dict(z0=np.zeros((2, LATENT))), ValueError, "one latent vector"),
        (dict(steps=1), ValueError, "steps"),
        (dict(steps=2.5), TypeError, "steps"),
        (dict(method="cubic"), ValueError, "method"),
        (dict(z0=np.full(LATENT, np.nan)), ValueError, "NaN"),
    ],
)
def test_bad_latent_input(kwargs, error, match):
    args = dict(z0=np.ones(LATENT), z1=np.zeros(LATENT), steps=4)
    args.update(kwargs)
    z0, z1 = args.pop("z0"), args.pop("z1")
    with pytest.raises(error, match=match):
        interpolate_latents(z0, z1, **args)


@pytest.fixture(scope="module")
def gan():
    return GAN(*models.mlp_2d(latent_dim=LATENT), seed=0)


@pytest.fixture(scope="module")
def cgan():
    keras.utils.set_random_seed(0)
    g, d = models.conditional_mlp(4, latent_dim=LATENT, hidden=8)
    return ConditionalGAN(g, d, num_classes=4, seed=0)


def test_images_are_the_generator_on_the_latents(gan):
    a, b = _pair(3)
    images = interpolate(gan, a, b, steps=4, method="linear")
    z = interpolate_latents(a, b, steps=4, method="linear")
    expected = gan.generator(z, training=False).numpy()
    np.testing.assert_allclose(images, expected, atol=1e-6)
    with pytest.raises(ValueError, match="latent_dim=6"):
        interpolate(gan, np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="no classes"):
        interpolate(gan, a, b, label=1)
    with pytest.raises(TypeError, match="tfgan_lite.GAN"):
        interpolate(gan.generator, a, b)


def test_conditional_latent_walk_needs_a_label(cgan):
    a, b = _pair(4)
    images = interpolate(cgan, a, b, steps=3, label=2)
    z = interpolate_latents(a, b, steps=3)
    expected = cgan.generator([z, np.full(3, 2)], training=False).numpy()
    np.testing.assert_allclose(images, expected, atol=1e-6)
    with pytest.raises(ValueError, match="needs `label`"):
        interpolate(cgan, a, b)


def test_class_walk_mixes_the_embeddings(cgan):
    z = np.random.default_rng(5).standard_normal(LATENT).astype(np.float32)
    images, how = interpolate_classes(cgan, 1, 3, steps=5, z=z)
    assert how == "embedding" and images.shape == (5, 2)
    ends = cgan.generator(
        [np.stack([z, z]), np.array([1, 3])], training=False
    ).numpy()
    np.testing.assert_allclose(images[0], ends[0], atol=1e-6)
    np.testing.assert_allclose(images[-1], ends[1], atol=1e-6)
    # The middle image is neither class's: the embeddings were mixed.
    embedding = cgan.generator.get_layer("label_embedding")
    e = embedding(np.array([1, 3])).numpy()
    rest = keras.Model(
        [cgan.generator.inputs[0], embedding.output], cgan.generator.output
    )
    middle = rest([z[None], (e[:1] + e[1:]) / 2], training=False).numpy()
    np.testing.assert_allclose(images[2], middle[0], atol=1e-6)
    assert np.abs(images[2] - ends).min(axis=1).max() > 1e-4


def test_class_walk_switches_without_an_embedding():
    keras.utils.set_random_seed(1)
    z_in = keras.Input((LATENT,))
    label = keras.Input((), dtype="int32")
    one_hot = keras.layers.CategoryEncoding(3, output_mode="one_hot")(label)
    h = keras.layers.Concatenate()([z_in, one_hot])
    g = keras.Model([z_in, label], keras.layers.Dense(2)(h))
    _, d = models.conditional_mlp(3, latent_dim=LATENT)
    model = ConditionalGAN(g, d, num_classes=3)
    z = np.ones(LATENT, np.float32)
    images, how = interpolate_classes(model, 0, 2, steps=4, z=z)
    assert how == "switch"
    expected = g([np.ones((4, LATENT)), np.array([0, 0, 2, 2])]).numpy()
    np.testing.assert_allclose(images, expected, atol=1e-6)


def test_bad_class_walks(gan, cgan):
    with pytest.raises(TypeError, match="ConditionalGAN"):
        interpolate_classes(gan, 0, 1)
    with pytest.raises(ValueError, match="class_b"):
        interpolate_classes(cgan, 0, 4)
    with pytest.raises(ValueError, match="steps"):
        interpolate_classes(cgan, 0, 1, steps=1)
    with pytest.raises(ValueError, match=r"shape \(6,\)"):
        interpolate_classes(cgan, 0, 1, z=np.zeros(3))
    # The default z is a seeded draw: the same seed, the same images.
    first, _ = interpolate_classes(cgan, 0, 1, steps=2, seed=3)
    again, _ = interpolate_classes(cgan, 0, 1, steps=2, seed=3)
    np.testing.assert_array_equal(first, again)
