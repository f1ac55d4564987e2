"""A package's public names, loaded on first use (PEP 562).

``python -m tfgan_lite.train`` imports the package ``tfgan_lite`` (and
``python -m tfgan_lite.export`` the package ``tfgan_lite.export``) before
the command's module runs. TensorFlow prints start-up lines while it loads
that only a command started before it can hold back
(:mod:`tfgan_lite.commands.quiet`), so importing a package must not load
Keras or TensorFlow: its ``__init__`` names its exports in a table and
takes ``__getattr__`` and ``__dir__`` from :func:`surface`.

When such a first use is what imports TensorFlow, the start-up lines it
writes (oneDNN, CUDA stubs, CPU instructions, and on a machine without a
GPU the error-level "failed call to cuInit") are held back, as the
commands hold them back: the program did not ask for them. The program's
``TF_CPP_MIN_LOG_LEVEL`` is left as it is, so TensorFlow's later lines
follow it; a program that imported TensorFlow itself sees everything.

:func:`map_sibling` lets a source checkout import ``tfgan_lite.export``
from the top-level ``export/`` folder.

The stdlib only.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import os
import sys
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["call_after_import", "map_sibling", "surface"]


def surface(
    namespace: dict[str, Any],
    exports: Mapping[str, str],
    *,
    after_import: str | None = None,
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for a package whose names load late.

    The first class or other attribute used loads every export, in the
    table's order, as a plain import of the package would (for
    ``tfgan_lite``, that registers every saved class with Keras, so
    ``keras.saving.load_model`` finds them once one was used). A
    submodule export (``tfgan_lite.losses``) loads alone, as does any name
    asked for while they load: the package's modules import each other by
    those names, and loading everything from inside such an import would
    go round in a circle. Private and dunder names never load anything:
    the import system, doctest, copy and pickle probe them.

    When Keras is already imported, the exports load at once: TensorFlow
    has printed whatever it prints, and ``import keras`` then ``import
    tfgan_lite`` registers the saved classes as before. With
    ``after_import="keras"``, a later ``import keras`` loads them as soon
    as Keras is in place, so ``import tfgan_lite`` then
    ``keras.saving.load_model(...)`` finds the saved classes too (not while
    one of the package's own modules is being imported: that import goes
    on by itself, and the rest load on first use).

    Args:
        namespace: The package's ``globals()``; loaded names are set there,
            so each is looked up once.
        exports: Public name -> the module it comes from: the name's
            attribute there, or the module itself when it is the package's
            submodule of that name.
        after_import: A module (e.g. "keras") after whose first import
            the exports load, if it is not imported yet.

    Returns:
        The package's ``__getattr__`` and ``__dir__``.
    """
    package = namespace["__name__"]
    state = {"loading": False, "loaded": False}

    def resolve(name: str) -> Any:
        with _quiet_tensorflow_start():
            value = importlib.import_module(exports[name])
        if value.__name__ != f"{package}.{name}":
            value = getattr(value, name)
        namespace[name] = value
        return value

    def load_all() -> None:
        state["loading"] = True
        try:
            with _quiet_tensorflow_start():
                for name in exports:
                    resolve(name)
            state["loaded"] = True
        finally:
            state["loading"] = False

    def __getattr__(name: str) -> Any:
        # Private names (tfgan_lite._noise) and dunders never load
        # anything: ``from tfgan_lite import _noise`` probes the attribute
        # before importing the submodule, often while another module of
        # the package is half imported.
        if name.startswith("_"):
            pass
        elif name in exports and (
            state["loading"] or exports[name] == f"{package}.{name}"
        ):
            # A submodule (tfgan_lite.losses) loads alone, for the same
            # reason: the package's own modules import each other by it.
            return resolve(name)
        elif (
            name.isidentifier()
            and importlib.util.find_spec(f"{package}.{name}") is not None
        ):
            # ``from tfgan_lite import train`` probes the attribute before
            # importing the submodule: it must not load everything first.
            pass
        else:
            if not state["loaded"]:
                load_all()
            # Also a subpackage the exports come from (tfgan_lite.gans).
            if name in namespace:
                return namespace[name]
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    def after() -> None:
        if state["loading"] or state["loaded"] or _executing(package):
            return
        try:
            load_all()
        except Exception as e:  # noqa: BLE001 - the user's import goes on.
            warnings.warn(
                f"{package} could not load its public names after "
                f"{after_import} was imported ({type(e).__name__}: {e}); "
                "they load on first use instead.",
                ImportWarning,
                stacklevel=2,
            )

    namespace["__getattr__"] = __getattr__
    if "keras" in sys.modules:
        load_all()
    elif after_import is not None and after_import not in sys.modules:
        call_after_import(after_import, after, key=package)
    return __getattr__, __dir__


def _executing(package: str) -> bool:
    """Whether the body of one of the package's modules is running."""
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if frame.f_code.co_name == "<module>" and (
            name == package or name.startswith(package + ".")
        ):
            return True
        frame = frame.f_back
    return False


class _ThenCall(importlib.abc.Loader):
    """A module's own loader, then a call once the module has run."""

    def __init__(self, loader: Any, callback: Callable[[], None]):
        self._loader = loader
        self._callback = callback

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        self._loader.exec_module(module)
        # From here on the module looks imported the usual way.
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._callback()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


