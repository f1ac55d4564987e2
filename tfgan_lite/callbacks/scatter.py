"""Scatter pictures of 2-D samples over the real data, to TensorBoard and PNG.

Loss curves say little about a generator of 2-D points; a picture of its
samples over the real mixture shows at a glance which modes it covers and
how tightly. :func:`render_scatter` draws one panel, :func:`scatter_figure`
adds a zoom on one mode, and :class:`PointScatter` writes the picture
during training, like :class:`~tfgan_lite.callbacks.ImageGrid` does for
images.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite._validation import check_float, check_int, check_path
from tfgan_lite.callbacks._common import (
    check_gan,
    epoch_summaries,
    is_due_or_last,
    write_pngs,
)

__all__ = ["PointScatter", "render_scatter", "scatter_figure"]

# TensorBoard run and tag of the pictures (ImageGrid's run).
SAMPLES_RUN = "samples"
_IMAGE_TAG = "scatter"

_BACKGROUND = 255
_REAL = (250, 180, 110)
_CIRCLE = (160, 160, 160)
_CENTER = (210, 40, 40)
_POINT = (20, 40, 120)
_GAP = (120, 120, 120)


def _points(points, name: str) -> np.ndarray:
    """`points` as a float64 (N, 2) array, or a ValueError."""
    array = np.asarray(points)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(
            f"`{name}` must be an array of (x, y) points of shape (N, 2), "
            f"got shape {array.shape}."
        )
    if not (np.issubdtype(array.dtype, np.number) and array.dtype != bool):
        raise ValueError(
            f"`{name}` must hold numbers, got dtype {array.dtype}."
        )
    return array.astype(np.float64)


def render_scatter(
    samples: np.ndarray,
    centers: np.ndarray,
    *,
    std: float,
    extent: float,
    real: np.ndarray | None = None,
    size: int = 480,
    origin: Sequence[float] = (0.0, 0.0),
    dot: int = 1,
) -> np.ndarray:
    """Draws a scatter plot into a (size, size, 3) uint8 array.

    White canvas; ``real`` points as light orange dots one size smaller
    than the samples; ``samples`` as dark blue dots; then, on top so that
    they show through dense clouds, a grey circle of radius 3 * std
    (PacGAN's high-quality radius) and a red cross on each center. The view
    is the square of half width ``extent`` around ``origin``, y up; points
    outside it are left out.

    Args:
        samples: (N, 2) generated points.
        centers: (M, 2) mode centers.
        std: Standard deviation of the modes.
        extent: Half width of the view, in data units.
        real: (K, 2) real points, or None.
        size: Width and height in pixels.
        origin: Center of the view, in data units.
        dot: Sample dots are (2 * dot + 1) pixels wide.

    Returns:
        A (size, size, 3) uint8 RGB array.

    Raises:
        ValueError: If the points are not (N, 2) arrays, or `extent`,
            `std` or `size` is out of range.

    Example:
        >>> image = render_scatter(np.zeros((1, 2)), np.zeros((0, 2)),
        ...                        std=0.1, extent=1.0, size=11)
        >>> image.shape, image[5, 5].tolist(), image[0, 0].tolist()
        ((11, 11, 3), [20, 40, 120], [255, 255, 255])
    """
    samples = _points(samples, "samples")
    centers = _points(centers, "centers")
    if real is not None:
        real = _points(real, "real")
    std = check_float(std, "std", low=0.0, low_closed=False)
    extent = check_float(extent, "extent", low=0.0, low_closed=False)
    size = check_int(size, "size", minimum=2)
    dot = check_int(dot, "dot", minimum=0)
    image = np.full((size, size, 3), _BACKGROUND, np.uint8)
    scale = (size - 1) / (2.0 * extent)
    x0, y0 = float(origin[0]), float(origin[1])

    def paint(xy: np.ndarray, color, radius: int) -> None:
        xy = np.asarray(xy, np.float64).reshape(-1, 2)
        # NaN or inf points cannot be placed: they are left out.
        xy = xy[np.isfinite(xy).all(axis=1)]
        cols = np.round((xy[:, 0] - x0 + extent) * scale).astype(np.int64)
        rows = np.round((y0 + extent - xy[:, 1]) * scale).astype(np.int64)
        for dr in range(-radius, radius + 1):
            for dc in range(-radius, radius + 1):
                r, c = rows + dr, cols + dc
                keep = (r >= 0) & (r < size) & (c >= 0) & (c < size)
                image[r[keep], c[keep]] = color

    if real is not None:
        paint(real, _REAL, dot - 1)
    paint(samples, _POINT, dot)
    # Circles at least 4 pixels across, so that tiny ones still show.
    radius = max(3.0 * std * scale, 4.0) / scale
    angles = np.linspace(0.0, 2 * np.pi, 1440, endpoint=False)
    circle = np.stack([np.cos(angles), np.sin(angles)], 1) * radius
    for center in centers:
        paint(center + circle, _CIRCLE, 0)
    arm = np.arange(-3, 4)[:, None] / scale
    for center in centers:
        cross = np.concatenate(
            [center + arm * [1.0, 0.0], center + arm * [0.0, 1.0]]
        )
        paint(cross, _CENTER, 0)
    return image


def scatter_figure(
    samples: np.ndarray,
    centers: np.ndarray,
    *,
    std: float,
    extent: float,
    real: np.ndarray | None = None,
    size: int = 480,
) -> np.ndarray:
    """The whole mixture beside a zoom on its first mode, as one image.

    The left panel shows the square of half width ``extent`` around the
    origin; the right one the square of half width 6 std around
    ``centers[0]``, where the 3-std circle and the spread of real and
    generated points are visible. A 4-pixel grey gap separates them.

    Args:
        samples: (N, 2) generated points.
        centers: (M, 2) mode centers, M >= 1.
        std: Standard deviation of the modes.
        extent: Half width of the full view, in data units.
        real: (K, 2) real points, or None.
        size: Width and height of each panel in pixels.

    Returns:
        A (size, 2 * size + 4, 3) uint8 RGB array.

    Example:
        >>> centers = np.array([[1.0, 0.0], [-1.0, 0.0]])
        >>> scatter_figure(centers, centers, std=0.05, extent=1.5,
        ...                size=64).shape
        (64, 132, 3)
    """
    centers = _points(centers, "centers")
    if not len(centers):
        raise ValueError(
            "`centers` must hold at least one (x, y) center to zoom on, got "
            "none. Use render_scatter for a single panel."
        )
    full = render_scatter(
        samples, centers, std=std, extent=extent, real=real, size=size
    )
    zoom = render_scatter(
        samples,
        centers,
        std=std,
        extent=6 * std,
        real=real,
        size=size,
        origin=centers[0],
        dot=2,
    )
    gap = np.full((size, 4, 3), _GAP, np.uint8)
    return np.concatenate([full, gap, zoom], axis=1)


class PointScatter(keras.callbacks.Callback):
    """Writes a scatter picture of 2-D samples over the real data.

    At the end of epochs 0, n, 2n, ... (``every_n_epochs=n``) and always
    after the last epoch, the GAN draws ``num_samples`` points from fixed
    latents (its EMA generator when there is one) and the picture goes to:

    * TensorBoard, as image ``scatter`` in the ``samples`` run of
      ``log_dir`` (beside ImageGrid's grids);
    * PNG files ``scatter_epoch_{epoch:04d}.png`` (0-based epoch) and
      ``scatter_latest.png`` (replaced each time) in ``png_dir``.

    With known ``centers`` and ``std`` (the ring and grid of
    ``tfgan_lite.data``) the picture is :func:`scatter_figure`: the whole
    mixture with a 3-std circle on each mode, beside a zoom on the first
    mode. Otherwise it is one :func:`render_scatter` panel.

    Args:
        real: (K, 2) real points drawn under the samples (light orange).
        log_dir: TensorBoard log directory.
        centers: (M, 2) known mode centers, or None.
        std: Standard deviation of the modes; needed with `centers`.
        extent: Half width of the view around the origin; None fits the
            real points with a 10% margin (1 if they are all at 0).
        every_n_epochs: Period, in epochs, of the pictures.
        num_samples: Points drawn per picture (PacGAN scores 2,500).
        seed: Seed of the fixed latents.
        png_dir: Folder of the PNG files; None writes them next to the
            TensorBoard events, in ``log_dir/samples``.
        size: Side of each panel in pixels.

    Raises:
        TypeError, ValueError: For a bad argument; TypeError when fit() is
            called on something other than a tfgan_lite.GAN.

    Example:
        >>> import tempfile
        >>> from tfgan_lite import GAN, data, models
        >>> from tfgan_lite.data.mixtures import RING_STD
        >>> points, centers = data.ring(256, seed=0)
        >>> g, d = models.mlp_2d(latent_dim=4, hidden=8)
        >>> gan = GAN(g, d)
        >>> gan.compile()
        >>> logs = tempfile.mkdtemp()
        >>> scatter = PointScatter(points, logs, centers=centers,
        ...                        std=RING_STD, num_samples=100)
        >>> _ = gan.fit(data.mixture_dataset(points, batch_size=64),
        ...             epochs=1, verbose=0, callbacks=[scatter])
        >>> sorted(os.listdir(os.path.join(logs, "samples")))[-1]
        'scatter_latest.png'
    """

    def __init__(
        self,
        real: np.ndarray,
        log_dir,
        *,
        centers: np.ndarray | None = None,
        std: float | None = None,
        extent: float | None = None,
        every_n_epochs: int = 1,
        num_samples: int = 2_500,
        seed: int = 0,
        png_dir=None,
        size: int = 480,
    ):
        super().__init__()
        self.real = _points(real, "real")
        if not len(self.real):
            raise ValueError("`real` must hold at least one point, got none.")
        self.log_dir = check_path(log_dir, "log_dir")
        self.centers = None if centers is None else _points(centers, "centers")
        if self.centers is not None:
            if std is None:
                raise ValueError(
                    "`std` is needed with `centers`: the pictures draw a "
                    "3-std circle around each center. Pass the modes' "
                    "standard deviation, e.g. data.mixtures.RING_STD."
                )
            std = check_float(std, "std", low=0.0, low_closed=False)
        self.std = std
        if extent is None:
            finite = self.real[np.isfinite(self.real).all(axis=1)]
            largest = float(np.abs(finite).max()) if len(finite) else 0.0
            # A 10% margin; points all at the origin get a unit view.
            extent = 1.1 * largest if largest > 0 else 1.0
        self.extent = check_float(extent, "extent", low=0.0, low_closed=False)
        self.every_n_epochs = check_int(
            every_n_epochs, "every_n_epochs", minimum=1
        )
        self.num_samples = check_int(num_samples, "num_samples", minimum=1)
        self.seed = check_int(seed, "seed", minimum=0)
        self.size = check_int(size, "size", minimum=2)
        self.run_dir = os.path.join(self.log_dir, SAMPLES_RUN)
        self.png_dir = (
            self.run_dir if png_dir is None else check_path(png_dir, "png_dir")
        )
        self._writer = None

    def picture(self) -> np.ndarray:
        """Draws the current picture as a uint8 (H, W, 3) array."""
        samples = self.model.generate(self.num_samples, seed=self.seed)
        samples = samples.reshape(len(samples), -1)
        if samples.shape[1] != 2:
            raise ValueError(
                "PointScatter draws 2-D samples, but the generator makes "
                f"samples of {samples.shape[1]} values. Use ImageGrid for "
                "images."
            )
        if self.centers is not None and len(self.centers):
            return scatter_figure(
                samples,
                self.centers,
                std=self.std,
                extent=self.extent,
                real=self.real,
                size=self.size,
            )
        return render_scatter(
            samples,
            np.zeros((0, 2)),
            std=self.std or 1.0,
            extent=self.extent,
            real=self.real,
            size=self.size,
        )

    def on_train_begin(self, logs=None):
        check_gan(self.model, "PointScatter")
        tf.io.gfile.makedirs(self.png_dir)
        self._writer = tf.summary.create_file_writer(self.run_dir)

    def on_epoch_end(self, epoch, logs=None):
        if not is_due_or_last(epoch, self.every_n_epochs, self.params):
            return
        image = self.picture()
        with epoch_summaries(self._writer, epoch):
            tf.summary.image(_IMAGE_TAG, image[None])
        self._writer.flush()
        write_pngs(tf.io.encode_png(image), self.png_dir, "scatter", epoch)

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
