"""How every command of the package ends: an exit status and a plain message.

``tfgan_lite.train``, ``tfgan_lite.evaluate`` and ``tfgan-export`` run their
work through :func:`run`, which turns what it raises into one policy:

* 0: success.
* 2, a usage error: something on the command line must change. A bad or
  misplaced flag, a value out of range, an unknown dataset, a file named
  on the command line that does not exist (absl flag errors, ValueError,
  TypeError, FileNotFoundError, FileExistsError, NotADirectoryError).
* 1, a failure: the command line was fine but the work could not be done.
  A truncated or corrupt file (:class:`~tfgan_lite._files.CorruptFileError`),
  data hosts that cannot be reached (ConnectionError, TimeoutError), a write
  that fails (other OSError), and a command's own failures (export's
  ParityError). An unexpected exception, a bug, also exits 1.
* 130: interrupted with Ctrl-C.

The message is ``error: <message>`` on stderr, one paragraph and no
traceback; ``--debug`` anywhere on the command line prints the traceback
above it.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from absl import flags

from tfgan_lite._files import CorruptFileError

__all__ = [
    "DEBUG_HELP",
    "UsageError",
    "parse_config",
    "print_help",
    "run",
    "split_bool_flag",
    "split_debug",
]

USAGE, FAILURE, INTERRUPTED = 2, 1, 130

DEBUG_HELP = "--debug: on an error, also print the Python traceback."
_DEBUG_HINT = "Run again with --debug for the traceback."
# Errors of a path the user named that the user must change; other OSErrors
# (a full disk, a permission) are failures.
_PATH_MISTAKES = (FileNotFoundError, FileExistsError, NotADirectoryError)


class UsageError(ValueError):
    """Settings or data that a run cannot use; the command exits with 2."""


def split_debug(args: Sequence[str]) -> tuple[list[str], bool]:
    """The arguments without ``--debug``/``--nodebug``, and whether to debug.

    The last of them wins, as with any absl boolean flag.
    """
    return split_bool_flag(args, "debug")


def split_bool_flag(args: Sequence[str], name: str) -> tuple[list[str], bool]:
    """The arguments without ``--name``/``--noname``, and its value.

    A command-level boolean flag read before absl parses the rest; the
    last of them wins, as with any absl boolean flag.
    """
    forms = {f"--{name}": True, f"--{name}=true": True, f"--no{name}": False}
    rest, value = [], False
    for arg in args:
        if arg in forms:
            value = forms[arg]
        else:
            rest.append(arg)
    return rest, value


def print_help(intro: str, values: flags.FlagValues) -> int:
    """Prints a command's ``--help``: ``intro``, its flags, the shared
    flags (``--debug``, ``--tf_log_level``); returns the exit status 0."""
    from tfgan_lite.commands import _flags, quiet

    print(intro)
    print(_flags.help_text(values))
    print(f"\n  {DEBUG_HELP}")
    print(f"  {quiet.FLAG_HELP}")
    return 0


def parse_config(
    args: Sequence[str],
    values: flags.FlagValues,
    config_class: type,
    helps: Mapping[str, str],
    *,
    debug: bool = False,
    prog: str | None = None,
    check: Callable[[Any], None] | None = None,
) -> tuple[int, Any, str | None]:
    """A command line's config, checked before TensorFlow loads.

    ``--tf_log_level`` (the launcher's, when there is one) is taken out of
    ``args``; the rest are parsed into ``values`` and turned into
    ``config_class``, then ``check(config)`` runs (path checks, say). A
    mistake ends as :func:`run` ends it.

    Returns:
        ``(status, config, level)``: 0, the config and the log level for
        ``quiet.start`` (None when not given); or a non-zero exit status,
        None and None.
    """
    from tfgan_lite.commands import _flags, quiet

    parsed: list[Any] = []

    def parse() -> None:
        rest, level = quiet.split_level(args)
        _flags.parse(values, rest)
        config = _flags.to_config(values, config_class, helps)
        if check is not None:
            check(config)
        parsed.extend([config, level])

    status = run(parse, debug=debug, prog=prog)
    return (status, None, None) if status else (0, *parsed)


def run(
    body: Callable[[], object],
    *,
    debug: bool = False,
    prog: str | None = None,
    failures: tuple[type[BaseException], ...] = (),
) -> int:
    """Runs a command's work and returns its exit status.

    Args:
        body: The work. An int it returns is the exit status; anything
            else it returns (a trained model, None) means success.
        debug: Print the traceback of an error too.
        prog: Shown before "error:" when given ("tfgan-export: error: ...").
        failures: More exception types that exit 1 with their message.

    Returns:
        ``body()``'s status (0 for success), or that of what it raised.
    """
    try:
        status = body()
    except KeyboardInterrupt:
        return INTERRUPTED
    except Exception as e:  # Every error ends in a status and a message.
        status, message = _classify(e, failures)
        if debug:
            traceback.print_exception(e, file=sys.stderr)
        if message is None:
            message = _summary(e) if debug else f"{_summary(e)}\n{_DEBUG_HINT}"
        head = f"{prog}: error" if prog else "error"
        print(f"{head}: {message}", file=sys.stderr)
        return status
    return status if type(status) is int else 0


def _classify(
    error: Exception, failures: tuple[type[BaseException], ...]
) -> tuple[int, str | None]:
    """(exit status, message) of an error; None: unexpected, a bug."""
    message = str(error).strip() or type(error).__name__
    if isinstance(
        error, (CorruptFileError, ConnectionError, TimeoutError, *failures)
    ):
        return FAILURE, message
    if isinstance(error, (flags.Error, ValueError, TypeError, *_PATH_MISTAKES)):
        return USAGE, message
    if isinstance(error, OSError):
        return FAILURE, message
    return FAILURE, None


def _summary(error: Exception) -> str:
    """The type and first line of an unexpected error."""
    lines = str(error).strip().splitlines()
    name = type(error).__name__
    return f"{name}: {lines[0]}" if lines else name
