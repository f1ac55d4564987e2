"""Fuzzing the training command's flags: ``train.main`` and ``parse_flags``.

The property: every command line either parses (and would train) or makes
``main`` return 2 with a one-line "error: ..." on stderr and no traceback.
Nothing trains here: the command's ``train`` is replaced by a stub that records
the config it was given.
"""

import contextlib
import dataclasses
import io
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfgan_lite import train as train_lib
from tfgan_lite.commands import trainer as command

# The example count comes from the Hypothesis profile (tests/conftest.py).
EXAMPLES = settings(deadline=None)
FIELDS = [field.name for field in dataclasses.fields(train_lib.TrainConfig)]

_name = st.one_of(
    st.sampled_from(FIELDS),
    st.sampled_from(FIELDS).map(lambda name: "no" + name),
    st.sampled_from(["undefok", "help_", "h2", "", "-", "model=", "x y"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-0", max_size=10),
)
_value = st.one_of(
    st.sampled_from(
        ["", "0", "-1", "1", "2", "nan", "inf", "-inf", "1e400", "0.5"]
    ),
    st.sampled_from(["true", "false", "maybe", "hinge", "cyclegan"]),
    st.sampled_from(["mlp_2d", "ring", "dcgan_32", "simultaneous", "a,b"]),
    st.integers(-(2**70), 2**70).map(str),
    st.floats().map(repr),
    st.text(max_size=8).filter(lambda s: "\0" not in s),
)


@st.composite
def _argument(draw):
    kind = draw(st.sampled_from(["--n=v", "--n=v", "--n", "-n=v", "v"]))
    name, value = draw(_name), draw(_value)
    return kind.replace("n", name, 1).replace("v", value, 1)


def _run_main(argv):
    """(exit code, stdout, stderr, configs given to train) of main(argv)."""
    configs = []
    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch.object(command, "train", configs.append),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        code = train_lib.main(argv)
    return code, out.getvalue(), err.getvalue(), configs


@EXAMPLES
@given(arguments=st.lists(_argument(), max_size=4))
def test_every_command_line_parses_or_exits_2(arguments):
    argv = ["tfgan_lite.train", *arguments]
    code, out, err, configs = _run_main(argv)
    assert code in (0, 2), (argv, code)
    assert "Traceback" not in out + err
    if code == 2:
        assert not configs
        # One message; it may echo a value that holds a newline itself.
        assert err.startswith("error: ") and err.endswith("\n"), err
        assert len(err) < 1000, err
        return
    if "--help" in out or "usage:" in out:
        return  # A help flag: printed help, trained nothing.
    (config,) = configs
    assert isinstance(config, train_lib.TrainConfig)
    # What main trains on is exactly what parse_flags returns.
    assert train_lib.parse_flags(argv) == config


# Flag values that training would refuse later, or never check; each exits
# 2 at parse time, naming the flag.
_SHOULD_EXIT_2 = {
    "beta_1_nan": (["--beta_1=nan"], "--beta_1"),
    "beta_1_above_1": (["--beta_1=5"], "--beta_1"),
    "negative_gradient_penalty": (
        ["--gradient_penalty=-1"],
        "--gradient_penalty",
    ),
    "nan_r1_penalty": (["--r1_penalty=nan"], "--r1_penalty"),
    "negative_seed": (["--seed=-1"], "--seed"),
    "seed_above_32_bits": (["--seed=4294967296"], "--seed"),
    # absl returns positional arguments unparsed: a mistyped flag would be
    # dropped silently.
    "positional_argument": (["epochs=5"], "--epochs=5"),
    "empty_run_dir": (["--run_dir="], "--run_dir"),
}


@pytest.mark.parametrize(
    "arguments, flag",
    list(_SHOULD_EXIT_2.values()),
    ids=list(_SHOULD_EXIT_2),
)
def test_values_that_training_refuses_exit_2_at_parse(arguments, flag):
    code, _, err, configs = _run_main(["tfgan_lite.train", *arguments])
    assert code == 2 and err.startswith("error: "), (code, err)
    assert flag in err and not configs
