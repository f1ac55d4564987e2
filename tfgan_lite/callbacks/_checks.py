"""Argument checks and small helpers shared by the training callbacks."""

from __future__ import annotations

import math
import numbers
import os
from typing import Any

from tfgan_lite._checks import check_int as _check_int  # noqa: F401
from tfgan_lite.gan import GAN


def _check_bool(value: Any, name: str) -> bool:
    """Returns `value` after checking it is a bool.

    Raises:
        TypeError: If `value` is not a bool (1 and "yes" are rejected).
    """
    if not isinstance(value, bool):
        raise TypeError(
            f"`{name}` must be a bool, got {value!r} of type "
            f"{type(value).__name__}."
        )
    return value


def _check_float(
    value: Any,
    name: str,
    *,
    low: float,
    high: float = math.inf,
    low_closed: bool = True,
    high_closed: bool = True,
) -> float:
    """Returns `value` as a float after checking it lies in an interval.

    Raises:
        TypeError: If `value` is not a real number (bools are rejected).
        ValueError: If `value` is not finite or lies outside the interval.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"`{name}` must be a float, got {value!r} of type "
            f"{type(value).__name__}."
        )
    value = float(value)
    above = value >= low if low_closed else value > low
    below = value <= high if high_closed else value < high
    if math.isnan(value) or not (above and below):
        interval = (
            f"{'[' if low_closed else '('}{low:g}, "
            f"{high:g}{']' if high_closed else ')'}"
        )
        raise ValueError(
            f"`{name}` must lie in {interval}, got {name}={value!r}."
        )
    return value


def _check_dir(value: Any, name: str) -> str:
    """Returns a directory argument as a string path.

    Raises:
        TypeError: If `value` is not a str or os.PathLike.
        ValueError: If `value` is empty.
    """
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(
            f"`{name}` must be a directory path (str or os.PathLike), got "
            f"{value!r} of type {type(value).__name__}."
        )
    path = os.fspath(value)
    if not path:
        raise ValueError(f"`{name}` must be a non-empty directory path.")
    return path


def _check_gan(model: Any, callback: str) -> GAN:
    """Returns the model a callback is attached to, checked to be a GAN.

    Raises:
        TypeError: If the callback is used with another kind of model.
    """
    if not isinstance(model, GAN):
        raise TypeError(
            f"{callback} works with tfgan_lite.GAN models, but fit() was "
            f"called on a {type(model).__name__}."
        )
    return model


def _is_due(epoch: int, every_n_epochs: int) -> bool:
    """Whether a periodic callback acts at this 0-based epoch index.

    The same rule as ``keras.callbacks.TensorBoard(histogram_freq=n)``:
    epochs 0, n, 2n, ... so the first epoch is always covered.
    """
    return epoch % every_n_epochs == 0
