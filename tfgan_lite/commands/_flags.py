"""absl flags built from a config dataclass, for every command of the package.

Each command (``tfgan_lite.train``, ``tfgan_lite.evaluate``,
``tfgan-export``) describes its settings once, as a frozen dataclass with
defaults; this module turns the fields into flags on a private
``FlagValues`` (never the global ``absl.flags.FLAGS``, so commands can be
called from tests and from programs with flags of their own) and parses a
command line back into the dataclass.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from absl import flags

__all__ = [
    "HELP_FLAGS",
    "define",
    "help_requested",
    "help_text",
    "parse",
    "to_config",
]

HELP_FLAGS = ("-h", "--help", "-help", "--helpfull")


def define(
    values: flags.FlagValues,
    config_class: type,
    helps: Mapping[str, str],
    *,
    names: Mapping[str, str] | None = None,
    lower_bounds: Mapping[str, float] | None = None,
    defaults: Any = None,
) -> None:
    """Defines one flag per field of ``config_class`` that ``helps`` names.

    The flag's type and default are the field's (or those of the field in
    ``defaults``): str, int, float and bool fields become the matching
    flags, tuple fields comma-separated lists, a field whose default is
    None an optional string flag, and a field without a default a required
    string flag.

    Args:
        values: Where to define the flags.
        config_class: A dataclass whose fields have defaults.
        helps: Field name -> help text; fields not named get no flag.
        names: Field name -> flag name, where they differ.
        lower_bounds: Field name -> the smallest value absl accepts (and
            ``--help`` shows); the dataclass checks its own bounds anyway.
        defaults: An instance of ``config_class`` whose values are the
            flags' defaults, for a dataclass whose fields default to None
            (e.g. a recipe the unset fields take); None uses the fields'
            own defaults.
    """
    names = dict(names or {})
    lower_bounds = dict(lower_bounds or {})
    numeric = {int: flags.DEFINE_integer, float: flags.DEFINE_float}
    required = []
    for field in dataclasses.fields(config_class):
        if field.name not in helps:
            continue
        name, text = names.get(field.name, field.name), helps[field.name]
        default = field.default
        if defaults is not None:
            default = getattr(defaults, field.name)
        if default is dataclasses.MISSING:
            flags.DEFINE_string(name, None, text, flag_values=values)
            required.append(name)
        elif isinstance(default, bool):
            flags.DEFINE_bool(name, default, text, flag_values=values)
        elif default is None or isinstance(default, str):
            flags.DEFINE_string(name, default, text, flag_values=values)
        elif isinstance(default, tuple):
            flags.DEFINE_list(name, list(default), text, flag_values=values)
        else:
            numeric[type(default)](
                name,
                default,
                text,
                lower_bound=lower_bounds.get(field.name),
                flag_values=values,
            )
    flags.mark_flags_as_required(required, flag_values=values)


def help_requested(args: Sequence[str]) -> bool:
    """Whether the arguments (program name excluded) ask for help."""
    return any(a in HELP_FLAGS for a in args)


def help_text(values: flags.FlagValues, heading: str = "flags:") -> str:
    """The flags' help, under ``heading`` instead of absl's module name.

    absl groups flags under the module that defined them, which here is
    always this one ("tfgan_lite.commands._flags:"), a name that means
    nothing to the user of a command.

    Args:
        values: The defined flags.
        heading: The line above the flags; "" for none.
    """
    text = values.get_help(include_special_flags=False)
    lines = [
        line
        for line in text.strip("\n").splitlines()
        # absl's module headings are the only lines that are not indented.
        if line[:1].isspace()
    ]
    return "\n".join([heading, *lines] if heading else lines)


def parse(values: flags.FlagValues, argv: Sequence[str]) -> None:
    """Parses a command line (``argv[0]`` is the program) into ``values``.

    Raises:
        absl.flags.Error: For an unknown flag or a value of the wrong type.
        ValueError: For a positional argument: every setting is a flag, and
            a mistyped one (``epochs=5``) would otherwise be dropped.
    """
    rest = values(list(argv))[1:]
    if rest:
        first = rest[0].lstrip("-")
        hint = f" (did you mean --{first}?)" if "=" in first else ""
        raise ValueError(
            f"unexpected positional argument {rest[0]!r}{hint}: every "
            "setting is a flag, written --name=value."
        )


def to_config(
    values: flags.FlagValues,
    config_class: type,
    helps: Mapping[str, str],
    *,
    names: Mapping[str, str] | None = None,
) -> Any:
    """The ``config_class`` of the parsed flags; other fields keep defaults."""
    names = dict(names or {})
    fields = {f.name: f for f in dataclasses.fields(config_class)}
    kwargs = {}
    for field in helps:
        value = values[names.get(field, field)].value
        # List flags come back as lists; the dataclass holds tuples.
        if isinstance(fields[field].default, tuple):
            value = tuple(value)
        kwargs[field] = value
    return config_class(**kwargs)
