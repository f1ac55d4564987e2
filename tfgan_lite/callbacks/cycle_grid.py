"""A picture of a CycleGAN's translations: x, G(x) and F(G(x)) in rows.

Row 1 holds the inputs, row 2 their translations and row 3 the round
trips, so a glance shows whether G changes the domain (row 2 differs from
row 1 in the intended way) and whether the cycle closes (row 3 matches
row 1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tfgan_lite.callbacks._grid import make_grid

__all__ = ["cycle_grid"]


def cycle_grid(
    model: Any, images: Any, *, direction: str = "xy", gap: int | None = None
) -> np.ndarray:
    """Tiles inputs, translations and round trips as a 3-row uint8 grid.

    Args:
        model: A ``tfgan_lite.CycleGAN`` (anything with ``translate``).
        images: Images of the source domain in [-1, 1], (N, H, W, C).
        direction: "xy": rows x, G(x), F(G(x)); "yx": y, F(y), G(F(y)).
        gap: Pixels between cells, as in ``make_grid``.

    Returns:
        A uint8 array of 3 rows of N cells each (see ``make_grid``).

    Raises:
        ValueError: For an unknown direction or images that make_grid
            refuses.

    Example:
        >>> import tfgan_lite
        >>> g, d = tfgan_lite.models.resnet_cyclegan((8, 8, 1), width=2)
        >>> f, e = tfgan_lite.models.resnet_cyclegan((8, 8, 1), width=2)
        >>> model = tfgan_lite.CycleGAN(g, f, e, d, pool_size=0)
        >>> cycle_grid(model, np.zeros((4, 8, 8, 1)), gap=0).shape
        (24, 32, 1)
    """
    back = {"xy": "yx", "yx": "xy"}.get(direction, direction)
    images = np.asarray(images, np.float32)
    translated = model.translate(images, direction=direction)
    cycled = model.translate(translated, direction=back)
    return make_grid(
        np.concatenate([images, translated, cycled]), rows=3, gap=gap
    )
