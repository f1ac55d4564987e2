"""Reading model files that may be missing, truncated or corrupt.

A file cut short by a full disk, a killed copy or an interrupted download
should fail with a message that names the file and says what to do, not
with the parser's own error (h5py, protobuf and flatbuffers name neither).
Every loader of the package that reads a model file a user may hand it
goes through here, and raises :class:`CorruptFileError` for a file that is
there but cannot be read. The commands exit with status 1 for it.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["CorruptFileError", "load_keras", "read_file"]

_T = TypeVar("_T")


class CorruptFileError(ValueError):
    """A model file that exists but cannot be read: truncated or corrupt.

    A ValueError, so library callers that catch bad inputs catch it too.

    Attributes:
        path: The file (or directory) that could not be read.
    """

    def __init__(self, message: str, path: str | os.PathLike[str]):
        super().__init__(message)
        self.path = os.fspath(path)


def read_file(
    path: str | os.PathLike[str],
    read: Callable[[], _T],
    *,
    what: str,
    remedy: str,
) -> _T:
    """Runs ``read()``, turning any failure into a CorruptFileError.

    Args:
        path: The file ``read`` opens, named in the message.
        read: Reads and returns the file's content.
        what: What the file should hold, e.g. "a LiteRT model".
        remedy: What the user should do, a sentence.

    Returns:
        What ``read()`` returns.

    Raises:
        CorruptFileError: If ``read()`` raises anything but a
            KeyboardInterrupt, with the reader's own error appended.
    """
    try:
        return read()
    except Exception as e:  # Parsers raise many kinds for a bad file.
        lead = f"Could not read '{os.fspath(path)}' as {what}"
        raise _unreadable(path, lead, e, remedy) from e


def load_keras(
    path: str | os.PathLike[str],
    *,
    hint: str,
    remedy: str,
    compile: bool = True,
) -> Any:
    """Loads a ``.keras`` archive, checking it is whole first.

    Args:
        path: The file.
        hint: What to pass instead when the path names no ``.keras`` file.
        remedy: What to do when the file is truncated or corrupt.
        compile: Passed to ``keras.saving.load_model``.

    Returns:
        The loaded object.

    Raises:
        FileNotFoundError: If nothing exists at ``path``.
        ValueError: If ``path`` is not named ``*.keras`` or is a directory.
        CorruptFileError: If the archive is truncated, fails its checksums
            or cannot be deserialized.
    """
    import keras

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No model file at '{path}'. {hint}")
    if path.is_dir() or path.suffix != ".keras":
        kind = f"a {path.suffix or 'suffix-less'} file"
        raise ValueError(
            f"'{path}' is not a Keras v3 model archive (expected a zip file "
            f"named *.keras, got {'a directory' if path.is_dir() else kind})."
            f" {hint}"
        )
    if not zipfile.is_zipfile(path):
        raise CorruptFileError(
            f"Could not load '{path}': it is not a Keras v3 model archive "
            "(not a complete zip file, which every .keras file is), so it "
            f"is truncated or corrupt. {remedy}",
            path,
        )
    try:
        with zipfile.ZipFile(path) as archive:
            damaged = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        damaged = f"{type(e).__name__}: {e}"
    if damaged is not None:
        raise CorruptFileError(
            f"Could not load '{path}': the archive is corrupt ({damaged} "
            f"fails its checksum). {remedy}",
            path,
        )
    try:
        return keras.saving.load_model(path, compile=compile)
    except Exception as e:  # Keras raises many kinds for a bad archive.
        lead = f"Could not load '{path}' as a Keras model"
        raise _unreadable(path, lead, e, remedy) from e


def _unreadable(
    path: str | os.PathLike[str], lead: str, error: Exception, remedy: str
) -> CorruptFileError:
    """The error of a file whose reader failed, with the reader's reason."""
    reason = f"{type(error).__name__}: {_first_line(error)}"
    return CorruptFileError(
        f"{lead}: it is truncated or corrupt ({reason}). {remedy}", path
    )


def _first_line(error: BaseException) -> str:
    """The first line of an error's message, for a one-paragraph report."""
    lines = str(error).strip().splitlines()
    return lines[0].rstrip(".") if lines else "no message"
