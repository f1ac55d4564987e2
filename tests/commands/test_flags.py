"""Flags from a config dataclass: types, defaults, names, bounds, parsing."""

import dataclasses

import pytest
from absl import flags

from tfgan_lite.commands import _flags


@dataclasses.dataclass(frozen=True)
class _Config:
    path: str
    count: int = 3
    rate: float = 0.5
    on: bool = False
    names: tuple = ("a", "b")
    hidden: int = 7


_HELPS = {
    "path": "A path.",
    "count": "A count.",
    "rate": "A rate.",
    "on": "A switch.",
    "names": "Some names.",
}


def _values(**kwargs):
    values = flags.FlagValues()
    _flags.define(values, _Config, _HELPS, **kwargs)
    return values


def test_defaults_types_and_the_fields_left_out():
    values = _values(names={"path": "in"})
    values(["prog", "--in=x"])
    config = _flags.to_config(values, _Config, _HELPS, names={"path": "in"})
    assert config == _Config(path="x")
    assert "hidden" not in values
    values(["prog", "--in=y", "--count=5", "--rate=2", "--on", "--names=c"])
    config = _flags.to_config(values, _Config, _HELPS, names={"path": "in"})
    assert config == _Config("y", 5, 2.0, True, ("c",))
    assert type(config.rate) is float and type(config.names) is tuple


def test_required_fields_and_lower_bounds_are_enforced():
    with pytest.raises(flags.IllegalFlagValueError, match="--path"):
        _values()(["prog"])
    values = _values(lower_bounds={"count": 1})
    with pytest.raises(flags.IllegalFlagValueError, match="count"):
        values(["prog", "--path=p", "--count=0"])
    assert "a positive integer" in values.get_help()


def test_help_requested():
    assert _flags.help_requested(["--x=1", "--help"])
    assert _flags.help_requested(["-h"])
    assert not _flags.help_requested(["--helpful_flag=1"])


@pytest.mark.parametrize(
    "module",
    [
        "tfgan_lite.commands.train",
        "tfgan_lite.commands.evaluate",
        "tfgan_lite.commands.sample",
        "tfgan_lite.export.cli",
    ],
)
def test_every_command_heads_its_flags_without_a_module_name(module, capsys):
    import importlib

    main = importlib.import_module(module).main
    assert main(["prog", "--help"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "flags:" in lines or any(
        line.startswith("flags, with the defaults") for line in lines
    )
    # absl's own heading would be the module that defined the flags.
    assert not any(
        "tfgan_lite." in line and line.endswith(":") for line in lines
    )
    assert any(line.startswith("  --") for line in lines)
