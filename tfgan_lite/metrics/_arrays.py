"""Input checks and batched distances shared by the metrics.

Every metric converts its inputs here, once, at the entry point: to a
float64 numpy array of a required rank, refusing strings, bools, complex
numbers, NaN and inf with a message that names the argument. Distances
between two large sets are computed a block of rows at a time, so that a
10,000 x 10,000 comparison holds a few blocks of about 64 MiB at once,
never the whole 800 MB matrix.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from tfgan_lite._validation import check_int, find_non_finite

# Float64 values per block of a pairwise-distance matrix: 2**23 values are
# 64 MiB, a block of 838 rows against 10,000 columns.
_BLOCK_VALUES = 2**23


def _format_index(index: tuple[int, ...]) -> str:
    return ", ".join(str(i) for i in index)


def _check_shape(array: np.ndarray, name: str, ndim: int, shape_hint: str):
    if array.ndim != ndim or 0 in array.shape:
        raise ValueError(
            f"`{name}` must have shape {shape_hint} with no empty axis, got "
            f"shape {array.shape}."
        )


def as_float_array(
    value: Any, name: str, *, ndim: int, shape_hint: str
) -> np.ndarray:
    """Returns `value` as a finite float64 array of rank `ndim`.

    Args:
        value: A numpy array or anything ``np.asarray`` accepts.
        name: The argument's name, shown in the messages.
        ndim: The required rank.
        shape_hint: The expected shape in words, e.g. "(N, D)".

    Returns:
        A float64 array with at least one element along every axis.

    Raises:
        TypeError: If `value` does not hold real numbers (strings, objects,
            bools and complex numbers are refused).
        ValueError: If `value` has another rank, an empty axis, or holds
            NaN or inf.

    Example:
        >>> as_float_array([[1, 2]], "x", ndim=2, shape_hint="(N, D)").dtype
        dtype('float64')
    """
    array = np.asarray(value)
    if array.dtype == bool or not (
        np.issubdtype(array.dtype, np.integer)
        or np.issubdtype(array.dtype, np.floating)
    ):
        raise TypeError(
            f"`{name}` must hold real numbers, got dtype {array.dtype}."
        )
    _check_shape(array, name, ndim, shape_hint)
    # Checked after the cast: values too large for float64 become inf.
    array = array.astype(np.float64)
    found = find_non_finite(array)
    if found is not None:
        count, first = found
        raise ValueError(
            f"`{name}` holds {count} NaN or infinite values; the first is "
            f"{name}[{_format_index(first)}]. Drop or fix those samples."
        )
    return array


def as_int_array(
    value: Any, name: str, *, ndim: int, shape_hint: str
) -> np.ndarray:
    """Returns `value` as an int64 array of rank `ndim`.

    An empty list (which numpy reads as float64) gets the shape error, not
    the type error.

    Raises:
        TypeError: If `value` does not hold integers (bools are refused).
        ValueError: If `value` has another rank or an empty axis.
    """
    array = np.asarray(value)
    _check_shape(array, name, ndim, shape_hint)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
        raise TypeError(
            f"`{name}` must hold integers, got dtype {array.dtype}. Pass "
            "class indices, e.g. the argmax of a classifier's outputs."
        )
    return array.astype(np.int64)


def as_features(value: Any, name: str, *, min_samples: int = 1) -> np.ndarray:
    """Returns a feature array of shape (N, D) as finite float64.

    Raises:
        TypeError: If `value` does not hold real numbers.
        ValueError: If `value` is not 2-D, holds NaN or inf, or has fewer
            than `min_samples` rows.
    """
    array = as_float_array(value, name, ndim=2, shape_hint="(N, D)")
    if len(array) < min_samples:
        raise ValueError(
            f"`{name}` must hold at least {min_samples} samples, got "
            f"{len(array)}."
        )
    return array


def check_same_width(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str):
    """Refuses feature sets of different widths (feature dimensions).

    Raises:
        ValueError: If ``a.shape[-1] != b.shape[-1]``.
    """
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(
            f"`{name_a}` and `{name_b}` must have the same number of "
            f"features, got {a.shape[-1]} and {b.shape[-1]}. Extract both "
            "with the same feature extractor."
        )


def check_k(k: Any, name: str, sizes: dict[str, int]) -> int:
    """Returns `k` after checking each set has more than k samples.

    The k-th nearest neighbour of a sample among the others of its set
    exists only when the set has at least k + 1 samples.

    Args:
        k: The neighbour count the caller passed.
        name: Its name, shown in the messages.
        sizes: Each set's name and number of samples.

    Raises:
        TypeError: If `k` is not an int.
        ValueError: If `k` < 1 or some set has k or fewer samples.
    """
    k = check_int(k, name, minimum=1)
    for set_name, size in sizes.items():
        if k >= size:
            raise ValueError(
                f"`{name}` must be smaller than the number of samples of "
                f"`{set_name}`, got {name}={k} and {size} samples. Pass "
                f"{name} <= {size - 1} or more samples."
            )
    return k


def row_blocks(
    num_rows: int, num_columns: int, block_rows: int | None = None
) -> Iterator[slice]:
    """Slices of rows such that a block of distances stays bounded.

    Args:
        num_rows: Rows to cover.
        num_columns: Columns each row is compared with.
        block_rows: Rows per block; None picks as many as fit in about
            64 MiB of float64 (at least one).

    Yields:
        Consecutive slices covering ``range(num_rows)``.
    """
    if block_rows is None:
        block_rows = max(1, _BLOCK_VALUES // max(1, num_columns))
    for start in range(0, num_rows, block_rows):
        yield slice(start, min(start + block_rows, num_rows))


def squared_distances(
    a: np.ndarray, b: np.ndarray, b_squared_norms: np.ndarray | None = None
) -> np.ndarray:
    """Squared Euclidean distances between the rows of `a` and of `b`.

    Computed as |a|^2 + |b|^2 - 2 a.b, one matrix product instead of an
    (N, M, D) difference array; round-off can make that slightly negative,
    so it is clipped at 0.

    Args:
        a: Array of shape (N, D).
        b: Array of shape (M, D).
        b_squared_norms: ``(b**2).sum(1)``, when the caller reuses it.

    Returns:
        Array of shape (N, M), >= 0.

    Example:
        >>> squared_distances(np.array([[0.0, 0.0]]), np.array([[3.0, 4.0]]))
        array([[25.]])
    """
    if b_squared_norms is None:
        b_squared_norms = np.einsum("ij,ij->i", b, b)
    # Built in place in the product's buffer: one (N, M) array, not three.
    distances = a @ b.T
    distances *= -2.0
    distances += np.einsum("ij,ij->i", a, a)[:, None]
    distances += b_squared_norms[None, :]
    return np.maximum(distances, 0.0, out=distances)
