"""The argument checkers: accepted values, refused values, one message style."""

import math
import pathlib
import re

import numpy as np
import pytest

from tfgan_lite import _validation as v


@pytest.mark.parametrize(
    "value,kwargs,expected",
    [
        (3, {}, 3),
        (np.int64(7), {"minimum": 1}, 7),
        (np.uint8(0), {"minimum": 0}, 0),
        (-5, {"maximum": -1}, -5),
        (4, {"minimum": 4, "maximum": 4}, 4),
    ],
)
def test_check_int_accepts_and_returns_python_ints(value, kwargs, expected):
    out = v.check_int(value, "n", **kwargs)
    assert out == expected and type(out) is int


@pytest.mark.parametrize(
    "value,kwargs,error,message",
    [
        (True, {}, TypeError, "`n` must be an int, got True of type bool."),
        (2.0, {"minimum": 1}, TypeError, "positive int, got 2.0 of type float"),
        ("3", {"minimum": 0}, TypeError, "non-negative int, got '3' of type"),
        (0, {"minimum": 1}, ValueError, "`n` must be a positive int, got n=0."),
        (-1, {"minimum": 0}, ValueError, "a non-negative int, got n=-1."),
        (1, {"minimum": 2}, ValueError, "`n` must be an int >= 2, got n=1."),
        (9, {"maximum": 8}, ValueError, "`n` must be an int <= 8, got n=9."),
        (9, {"minimum": 1, "maximum": 8}, ValueError, r"in \[1, 8\], got n=9"),
    ],
)
def test_check_int_refuses(value, kwargs, error, message):
    with pytest.raises(error, match=message):
        v.check_int(value, "n", **kwargs)


def test_check_optional_int_passes_none_and_checks_the_rest():
    assert v.check_optional_int(None, "batch_size", minimum=1) is None
    assert v.check_optional_int(5, "batch_size", minimum=1) == 5
    with pytest.raises(ValueError, match="batch_size=0"):
        v.check_optional_int(0, "batch_size", minimum=1)


def test_flags_are_shown_as_typed_and_names_as_code():
    with pytest.raises(ValueError) as flag:
        v.check_int(0, "--epochs", minimum=1)
    assert str(flag.value) == (
        "--epochs must be a positive int, got --epochs=0."
    )
    with pytest.raises(ValueError) as arg:
        v.check_int(0, "epochs", minimum=1)
    assert str(arg.value) == "`epochs` must be a positive int, got epochs=0."


@pytest.mark.parametrize(
    "value,kwargs,expected",
    [
        (0, {"low": 0.0}, 0.0),
        (np.float32(0.5), {"low": 0.0, "high": 1.0}, 0.5),
        (-3, {}, -3.0),
        (0.999, {"low": 0.0, "high": 1.0, "high_closed": False}, 0.999),
    ],
)
def test_check_float_accepts(value, kwargs, expected):
    out = v.check_float(value, "x", **kwargs)
    assert out == expected and type(out) is float


@pytest.mark.parametrize(
    "value,kwargs,error,message",
    [
        (True, {}, TypeError, "got True of type bool"),
        (
            "1",
            {},
            TypeError,
            "`x` must be a finite number, got '1' of type str",
        ),
        (math.nan, {}, ValueError, "`x` must be a finite number, got x=nan."),
        (math.inf, {"low": 0.0}, ValueError, "finite number >= 0, got x=inf"),
        (-0.1, {"low": 0.0}, ValueError, "finite number >= 0, got x=-0.1"),
        (0.0, {"low": 0.0, "low_closed": False}, ValueError, "> 0, got x=0.0"),
        (2.0, {"high": 1.0}, ValueError, "finite number <= 1, got x=2.0"),
        (
            1.0,
            {"low": 0.0, "high": 1.0, "high_closed": False},
            ValueError,
            r"finite number in \[0, 1\), got x=1.0",
        ),
        (
            0.0,
            {"low": 0.0, "high": 1.0, "low_closed": False},
            ValueError,
            r"in \(0, 1\]",
        ),
    ],
)
def test_check_float_refuses(value, kwargs, error, message):
    with pytest.raises(error, match=message):
        v.check_float(value, "x", **kwargs)


@pytest.mark.parametrize("value", [1, 0, "yes", np.bool_(True), None])
def test_check_bool_refuses_truthy_stand_ins(value):
    with pytest.raises(TypeError, match="Pass flag=True or flag=False"):
        v.check_bool(value, "flag")


def test_check_bool_returns_bools():
    assert v.check_bool(True, "flag") is True
    assert v.check_bool(False, "flag") is False


def test_check_choice():
    assert v.check_choice("b", "mode", ("a", "b")) == "b"
    with pytest.raises(ValueError, match="one of 'a', 'b', got mode='c'"):
        v.check_choice("c", "mode", ("a", "b"))
    with pytest.raises(TypeError, match="got 1 of type int"):
        v.check_choice(1, "mode", ("a", "b"))


def test_check_path(tmp_path):
    assert v.check_path(tmp_path, "out") == str(tmp_path)
    assert v.check_path("runs/a", "out") == "runs/a"
    assert isinstance(v.check_path(pathlib.Path("a"), "out"), str)
    with pytest.raises(ValueError, match="non-empty path"):
        v.check_path("", "out")
    with pytest.raises(TypeError, match=re.escape("(str or os.PathLike)")):
        v.check_path(3, "out")


def test_check_size():
    assert v.check_size((28, 32), "image_size") == (28, 32)
    assert v.check_size([np.int32(8), 8], "image_size") == (8, 8)
    with pytest.raises(TypeError, match=r"image_size=\(64, 64\)"):
        v.check_size(64, "image_size")
    with pytest.raises(TypeError, match="pair"):
        v.check_size("ab", "image_size")
    with pytest.raises(ValueError, match=r"`image_size\[1\]` must be a pos"):
        v.check_size((8, 0), "image_size")


def test_find_non_finite_counts_and_locates():
    x = np.zeros((3, 4), np.float32)
    assert v.find_non_finite(x) is None
    x[1, 2] = np.nan
    x[2, 0] = -np.inf
    assert v.find_non_finite(x) == (2, (1, 2))
    # Integers cannot be NaN; non-arrays are the caller's business.
    assert v.find_non_finite(np.arange(4)) is None
    assert v.find_non_finite([np.nan]) is None


@pytest.mark.parametrize(
    "a,b,expected",
    [
        ((None, 2), (8, 2), True),
        ((None, 2), (None, None), True),
        ((4, 2), (8, 2), False),
        ((None, 2), (None, 2, 1), False),
        ((), (), True),
    ],
)
def test_shapes_compatible(a, b, expected):
    assert v.shapes_compatible(a, b) is expected
    assert v.shapes_compatible(b, a) is expected
