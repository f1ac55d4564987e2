"""Exponential moving average of the generator's weights.

Samples from a running average of the generator's weights are smoother
and often better than samples from its latest weights: Karras et al. 2018
(https://arxiv.org/abs/1710.10196, Section A.1 "exponential running
average ... of the weights of the generator") and Yazıcı et al. 2019
(https://arxiv.org/abs/1806.04498), who show the average improves FID and
IS across architectures.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import keras
import tensorflow as tf

from tfgan_lite import _noise
from tfgan_lite._validation import check_float, check_int
from tfgan_lite.callbacks._common import check_gan

__all__ = ["EMAGenerator", "recalibrate_batch_norm"]

# Latents per recalibration forward pass, and their fixed seed.
_CHUNK = 128
_SEED = 20_141


class EMAGenerator(keras.callbacks.Callback):
    """Keeps ``gan.ema_generator`` as an EMA of the generator's weights.

    On train begin the callback calls ``gan.enable_ema()``, which creates
    the copy from the current weights if the model has none. After every
    generator update it sets, for each trainable weight w of the generator
    and its copy e in ``ema_generator``::

        e <- decay * e + (1 - decay) * w

    and copies every non-trainable weight (BatchNorm moving statistics,
    frozen layers), since those are already running statistics, not
    parameters that the optimizer moves. The update is one compiled
    ``tf.function`` call per batch; it never changes the training weights.

    Counting: the average follows ``gan.g_optimizer.iterations``, the
    number of generator updates, and moves once per generator update, so
    ``decay`` means "per generator update" whatever discriminator schedule
    (``compile(d_steps=...)``) the GAN runs. A batch that made no generator
    update leaves the average alone. The first ``start_step`` generator
    updates copy the weights (the average then starts from the weights
    after update ``start_step``); averaging starts with update
    ``start_step + 1``.

    Ramp-up: with ``rampup`` set, the average's half-life in generator
    updates is at most ``rampup`` times the updates made so far, so update
    t uses ``min(decay, 0.5 ** (1 / (rampup * t)))``. Early in a run the
    copy then follows the generator closely instead of holding the first
    poor weights for ``1 / (1 - decay)`` updates, and later it averages
    over the full ``decay``. StyleGAN2-ADA (Karras et al. 2020,
    https://arxiv.org/abs/2006.06676, ``ema_rampup``) uses 0.05. The
    decay depends only on the update count, so a resumed run averages as
    an uninterrupted one.

    When Keras reports several steps at once (``steps_per_execution=s``),
    the generator may have made m > 1 updates since the last call; the
    callback then applies the m-fold decay, ``e <- decay**m * e +
    (1 - decay**m) * w``. That is the exact average when the weights
    changed little over those m updates, and only an approximation
    otherwise; use ``steps_per_execution=1`` for the exact average.

    BatchNormalization: averaged weights make activations whose statistics
    differ from the generator's running ones, and a copy that normalises
    with the generator's statistics draws blotchy, checkered samples. At
    every epoch end (before later callbacks sample from the copy) the
    copy's BatchNorm moving statistics are recomputed from its own
    activations on a fixed batch of ``recalibration_samples`` latents, the
    "standing statistics" of Brock et al. 2019
    (https://arxiv.org/abs/1809.11096, Appendix C.1). Generators without
    BatchNorm are not touched.

    The copy is saved in ``.keras`` files with the model, and
    ``gan.generate`` and ``ImageGrid`` sample from it by default.

    Args:
        decay: Weight of the old average, in [0, 1). 0 copies the weights
            at every update. 0.999 averages over roughly the last
            1 / (1 - decay) = 1000 generator updates.
        start_step: Number of initial generator updates during which the
            copy simply follows the generator.
        rampup: Largest half-life of the average, as a fraction of the
            generator updates so far, in (0, 1]; None keeps ``decay``
            from the first update.
        recalibration_samples: Latents whose activations give the copy's
            BatchNorm statistics, drawn with a fixed seed in chunks of at
            most 128; 0 keeps the generator's statistics.

    Raises:
        TypeError, ValueError: For a wrong argument type or value, or (in
            ``fit``) a model that is not a ``tfgan_lite.GAN`` or whose
            ``ema_generator`` does not mirror the generator's weights.

    Example:
        >>> import numpy as np
        >>> import tfgan_lite
        >>> points = np.random.default_rng(0).normal(size=(64, 2))
        >>> gan = tfgan_lite.GAN(*tfgan_lite.models.mlp(latent_dim=4))
        >>> gan.compile()
        >>> history = gan.fit(points.astype("float32"), batch_size=32,
        ...                   epochs=2, verbose=0,
        ...                   callbacks=[EMAGenerator(0.999)])
        >>> gan.generate(16, seed=0).shape  # from the EMA copy
        (16, 2)
    """

    def __init__(
        self,
        decay: float = 0.999,
        *,
        start_step: int = 0,
        rampup: float | None = None,
        recalibration_samples: int = 512,
    ):
        super().__init__()
        self.decay = check_float(
            decay, "decay", low=0.0, high=1.0, high_closed=False
        )
        self.start_step = check_int(start_step, "start_step", minimum=0)
        if rampup is not None:
            rampup = check_float(
                rampup, "rampup", low=0.0, high=1.0, low_closed=False
            )
        self.rampup = rampup
        self.recalibration_samples = check_int(
            recalibration_samples, "recalibration_samples", minimum=0
        )
        self._averaged = []
        self._copied = []
        self._last_step = 0
        self._average_fn = None
        self._copy_all_fn = None
        self._recalibrate_fn = None

    def on_train_begin(self, logs=None):
        gan = check_gan(self.model, "EMAGenerator")
        ema = gan.enable_ema()
        source, target = gan.generator.weights, ema.weights
        shapes = [tuple(w.shape) for w in source]
        if shapes != [tuple(e.shape) for e in target]:
            raise ValueError(
                "gan.ema_generator must have the generator's weights in the "
                f"same order; the generator has shapes {shapes}, the copy "
                f"{[tuple(e.shape) for e in target]}."
            )
        self._averaged, self._copied = [], []
        for w, e in zip(source, target, strict=True):
            if w.trainable and "float" in str(w.dtype):
                self._averaged.append((e, w))
            else:
                self._copied.append((e, w))
        # Traced once per fit: the decay is a tensor argument, so a new
        # value does not retrace.
        self._average_fn = tf.function(self._average)
        self._copy_all_fn = tf.function(self._copy_all)
        self._recalibrate_fn = None
        if self.recalibration_samples and any(_batch_norm_layers(ema)):
            # Traced at its first call, once per fit: the chunks' momenta
            # are fixed while tracing, and one graph call then runs all
            # chunks, about twice as fast as calling the layers eagerly.
            self._recalibrate_fn = tf.function(
                functools.partial(
                    recalibrate_batch_norm,
                    ema,
                    gan.latent_dim,
                    num_samples=self.recalibration_samples,
                    # A ConditionalGAN's generator also takes class labels;
                    # the GAN knows what goes with the latents.
                    inputs=lambda z: gan._generator_inputs(z, None),
                )
            )
        self._last_step = self._generator_step()

    def _generator_step(self) -> int:
        return int(self.model.g_optimizer.iterations.numpy())

    def _average(self, decay: tf.Tensor) -> None:
        for e, w in self._averaged:
            d = tf.cast(decay, e.dtype)
            e.assign(d * e + (1.0 - d) * tf.cast(w, e.dtype))
        self._copy()

    def _copy(self) -> None:
        for e, w in self._copied:
            e.assign(w)

    def _copy_all(self) -> None:
        # A plain copy (not decay 0 in _average): 0 * e is NaN, not 0, when
        # the old average holds an inf or a NaN.
        for e, w in self._averaged:
            e.assign(tf.cast(w, e.dtype))
        self._copy()

    def on_train_batch_end(self, batch, logs=None):
        step = self._generator_step()
        updates = step - self._last_step
        if updates <= 0:
            # No generator update in this batch: nothing to average.
            return
        self._last_step = step
        if step - updates + 1 <= self.start_step:
            # At least one of the new updates is still in the copy phase.
            # Copying is also the right m-update result: a copy followed by
            # averaging of (nearly) the same weights leaves those weights.
            self._copy_all_fn()
            return
        decay = tf.constant(self._decay_at(step) ** updates, tf.float32)
        self._average_fn(decay)

    def _decay_at(self, step: int) -> float:
        """The per-update decay at generator update ``step`` (1-based)."""
        if self.rampup is None:
            return self.decay
        return min(self.decay, 0.5 ** (1.0 / (self.rampup * step)))

    def on_epoch_end(self, epoch, logs=None):
        if self._recalibrate_fn is not None:
            self._recalibrate_fn()


def recalibrate_batch_norm(
    generator: keras.Model,
    latent_dim: int,
    *,
    num_samples: int = 512,
    inputs: Callable[[tf.Tensor], Any] | None = None,
) -> int:
    """Sets BatchNorm moving statistics from the network's own activations.

    The generator runs in training mode on ``num_samples`` fixed-seed
    latents, in chunks of at most 128, and each BatchNormalization layer's
    moving mean and variance become the average of the chunks' batch
    statistics. Nothing else changes.

    Args:
        generator: The network, e.g. ``gan.ema_generator``.
        latent_dim: Size of its latent vectors.
        num_samples: Latents to draw, >= 1.
        inputs: Maps a chunk of latents to the generator's inputs, e.g.
            ``[z, labels]`` for a class-conditional generator; None feeds
            the latents alone.

    Returns:
        The number of BatchNormalization layers recalibrated.

    Raises:
        TypeError, ValueError: If ``latent_dim`` or ``num_samples`` is not
            a positive int, or ``inputs`` is not callable.
    """
    latent_dim = check_int(latent_dim, "latent_dim", minimum=1)
    num_samples = check_int(num_samples, "num_samples", minimum=1)
    if inputs is not None and not callable(inputs):
        raise TypeError(
            "`inputs` must be None or a function from a batch of latents to "
            f"the generator's inputs, got {type(inputs).__name__}."
        )
    layers = list(_batch_norm_layers(generator))
    if not layers:
        return 0
    momenta = [layer.momentum for layer in layers]
    trainable = [layer.trainable for layer in layers]
    chunks = range(0, num_samples, _CHUNK)
    try:
        # A frozen BatchNormalization layer (the EMA copy is frozen) runs
        # in inference mode even when called with training=True.
        for layer in layers:
            layer.trainable = True
        for i, start in enumerate(chunks):
            size = min(_CHUNK, num_samples - start)
            # Momentum i / (i + 1) makes the moving value the running mean
            # of the chunks' statistics: chunk 0 replaces it outright.
            for layer in layers:
                layer.momentum = i / (i + 1)
            z = _noise.normal((size, latent_dim), [_SEED, i])
            generator(z if inputs is None else inputs(z), training=True)
    finally:
        for layer, momentum, was in zip(
            layers, momenta, trainable, strict=True
        ):
            layer.momentum = momentum
            layer.trainable = was
    return len(layers)


def _batch_norm_layers(model):
    """The BatchNormalization layers of a model, nested models included."""
    for layer in getattr(model, "layers", ()):
        if isinstance(layer, keras.layers.BatchNormalization):
            yield layer
        else:
            yield from _batch_norm_layers(layer)
