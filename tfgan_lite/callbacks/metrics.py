"""Sample-quality metrics during training, to TensorBoard.

The losses of a GAN say little about its samples; the metrics of
:mod:`tfgan_lite.metrics` do. This callback measures fixed-noise samples
against a fixed real set every few epochs, with one feature extractor, and
writes each figure beside the real data's own (see
:mod:`tfgan_lite.metrics.quality` for how the real reference is formed).
"""

from __future__ import annotations

import logging
import os
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite._validation import check_bool, check_int, check_path
from tfgan_lite.callbacks._common import check_gan, epoch_summaries, is_due
from tfgan_lite.metrics import features as features_lib
from tfgan_lite.metrics import quality

__all__ = ["MetricsCallback"]

_logger = logging.getLogger(__name__)

# TensorBoard run of the metrics, beside keras' "train" and "validation".
METRICS_RUN = "metrics"


class MetricsCallback(keras.callbacks.Callback):
    """Measures generated samples against a fixed real set during training.

    At the end of epochs 0, n, 2n, ... (``every_n_epochs=n``) and of the
    last epoch, the callback draws ``num_samples`` samples from a fixed
    latent batch (``seed``), from the EMA generator when there is one, and
    measures them with :class:`tfgan_lite.metrics.quality.Reference`:
    FD, KID, precision, recall, density and coverage on the extractor's
    features, and the classifier score when the extractor is a classifier.

    Each figure goes to TensorBoard, in the run ``<log_dir>/metrics``, as
    ``<extractor>/<metric>`` for the generated samples and
    ``<extractor>/<metric>_real`` for the real reference, at step = the
    0-based epoch, so the extractor is always named beside its numbers.
    The reports are also kept in ``history`` as ``(epoch, QualityReport)``.

    Args:
        real_images: A fixed set of real images in [-1, 1] (N, H, W[, C]),
            at least 4; its halves are the reference (a few thousand give
            stable figures).
        extractor: A ``tfgan_lite.metrics.features.FeatureExtractor``,
            e.g. ``features.digits_classifier()`` for digits. None uses a
            fixed-seed 64-feature random embedding of the real images'
            size, which suits any data (Naeem et al. 2020) and needs at
            least 65 images per real half.
        log_dir: TensorBoard log directory; None keeps the reports in
            ``history`` only.
        every_n_epochs: Period, in epochs, of the measurements.
        num_samples: Generated samples per measurement; None uses as many
            as a real half holds (the comparison needs no more).
        seed: Seed of the fixed latent batch and of the real split.
        use_ema: Sample from the EMA generator when it exists.
        batch_size: Images per extractor call.

    Raises:
        TypeError, ValueError: For a wrong argument, real images the
            extractor cannot take, or (in ``fit``) a model that is not a
            ``tfgan_lite.GAN`` or makes samples of another shape.

    Example:
        >>> import numpy as np
        >>> import tfgan_lite
        >>> from tfgan_lite import data
        >>> real = next(iter(data.digits(image_size=(28, 28),
        ...                              batch_size=200))).numpy()
        >>> gan = tfgan_lite.GAN(*tfgan_lite.models.dcgan_28(width=8),
        ...                      seed=0)
        >>> gan.compile()
        >>> from tfgan_lite.metrics import features
        >>> measure = MetricsCallback(
        ...     real, extractor=features.digits_classifier())
        >>> history = gan.fit(real, batch_size=100, epochs=1, verbose=0,
        ...                   callbacks=[measure])
        >>> epoch, report = measure.history[-1]
        >>> epoch, report.extractor, sorted(report.generated)[:2]
        (0, 'digits_cnn_v1', ['classifier_score', 'coverage'])
    """

    def __init__(
        self,
        real_images: Any,
        *,
        extractor: features_lib.FeatureExtractor | None = None,
        log_dir: str | os.PathLike | None = None,
        every_n_epochs: int = 5,
        num_samples: int | None = None,
        seed: int = 0,
        use_ema: bool = True,
        batch_size: int = 256,
    ):
        super().__init__()
        self.every_n_epochs = check_int(
            every_n_epochs, "every_n_epochs", minimum=1
        )
        self.seed = check_int(seed, "seed", minimum=0)
        self.use_ema = check_bool(use_ema, "use_ema")
        self.run_dir = (
            None
            if log_dir is None
            else os.path.join(check_path(log_dir, "log_dir"), METRICS_RUN)
        )
        real = np.asarray(real_images)
        self._sample_shape = real.shape[1:]
        if extractor is None:
            extractor = _default_extractor(real)
        self.reference = quality.Reference(
            real, extractor=extractor, batch_size=batch_size, seed=self.seed
        )
        self.num_samples = (
            self.reference.num_real
            if num_samples is None
            else check_int(num_samples, "num_samples", minimum=2)
        )
        self.history: list[tuple[int, quality.QualityReport]] = []
        self._writer = None

    def on_train_begin(self, logs=None):
        gan = check_gan(self.model, "MetricsCallback")
        given = tuple(self._sample_shape)
        made = tuple(gan.sample_shape)
        # Grayscale real images may come without their channel axis.
        if given != made and given + (1,) != made:
            raise ValueError(
                f"`real_images` have shape (N, {', '.join(map(str, given))})"
                f" but the generator makes samples of shape "
                f"(N, {', '.join(map(str, made))}). Pass real images of the "
                "generator's shape."
            )
        if self.run_dir is not None:
            self._writer = tf.summary.create_file_writer(self.run_dir)

    def on_epoch_end(self, epoch, logs=None):
        last = self.params.get("epochs", 0) - 1
        if not (is_due(epoch, self.every_n_epochs) or epoch == last):
            return
        report = self.measure()
        self.history.append((epoch, report))
        _logger.info(
            "Epoch %d, %s: %s",
            epoch,
            report.extractor,
            ", ".join(f"{m} {g:.4g}" for m, g, _, _ in report.rows()),
        )
        if self._writer is None:
            return
        with epoch_summaries(self._writer, epoch):
            for metric, generated, real, _ in report.rows():
                tag = f"{report.extractor}/{metric}"
                tf.summary.scalar(tag, generated)
                tf.summary.scalar(tag + "_real", real)
        self._writer.flush()

    def measure(self) -> quality.QualityReport:
        """Measures the current fixed-noise samples now."""
        gan = check_gan(self.model, "MetricsCallback")
        samples = gan.generate(
            self.num_samples, seed=self.seed, use_ema=self.use_ema
        )
        return self.reference.compare(samples)

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _default_extractor(real: np.ndarray) -> features_lib.FeatureExtractor:
    if real.ndim not in (3, 4):
        raise ValueError(
            "`real_images` must have shape (N, H, W) or (N, H, W, C), got "
            f"shape {real.shape}."
        )
    channels = 1 if real.ndim == 3 else real.shape[-1]
    return features_lib.random_embedding(
        seed=0, image_size=real.shape[1:3], channels=channels, dim=64
    )
