"""Argument checks shared by the model builders."""

from __future__ import annotations

import numbers
from typing import Any


def _check_positive_int(name: str, value: Any) -> int:
    """Checks that `value` is a positive int and returns it as a Python int.

    Args:
        name: Argument name, used in the error message.
        value: The value the caller passed.

    Returns:
        `value` as a plain Python `int`.

    Raises:
        TypeError: If `value` is not an integer, or is a bool.
        ValueError: If `value` is not positive.
    """
    # bool is a subclass of int, but `width=True` is always a mistake.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"`{name}` must be a positive int, got {value!r} of type "
            f"{type(value).__name__}. Pass a whole number such as "
            f"{name}=8."
        )
    if value <= 0:
        raise ValueError(
            f"`{name}` must be a positive int, got {name}={value!r}. "
            f"Pass a value of at least 1."
        )
    return int(value)


def _check_bool(name: str, value: Any) -> bool:
    """Checks that `value` is a bool and returns it.

    Args:
        name: Argument name, used in the error message.
        value: The value the caller passed.

    Returns:
        `value` as a plain Python `bool`.

    Raises:
        TypeError: If `value` is not a bool.
    """
    # Reject truthy non-bools (1, "yes") so typos do not silently pass.
    if not isinstance(value, bool):
        raise TypeError(
            f"`{name}` must be a bool, got {value!r} of type "
            f"{type(value).__name__}. Pass {name}=True or {name}=False."
        )
    return value
