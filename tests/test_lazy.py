"""The package's public names load on first use, in any import order."""

import subprocess
import sys

import pytest

# Modules that import the package's submodules by name while the package
# itself has loaded nothing: each must import first in a fresh process.
FIRST_IMPORTS = [
    "tfgan_lite.commands.checkpoints",
    "tfgan_lite.gans.gan",
    "tfgan_lite.callbacks",
    "tfgan_lite.interpolate",
]

_PROGRAM = """
import importlib, sys
import tfgan_lite
assert "keras" not in sys.modules
for name in sys.argv[1:]:
    importlib.import_module(name)
# A class loads every export, which registers the saved classes.
assert tfgan_lite.GAN.__name__ == "GAN"
import keras
assert keras.saving.get_registered_object("tfgan_lite>CycleGAN")
print("ok")
"""


@pytest.mark.slow
@pytest.mark.parametrize("module", FIRST_IMPORTS)
def test_a_module_imported_first_loads_without_an_import_cycle(module):
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM, module],
        capture_output=True,
        text=True,
        timeout=300,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": ""},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["ok"]


def test_private_names_load_nothing():
    import tfgan_lite

    with pytest.raises(AttributeError, match="no attribute '_nope'"):
        tfgan_lite._nope  # noqa: B018
