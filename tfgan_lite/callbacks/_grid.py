"""Tiling a batch of images into one picture, with gaps between cells."""

from __future__ import annotations

import math

import numpy as np

from tfgan_lite._pixels import to_uint8
from tfgan_lite._validation import check_int

__all__ = ["CHANNELS", "label_rows", "make_grid"]

CHANNELS = (1, 3, 4)
# Mid-grey separates cells on dark and on light backgrounds alike.
_GAP_VALUE = 128


def _grid_layout(n: int, rows: int | None) -> tuple[int, int]:
    """Returns (rows, cols) for n cells: near-square unless rows is given."""
    if rows is None:
        cols = math.ceil(math.sqrt(n))
        return math.ceil(n / cols), cols
    rows = check_int(rows, "rows", minimum=1)
    if rows > n:
        raise ValueError(
            f"`rows` must be at most the number of images ({n}), got "
            f"rows={rows}."
        )
    return rows, math.ceil(n / rows)


def _default_gap(height: int, width: int) -> int:
    # About 1/16 of a side: 1 pixel for 8x8 to 28x28 cells, 4 for 64x64.
    return max(1, min(height, width) // 16)


def make_grid(
    images, *, rows: int | None = None, gap: int | None = None
) -> np.ndarray:
    """Tiles a batch of images into one uint8 image, row by row.

    Images fill the grid left to right, top to bottom, separated by
    ``gap`` pixels of mid-grey (128) so that neighbouring samples do not
    run together; cells past the last image stay black. Floating-point
    images are read as [-1, 1] (the range of a ``tanh`` generator): -1 maps
    to 0, 1 to 255, values outside are clipped, NaN is black (the mapping
    of ``tfgan_lite.export.to_uint8``). uint8 images are used as they are.

    Args:
        images: Array of shape (N, H, W, C) with C in {1, 3, 4}, or
            (N, H, W) for grayscale; float in [-1, 1] or uint8.
        rows: Number of grid rows, 1..N; columns are then ceil(N / rows).
            None picks a near-square grid: ceil(sqrt(N)) columns and as
            many rows as needed.
        gap: Pixels between neighbouring cells (none around the border);
            0 tiles without gaps. None picks about 1/16 of the smaller
            image side, at least 1.

    Returns:
        A uint8 array of shape (rows * H + (rows - 1) * gap,
        cols * W + (cols - 1) * gap, C) (C = 1 for grayscale input of
        shape (N, H, W)).

    Raises:
        TypeError: If the images are neither floating point nor uint8.
        ValueError: If the shape is not (N, H, W[, C]) with N >= 1 and C in
            {1, 3, 4}, or rows is out of range.

    Example:
        >>> make_grid(np.zeros((5, 2, 3, 1), np.float32)).shape
        (5, 11, 1)
        >>> make_grid(np.zeros((5, 2, 3, 1), np.float32), gap=0).shape
        (4, 9, 1)
    """
    array = np.asarray(images)
    if array.dtype != np.uint8 and not np.issubdtype(array.dtype, np.floating):
        raise TypeError(
            "make_grid expects float images in [-1, 1] or uint8 images, got "
            f"dtype {array.dtype}."
        )
    if array.ndim == 3:
        array = array[..., np.newaxis]
    if array.ndim != 4 or array.shape[-1] not in CHANNELS or not len(array):
        raise ValueError(
            "make_grid expects images of shape (N, H, W, C) with N >= 1 and "
            f"C in {CHANNELS}, or (N, H, W); got shape {np.shape(images)}."
        )
    n, height, width, channels = array.shape
    rows, cols = _grid_layout(n, rows)
    if gap is None:
        gap = _default_gap(height, width)
    gap = check_int(gap, "gap", minimum=0)
    pixels = array if array.dtype == np.uint8 else to_uint8(array).numpy()
    step_y, step_x = height + gap, width + gap
    grid = np.full(
        (rows * step_y - gap, cols * step_x - gap, channels),
        _GAP_VALUE,
        np.uint8,
    )
    for index in range(rows * cols):
        row, col = divmod(index, cols)
        y, x = row * step_y, col * step_x
        # Cells past the last image stay black.
        grid[y : y + height, x : x + width] = pixels[index] if index < n else 0
    return grid


# Digits 0-9 as 3x5 bitmaps, row by row: enough to label the rows of a
# grid by class id without a font file.
_DIGITS = (
    "111101101101111",
    "010110010010111",
    "111001111100111",
    "111001111001111",
    "101101111001001",
    "111100111001111",
    "111100111101111",
    "111001001001001",
    "111101111101111",
    "111101111001111",
)
_GLYPH_HEIGHT, _GLYPH_WIDTH = 5, 3


def _digit_bitmap(text: str, scale: int) -> np.ndarray:
    """White-on-black digits (bool, H x W), one blank column between."""
    columns = []
    for i, char in enumerate(text):
        glyph = np.array([bit == "1" for bit in _DIGITS[int(char)]]).reshape(
            _GLYPH_HEIGHT, _GLYPH_WIDTH
        )
        if i:
            columns.append(np.zeros((_GLYPH_HEIGHT, 1), bool))
        columns.append(glyph)
    bitmap = np.concatenate(columns, axis=1)
    return bitmap.repeat(scale, axis=0).repeat(scale, axis=1)


def label_rows(
    grid: np.ndarray, labels, *, cell_height: int, gap: int
) -> np.ndarray:
    """Writes each grid row's label, in digits, in a black strip on its left.

    Args:
        grid: A uint8 grid from :func:`make_grid`, (H, W, C).
        labels: One non-negative integer per grid row, top to bottom.
        cell_height: Height of a cell, in pixels.
        gap: Pixels between rows, as given to :func:`make_grid`.

    Returns:
        The grid with the strip added: (H, W + strip width, C), uint8.

    Example:
        >>> grid = make_grid(np.zeros((4, 8, 8, 1), np.float32), rows=2)
        >>> label_rows(grid, [3, 12], cell_height=8, gap=1).shape
        (17, 26, 1)
    """
    texts = [str(check_int(label, "label", minimum=0)) for label in labels]
    # Digits about half a cell high, at least 1 pixel per bitmap pixel.
    scale = max(1, cell_height // (2 * _GLYPH_HEIGHT))
    margin = scale
    width = max(len(t) for t in texts) * (_GLYPH_WIDTH + 1) * scale + margin
    strip = np.zeros((grid.shape[0], width, grid.shape[2]), np.uint8)
    if grid.shape[2] == 4:
        strip[..., 3] = 255  # Opaque, as the cells are.
    for row, text in enumerate(texts):
        bitmap = _digit_bitmap(text, scale)
        if bitmap.shape[0] > cell_height:
            bitmap = bitmap[:cell_height]
        top = row * (cell_height + gap) + (cell_height - bitmap.shape[0]) // 2
        left = width - margin - bitmap.shape[1]
        cell = strip[top : top + bitmap.shape[0], left : left + bitmap.shape[1]]
        cell[bitmap] = 255
    return np.concatenate([strip, grid], axis=1)
