"""The training command's flags and ``main``: ``tfgan-train``.

One flag per :class:`~tfgan_lite.commands.config.TrainConfig` field, with
the field's help; ``--help`` shows the defaults of the chosen model's
recipe (``--model=cyclegan --help``: CycleGAN's), dcgan_28's without
``--model``. Flags given on the command line are the settings given to
``TrainConfig``; the others take the chosen model's recipe, as in a Python
call.

Importing this module loads no TensorFlow or Keras: :func:`main` checks
every flag first, so that a usage mistake is reported at once, and only
then starts TensorFlow (:func:`tfgan_lite.commands.quiet.start`) and
imports the trainer.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import textwrap
from collections.abc import Sequence

from absl import flags

from tfgan_lite.commands import _cli, _flags, kinds, quiet
from tfgan_lite.commands.config import RECIPES, TrainConfig, helps

__all__ = ["main", "parse_flags", "parse_settings"]

_DEFAULT_MODEL = "dcgan_28"
_PROG = "tfgan-train"
_MODULE_PROG = "python -m tfgan_lite.train"
# absl's own width for the flags' help.
_HELP_WIDTH = 80


def _define(values: flags.FlagValues, model: str = _DEFAULT_MODEL) -> None:
    _flags.define(values, TrainConfig, helps(), defaults=RECIPES[model])


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
    return TrainConfig(**parse_settings(argv))


def _chosen_model(args: Sequence[str]) -> str:
    """The last ``--model`` of the arguments, read before absl parses them.

    Raises:
        ValueError: For an unknown model, naming the known ones.
    """
    model, values = _DEFAULT_MODEL, iter(args)
    for arg in values:
        if arg == "--model":
            model = next(values, model)
        elif arg.startswith("--model="):
            model = arg.split("=", 1)[1]
    if model not in RECIPES:
        raise ValueError(
            f"Unknown --model {model!r}. Known presets: "
            f"{', '.join(sorted(RECIPES))}."
        )
    return model


def _recipe_lines(shown: str) -> list[str]:
    """Each other model's recipe, as the settings that differ from shown's."""
    base = dataclasses.asdict(RECIPES[shown])
    lines = []
    for model, recipe in RECIPES.items():
        if model == shown:
            continue
        differ = [
            f"{name} {value}"
            for name, value in dataclasses.asdict(recipe).items()
            if name != "model" and value != base[name]
        ]
        lines.append(
            textwrap.fill(
                f"{model}: {', '.join(differ) or 'the same'}",
                width=_HELP_WIDTH,
                initial_indent="  ",
                subsequent_indent="    ",
            )
        )
    return lines


def help_text(args: Sequence[str], prog: str = _MODULE_PROG) -> str:
    """``--help``'s text, with the defaults of the model ``args`` choose.

    Raises:
        ValueError: For an unknown ``--model``.
    """
    model = _chosen_model(args)
    values = flags.FlagValues()
    _define(values, model)
    given = any(a == "--model" or a.startswith("--model=") for a in args)
    chosen = "" if given else " (the default model)"
    return "\n".join(
        [
            f"usage: {prog} [--flag=value ...]",
            "",
            "Trains a GAN and fills its run directory; the same command "
            "again resumes it.",
            "",
            _flags.help_text(
                values,
                f"flags, with the defaults of the {model} recipe{chosen}:",
            ),
            "",
            *(
                textwrap.fill(
                    text,
                    width=_HELP_WIDTH,
                    initial_indent="  ",
                    subsequent_indent="    ",
                )
                for text in (_cli.DEBUG_HELP, quiet.FLAG_HELP)
            ),
            "",
            textwrap.fill(
                f"The other models' recipes, where they differ from "
                f"{model}'s (their full defaults: --model=NAME --help):",
                width=_HELP_WIDTH,
            ),
            *_recipe_lines(model),
        ]
    )


def _prog(argv0: str) -> str:
    """What the usage line calls the program: how it was started."""
    return _PROG if os.path.basename(argv0) == _PROG else _MODULE_PROG


def _checked(args: Sequence[str]) -> TrainConfig:
    """The run's config, every flag and the data's name checked."""
    config = parse_flags(args)
    kinds.check_source(config)
    return config


def main(argv: Sequence[str] | None = None) -> int:
    """Parses absl flags from ``argv`` and trains; returns an exit code.

    The flags are checked before TensorFlow is imported: a usage error
    costs no TensorFlow start. 0 on success, 2 for a usage error, 1 for a
    failure (unreachable data hosts, a corrupt file, a failed write), 130
    on Ctrl-C: the policy of ``tfgan_lite.commands._cli``. ``--debug``
    prints the traceback of an error.
    """
    args, debug = _cli.split_debug(argv if argv is not None else sys.argv)
    prog = _prog(args[0] if args else "")
    if _flags.help_requested(args[1:]):
        try:
            text = help_text(args[1:], prog)
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return _cli.USAGE
        print(text)
        return 0
    config: list[TrainConfig] = []
    status = _cli.run(lambda: config.append(_checked(args)), debug=debug)
    if status:
        return status
    # --tf_log_level was read by the launcher, which set the level.
    quiet.start()
    from tfgan_lite.commands.fit_loop import NonFiniteError
    from tfgan_lite.commands.trainer import train
    from tfgan_lite.export import MissingPackageError

    return _cli.run(
        lambda: train(config[0]),
        debug=debug,
        failures=(NonFiniteError, MissingPackageError),
    )
