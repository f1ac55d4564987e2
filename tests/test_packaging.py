"""What `pip install .` gives: requirements, console scripts, the version,
and `tfgan_lite.export` importable from a source checkout and elsewhere."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
import setuptools

import tfgan_lite

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def setup_kwargs():
    """The keyword arguments setup.py passes to setuptools.setup."""
    seen = {}
    saved, cwd = setuptools.setup, os.getcwd()
    setuptools.setup = seen.update
    try:
        os.chdir(ROOT)
        runpy.run_path(str(ROOT / "setup.py"))
    finally:
        setuptools.setup = saved
        os.chdir(cwd)
    return seen


def test_version_is_written_once(setup_kwargs):
    assert setup_kwargs["version"] == tfgan_lite.__version__
    assert tfgan_lite.__version__.count(".") == 2


def test_litert_is_installed_with_the_package(setup_kwargs):
    # `pip install .` must give a working tfgan-export.
    litert = [r for r in setup_kwargs["install_requires"] if "litert" in r]
    # Everywhere LiteRT publishes a wheel: all but Intel Macs.
    assert litert == [
        "ai-edge-litert>=1.2; "
        "platform_system != 'Darwin' or platform_machine == 'arm64'"
    ]
    # Older instructions say `pip install .[export]`; it must still work.
    assert setup_kwargs["extras_require"]["export"] == []


def test_console_scripts(setup_kwargs):
    scripts = setup_kwargs["entry_points"]["console_scripts"]
    assert scripts == [
        f"tfgan-{n}=tfgan_lite.commands.launch:{n}"
        for n in ("train", "evaluate", "sample", "export")
    ]


def test_license_ships(setup_kwargs):
    assert setup_kwargs["license"] == "Apache-2.0"
    assert setup_kwargs["license_files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def _env():
    """The test's environment without the suite's TensorFlow log level."""
    env = dict(os.environ)
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    return env


_IMPORT = """
import sys
from tfgan_lite import _lazy, export
from tfgan_lite.export import cli
print(export.__file__)
print(cli.__name__, export.__spec__.name)
print(sorted(m for m in ("tensorflow", "keras") if m in sys.modules))
print(*(f.fullname for f in sys.meta_path if isinstance(f, _lazy._AfterImport)))
"""


@pytest.mark.parametrize("where", ["root", "elsewhere"])
def test_export_imports_from_the_checkout_and_elsewhere(where, tmp_path):
    # The repository root holds the source `tfgan_lite/` (which shadows an
    # installed package and has no export/ inside) and the top-level
    # `export/`; elsewhere the installed package is found.
    cwd = ROOT if where == "root" else tmp_path
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    path, names, heavy, watched = done.stdout.splitlines()
    assert Path(path).name == "__init__.py"
    assert Path(path).parent.name == "export"
    assert (Path(path).parent / "cli.py").is_file()
    assert names == "tfgan_lite.export.cli tfgan_lite.export"
    # `from tfgan_lite import export` loads neither Keras nor TensorFlow;
    # the saved classes register once the program imports Keras.
    assert heavy == "[]"
    assert watched == "keras"
    assert done.stderr == ""


@pytest.mark.parametrize("where", ["root", "elsewhere"])
def test_python_m_export_help_from_the_checkout_and_elsewhere(where, tmp_path):
    cwd = ROOT if where == "root" else tmp_path
    done = subprocess.run(
        [sys.executable, "-m", "tfgan_lite.export", "--help"],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: tfgan-export --model")
    assert "Traceback" not in done.stderr


def test_the_sibling_finder_answers_one_name_only():
    from tfgan_lite import _lazy

    finders = [f for f in sys.meta_path if isinstance(f, _lazy._SiblingFinder)]
    # Installed normally, tfgan_lite/export/ exists and no finder is added.
    installed = (Path(tfgan_lite.__file__).parent / "export").is_dir()
    assert len(finders) == (0 if installed else 1)
    for finder in finders:
        assert finder.find_spec("tfgan_lite.export") is not None
        for other in ("tfgan_lite.setup", "export", "tfgan_lite.tests"):
            assert finder.find_spec(other) is None


def test_map_sibling_needs_a_source_checkout(tmp_path, monkeypatch):
    from tfgan_lite import _lazy

    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "__init__.py").write_text("")
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    before = list(sys.meta_path)
    # No setup.py beside the folders: not a checkout, nothing added.
    _lazy.map_sibling("pkg", str(package / "__init__.py"), "extra", "extra")
    assert sys.meta_path == before
    (tmp_path / "setup.py").write_text("")
    _lazy.map_sibling("pkg", str(package / "__init__.py"), "extra", "extra")
    assert sys.meta_path[1:] == before
    spec = sys.meta_path[0].find_spec("pkg.extra")
    assert spec.origin == str(tmp_path / "extra" / "__init__.py")
    assert spec.submodule_search_locations == [str(tmp_path / "extra")]
    # A package that holds the subpackage itself needs no finder.
    monkeypatch.setattr(sys, "meta_path", list(before))
    (package / "extra").mkdir()
    _lazy.map_sibling("pkg", str(package / "__init__.py"), "extra", "extra")
    assert sys.meta_path == before
