"""Tests for the CycleGAN presets: ResNet, U-Net, PatchGAN, instance norm."""

import keras
import numpy as np
import pytest

from tfgan_lite import models
from tfgan_lite.models import _image


def test_instance_norm_matches_numpy():
    x = np.random.default_rng(0).normal(2.0, 3.0, (2, 5, 6, 3))
    got = _image.instance_norm()(x.astype(np.float32)).numpy()
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(
        got, (x - mean) / np.sqrt(var + 1e-5), rtol=1e-4, atol=1e-5
    )


def test_patchgan_sees_70x70_patches():
    d = models.patchgan_discriminator((256, 256, 3))
    # Hand-computed from the paper's layer list, output to input:
    # k4 s1 -> 4, k4 s1 -> 7, k4 s2 -> 16, k4 s2 -> 34, k4 s2 -> 70.
    assert models.receptive_field(d) == 70
    assert d.output_shape == (None, 32, 32, 1)
    strides = [
        layer.strides[0]
        for layer in d.layers
        if isinstance(layer, keras.layers.Conv2D)
    ]
    assert strides == [2, 2, 2, 1, 1]


@pytest.mark.parametrize(
    "build, shape, kwargs",
    [
        (models.resnet_generator, (16, 16, 3), {"width": 4, "blocks": 2}),
        (models.resnet_generator, (12, 8, 1), {"width": 4, "blocks": 1}),
        (models.unet_generator, (32, 32, 3), {"width": 4}),
        (models.unet_generator, (16, 32, 1), {"width": 4, "depth": 3}),
    ],
)
def test_generators_keep_the_shape_and_stay_in_range(build, shape, kwargs):
    g = build(shape, **kwargs)
    assert g.input_shape == g.output_shape == (None, *shape)
    x = np.random.default_rng(2).uniform(-1, 1, (2, *shape))
    y = g(x.astype(np.float32)).numpy()
    assert y.shape == (2, *shape)
    assert np.all(np.abs(y) <= 1.0) and np.std(y) > 0


def test_resnet_layout_follows_the_paper():
    g = models.resnet_generator((32, 32, 3), width=8, blocks=3)
    convs = [
        (layer.filters, layer.kernel_size[0], layer.strides[0])
        for layer in g.layers
        if isinstance(
            layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)
        )
    ]
    # c7s1-8, d16, d32, R32 x 3 (two convs each), u16, u8, c7s1-3.
    assert convs == [
        (8, 7, 1),
        (16, 3, 2),
        (32, 3, 2),
        *[(32, 3, 1)] * 6,
        (16, 3, 2),
        (8, 3, 2),
        (3, 7, 1),
    ]


def test_presets_build_one_direction_and_save(tmp_path):
    g, d = models.get("resnet_cyclegan", image_shape=(8, 8, 1), width=2)
    assert d.input_shape == g.output_shape == (None, 8, 8, 1)
    g.save(tmp_path / "g.keras")
    loaded = keras.saving.load_model(tmp_path / "g.keras")
    x = np.random.default_rng(3).uniform(-1, 1, (1, 8, 8, 1))
    np.testing.assert_array_equal(loaded(x), g(x))
    g, d = models.get("unet_cyclegan", image_shape=(8, 8, 3), out_channels=1)
    assert g.output_shape == d.input_shape == (None, 8, 8, 1)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: models.resnet_generator((30, 32, 3)), ValueError, "by 4"),
        (lambda: models.resnet_generator((32, 32)), TypeError, "triple"),
        (
            lambda: models.resnet_generator((32, 32, 3), blocks=-1),
            ValueError,
            "`blocks` must be a non-negative int",
        ),
        (
            lambda: models.patchgan_discriminator((20, 20, 3)),
            ValueError,
            "divisible by 8",
        ),
        (
            lambda: models.unet_generator((48, 48, 3), depth=5),
            ValueError,
            "divisible by 32",
        ),
        (
            lambda: models.unet_generator((16, 16, 3), width=0),
            ValueError,
            "`width` must be a positive int",
        ),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
