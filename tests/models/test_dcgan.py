"""Tests for tfgan_lite.models.dcgan."""

import doctest
import importlib
import re

import keras
import numpy as np
import pytest

from tfgan_lite.models import (
    SUPPORTED_IMAGE_SHAPES,
    dcgan,
    dcgan_28,
    dcgan_32,
    dcgan_64,
    dcgan_discriminator,
    dcgan_generator,
)

LATENT = 16
WIDTH = 8
BATCH = 3

# (builder, image shape, base map side, number of stride-2 stages)
PRESETS = [
    pytest.param(dcgan_28, (28, 28, 1), 7, 2, id="dcgan_28"),
    pytest.param(dcgan_32, (32, 32, 3), 4, 3, id="dcgan_32"),
    pytest.param(dcgan_64, (64, 64, 3), 4, 4, id="dcgan_64"),
]
# Discriminator stages (down to a 4x4 map) and their kernel sizes, by
# image side: 28 -> 14 -> 7 -> 4 halves the odd 7x7 map with a 3x3 kernel.
D_KERNELS = {28: [4, 4, 3], 32: [4, 4, 4], 64: [4, 4, 4, 4]}
SHAPES = [
    pytest.param((28, 28, 1), id="28"),
    pytest.param((32, 32, 3), id="32"),
    pytest.param((64, 64, 3), id="64"),
]


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(0)


def _noise(n=BATCH, dim=LATENT, seed=0):
    return np.random.default_rng(seed).normal(size=(n, dim)).astype("float32")


def _images(shape, n=BATCH, seed=1):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.0, 1.0, size=(n, *shape)).astype("float32")


def _layers_of(model, cls):
    return [layer for layer in model.layers if isinstance(layer, cls)]


def _unwrap(layer):
    if isinstance(layer, keras.layers.SpectralNormalization):
        return layer.layer
    return layer


# --------------------------------------------------------------- shapes


@pytest.mark.parametrize("builder, shape, base, stages", PRESETS)
def test_preset_shapes_dtypes_and_range(builder, shape, base, stages):
    g, d = builder(latent_dim=LATENT, width=WIDTH)
    assert g.name == "generator"
    assert d.name == "discriminator"
    assert g.input_shape == (None, LATENT)
    assert g.output_shape == (None, *shape)
    assert d.input_shape == (None, *shape)
    assert d.output_shape == (None, 1)

    for training in (False, True):
        images = keras.ops.convert_to_numpy(g(_noise(), training=training))
        assert images.shape == (BATCH, *shape)
        assert images.dtype == np.float32
        assert images.min() >= -1.0
        assert images.max() <= 1.0
        assert images.std() > 0.0
        # Different noise vectors must give different images.
        assert np.abs(images[0] - images[1]).max() > 0.0

        logits = keras.ops.convert_to_numpy(d(images, training=training))
        assert logits.shape == (BATCH, 1)
        assert logits.dtype == np.float32
        assert np.all(np.isfinite(logits))


