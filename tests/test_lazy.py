"""The package's public names load on first use, in any import order."""

import os
import subprocess
import sys
import types

import pytest

# Modules that import the package's submodules by name while the package
# itself has loaded nothing: each must import first.
FIRST_IMPORTS = [
    "tfgan_lite.commands.checkpoints",
    "tfgan_lite.gans.gan",
    "tfgan_lite.callbacks",
    "tfgan_lite.interpolate",
]

# One process for all of them: before each, every tfgan_lite module is
# dropped from sys.modules, so the package loads from nothing again, as in
# a fresh process, while TensorFlow and Keras (which never import the
# package) load once.
_PROGRAM = """
import importlib, sys
for i, name in enumerate(sys.argv[1:]):
    for loaded in [m for m in sys.modules if m.split(".")[0] == "tfgan_lite"]:
        del sys.modules[loaded]
    import tfgan_lite
    if i == 0:
        assert "keras" not in sys.modules
    importlib.import_module(name)
    # A class loads every export, which registers the saved classes.
    assert tfgan_lite.GAN.__name__ == "GAN"
    import keras
    registered = keras.saving.get_registered_object("tfgan_lite>CycleGAN")
    assert registered is tfgan_lite.CycleGAN
    print("ok", name)
"""


def _first_imports(*modules):
    return subprocess.run(
        [sys.executable, "-c", _PROGRAM, *modules],
        capture_output=True,
        text=True,
        timeout=300,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": ""},
    )


@pytest.mark.slow
def test_each_module_imported_first_loads_without_an_import_cycle():
    done = _first_imports(*FIRST_IMPORTS)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines() == [f"ok {m}" for m in FIRST_IMPORTS]


def test_private_names_load_nothing():
    import tfgan_lite

    with pytest.raises(AttributeError, match="no attribute '_nope'"):
        tfgan_lite._nope  # noqa: B018


_START_UP = (
    "WARNING: All log messages before absl::InitializeLog() is called are "
    "written to STDERR\n"
    "I0000 00:00:1.0  1 port.cc:153] oneDNN custom operations are on.\n"
    "I0000 00:00:1.0  1 cpu_feature_guard.cc:227] This TensorFlow binary is "
    "optimized.\n"
    "To enable the following instructions: AVX2 FMA, rebuild TensorFlow.\n"
    "W0000 00:00:1.0  1 port.cc:1] a warning-level line.\n"
    "/x.py:1: DeprecationWarning: a Python warning stays.\n"
    "the program's own line\n"
)
_CUINIT = "E0000 00:00:1.0  1 cuda_platform.cc:52] failed call to cuInit\n"


@pytest.mark.parametrize(
    "level, shown",
    [
        # Unset: every TensorFlow line of the start is held back.
        (None, []),
        # The program's own level applies: errors and warnings through.
        ("1", ["W0000", _CUINIT.split()[0]]),
        ("2", [_CUINIT.split()[0]]),
    ],
)
def test_a_lazy_load_holds_back_tensorflows_start_up_lines(
    level, shown, monkeypatch, capfd
):
    from tfgan_lite import _lazy

    def list_physical_devices():
        # TensorFlow writes the cuInit line when it first lists devices.
        os.write(2, _CUINIT.encode())
        return []

    fake = types.ModuleType("tensorflow")
    fake.config = types.SimpleNamespace(
        list_physical_devices=list_physical_devices
    )
    monkeypatch.delitem(sys.modules, "tensorflow")
    if level is None:
        monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    else:
        monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", level)
    capfd.readouterr()
    with _lazy._quiet_tensorflow_start():
        os.write(2, _START_UP.encode())
        monkeypatch.setitem(sys.modules, "tensorflow", fake)
    err = capfd.readouterr().err.splitlines()
    absl = [line.split()[0] for line in err if line[1:5] == "0000"]
    assert absl == shown
    assert [line for line in err if line[1:5] != "0000"] == [
        "/x.py:1: DeprecationWarning: a Python warning stays.",
        "the program's own line",
    ]
    # The program's TensorFlow log level is left as it was.
    assert os.environ.get("TF_CPP_MIN_LOG_LEVEL") == level


def test_nothing_is_held_when_tensorflow_was_imported_first(capfd):
    from tfgan_lite import _lazy

    assert "tensorflow" in sys.modules
    with _lazy._quiet_tensorflow_start():
        os.write(2, _CUINIT.encode())
    assert capfd.readouterr().err == _CUINIT


_QUIET_PROGRAM = """
import os
import tfgan_lite
generator, discriminator = tfgan_lite.models.dcgan_28(latent_dim=8, width=8)
gan = tfgan_lite.GAN(generator, discriminator)
print(type(gan).__name__, os.environ.get("TF_CPP_MIN_LOG_LEVEL"))
"""


@pytest.mark.slow
def test_a_program_using_the_library_sees_no_start_up_lines():
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run(
        [sys.executable, "-c", _QUIET_PROGRAM],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["GAN", "None"]
    assert done.stderr == ""


def test_a_callback_runs_once_after_a_module_is_first_imported(
    tmp_path, monkeypatch
):
    from tfgan_lite import _lazy

    (tmp_path / "watched_module.py").write_text("VALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    monkeypatch.delitem(sys.modules, "watched_module", raising=False)
    seen = []

    def callback():
        # The module has run and is in place when the callback is called.
        seen.append(sys.modules["watched_module"].VALUE)

    _lazy.call_after_import("watched_module", callback, key="a")
    # The same watcher again replaces the first (a reloaded package).
    _lazy.call_after_import("watched_module", callback, key="a")
    import watched_module

    assert seen == [42]
    # Afterwards the module looks imported the usual way, and the watch
    # is gone: a second import calls nothing.
    assert type(watched_module.__loader__).__name__ == "SourceFileLoader"
    assert watched_module.__spec__.loader is watched_module.__loader__
    assert not any(
        isinstance(f, _lazy._AfterImport) and f.key == "a"
        for f in sys.meta_path
    )
    monkeypatch.delitem(sys.modules, "watched_module")
    import watched_module  # noqa: F401, F811

    assert seen == [42]


def test_the_exports_load_once_the_watched_module_is_imported(
    tmp_path, monkeypatch
):
    # As tfgan_lite's public names (and saved classes) load once Keras is
    # imported, so that keras.saving.load_model finds them.
    from tfgan_lite import _lazy

    (tmp_path / "fake_trigger.py").write_text("")
    (tmp_path / "fake_export.py").write_text("VALUE = 7\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    for name in ("fake_trigger", "fake_export"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    namespace = {"__name__": "fake_package"}
    # With Keras imported the exports would load at once.
    monkeypatch.delitem(sys.modules, "keras")
    _lazy.surface(
        namespace, {"VALUE": "fake_export"}, after_import="fake_trigger"
    )
    assert "VALUE" not in namespace
    import fake_trigger  # noqa: F401

    assert namespace["VALUE"] == 7
