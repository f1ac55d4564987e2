"""A package's public names, loaded on first use (PEP 562).

``python -m tfgan_lite.train`` imports the package ``tfgan_lite`` (and
``python -m tfgan_lite.export`` the package ``tfgan_lite.export``) before
the command's module runs. TensorFlow prints start-up lines while it loads
that only a command started before it can hold back
(:mod:`tfgan_lite.commands.quiet`), so importing a package must not load
Keras or TensorFlow: its ``__init__`` names its exports in a table and
takes ``__getattr__`` and ``__dir__`` from :func:`surface`.

The stdlib only.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["surface"]


def surface(
    namespace: dict[str, Any], exports: Mapping[str, str]
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
    tfgan_lite`` registers the saved classes as before.

    Args:
        namespace: The package's ``globals()``; loaded names are set there,
            so each is looked up once.
        exports: Public name -> the module it comes from: the name's
            attribute there, or the module itself when it is the package's
            submodule of that name.

    Returns:
        The package's ``__getattr__`` and ``__dir__``.
    """
    package = namespace["__name__"]
    state = {"loading": False, "loaded": False}

    def resolve(name: str) -> Any:
        value = importlib.import_module(exports[name])
        if value.__name__ != f"{package}.{name}":
            value = getattr(value, name)
        namespace[name] = value
        return value

    def load_all() -> None:
        state["loading"] = True
        try:
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
        else:
            if not state["loaded"]:
                load_all()
            # Also a subpackage the exports come from (tfgan_lite.gans).
            if name in namespace:
                return namespace[name]
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    namespace["__getattr__"] = __getattr__
    if "keras" in sys.modules:
        load_all()
    return __getattr__, __dir__