@pytest.mark.parametrize("builder, shape, base, stages", PRESETS)
def test_generator_layout(builder, shape, base, stages):
    g, _ = builder(latent_dim=LATENT, width=WIDTH)
    top = WIDTH * 2 ** (stages - 1)
    assert g.get_layer("reshape").output.shape == (None, base, base, top)

    project = g.get_layer("project")
    assert not project.use_bias

    ups = _layers_of(g, keras.layers.Conv2DTranspose)
    # Channels halve at each stage, down to WIDTH / 2 at full resolution.
    expected = [top // 2**i for i in range(1, stages + 1)]
    assert [layer.filters for layer in ups] == expected
    assert expected[-1] == WIDTH // 2
    assert all(layer.strides == (2, 2) for layer in ups)
    assert not any(layer.use_bias for layer in ups)
    # Each stage is refined by a 3x3 convolution; another emits the image.
    convs = [
        layer
        for layer in _layers_of(g, keras.layers.Conv2D)
        if not isinstance(layer, keras.layers.Conv2DTranspose)
    ]
    assert [layer.filters for layer in convs] == expected + [shape[-1]]
    assert all(layer.kernel_size == (3, 3) for layer in convs)
    assert all(layer.strides == (1, 1) for layer in convs)
    assert [layer.use_bias for layer in convs] == [False] * stages + [True]
    assert convs[-1].name == "to_image"
    assert convs[-1].activation is keras.activations.tanh
    assert g.get_layer(f"refine_{stages}").output.shape[1:3] == shape[:2]
    assert len(_layers_of(g, keras.layers.BatchNormalization)) == (
        2 * stages + 1
    )


@pytest.mark.parametrize("builder, shape, base, stages", PRESETS)
def test_discriminator_layout(builder, shape, base, stages):
    _, d = builder(latent_dim=LATENT, width=WIDTH)
    kernels = D_KERNELS[shape[0]]
    d_stages = len(kernels)
    convs = _layers_of(d, keras.layers.Conv2D)
    assert [c.filters for c in convs] == [WIDTH * 2**i for i in range(d_stages)]
    assert [c.kernel_size for c in convs] == [(k, k) for k in kernels]
    assert all(c.strides == (2, 2) for c in convs)
    # The last convolution sees a 4x4 map before the logit.
    assert d.get_layer("flatten").input.shape[1:3] == (4, 4)
    slopes = [
        layer.negative_slope for layer in _layers_of(d, keras.layers.LeakyReLU)
    ]
    np.testing.assert_allclose(slopes, [0.2] * d_stages, rtol=0, atol=1e-7)
    assert _layers_of(d, keras.layers.BatchNormalization) == []


def test_default_width_matches_paper_scale():
    g, d = dcgan((64, 64, 3))
    assert g.input_shape == (None, 128)
    assert g.get_layer("reshape").output.shape == (None, 4, 4, 512)
    assert [c.filters for c in _layers_of(d, keras.layers.Conv2D)] == [
        64,
        128,
        256,
        512,
    ]


# ------------------------------------------------------- output ranges


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("bias", [50.0, -50.0])
def test_generator_output_saturates_at_tanh_bounds(shape, bias):
    g = dcgan_generator(shape, latent_dim=LATENT, width=WIDTH)
    last = g.get_layer("to_image")
    kernel, _ = last.get_weights()
    last.set_weights([kernel, np.full((shape[-1],), bias, "float32")])
    images = keras.ops.convert_to_numpy(g(_noise() * 100.0, training=True))
    np.testing.assert_allclose(images, np.sign(bias), rtol=0, atol=1e-6)


@pytest.mark.parametrize("spectral_norm", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_discriminator_returns_raw_logits(shape, spectral_norm):
    d = dcgan_discriminator(shape, width=WIDTH, spectral_norm=spectral_norm)
    last = d.layers[-1]
    assert _unwrap(last).activation is keras.activations.linear
    dense = _unwrap(last)
    kernel, _ = dense.get_weights()
    dense.set_weights([np.zeros_like(kernel), np.array([5.0], "float32")])
    for training in (False, True):
        logits = keras.ops.convert_to_numpy(
            d(_images(shape), training=training)
        )
        # A sigmoid would cap this at 1.
        np.testing.assert_allclose(logits, 5.0, rtol=0, atol=1e-6)
        assert logits.shape == (BATCH, 1)


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_discriminator_scores_each_sample_independently(spectral_norm):
    # Needed for per-sample gradient penalties: no cross-batch statistics.
    d = dcgan_discriminator(
        (32, 32, 3), width=WIDTH, spectral_norm=spectral_norm
    )
    x = _images((32, 32, 3), n=4)
    batch = keras.ops.convert_to_numpy(d(x, training=False))
    single = keras.ops.convert_to_numpy(d(x[:1], training=False))
    np.testing.assert_allclose(single, batch[:1], rtol=1e-5, atol=1e-6)
    assert np.ptp(batch) > 0.0


# ----------------------------------------------------- spectral norm


@pytest.mark.parametrize("builder, shape, base, stages", PRESETS)
def test_spectral_norm_wraps_every_conv_and_dense(builder, shape, base, stages):
    _, d = builder(latent_dim=LATENT, width=WIDTH, spectral_norm=True)
    wrappers = _layers_of(d, keras.layers.SpectralNormalization)
    bare = _layers_of(d, (keras.layers.Conv2D, keras.layers.Dense))
    assert bare == []
    inner = [type(w.layer) for w in wrappers]
    d_stages = len(D_KERNELS[shape[0]])
    assert inner == [keras.layers.Conv2D] * d_stages + [keras.layers.Dense]
    logits = d(_images(shape), training=True)
    assert tuple(logits.shape) == (BATCH, 1)


@pytest.mark.parametrize("builder, shape, base, stages", PRESETS)
def test_no_spectral_norm_by_default(builder, shape, base, stages):
    g, d = builder(latent_dim=LATENT, width=WIDTH)
    assert _layers_of(d, keras.layers.SpectralNormalization) == []
    assert _layers_of(g, keras.layers.SpectralNormalization) == []
    bare = _layers_of(d, (keras.layers.Conv2D, keras.layers.Dense))
    assert len(bare) == len(D_KERNELS[shape[0]]) + 1
    logits = d(_images(shape), training=False)
    assert tuple(logits.shape) == (BATCH, 1)


def _top_singular_value(kernel):
    matrix = np.reshape(kernel, (-1, kernel.shape[-1]))
    return np.linalg.svd(matrix, compute_uv=False)[0]


def test_spectral_norm_drives_kernel_norms_to_one():
    d = dcgan_discriminator((28, 28, 1), width=WIDTH, spectral_norm=True)
    wrappers = _layers_of(d, keras.layers.SpectralNormalization)
    before = [_top_singular_value(w.layer.kernel.numpy()) for w in wrappers]
    # N(0, 0.02) kernels start well below norm 1.
    assert max(before) < 0.9
    x = _images((28, 28, 1))
    for _ in range(40):  # power iterations converge across calls
        d(x, training=True)
    after = [_top_singular_value(w.layer.kernel.numpy()) for w in wrappers]
    np.testing.assert_allclose(after, 1.0, rtol=0.02)


# -------------------------------------------------------- round trips

# Keras' own weight saving trips this NumPy 2 warning; it is not ours.
_KERAS_ARRAY_WARNING = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword"
    ":DeprecationWarning"
)


def _assert_same_outputs(a, b, x, training=False):
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(a(x, training=training)),
        keras.ops.convert_to_numpy(b(x, training=training)),
        rtol=0,
        atol=1e-6,
    )