class _AfterImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself: wraps the loader of one module, once."""

    def __init__(self, fullname: str, callback: Callable[[], None], key: str):
        self.fullname = fullname
        self.callback = callback
        self.key = key

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.fullname or self not in sys.meta_path:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or not hasattr(spec.loader, "exec_module"):
            return spec
        spec.loader = _ThenCall(spec.loader, self.callback)
        return spec


def call_after_import(
    module: str, callback: Callable[[], None], *, key: str
) -> None:
    """Calls ``callback`` once ``module`` is first imported and has run.

    The module is found and loaded by the usual finders and loaders; only
    its first import is watched, and the watch is removed then.

    Args:
        module: A top-level module's name, e.g. "keras".
        callback: Called with no arguments.
        key: Who watches; a second call with the same key and module
            replaces the first (``importlib.reload`` of the package).
    """
    sys.meta_path[:] = [
        f
        for f in sys.meta_path
        if not (
            isinstance(f, _AfterImport) and (f.fullname, f.key) == (module, key)
        )
    ]
    sys.meta_path.insert(0, _AfterImport(module, callback, key))


# Whether a _quiet_tensorflow_start is active (they nest: load_all calls
# resolve).
_holding = {"depth": 0}


class _QuietStart:
    """Holds back TensorFlow's start-up lines if the body imports it.

    Nothing is held when TensorFlow is already imported. Otherwise what
    the body writes to stderr is held; if TensorFlow came in, its devices
    are listed too (the cuInit line is written then, not at import) and
    its log lines are dropped at the level ``TF_CPP_MIN_LOG_LEVEL`` gives
    (all of them when unset), with the lines that continue one; any other
    line is written as it was. On an error every line is written.
    """

    def __enter__(self) -> None:
        self._context = None
        if "tensorflow" in sys.modules or _holding["depth"]:
            return
        # Imported here: the package must import without it (it is the
        # stdlib only too, but lives with the commands).
        from tfgan_lite.commands import quiet

        level = os.environ.get(quiet.ENV, "")
        level = int(level) if level in ("0", "1", "2", "3") else 3
        state = {"tensorflow": False, "dropped": False}

        def keep(line: str) -> bool:
            if not state["tensorflow"]:
                return True
            if line[:1] in "IWEF" and line[1:5].isdigit():
                state["dropped"] = not quiet._shown(line, level)
                return not state["dropped"]
            if not quiet._shown(line, level):  # absl's banner
                return False
            # The line after a held-back absl line, without a prefix, is
            # its second line (the CPU instructions notice).
            continued, state["dropped"] = state["dropped"], False
            return not continued or "Warning: " in line

        self._state = state
        context = quiet.captured_stderr(keep)
        try:
            context.__enter__()
        except OSError:
            # No file descriptor 2 to redirect (a windowed program): there
            # is nothing to hold back either.
            return
        self._context = context
        _holding["depth"] += 1

    def __exit__(self, kind, error, trace) -> bool:
        if self._context is None:
            return False
        _holding["depth"] -= 1
        try:
            if error is None and "tensorflow" in sys.modules:
                self._state["tensorflow"] = True
                tf = sys.modules["tensorflow"]
                tf.config.list_physical_devices()
        except BaseException:
            self._context.__exit__(*sys.exc_info())
            raise
        return bool(self._context.__exit__(kind, error, trace))


def _quiet_tensorflow_start() -> _QuietStart:
    return _QuietStart()


class _SiblingFinder(importlib.abc.MetaPathFinder):
    """Finds one subpackage, by its full name, in a given folder."""

    def __init__(self, fullname: str, folder: Path):
        self.fullname = fullname
        self.folder = folder

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.fullname:
            return None
        return importlib.util.spec_from_file_location(
            fullname,
            self.folder / "__init__.py",
            submodule_search_locations=[str(self.folder)],
        )


def map_sibling(package: str, init_file: str, name: str, folder: str) -> None:
    """Imports ``package.name`` from a folder beside the package's, if need be.

    setup.py installs the top-level ``export/`` folder as
    ``tfgan_lite.export``. An installed package holds it in place; a source
    checkout does not, and there the package is often imported from the
    checkout itself (the repository root is the working directory, or an
    editable install), so ``import tfgan_lite.export`` would fail. Only
    then (no ``name`` inside the package, the folder beside it, and a
    ``setup.py`` beside both) a finder for that one module name goes
    first on ``sys.meta_path``: no other name can be found through it, no
    file is copied or linked, and the folder's submodules are found the
    usual way, through the package's ``__path__``.

    Args:
        package: The package's name ("tfgan_lite").
        init_file: Its ``__init__.py`` (``__file__``).
        name: The subpackage ("export").
        folder: The folder beside the package that holds it ("export").
    """
    inside = Path(init_file).resolve().parent
    source = inside.parent / folder
    if (
        (inside / name).exists()
        or not (source / "__init__.py").is_file()
        or not (inside.parent / "setup.py").is_file()
    ):
        return
    fullname = f"{package}.{name}"
    for finder in sys.meta_path:
        if getattr(finder, "fullname", None) == fullname:
            # importlib.reload of the package: point it at this checkout.
            finder.folder = source
            return
    sys.meta_path.insert(0, _SiblingFinder(fullname, source))
