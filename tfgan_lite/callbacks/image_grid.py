"""Sample grids from a fixed noise batch, to TensorBoard and PNG files.

Watching the same latent vectors over training shows how each sample
evolves, which fresh noise hides; Radford et al. 2015
(https://arxiv.org/abs/1511.06434) and most GAN papers since show samples
this way. A translation model (``CycleGAN``) is watched on fixed input
images instead.
"""

from __future__ import annotations

import os

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite._validation import check_bool, check_int, check_path
from tfgan_lite.callbacks._common import (
    check_gan,
    epoch_summaries,
    is_due_or_last,
    write_pngs,
)
from tfgan_lite.callbacks._grid import CHANNELS, make_grid
from tfgan_lite.callbacks.cycle_grid import cycle_grid
from tfgan_lite.gans.conditional import ConditionalGAN
from tfgan_lite.gans.cyclegan import CycleGAN

__all__ = ["ImageGrid", "make_grid"]

# TensorBoard shows each subfolder of the log directory as a run. Keras'
# TensorBoard callback owns "train" and "validation"; the grids get their
# own run so that both callbacks can share one log_dir.
SAMPLES_RUN = "samples"
_IMAGE_TAG = "samples"


def _fixed_images(images) -> np.ndarray:
    """Checks ``ImageGrid(images=...)``: float images (N, H, W, C)."""
    array = np.asarray(images)
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(
            "`images` must be float images in [-1, 1], got dtype "
            f"{array.dtype}."
        )
    if array.ndim != 4 or not len(array) or array.shape[-1] not in CHANNELS:
        raise ValueError(
            "`images` must have shape (N, H, W, C) with N >= 1 and C in "
            f"{CHANNELS}, got shape {array.shape}."
        )
    return array.astype(np.float32)


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

    For a ``CycleGAN`` pass ``images``, fixed images of domain X: the grid
    is ``cycle_grid(model, images)``, three rows x, G(x) and F(G(x))
    (``model.translate`` in each direction), so it shows whether G changes
    the domain and whether the cycle closes.

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
        images: For a translation model (``CycleGAN``): float images of
            domain X in [-1, 1], shape (N, H, W, C), drawn with their
            translations and round trips. ``num_samples``, ``seed`` and
            ``use_ema`` do not apply. None (the default) draws generated
            samples, which needs a ``GAN``.

    Raises:
        TypeError, ValueError: For a wrong argument type or value, or
            ``images`` together with ``per_class=True``; ``per_class=True``
            on a model without classes, ``images`` on a model that does
            not translate, or no ``images`` for a ``CycleGAN`` raise
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
        images=None,
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
        self.images = None
        if images is not None:
            if per_class:
                raise ValueError(
                    "ImageGrid draws translations of `images` or one row per "
                    "class (`per_class`), not both."
                )
            self.images = _fixed_images(images)
            self.num_samples = len(self.images)
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

    def _translator(self) -> CycleGAN:
        """The model, checked to translate the callback's images."""
        if not isinstance(self.model, CycleGAN):
            raise TypeError(
                "ImageGrid(images=...) draws translations and needs a "
                "tfgan_lite.CycleGAN, but fit() was called on a "
                f"{type(self.model).__name__}. Drop `images`."
            )
        return self.model

    def _sampler(self):
        """The model, checked to generate samples."""
        if isinstance(self.model, CycleGAN):
            raise TypeError(
                "ImageGrid draws a CycleGAN's translations of fixed images: "
                "pass ImageGrid(..., images=x) with images of domain X."
            )
        return check_gan(self.model, "ImageGrid")

    def grid(self) -> np.ndarray:
        """Returns the current grid (uint8, HWC).

        Raises:
            TypeError: If the callback's model is not a GAN (or, with
                ``images``, a CycleGAN), or ``per_class=True`` and it is
                not a ConditionalGAN.
        """
        if self.images is not None:
            return cycle_grid(self._translator(), self.images)
        gan = self._sampler()
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
        if self.images is None:
            self._check_samples()
        else:
            self._check_images()
        tf.io.gfile.makedirs(self.png_dir)
        self._writer = tf.summary.create_file_writer(self.run_dir)

    def _check_images(self) -> None:
        """Checks that the model translates images of the given shape."""
        x_shape = self._translator().x_shape
        if x_shape is not None and self.images.shape[1:] != tuple(x_shape):
            raise ValueError(
                f"`images` have shape {self.images.shape[1:]}, but the "
                f"CycleGAN translates images of X of shape {tuple(x_shape)}."
            )

    def _check_samples(self) -> None:
        """Checks that the model generates images, per class if asked."""
        gan = self._sampler()
        self._by_class(gan)
        shape = tuple(gan.sample_shape)
        is_image = len(shape) == 2 or (
            len(shape) == 3 and shape[-1] in (*CHANNELS, None)
        )
        if not is_image:
            raise ValueError(
                "ImageGrid needs a generator of images, shape (H, W, C) "
                f"with C in {CHANNELS} or (H, W); this one makes samples of "
                f"shape {shape}."
            )

    def on_epoch_end(self, epoch, logs=None):
        # The last epoch always gets a grid, due or not: the final model's.
        if not is_due_or_last(epoch, self.every_n_epochs, self.params):
            return
        grid = self.grid()
        with epoch_summaries(self._writer, epoch):
            tf.summary.image(
                _IMAGE_TAG,
                grid[np.newaxis],
                max_outputs=1,
                description=self._description(),
            )
        # Flushed now: a run that crashes later still shows its grids.
        self._writer.flush()
        write_pngs(tf.io.encode_png(grid), self.png_dir, "samples", epoch)

    def _description(self) -> str:
        if self.images is not None:
            return (
                f"{self.num_samples} fixed images x (top row), G(x) and "
                "F(G(x))."
            )
        return (
            f"{self.num_samples} samples of a fixed noise batch "
            f"(seed {self.seed})."
        )

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