@pytest.mark.parametrize("spectral_norm", [False, True])
@pytest.mark.parametrize("builder, shape, base, stages", PRESETS)
def test_config_round_trip(builder, shape, base, stages, spectral_norm):
    g, d = builder(latent_dim=LATENT, width=WIDTH, spectral_norm=spectral_norm)
    for model, x in ((g, _noise()), (d, _images(shape))):
        clone = keras.Model.from_config(model.get_config())
        assert clone.name == model.name
        assert clone.input_shape == model.input_shape
        assert clone.output_shape == model.output_shape
        assert [type(la) for la in clone.layers] == [
            type(la) for la in model.layers
        ]
        clone.set_weights(model.get_weights())
        _assert_same_outputs(model, clone, x)


@_KERAS_ARRAY_WARNING
@pytest.mark.parametrize("spectral_norm", [False, True])
@pytest.mark.parametrize("builder, shape, base, stages", PRESETS)
def test_keras_file_round_trip(
    tmp_path, builder, shape, base, stages, spectral_norm
):
    g, d = builder(latent_dim=LATENT, width=WIDTH, spectral_norm=spectral_norm)
    x = _images(shape)
    # Move the SN power-iteration state and BN statistics off their
    # initial values so the test covers non-trainable weights too.
    d(x, training=True)
    g(_noise(), training=True)
    for model, inputs in ((g, _noise()), (d, x)):
        path = tmp_path / f"{model.name}.keras"
        model.save(path)
        loaded = keras.saving.load_model(path)
        assert loaded.name == model.name
        assert loaded.output_shape == model.output_shape
        _assert_same_outputs(model, loaded, inputs)
        # training=True runs the SN update, which reads the saved vector_u.
        _assert_same_outputs(model, loaded, inputs, training=True)


