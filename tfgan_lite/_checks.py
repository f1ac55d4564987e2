"""Argument checks shared across the package."""

from __future__ import annotations

import numbers
from typing import Any


def check_int(value: Any, name: str, minimum: int) -> int:
    """Returns `value` as an int after checking it is an int >= minimum.

    Raises:
        TypeError: If `value` is not an integer (bools are rejected).
        ValueError: If `value` is below `minimum`.
    """
    # bool is a subclass of int, but `d_steps=True` is always a mistake.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"`{name}` must be an int >= {minimum}, got {value!r} of type "
            f"{type(value).__name__}."
        )
    if value < minimum:
        raise ValueError(f"`{name}` must be >= {minimum}, got {name}={value}.")
    return int(value)
