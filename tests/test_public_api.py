"""Every public name is importable and documented."""

import importlib

import pytest

import tfgan_lite

MODULES = [
    "tfgan_lite",
    "tfgan_lite.callbacks",
    "tfgan_lite.data",
    "tfgan_lite.losses",
    "tfgan_lite.penalties",
]


@pytest.mark.parametrize("module_name", MODULES + ["tfgan_lite.models"])
def test_all_names_exist_and_have_docstrings(module_name):
    module = importlib.import_module(module_name)
    assert module.__all__, module_name
    for name in module.__all__:
        obj = getattr(module, name)
        if callable(obj) or isinstance(obj, type(tfgan_lite)):
            assert obj.__doc__ and obj.__doc__.strip(), f"{module_name}.{name}"


def test_top_level_surface():
    assert sorted(tfgan_lite.__all__) == [
        "GAN",
        "callbacks",
        "data",
        "losses",
        "models",
        "penalties",
    ]
    assert tfgan_lite.GAN.__module__ == "tfgan_lite.gan"