# --------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "image_shape",
    [(28, 28), (28, 32, 1), (64, 64, 3, 1), (128, 128, 3), (32, 32, 0)],
)
def test_unsupported_image_shape_lists_supported(image_shape):
    with pytest.raises(ValueError, match=re.escape(str(image_shape))) as info:
        dcgan(image_shape)
    for supported in SUPPORTED_IMAGE_SHAPES:
        assert str(supported) in str(info.value)


@pytest.mark.parametrize("image_shape", [(28, 28, 3), (32, 32, 1), (64, 64, 4)])
def test_any_channel_count_at_supported_sides(image_shape):
    g, d = dcgan(image_shape, latent_dim=4, width=4)
    assert g.output_shape == (None, *image_shape)
    assert d.input_shape == (None, *image_shape)
    assert d(g(np.zeros((2, 4), "float32"))).shape == (2, 1)


@pytest.mark.parametrize(
    "image_shape, shown",
    [
        ("28x28", "'28x28'"),
        (28, "28"),
        (None, "None"),
        ((28.0, 28, 1), "28.0"),
        ((28, 28, True), "True"),
    ],
)
def test_image_shape_of_wrong_type(image_shape, shown):
    for build in (dcgan, dcgan_generator, dcgan_discriminator):
        with pytest.raises(TypeError, match=re.escape(shown)):
            build(image_shape)


def test_image_shape_accepts_list_and_numpy_ints():
    g, d = dcgan([np.int64(32), 32, 3], latent_dim=np.int64(4), width=4)
    assert g.output_shape == (None, 32, 32, 3)
    assert d.input_shape == (None, 32, 32, 3)
    assert g.input_shape == (None, 4)


@pytest.mark.parametrize("name", ["latent_dim", "width"])
@pytest.mark.parametrize(
    "value, error, shown",
    [
        (0, ValueError, "=0"),
        (-4, ValueError, "=-4"),
        (True, TypeError, "True"),
        (2.5, TypeError, "2.5"),
        (8.0, TypeError, "8.0"),
        ("8", TypeError, "'8'"),
        (None, TypeError, "None"),
    ],
)
def test_bad_size_arguments(name, value, error, shown):
    with pytest.raises(error, match=re.escape(shown)) as info:
        dcgan((28, 28, 1), **{name: value})
    assert f"`{name}`" in str(info.value)


@pytest.mark.parametrize("value", [1, 0, "yes", None, np.bool_(True)])
def test_spectral_norm_must_be_bool(value):
    for build in (dcgan, dcgan_discriminator):
        with pytest.raises(TypeError, match="spectral_norm") as info:
            build((28, 28, 1), spectral_norm=value)
        assert repr(value) in str(info.value)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        dcgan((28, 28, 1), 16)
    with pytest.raises(TypeError):
        dcgan_generator((28, 28, 1), 16)
    with pytest.raises(TypeError):
        dcgan_28((32, 32, 3))


def test_generator_rejects_spectral_norm_argument():
    with pytest.raises(TypeError, match="spectral_norm"):
        dcgan_generator((28, 28, 1), spectral_norm=True)


def test_docstring_examples():
    module = importlib.import_module("tfgan_lite.models.dcgan")
    result = doctest.testmod(module)
    assert result.attempted >= 5
    assert result.failed == 0


def test_width_one_keeps_one_channel_at_full_resolution():
    g = dcgan_generator((28, 28, 1), latent_dim=LATENT, width=1)
    assert g.get_layer("up_2").filters == 1
    assert g.get_layer("refine_2").filters == 1
    images = keras.ops.convert_to_numpy(g(_noise(), training=False))
    assert images.shape == (BATCH, 28, 28, 1)
    assert np.all(np.isfinite(images))
