"""Sample grids from a fixed noise batch, to TensorBoard and PNG files.

Watching the same latent vectors over training shows how each sample
evolves, which fresh noise hides; Radford et al. 2015
(https://arxiv.org/abs/1511.06434) and most GAN papers since show samples
this way.
"""

from __future__ import annotations

import math
import os

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite._pixels import to_uint8
from tfgan_lite._validation import check_bool, check_int, check_path
from tfgan_lite.callbacks._common import (
    _check_gan,
    _epoch_summaries,
    _is_due_or_last,
    _write_pngs,
)
from tfgan_lite.gans.conditional import ConditionalGAN

__all__ = ["ImageGrid", "make_grid"]

# TensorBoard shows each subfolder of the log directory as a run. Keras'
# TensorBoard callback owns "train" and "validation"; the grids get their
# own run so that both callbacks can share one log_dir.
SAMPLES_RUN = "samples"
_IMAGE_TAG = "samples"
_CHANNELS = (1, 3, 4)
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
    if array.ndim != 4 or array.shape[-1] not in _CHANNELS or not len(array):
        raise ValueError(
            "make_grid expects images of shape (N, H, W, C) with N >= 1 and "
            f"C in {_CHANNELS}, or (N, H, W); got shape {np.shape(images)}."
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


class ImageGrid(keras.callbacks.Callback):
    """Shows samples of a fixed noise batch every few epochs.

    At the end of epochs 0, n, 2n, ... (``every_n_epochs=n``; the same
    0-based rule as ``keras.callbacks.TensorBoard(histogram_freq=n)``) and
    always after the last epoch (``fit``'s ``epochs``), the
    callback generates ``gan.generate(num_samples, seed=seed,
    use_ema=use_ema)`` — the same latent vectors every time, since they
    come from ``seed`` — tiles them with :func:`make_grid` and writes:

    * a TensorBoard image ``samples`` at step = the 0-based epoch index,
      the step keras' TensorBoard callback gives its ``epoch_*`` scalars,
      to its own run ``<log_dir>/samples`` (``<log_dir>/train`` and
      ``<log_dir>/validation`` stay keras' own), and
    * PNG files ``samples_epoch_{epoch:04d}.png`` (0-based epoch) and
      ``samples_latest.png`` (replaced each time) in ``png_dir``.

    Generation runs eagerly and outside the training step, so it does not
    touch the training noise stream or the weights.

    For a ``ConditionalGAN`` the grid has one row per class (``per_class``,
    on by default for such models): row c is ``gan.generate(columns,
    labels=c, seed=seed)`` with ``columns = max(1, num_samples //
    num_classes)``, so each column keeps one latent vector across all
    classes and a row shows how class c renders it.

    Args:
        log_dir: TensorBoard log directory, shared with
            ``keras.callbacks.TensorBoard`` if you use it.
        every_n_epochs: Period, in epochs, of the grids.
        num_samples: Images per grid; 64 gives an 8 x 8 grid.
        seed: Seed of the fixed latent batch.
        use_ema: Sample from ``gan.ema_generator`` when it exists (see
            :class:`~tfgan_lite.callbacks.EMAGenerator`); the generator
            otherwise.
        png_dir: Folder for the PNG files. None writes them next to the
            event file, in ``<log_dir>/samples``.
        per_class: One row per class, with the same latent vector down
            each column; needs a ``ConditionalGAN``. None (the default)
            turns it on exactly when the model is one.

    Raises:
        TypeError, ValueError: For a wrong argument type or value;
            ``per_class=True`` on a model without classes raises
            TypeError when training starts.

    Example:
        >>> import os, tempfile
        >>> import keras
        >>> import tfgan_lite
        >>> images = np.random.default_rng(0).uniform(-1, 1, (32, 28, 28, 1))
        >>> generator, discriminator = tfgan_lite.models.dcgan_28(width=8)
        >>> gan = tfgan_lite.GAN(generator, discriminator)
        >>> gan.compile()
        >>> logs = tempfile.mkdtemp()
        >>> history = gan.fit(images.astype("float32"), batch_size=16,
        ...     epochs=1, verbose=0, callbacks=[
        ...         keras.callbacks.TensorBoard(logs),
        ...         ImageGrid(logs, every_n_epochs=2, num_samples=16)])
        >>> sorted(os.listdir(os.path.join(logs, "samples")))[-1]
        'samples_latest.png'
    """

    def __init__(
        self,
        log_dir,
        *,
        every_n_epochs: int = 1,
        num_samples: int = 64,
        seed: int = 0,
        use_ema: bool = True,
        png_dir=None,
        per_class: bool | None = None,
    ):
        super().__init__()
        log_dir = check_path(log_dir, "log_dir")
        self.every_n_epochs = check_int(
            every_n_epochs, "every_n_epochs", minimum=1
        )
        self.num_samples = check_int(num_samples, "num_samples", minimum=1)
        self.seed = check_int(seed, "seed", minimum=0)
        self.use_ema = check_bool(use_ema, "use_ema")
        if per_class is not None:
            per_class = check_bool(per_class, "per_class")
        self.per_class = per_class
        self.run_dir = os.path.join(log_dir, SAMPLES_RUN)
        self.png_dir = (
            self.run_dir if png_dir is None else check_path(png_dir, "png_dir")
        )
        self._writer = None

    def _by_class(self, gan) -> bool:
        """Whether the grid has one row per class, checked against gan."""
        conditional = isinstance(gan, ConditionalGAN)
        if self.per_class and not conditional:
            raise TypeError(
                "ImageGrid(per_class=True) draws one row per class and "
                f"needs a tfgan_lite.ConditionalGAN; this model is a "
                f"{type(gan).__name__}. Drop per_class."
            )
        return conditional if self.per_class is None else self.per_class

    def grid(self) -> np.ndarray:
        """Returns the current grid of the fixed noise batch (uint8, HWC).

        Raises:
            TypeError: If the callback's model is not a GAN, or
                ``per_class=True`` and it is not a ConditionalGAN.
        """
        gan = _check_gan(self.model, "ImageGrid")
        if not self._by_class(gan):
            samples = gan.generate(
                self.num_samples, seed=self.seed, use_ema=self.use_ema
            )
            return make_grid(samples)
        columns = max(1, self.num_samples // gan.num_classes)
        rows = [
            gan.generate(
                columns, labels=c, seed=self.seed, use_ema=self.use_ema
            )
            for c in range(gan.num_classes)
        ]
        return make_grid(np.concatenate(rows), rows=gan.num_classes)

    def on_train_begin(self, logs=None):
        gan = _check_gan(self.model, "ImageGrid")
        self._by_class(gan)
        shape = tuple(gan.sample_shape)
        is_image = len(shape) == 2 or (
            len(shape) == 3 and shape[-1] in (*_CHANNELS, None)
        )
        if not is_image:
            raise ValueError(
                "ImageGrid needs a generator of images, shape (H, W, C) "
                f"with C in {_CHANNELS} or (H, W); this one makes samples of "
                f"shape {shape}."
            )
        tf.io.gfile.makedirs(self.png_dir)
        self._writer = tf.summary.create_file_writer(self.run_dir)

    def on_epoch_end(self, epoch, logs=None):
        # The last epoch always gets a grid, due or not: the final model's.
        if not _is_due_or_last(epoch, self.every_n_epochs, self.params):
            return
        grid = self.grid()
        with _epoch_summaries(self._writer, epoch):
            tf.summary.image(
                _IMAGE_TAG,
                grid[np.newaxis],
                max_outputs=1,
                description=(
                    f"{self.num_samples} samples of a fixed noise batch "
                    f"(seed {self.seed})."
                ),
            )
        # Flushed now: a run that crashes later still shows its grids.
        self._writer.flush()
        _write_pngs(tf.io.encode_png(grid), self.png_dir, "samples", epoch)

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
