"""Every public name is importable and documented; every example runs."""

import doctest
import importlib
import pkgutil

import pytest

import tfgan_lite
import tfgan_lite.export


def _modules(package) -> list[str]:
    names = [package.__name__]
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        names.append(info.name)
    return names


ALL_MODULES = sorted(
    set(_modules(tfgan_lite)) | set(_modules(tfgan_lite.export))
)
# A module is public when no part of its dotted name starts with "_".
MODULES = [
    name
    for name in ALL_MODULES
    if not any(part.startswith("_") for part in name.split("."))
]


def test_every_public_module_is_listed():
    # The walk must reach every package, the export package included.
    for name in (
        "tfgan_lite",
        "tfgan_lite.augment",
        "tfgan_lite.callbacks",
        "tfgan_lite.data",
        "tfgan_lite.export",
        "tfgan_lite.export.cli",
        "tfgan_lite.gans",
        "tfgan_lite.gans.gan",
        "tfgan_lite.losses",
        "tfgan_lite.models",
        "tfgan_lite.penalties",
        "tfgan_lite.train",
    ):
        assert name in MODULES


@pytest.mark.parametrize("module_name", MODULES)
def test_all_names_exist_and_have_docstrings(module_name):
    module = importlib.import_module(module_name)
    assert module.__doc__ and module.__doc__.strip(), module_name
    # A package may hold only modules (tfgan_lite.commands); a module must
    # name what it offers.
    assert module.__all__ or hasattr(module, "__path__"), module_name
    assert isinstance(module.__all__, list), module_name
    assert len(set(module.__all__)) == len(module.__all__), module_name
    for name in module.__all__:
        obj = getattr(module, name)
        assert not name.startswith("_"), f"{module_name}.{name}"
        if callable(obj) or isinstance(obj, type(tfgan_lite)):
            assert obj.__doc__ and obj.__doc__.strip(), f"{module_name}.{name}"


def test_top_level_surface():
    assert sorted(tfgan_lite.__all__) == [
        "ClusteredGAN",
        "ConditionalGAN",
        "CycleGAN",
        "GAN",
        "InfoGAN",
        "augment",
        "auxiliary_losses",
        "callbacks",
        "data",
        "export",
        "interpolate",
        "losses",
        "metrics",
        "models",
        "penalties",
    ]
    assert tfgan_lite.GAN.__module__ == "tfgan_lite.gans.gan"


@pytest.mark.parametrize(
    "module_name", [m for m in ALL_MODULES if not m.endswith("__main__")]
)
def test_docstring_examples_run(module_name):
    module = importlib.import_module(module_name)
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    finder = doctest.DocTestFinder(exclude_empty=True)
    for test in finder.find(module, module_name):
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, f"{results.failed} examples failed"
