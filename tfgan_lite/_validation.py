"""Every argument check of the package, with one signature and one style.

Each checker takes ``(value, name, *, constraints)`` and returns the value in
its canonical Python type (``int``, ``float``, ``bool``, ``str``, tuple), so
callers write ``width = check_int(width, "width", minimum=1)`` once, at the
entry point, and use plain Python values from then on.

Messages follow one pattern, so that a user can act on them:

* ``TypeError``: "`name` must be <what>, got <repr> of type <type>. <fix>"
* ``ValueError``: "`name` must be <what>, got name=<repr>. <fix>"

A name that starts with "-" is a command-line flag and is shown as typed
(``--epochs must be a positive int, got --epochs=0.``).

bool is a subclass of int in Python, but ``d_steps=True`` or ``width=False``
is always a mistake, so the number checkers reject bools.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "check_bool",
    "check_choice",
    "check_float",
    "check_int",
    "check_optional_int",
    "check_path",
    "check_size",
    "find_non_finite",
    "shapes_compatible",
]


def _quote(name: str) -> str:
    # Command-line flags ("--epochs") are shown as typed; argument names
    # are quoted as code.
    return name if name.startswith("-") else f"`{name}`"


def _type_error(value: Any, name: str, what: str, fix: str = "") -> TypeError:
    fix = f" {fix}" if fix else ""
    return TypeError(
        f"{_quote(name)} must be {what}, got {value!r} of type "
        f"{type(value).__name__}.{fix}"
    )


def _value_error(value: Any, name: str, what: str, fix: str = "") -> ValueError:
    fix = f" {fix}" if fix else ""
    return ValueError(
        f"{_quote(name)} must be {what}, got {name}={value!r}.{fix}"
    )


def _int_range(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"an int in [{minimum}, {maximum}]"
    if maximum is not None:
        return f"an int <= {maximum}"
    return {None: "an int", 0: "a non-negative int", 1: "a positive int"}.get(
        minimum, f"an int >= {minimum}"
    )


def check_int(
    value: Any,
    name: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """Returns `value` as a Python int after checking its type and range.

    Args:
        value: What the caller passed. Python and numpy integers are
            accepted; bools are not.
        name: The argument's name, shown in the message.
        minimum: Smallest allowed value; None for no lower bound.
        maximum: Largest allowed value; None for no upper bound.

    Returns:
        ``int(value)``.

    Raises:
        TypeError: If `value` is not an integer, or is a bool.
        ValueError: If `value` lies outside [minimum, maximum].

    Example:
        >>> check_int(3, "d_steps", minimum=1)
        3
    """
    what = _int_range(minimum, maximum)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise _type_error(value, name, what, "Pass a whole number.")
    value = int(value)
    if (minimum is not None and value < minimum) or (
        maximum is not None and value > maximum
    ):
        raise _value_error(value, name, what)
    return value


def check_optional_int(
    value: Any,
    name: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    """Like :func:`check_int`, but None passes through as None."""
    if value is None:
        return None
    return check_int(value, name, minimum=minimum, maximum=maximum)


def check_float(
    value: Any,
    name: str,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_closed: bool = True,
    high_closed: bool = True,
) -> float:
    """Returns `value` as a finite float after checking it lies in an interval.

    Args:
        value: What the caller passed: any real number but a bool.
        name: The argument's name, shown in the message.
        low, high: The interval's ends.
        low_closed, high_closed: Whether each end belongs to the interval.

    Returns:
        ``float(value)``, never NaN or infinite.

    Raises:
        TypeError: If `value` is not a real number, or is a bool.
        ValueError: If `value` is NaN, infinite or outside the interval.

    Example:
        >>> check_float(0.999, "decay", low=0.0, high=1.0, high_closed=False)
        0.999
    """
    if math.isinf(low) and math.isinf(high):
        bound = ""
    elif math.isinf(high):
        bound = f" {'>=' if low_closed else '>'} {low:g}"
    elif math.isinf(low):
        bound = f" {'<=' if high_closed else '<'} {high:g}"
    else:
        bound = (
            f" in {'[' if low_closed else '('}{low:g}, {high:g}"
            f"{']' if high_closed else ')'}"
        )
    what = f"a finite number{bound}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _type_error(value, name, what)
    value = float(value)
    above = value >= low if low_closed else value > low
    below = value <= high if high_closed else value < high
    if not (math.isfinite(value) and above and below):
        raise _value_error(value, name, what)
    return value


def check_bool(value: Any, name: str) -> bool:
    """Returns `value` after checking it is a bool.

    Truthy stand-ins (1, "yes", numpy bools from a config file) are refused,
    so that a typo never silently switches a feature on.

    Raises:
        TypeError: If `value` is not a Python bool.
    """
    if not isinstance(value, bool):
        raise _type_error(
            value, name, "a bool", f"Pass {name}=True or {name}=False."
        )
    return value


def check_choice(value: Any, name: str, choices: Iterable[str]) -> str:
    """Returns `value` after checking it is one of the allowed strings.

    Raises:
        TypeError: If `value` is not a str.
        ValueError: If `value` is not one of `choices`.
    """
    choices = tuple(choices)
    what = f"one of {', '.join(repr(c) for c in choices)}"
    if not isinstance(value, str):
        raise _type_error(value, name, what)
    if value not in choices:
        raise _value_error(value, name, what)
    return value


def check_path(value: Any, name: str) -> str:
    """Returns a file or directory argument as a non-empty string path.

    Raises:
        TypeError: If `value` is not a str or os.PathLike.
        ValueError: If `value` is empty.
    """
    if not isinstance(value, (str, os.PathLike)):
        raise _type_error(value, name, "a path (str or os.PathLike)")
    path = os.fspath(value)
    if not path:
        raise _value_error(path, name, "a non-empty path")
    return path


def check_size(value: Any, name: str) -> tuple[int, int]:
    """Returns a (height, width) pair of positive ints.

    Raises:
        TypeError: If `value` is not a pair of ints.
        ValueError: If a side is not positive.
    """
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str)
        or len(value) != 2
    ):
        raise _type_error(
            value,
            name,
            "a (height, width) pair",
            f"Pass for example {name}=(64, 64).",
        )
    height, width = value
    return (
        check_int(height, f"{name}[0]", minimum=1),
        check_int(width, f"{name}[1]", minimum=1),
    )


def find_non_finite(array: Any) -> tuple[int, tuple[int, ...]] | None:
    """Counts the NaN and inf values of a floating-point numpy array.

    A single NaN sample turns every loss NaN from the first step on, so
    in-memory data is checked once, before it is used. Callers phrase the
    error, since they know what the array is to the user.

    Args:
        array: The data to check. Anything that is not a floating-point
            numpy array (integers cannot be NaN) has none.

    Returns:
        None when every value is finite, else ``(count, first)``: how many
        values are NaN or inf, and the index of the first one.

    Example:
        >>> find_non_finite(np.array([[0.0, 1.0], [np.nan, np.inf]]))
        (2, (1, 0))
    """
    if not isinstance(array, np.ndarray) or not np.issubdtype(
        array.dtype, np.floating
    ):
        return None
    bad = ~np.isfinite(array)
    count = int(np.count_nonzero(bad))
    if not count:
        return None
    return count, tuple(int(i) for i in np.argwhere(bad)[0])


def shapes_compatible(a: Sequence[Any], b: Sequence[Any]) -> bool:
    """Whether two shapes can describe the same tensor.

    The ranks must agree and each pair of known sizes must be equal; None
    (an unknown size) matches anything. The batch axis is compared too, so
    callers that ignore it pass ``shape[1:]``.

    Example:
        >>> shapes_compatible((None, 28, 28, 1), (64, 28, 28, 1))
        True
        >>> shapes_compatible((None, 28, 28, 1), (None, 32, 32, 1))
        False
    """
    return len(a) == len(b) and all(
        x is None or y is None or x == y for x, y in zip(a, b, strict=True)
    )
