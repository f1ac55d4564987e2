"""A quiet start for the package's commands, before TensorFlow loads.

Importing TensorFlow prints start-up notices that are not meant for the
user of a command: oneDNN and CUDA-stub lines, a CPU-instructions notice,
and, on a machine without a GPU, an error-level "failed call to cuInit"
line that reads like a failure. ``TF_CPP_MIN_LOG_LEVEL`` only works when it
is set before TensorFlow's libraries load, and even then TensorFlow writes
a few info lines through absl before the variable is read (see
tensorflow/tensorflow#100442). So every command starts in :func:`launch`,
before anything has imported TensorFlow:

* it takes ``--tf_log_level`` out of the arguments (:func:`split_level`,
  the one place that reads the flag) and sets ``TF_CPP_MIN_LOG_LEVEL`` (the
  flag, else the user's own variable, else :data:`DEFAULT_LEVEL`);
* it imports the command's module, which loads no TensorFlow, and runs its
  ``main`` on the other arguments;
* ``main`` checks its flags, so that a usage mistake is reported before
  TensorFlow's seconds of start-up, then calls :func:`start`, which
  imports TensorFlow with the C++ lines below that level held back.

``python -m tfgan_lite.train`` and ``python -m tfgan_lite.evaluate`` reach
:func:`launch` from the first lines of their modules, and the console
scripts through :mod:`tfgan_lite.commands.launch`. Nothing here runs at
import: a program that imports ``tfgan_lite`` keeps TensorFlow's logging as
it set it. The stdlib only: this module must not import TensorFlow itself
except in :func:`start`.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import NoReturn

__all__ = [
    "DEFAULT_LEVEL",
    "ENV",
    "FLAG_HELP",
    "captured_stderr",
    "launch",
    "silence_exit",
    "split_level",
    "start",
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
# absl's line prefix: severity letter, then MMDD.
_ABSL_LINE = re.compile(r"^([IWEF])\d{4} ")
_ABSL_BANNER = "WARNING: All log messages before absl::InitializeLog()"
_SEVERITIES = "IWEF"


def split_level(args: Sequence[str]) -> tuple[list[str], str | None]:
    """The arguments without ``--tf_log_level``, and its last value.

    Returns:
        The other arguments, in order, and the level ("0" to "3"), or None
        when the flag is not given.

    Raises:
        ValueError: If the flag's value is not 0, 1, 2 or 3, or missing.
    """
    rest, level, values = [], None, iter(args)
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
        level = value
    return rest, level


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


def start(level: str | None = None) -> int:
    """Sets TensorFlow's C++ log level and imports TensorFlow quietly.

    A command's ``main`` calls it once its flags are checked. With
    TensorFlow already imported (a test, a program that calls ``main``) it
    changes nothing: the level only acts before TensorFlow loads.

    Args:
        level: "0" to "3"; None takes ``TF_CPP_MIN_LOG_LEVEL`` if the user
            set it, else :data:`DEFAULT_LEVEL`.

    Returns:
        The level in effect.
    """
    if "tensorflow" in sys.modules:
        return _number(level or os.environ.get(ENV, str(DEFAULT_LEVEL)))
    number = _set_level(level)
    with captured_stderr(lambda line: _shown(line, number)):
        import tensorflow  # noqa: F401
    return number


def _number(level: str) -> int:
    return int(level) if level in _LEVELS else 0


def _set_level(level: str | None) -> int:
    """Sets ``TF_CPP_MIN_LOG_LEVEL`` (``level``, else the user's, else the
    default) and returns it as a number."""
    if level is None:
        level = os.environ.get(ENV, str(DEFAULT_LEVEL))
    os.environ[ENV] = level
    return _number(level)


def launch(
    module: str, *, prog: str | None = None, verbose_shows_all: bool = False
) -> NoReturn:
    """Runs ``module``'s ``main()`` and exits with its status.

    ``main`` reads ``sys.argv``, from which ``--tf_log_level`` is removed;
    the level goes to ``TF_CPP_MIN_LOG_LEVEL``, which :func:`start` reads.
    TensorFlow is not imported here: ``main`` checks its flags first, then
    calls :func:`start`.

    Args:
        module: The command's module, e.g. "tfgan_lite.commands.train";
            importing it must not import TensorFlow.
        prog: Shown before "error:" when the flag's value is wrong.
        verbose_shows_all: Whether ``--verbose`` makes 0 the default level
            (tfgan-export shows TensorFlow's lines with its own).
    """
    try:
        args, level = split_level(sys.argv[1:])
    except ValueError as e:
        print(f"{prog}: error: {e}" if prog else f"error: {e}", file=sys.stderr)
        sys.exit(2)
    if level is None and verbose_shows_all and "--verbose" in args:
        level = os.environ.get(ENV, "0")
    number = _set_level(level)
    sys.argv[1:] = args
    # Held back too, for a command module that still imports TensorFlow
    # itself; one that does not loads in a moment and holds nothing back.
    with captured_stderr(lambda line: _shown(line, number)):
        main = importlib.import_module(module).main
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (``--help | head``): nothing more to say,
        # and Python's flush at exit would fail again with a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        status = 1
    if number > 0:
        # The command has said all it has to say; LiteRT logs as it frees
        # its environment at exit (after a train --export, say).
        silence_exit()
    sys.exit(status)
