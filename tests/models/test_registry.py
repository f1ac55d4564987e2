"""Tests for tfgan_lite.models.registry and the package exports."""

import doctest
import importlib
import re

import keras
import pytest

import tfgan_lite.models as models
from tfgan_lite.models import PRESETS, get

KNOWN = [
    "conditional_dcgan_28",
    "dcgan_28",
    "dcgan_32",
    "dcgan_64",
    "mlp_2d",
    "resnet_cyclegan",
    "unet_cyclegan",
]


def test_preset_names():
    assert sorted(PRESETS) == KNOWN


@pytest.mark.parametrize(
    "name, kwargs, data_shape",
    [
        ("dcgan_28", {"width": 4}, (28, 28, 1)),
        ("dcgan_32", {"width": 4}, (32, 32, 3)),
        ("dcgan_64", {"width": 4}, (64, 64, 3)),
        ("mlp_2d", {"hidden": 8}, (2,)),
    ],
)
def test_get_builds_matching_pair(name, kwargs, data_shape):
    g, d = get(name, **kwargs)
    assert isinstance(g, keras.Model)
    assert isinstance(d, keras.Model)
    assert g.output_shape == (None, *data_shape)
    assert d.input_shape == (None, *data_shape)
    assert d.output_shape == (None, 1)


def test_get_dcgan_32_default_shapes():
    g, d = get("dcgan_32")
    assert g.input_shape == (None, 128)
    assert g.output_shape == (None, 32, 32, 3)
    assert d.input_shape == (None, 32, 32, 3)
    assert d.output_shape == (None, 1)


def test_kwargs_pass_through():
    g, _ = get("dcgan_32", latent_dim=16, width=4)
    assert g.input_shape == (None, 16)
    # width=4 -> 4x4x16 base map for 32x32 images.
    assert g.get_layer("reshape").output.shape == (None, 4, 4, 16)

    _, d = get("dcgan_28", width=4, spectral_norm=True)
    wrapped = [
        la
        for la in d.layers
        if isinstance(la, keras.layers.SpectralNormalization)
    ]
    # Three convolutions (28 -> 14 -> 7 -> 4) and the logit.
    assert len(wrapped) == 4

    g, d = get("mlp_2d", latent_dim=3, hidden=5, depth=1)
    assert g.input_shape == (None, 3)
    assert g.count_params() == 3 * 5 + 5 + 5 * 2 + 2
    assert d.count_params() == 2 * 5 + 5 + 5 + 1


def test_each_call_builds_new_models():
    g1, _ = get("mlp_2d", hidden=4)
    g2, _ = get("mlp_2d", hidden=4)
    assert g1 is not g2


def test_bad_kwargs_reach_the_builder():
    with pytest.raises(ValueError, match=re.escape("width=0")):
        get("dcgan_28", width=0)
    with pytest.raises(TypeError, match="spectral_norm"):
        get("mlp_2d", spectral_norm=True)


@pytest.mark.parametrize("name", ["dcgan", "DCGAN_28", "mlp", "", "dcgan_128"])
def test_unknown_name_lists_known_names(name):
    with pytest.raises(ValueError, match=re.escape(repr(name))) as info:
        get(name)
    for known in KNOWN:
        assert repr(known) in str(info.value)


def test_unknown_name_suggests_close_match():
    with pytest.raises(ValueError, match=re.escape("Did you mean 'dcgan_32'")):
        get("dcgan32")


@pytest.mark.parametrize("name", [32, None, b"dcgan_28", ("dcgan_28",)])
def test_non_str_name_is_type_error(name):
    with pytest.raises(TypeError, match=re.escape(repr(name))) as info:
        get(name)
    assert "dcgan_28" in str(info.value).split("Known presets:")[1]


def test_presets_are_read_only():
    with pytest.raises(TypeError):
        PRESETS["mine"] = get  # type: ignore[index]
    assert "mine" not in PRESETS


def test_package_exports():
    assert sorted(models.__all__) == sorted(set(models.__all__))
    for name in models.__all__:
        assert hasattr(models, name), name
    assert set(KNOWN) <= set(PRESETS)
    assert callable(models.get)


def test_docstring_examples():
    module = importlib.import_module("tfgan_lite.models.registry")
    result = doctest.testmod(module)
    assert result.attempted >= 2
    assert result.failed == 0
