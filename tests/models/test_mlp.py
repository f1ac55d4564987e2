"""Tests for tfgan_lite.models.mlp."""

import doctest
import importlib
import re

import keras
import numpy as np
import pytest

from tfgan_lite.models import mlp, mlp_2d, mlp_discriminator, mlp_generator

BATCH = 3

# Keras' own weight saving trips this NumPy 2 warning; it is not ours.
_KERAS_ARRAY_WARNING = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword"
    ":DeprecationWarning"
)


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(0)


def _normal(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _dense_layers(model):
    return [la for la in model.layers if isinstance(la, keras.layers.Dense)]


def _expected_params(data_dim, latent_dim, hidden, depth):
    """Hand count of weights + biases for the generator/discriminator."""
    between_hidden = (depth - 1) * (hidden * hidden + hidden)
    generator = (
        latent_dim * hidden
        + hidden
        + between_hidden
        + hidden * data_dim
        + data_dim
    )
    discriminator = data_dim * hidden + hidden + between_hidden + hidden + 1
    return generator, discriminator


def test_defaults():
    g, d = mlp()
    assert g.input_shape == (None, 8)
    assert g.output_shape == (None, 2)
    assert d.input_shape == (None, 2)
    assert d.output_shape == (None, 1)
    assert g.name == "generator"
    assert d.name == "discriminator"
    # 8*128+128 + 2*(128*128+128) + 128*2+2 and 2*128+128 + ... + 128+1.
    assert g.count_params() == 34434
    assert d.count_params() == 33537


@pytest.mark.parametrize(
    "data_dim, latent_dim, hidden, depth",
    [(2, 8, 128, 3), (2, 4, 16, 1), (3, 5, 7, 2), (2, 2, 32, 4)],
)
def test_parameter_count_matches_hand_formula(
    data_dim, latent_dim, hidden, depth
):
    g, d = mlp(
        data_dim=data_dim, latent_dim=latent_dim, hidden=hidden, depth=depth
    )
    expected_g, expected_d = _expected_params(
        data_dim, latent_dim, hidden, depth
    )
    assert g.count_params() == expected_g
    assert d.count_params() == expected_d
    assert len(_dense_layers(g)) == depth + 1
    assert len(_dense_layers(d)) == depth + 1


@pytest.mark.parametrize("data_dim, latent_dim", [(2, 8), (5, 3)])
def test_shapes_and_dtypes(data_dim, latent_dim):
    g, d = mlp(data_dim=data_dim, latent_dim=latent_dim, hidden=16, depth=2)
    points = keras.ops.convert_to_numpy(g(_normal((BATCH, latent_dim))))
    assert points.shape == (BATCH, data_dim)
    assert points.dtype == np.float32
    assert points.std() > 0.0
    logits = keras.ops.convert_to_numpy(d(points))
    assert logits.shape == (BATCH, 1)
    assert logits.dtype == np.float32


def test_layer_activations():
    g, d = mlp(hidden=16, depth=3)
    g_dense = _dense_layers(g)
    assert all(la.activation is keras.activations.relu for la in g_dense[:-1])
    assert g_dense[-1].activation is keras.activations.linear
    d_dense = _dense_layers(d)
    assert all(la.activation is keras.activations.linear for la in d_dense)
    slopes = [
        la.negative_slope
        for la in d.layers
        if isinstance(la, keras.layers.LeakyReLU)
    ]
    np.testing.assert_allclose(slopes, [0.2] * 3, rtol=0, atol=1e-7)
    for model in (g, d):
        assert not any(
            isinstance(la, keras.layers.BatchNormalization)
            for la in model.layers
        )


@pytest.mark.parametrize("which", ["generator", "discriminator"])
def test_outputs_are_unbounded(which):
    g, d = mlp(hidden=16, depth=2)
    model = g if which == "generator" else d
    width = model.output_shape[-1]
    last = model.layers[-1]
    kernel, _ = last.get_weights()
    last.set_weights([np.zeros_like(kernel), np.full((width,), 7.5, "float32")])
    out = keras.ops.convert_to_numpy(
        model(_normal((BATCH, model.input_shape[-1])))
    )
    # tanh or sigmoid on the output would cap this at 1.
    np.testing.assert_allclose(out, 7.5, rtol=0, atol=1e-6)


def test_discriminator_leaky_relu_passes_negative_values():
    d = mlp_discriminator(data_dim=1, hidden=1, depth=1)
    one, zero = np.ones((1, 1), "float32"), np.zeros((1,), "float32")
    d.get_layer("hidden_1").set_weights([one, zero])
    d.get_layer("logit").set_weights([one, zero])
    x = np.array([[-2.0], [3.0]], "float32")
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(d(x)), [[-0.4], [3.0]], rtol=1e-6, atol=0
    )


def test_mlp_2d_preset():
    g, d = mlp_2d(latent_dim=3, hidden=8, depth=1)
    assert g.input_shape == (None, 3)
    assert g.output_shape == (None, 2)
    assert d.input_shape == (None, 2)


@_KERAS_ARRAY_WARNING
def test_round_trip(tmp_path):
    g, d = mlp(latent_dim=4, hidden=16, depth=2)
    for model, x in ((g, _normal((BATCH, 4))), (d, _normal((BATCH, 2)))):
        expected = keras.ops.convert_to_numpy(model(x))

        clone = keras.Model.from_config(model.get_config())
        clone.set_weights(model.get_weights())
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(clone(x)), expected, rtol=0, atol=1e-6
        )

        path = tmp_path / f"{model.name}.keras"
        model.save(path)
        loaded = keras.saving.load_model(path)
        assert loaded.name == model.name
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(loaded(x)), expected, rtol=0, atol=1e-6
        )


@pytest.mark.parametrize("name", ["data_dim", "latent_dim", "hidden", "depth"])
@pytest.mark.parametrize(
    "value, error, shown",
    [
        (0, ValueError, "=0"),
        (-1, ValueError, "=-1"),
        (False, TypeError, "False"),
        (1.5, TypeError, "1.5"),
        ("2", TypeError, "'2'"),
    ],
)
def test_bad_arguments(name, value, error, shown):
    with pytest.raises(error, match=re.escape(shown)) as info:
        mlp(**{name: value})
    assert f"`{name}`" in str(info.value)


@pytest.mark.parametrize("name", ["data_dim", "hidden", "depth"])
def test_discriminator_bad_arguments(name):
    with pytest.raises(ValueError, match=re.escape(f"{name}=0")):
        mlp_discriminator(**{name: 0})


def test_arguments_are_keyword_only():
    with pytest.raises(TypeError):
        mlp(2)
    with pytest.raises(TypeError):
        mlp_generator(2)


def test_docstring_examples():
    module = importlib.import_module("tfgan_lite.models.mlp")
    result = doctest.testmod(module)
    assert result.attempted >= 4
    assert result.failed == 0
