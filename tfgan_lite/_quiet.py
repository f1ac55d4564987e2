"""A quiet start for the package's commands, before TensorFlow loads.

Importing TensorFlow prints start-up notices that are not meant for the
user of a command: oneDNN and CUDA-stub lines, a CPU-instructions notice,
and, on a machine without a GPU, an error-level "failed call to cuInit"
line that reads like a failure. ``TF_CPP_MIN_LOG_LEVEL`` only works when it
is set before TensorFlow's libraries load, and even then TensorFlow writes
a few info lines through absl before the variable is read (see
tensorflow/tensorflow#100442), so:

* :func:`start` sets ``TF_CPP_MIN_LOG_LEVEL`` (from ``--tf_log_level``, else
  the user's own variable, else :data:`DEFAULT_LEVEL`) and imports
  TensorFlow with the C++ lines below that level held back;
* ``tfgan_lite/__init__.py`` imports this module before anything imports
  TensorFlow, and this module calls :func:`start` only when the process is
  one of the package's commands (``python -m tfgan_lite.train``,
  ``python -m tfgan_lite.evaluate``, ``tfgan-export``), so a program that
  imports ``tfgan_lite`` keeps TensorFlow's logging as it set it;
* each command's ``main`` removes ``--tf_log_level`` from its arguments
  (:func:`strip_flag`) before parsing its own flags.

The stdlib only: this module must not import TensorFlow itself except in
:func:`start`.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence

__all__ = [
    "DEFAULT_LEVEL",
    "ENV",
    "FLAG_HELP",
    "captured_stderr",
    "silence_exit",
    "start",
    "strip_flag",
]

ENV = "TF_CPP_MIN_LOG_LEVEL"
# TensorFlow's own scale: 0 shows everything, 1 hides info lines, 2 also
# warnings, 3 also errors. 3 by default: the error-level lines TensorFlow
# writes on a working machine (cuInit without a GPU, a grappler pass that
# falls back) are not failures, and real failures reach the user as Python
# exceptions, which this level does not touch.
DEFAULT_LEVEL = 3
_FLAG = "--tf_log_level"
FLAG_HELP = (
    f"{_FLAG}: TensorFlow's C++ log level, as TF_CPP_MIN_LOG_LEVEL (0 all, "
    "1 no info, 2 errors only, 3 none); default: TF_CPP_MIN_LOG_LEVEL if "
    f"set, else {DEFAULT_LEVEL}."
)
_LEVELS = ("0", "1", "2", "3")
_COMMANDS = frozenset(
    {
        "tfgan_lite.train",
        "tfgan_lite.evaluate",
        "tfgan_lite.export",
        "tfgan_lite.export.cli",
    }
)
_SCRIPTS = frozenset({"tfgan-export"})
# Python options that take a value, e.g. python -X importtime -m ...
_PYTHON_VALUE_OPTIONS = ("-X", "-W")
# absl's line prefix: severity letter, then MMDD.
_ABSL_LINE = re.compile(r"^([IWEF])\d{4} ")
_ABSL_BANNER = "WARNING: All log messages before absl::InitializeLog()"
_SEVERITIES = "IWEF"


def strip_flag(args: Sequence[str]) -> list[str]:
    """The arguments without ``--tf_log_level`` (which :func:`start` read).

    Raises:
        ValueError: If the flag's value is not 0, 1, 2 or 3, or missing.
    """
    rest, values = [], iter(args)
    for arg in values:
        if arg == _FLAG:
            value = next(values, None)
        elif arg.startswith(_FLAG + "="):
            value = arg.split("=", 1)[1]
        else:
            rest.append(arg)
            continue
        if value not in _LEVELS:
            raise ValueError(
                f"{_FLAG} must be one of {', '.join(_LEVELS)} (as "
                f"TF_CPP_MIN_LOG_LEVEL), got {value!r}."
            )
    return rest


def _flag_level(args: Sequence[str]) -> str | None:
    """The last valid ``--tf_log_level`` value in ``args``, or None."""
    level = None
    for i, arg in enumerate(args):
        value = None
        if arg == _FLAG and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith(_FLAG + "="):
            value = arg.split("=", 1)[1]
        if value in _LEVELS:
            level = value
    return level


def _command() -> str | None:
    """The package command this process runs, or None."""
    argv = list(getattr(sys, "orig_argv", ()))
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg == "-m":
            module = argv[i + 1] if i + 1 < len(argv) else None
            return module if module in _COMMANDS else None
        if arg in _PYTHON_VALUE_OPTIONS:
            i += 2
            continue
        if not arg.startswith("-") or arg == "-c":
            break
        i += 1
    script = os.path.basename(sys.argv[0]) if sys.argv else ""
    return script if script in _SCRIPTS else None


def _shown(line: str, level: int) -> bool:
    """Whether a line TensorFlow wrote while loading passes ``level``."""
    if line.startswith(_ABSL_BANNER):
        return False
    match = _ABSL_LINE.match(line)
    return match is None or _SEVERITIES.index(match.group(1)) >= level


@contextlib.contextmanager
def captured_stderr(
    keep: Callable[[str], bool] = lambda line: False,
    *,
    expected: tuple[type[BaseException], ...] = (),
) -> Iterator[None]:
    """Holds back what is written to file descriptor 2, C++ code included.

    On leaving, the lines for which ``keep`` is true are written to
    stderr; on an exception, all of them, so that a failure keeps its
    context, unless it is one of the ``expected`` outcomes.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as held:
        os.dup2(held.fileno(), 2)
        failed = False
        try:
            yield
        except BaseException as e:
            failed = not isinstance(e, expected)
            raise
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            text = held.read().decode("utf-8", errors="replace")
            lines = text.splitlines(keepends=True)
            shown = [line for line in lines if failed or keep(line)]
            if shown:
                sys.stderr.write("".join(shown))
                sys.stderr.flush()


def silence_exit() -> None:
    """Sends what C++ code writes to stderr while the process exits to
    /dev/null; call it when a command has said all it has to say."""
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def start(args: Sequence[str] | None = None) -> int:
    """Sets TensorFlow's C++ log level and imports TensorFlow quietly.

    The level is ``--tf_log_level`` in ``args`` (default ``sys.argv``),
    else ``TF_CPP_MIN_LOG_LEVEL`` if the user set it, else
    :data:`DEFAULT_LEVEL`. ``tfgan-export --verbose`` defaults to 0.

    Returns:
        The level in effect.
    """
    args = list(sys.argv if args is None else args)
    level = _flag_level(args)
    if level is None:
        command = _command() or ""
        export = command in _SCRIPTS or command.startswith("tfgan_lite.export")
        verbose = export and "--verbose" in args
        level = os.environ.get(ENV, "0" if verbose else str(DEFAULT_LEVEL))
    os.environ[ENV] = level
    number = int(level) if level in _LEVELS else 0
    if "tensorflow" not in sys.modules:
        with captured_stderr(lambda line: _shown(line, number)):
            import tensorflow  # noqa: F401
    return number


if _command() is not None:
    start()
