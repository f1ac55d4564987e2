"""The training command's flags and ``main``: ``python -m tfgan_lite.train``.

One flag per :class:`~tfgan_lite.commands.config.TrainConfig` field, with
the field's help; the defaults shown are the dcgan_28 recipe's. Flags given
on the command line are the settings given to ``TrainConfig``; the others
take the chosen model's recipe, as in a Python call.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from absl import flags

from tfgan_lite.commands import _cli, _flags
from tfgan_lite.commands.config import RECIPES, TrainConfig, helps
from tfgan_lite.commands.fit_loop import NonFiniteError
from tfgan_lite.commands.quiet import FLAG_HELP as TF_LOG_LEVEL_HELP
from tfgan_lite.commands.trainer import train

__all__ = ["main", "parse_flags", "parse_settings"]

_DEFAULT_MODEL = "dcgan_28"


def _define(values: flags.FlagValues) -> None:
    _flags.define(
        values, TrainConfig, helps(), defaults=RECIPES[_DEFAULT_MODEL]
    )


def parse_settings(argv: Sequence[str]) -> dict:
    """The settings a command line gives, typed as their flags.

    Raises:
        absl.flags.Error: For an unknown flag or a value of the wrong type.
        ValueError: For a positional argument.
    """
    values = flags.FlagValues()
    _define(values)
    _flags.parse(values, argv)
    return {
        name: values[name].value for name in helps() if values[name].present
    }


def parse_flags(argv: Sequence[str]) -> TrainConfig:
    """The TrainConfig of a command line (``argv[0]`` is the program).

    Flags not given take the chosen model's recipe, as fields left None do.

    Raises:
        absl.flags.Error: For an unknown flag or a value of the wrong type.
        ValueError, TypeError: For values TrainConfig refuses, for a flag
            that the chosen kind of run does not read, and for a positional
            argument.
    """
    values = flags.FlagValues()
    _define(values)
    _flags.parse(values, argv)
    given = {
        name: values[name].value for name in helps() if values[name].present
    }
    return TrainConfig(**given)


def main(argv: Sequence[str] | None = None) -> int:
    """Parses absl flags from ``argv`` and trains; returns an exit code.

    0 on success, 2 for a usage error, 1 for a failure (unreachable data
    hosts, a corrupt file, a failed write), 130 on Ctrl-C: the policy of
    ``tfgan_lite.commands._cli``. ``--debug`` prints the traceback of an
    error.
    """
    args, debug = _cli.split_debug(argv if argv is not None else sys.argv)
    if _flags.help_requested(args[1:]):
        values = flags.FlagValues()
        _define(values)
        print("usage: python -m tfgan_lite.train [--flag=value ...]\n")
        print(values.get_help(include_special_flags=False))
        print(f"\n  {_cli.DEBUG_HELP}")
        print(f"  {TF_LOG_LEVEL_HELP}")
        return 0
    # --tf_log_level was read by the launcher (tfgan_lite.commands.quiet).
    return _cli.run(
        lambda: train(parse_flags(args)),
        debug=debug,
        failures=(NonFiniteError,),
    )
