"""Training health checks: mode collapse, an overpowering D, NaNs.

Three failure modes of GAN training that the loss curves alone do not
name:

* Mode collapse (Goodfellow 2016, https://arxiv.org/abs/1701.00160,
  Section 5.1.1): the generator maps many latent vectors to a few
  outputs, and drops whole modes of the data. Seen here as known modes
  left uncaptured, real samples left uncovered (coverage, Naeem et al.
  2020), or a fixed-noise batch much less diverse than real data.
* A discriminator that overpowers the generator (Arjovsky & Bottou 2017,
  https://arxiv.org/abs/1701.04862, Section 2.2): D rejects fakes with
  confidence, D(G(z)) near 0, and the generator's gradient vanishes.
* Non-finite losses or weights, after which training cannot recover.
"""

from __future__ import annotations

import logging
import math
import os
from typing import NamedTuple

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite._validation import (
    check_float,
    check_int,
    check_path,
    shapes_compatible,
)
from tfgan_lite.callbacks._common import check_gan, epoch_summaries, is_due
from tfgan_lite.callbacks._diversity import (
    CoverageCheck,
    mean_pairwise_distance,
)
from tfgan_lite.gans.base import state_variables
from tfgan_lite.metrics.modes import mixture_modes

__all__ = ["HealthEvent", "TrainingHealth"]

_logger = logging.getLogger(__name__)

# Low coverage is blamed on collapse only when the samples' density is at
# least this fraction of real data's: samples that look real but cover
# little of it. Early samples far from every real one (the digits recipe's
# grey blobs at epochs 5-8) have near-zero density and coverage, and a
# collapse to one unrealistic sample is the diversity check's case.
_REALISTIC_DENSITY = 0.5
# Samples for counting known modes, as PacGAN counts them.
_MODE_SAMPLES = 2_500

# TensorBoard run of the health figures, beside keras' "train" and
# "validation" runs in the same log_dir.
HEALTH_RUN = "health"

# Figures that keras' TensorBoard callback also logs from the training
# logs, as "epoch_<name>" in the "train" run: written under its tag, they
# overlay the training curve in one TensorBoard card.
CURVE_TAGS = {"d_fake": "epoch_d_fake", "g_grad_norm": "epoch_g_grad_norm"}

MODE_COLLAPSE = "mode_collapse"
DISCRIMINATOR_OVERPOWERING = "discriminator_overpowering"
NON_FINITE = "non_finite"


class HealthEvent(NamedTuple):
    """One diagnosis made by :class:`TrainingHealth`.

    Attributes:
        epoch: 0-based epoch index at which it was made.
        kind: "mode_collapse", "discriminator_overpowering" or
            "non_finite".
        message: The sentence written to the console and TensorBoard.
        value: The figure behind it: the diversity ratio, the mean
            D(G(z)), or the first non-finite log value (NaN when only a
            weight was non-finite).
    """

    epoch: int
    kind: str
    message: str
    value: float


def _known_modes(modes, mode_std, sample_shape) -> tuple | None:
    """Checks the optional known mode centres; returns (centres, std)."""
    if modes is None:
        if mode_std is not None:
            raise ValueError("`mode_std` needs `modes`, the mode centres.")
        return None
    centers = np.asarray(modes, np.float64)
    if centers.ndim != 2 or centers.shape[1:] != tuple(sample_shape):
        raise ValueError(
            "`modes` must be the mode centres, shape (M, "
            f"{', '.join(map(str, sample_shape))}); got shape "
            f"{centers.shape}."
        )
    if mode_std is None:
        raise ValueError(
            "`modes` needs `mode_std`, the standard deviation of each mode "
            "(a sample within 3 of them of a centre counts for that mode)."
        )
    std = check_float(mode_std, "mode_std", low=0.0, low_closed=False)
    return centers, std


def _real_subsample(real_samples, num_samples: int, seed: int) -> np.ndarray:
    """Checks real_samples and returns a seeded subsample as float64."""
    array = np.asarray(real_samples)
    if array.dtype == bool or not (
        np.issubdtype(array.dtype, np.floating)
        or np.issubdtype(array.dtype, np.integer)
    ):
        raise TypeError(
            "`real_samples` must be a numeric array of real samples, shape "
            f"(N, *sample_shape); got dtype {array.dtype}."
        )
    if array.ndim < 2 or len(array) < 2:
        raise ValueError(
            "`real_samples` must hold at least 2 samples, shape "
            f"(N >= 2, *sample_shape); got shape {array.shape}."
        )
    if not np.isfinite(array).all():
        raise ValueError(
            f"`real_samples` must be finite; {int((~np.isfinite(array)).sum())}"
            " of its values are NaN or inf."
        )
    if len(array) > num_samples:
        rng = np.random.default_rng(seed)
        array = array[np.sort(rng.choice(len(array), num_samples, False))]
    return array.astype(np.float64)


def _non_finite(logs) -> dict[str, float]:
    """Returns the non-finite scalars in logs, in the logs' order."""
    found = {}
    for name, value in (logs or {}).items():
        try:
            number = float(np.asarray(value).reshape(()))
        except (TypeError, ValueError):
            continue  # Not a scalar; nothing this check can judge.
        if not math.isfinite(number):
            found[name] = number
    return found


def _describe(found: dict[str, float]) -> str:
    return ", ".join(f"{name}={value}" for name, value in found.items())


class TrainingHealth(keras.callbacks.Callback):
    """Diagnoses mode collapse, an overpowering discriminator and NaNs.

    Checks, at the end of epochs 0, n, 2n, ... (``every_n_epochs=n``):

    * Mode collapse, one event an epoch, from the first of these that
      holds, on a fixed noise batch of the samples that ``gan.generate``
      returns (``gan.generate(n, seed=seed)``: the EMA copy when there is
      one, else the trained generator). The copy is what a user samples;
      the trained weights of a healthy run can hop between modes that
      their average covers (the 2-D grid recipe's trained weights
      captured 20 to 24 of the 25 modes at its epoch ends, its average
      all 25):

      1. with ``modes`` (the centres of a known mixture, e.g. the 2-D ring
         or grid), 2,500 samples capture at least one mode but leave
         another uncaptured, with PacGAN's definitions
         (:func:`tfgan_lite.metrics.mixture_modes`);
      2. the samples cover less than ``coverage_ratio`` times what real
         data covers, while their density is at least half of real
         data's: a fixed subsample of ``real_samples`` is split in halves
         A and B, and the coverage and density of B (k = 5) by as many
         samples as A holds are compared with those of B by A. Images are
         compared on a fixed-seed random embedding, other samples as they
         are. A generator that drops modes leaves their real samples
         uncovered, which check 3 does not see; samples that are not yet
         near any real one (low density too) are not collapse;
      3. their mean pairwise L2 distance is below ``collapse_ratio`` times
         that of the real subsample, and either an earlier check of this
         callback found them at least that diverse, or they lie among
         real samples (density at least half of real data's).

      Collapse is a generator that has learnt to make data-like samples
      and makes too few kinds of them, or that made varied samples and
      lost the variety. A generator that has not learnt yet is not
      collapsed: its first samples are near-identical (DCGAN's N(0, 0.02)
      weights, and an EMA copy that starts from them) and far from every
      real sample (no mode captured, near-zero density). So each check
      first asks for evidence that the samples have reached the data, or
      that they were once diverse, and a run of two steps is never called
      collapsed, whatever ``warmup_epochs`` says.
    * Discriminator overpowering the generator: the epoch mean of
      ``d_fake`` (mean D(G(z))) is below ``overpowered_d_fake`` and the
      epoch mean ``g_grad_norm`` has vanished: below
      ``vanishing_grad_ratio`` times its value in the first epoch of this
      ``fit``, or below ``vanishing_grad_floor`` (which catches runs that
      start overpowered). Only for probabilistic losses
      (``gan.loss_pair.probabilistic``: minimax, non-saturating), whose
      d_fake is a probability. Other losses report raw critic scores with
      no fixed scale (a WGAN critic's scores drift freely), so no
      threshold on them or on d_real - d_fake means the same in every
      run, and the check is skipped. Epochs without a generator update
      are skipped too: their g_grad_norm is 0 by construction.

    and, after every batch and at every epoch end:

    * Non-finite values: a NaN or inf in the logs, or (at epoch end) in
      any weight or optimizer variable, stops training
      (``model.stop_training = True``) and restores the last good state:
      the callback keeps an in-memory copy of all model weights (generator,
      discriminator, EMA copy, noise state) and both optimizers' variables,
      taken at the start of the first epoch (after other callbacks'
      ``on_train_begin``, e.g. ``keras.callbacks.BackupAndRestore``
      restoring a backup) and at the end of every healthy epoch. Keras
      still runs ``on_epoch_end`` of every callback after a stop, so a
      ``keras.callbacks.ModelCheckpoint`` then saves the restored weights,
      not NaNs. Place this callback before ModelCheckpoint and
      BackupAndRestore in the list: weights that turn non-finite without
      a non-finite loss are found at epoch end, and callbacks before this
      one would already have saved them. The copy costs host memory of
      one model plus its optimizer state.

    Each diagnosis becomes a :class:`HealthEvent` in ``events``, a warning
    on the ``tfgan_lite.callbacks.health`` logger (one sentence with the
    figure behind it, e.g. "Mode collapse suspected: fixed-noise samples
    are 0.04x as diverse as real data (mean pairwise distance 0.012 vs
    0.31)."), and, with ``log_dir``, a TensorBoard text summary tagged
    with the event's kind. At every checked epoch the figures are also
    logged as TensorBoard scalars, so the health curves show even when
    nothing fires: ``diversity_ratio``, ``generated_diversity``,
    ``real_diversity``, ``coverage``, ``coverage_real``,
    ``coverage_ratio``, ``density``, ``density_real``, ``density_ratio``,
    with ``modes`` also ``modes`` and
    ``high_quality``, and the epoch's mean D(G(z)) and generator gradient
    norm as ``epoch_d_fake`` and ``epoch_g_grad_norm``: the tags keras'
    TensorBoard callback gives the same training curves, so TensorBoard
    shows both in one card. All go to the run ``<log_dir>/health``, at
    step = the 0-based epoch index, as keras' TensorBoard callback does in
    ``<log_dir>/train``.

    The callback only observes: it never changes the update, apart from
    stopping training and restoring the last good state on NaNs.

    Args:
        real_samples: Real samples, shape (N, *gan.sample_shape), N >= 2,
            in the generator's output range. A seeded subsample of
            ``num_samples`` of them (all of them if fewer) is the diversity
            reference.
        log_dir: TensorBoard log directory; None writes no summaries.
        every_n_epochs: Period, in epochs, of the epoch-end diagnostics.
        warmup_epochs: Epochs before the first diagnosis. A freshly
            initialised generator makes near-identical samples for its
            first epochs (DCGAN's N(0, 0.02) weights), which is not
            collapse. Non-finite checks run from the start regardless.
        num_samples: Generated and real samples compared for diversity.
        seed: Seed of the fixed noise batch and of the real subsample.
        collapse_ratio: Report mode collapse below this ratio of generated
            to real diversity, in (0, 1].
        overpowered_d_fake: Threshold on the mean D(G(z)), in (0, 1).
        vanishing_grad_ratio: The generator's gradient norm has vanished
            below this fraction of its first-epoch value, in (0, 1).
        vanishing_grad_floor: ... or below this absolute value, >= 0.
        coverage_ratio: Report mode collapse when the samples' coverage is
            below this fraction of real data's, in [0, 1]; 0 turns the
            check off. A generator in its first epochs covers little, so
            the default 0.3 waits for a clear loss of coverage.
        modes: Known mode centres, shape (M, *sample_shape), e.g.
            ``tfgan_lite.metrics.known_mixture("grid")[0]``; None when
            the modes are unknown.
        mode_std: The per-coordinate standard deviation of each mode,
            needed with ``modes``.

    Raises:
        TypeError, ValueError: For a wrong argument type or value, for
            real_samples that are not finite, have fewer than 2 samples or
            are all identical, and (in ``fit``) for a model that is not a
            ``tfgan_lite.GAN`` or whose samples do not have the shape of
            real_samples.

    Example:
        >>> import os, tempfile
        >>> import keras
        >>> import numpy as np
        >>> import tfgan_lite
        >>> rng = np.random.default_rng(0)
        >>> points = rng.normal(size=(256, 2)).astype("float32")
        >>> gan = tfgan_lite.GAN(*tfgan_lite.models.mlp(latent_dim=4))
        >>> gan.compile()
        >>> run = tempfile.mkdtemp()
        >>> health = TrainingHealth(real_samples=points, log_dir=run,
        ...                         warmup_epochs=2)
        >>> checkpoint = os.path.join(run, "gan.keras")
        >>> history = gan.fit(points, batch_size=64, epochs=2, verbose=0,
        ...     callbacks=[health, keras.callbacks.ModelCheckpoint(checkpoint)])
        >>> health.events  # no check runs during the warm-up epochs
        []
    """

    MODE_COLLAPSE = MODE_COLLAPSE
    DISCRIMINATOR_OVERPOWERING = DISCRIMINATOR_OVERPOWERING
    NON_FINITE = NON_FINITE

    def __init__(
        self,
        *,
        real_samples,
        log_dir=None,
        every_n_epochs: int = 1,
        warmup_epochs: int = 0,
        num_samples: int = 256,
        seed: int = 0,
        collapse_ratio: float = 0.25,
        overpowered_d_fake: float = 0.05,
        vanishing_grad_ratio: float = 0.1,
        vanishing_grad_floor: float = 1e-6,
        coverage_ratio: float = 0.3,
        modes=None,
        mode_std: float | None = None,
    ):
        super().__init__()
        self.run_dir = (
            None
            if log_dir is None
            else os.path.join(check_path(log_dir, "log_dir"), HEALTH_RUN)
        )
        self.every_n_epochs = check_int(
            every_n_epochs, "every_n_epochs", minimum=1
        )
        self.warmup_epochs = check_int(
            warmup_epochs, "warmup_epochs", minimum=0
        )
        self.num_samples = check_int(num_samples, "num_samples", minimum=2)
        self.seed = check_int(seed, "seed", minimum=0)
        self.collapse_ratio = check_float(
            collapse_ratio,
            "collapse_ratio",
            low=0.0,
            high=1.0,
            low_closed=False,
        )
        # A probability and a ratio: strictly between 0 and 1.
        unit = dict(low=0.0, high=1.0, low_closed=False, high_closed=False)
        self.overpowered_d_fake = check_float(
            overpowered_d_fake, "overpowered_d_fake", **unit
        )
        self.vanishing_grad_ratio = check_float(
            vanishing_grad_ratio, "vanishing_grad_ratio", **unit
        )
        self.vanishing_grad_floor = check_float(
            vanishing_grad_floor, "vanishing_grad_floor", low=0.0
        )
        self.coverage_ratio = check_float(
            coverage_ratio, "coverage_ratio", low=0.0, high=1.0
        )
        self._real = _real_subsample(real_samples, self.num_samples, self.seed)
        self.real_diversity = mean_pairwise_distance(self._real)
        if self.real_diversity == 0.0:
            raise ValueError(
                "`real_samples` are all identical (mean pairwise distance "
                "0), so there is no diversity to compare against. Pass a "
                "varied sample of the training data."
            )
        self._coverage = CoverageCheck(self._real, seed=self.seed)
        self._modes = _known_modes(modes, mode_std, self._real.shape[1:])
        self.events: list[HealthEvent] = []
        self._writer = None
        self._variables = []
        self._snapshot = None
        self._snapshot_source = ""
        self._epoch = 0
        self._stopped = False
        self._baseline_g_norm = None
        self._g_step_at_epoch_begin = 0
        # Whether a check found the samples at least collapse_ratio as
        # diverse as real data; kept across fits of the same callback.
        self._was_diverse = False

    # -- fit hooks ---------------------------------------------------------

    def on_train_begin(self, logs=None):
        gan = check_gan(self.model, "TrainingHealth")
        expected = tuple(gan.sample_shape)
        given = self._real.shape[1:]
        if not shapes_compatible(given, expected):
            raise ValueError(
                "`real_samples` must have the shape of the generator's "
                f"samples, (N, {', '.join(map(str, expected))}); got "
                f"(N, {', '.join(map(str, given))})."
            )
        self._variables, self._snapshot = [], None
        self._stopped = False
        self._baseline_g_norm = None
        if self.run_dir is not None:
            self._writer = tf.summary.create_file_writer(self.run_dir)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._g_step_at_epoch_begin = self._generator_step()
        if self._snapshot is None:
            # Taken here rather than in on_train_begin, so that whatever
            # other callbacks restore or create there (BackupAndRestore's
            # state, EMAGenerator's copy) is part of it, in any order.
            self._variables = self._state_variables(self.model)
            self._snapshot = self._read_state()
            self._snapshot_source = f"the start of epoch {epoch}"

    def on_train_batch_end(self, batch, logs=None):
        if self._stopped:
            return
        found = _non_finite(logs)
        if found:
            self._stop(f"batch {batch}: {_describe(found)}", found)

    def on_epoch_end(self, epoch, logs=None):
        if self._stopped:
            return  # The epoch this callback stopped; nothing is healthy.
        found = _non_finite(logs)
        if found:
            self._stop(f"epoch end: {_describe(found)}", found)
            return
        state = self._read_state()
        bad_vars = [
            v.path
            for v, value in zip(self._variables, state, strict=True)
            if not np.isfinite(value).all()
        ]
        if bad_vars:
            self._stop(
                f"epoch end: {len(bad_vars)} variables hold NaN or inf "
                f"(first: {bad_vars[0]})",
                {},
            )
            return
        self._snapshot = state
        self._snapshot_source = f"the end of epoch {epoch}"
        self._diagnose(epoch, logs or {})

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    # -- non-finite values ---------------------------------------------------

    # The variables that the run's step checkpoints save, in their order.
    _state_variables = staticmethod(state_variables)

    def _read_state(self) -> list[np.ndarray]:
        return [np.array(v.numpy(), copy=True) for v in self._variables]

    def _stop(self, what: str, found: dict[str, float]) -> None:
        saved = zip(self._variables, self._snapshot, strict=True)
        for variable, value in saved:
            variable.assign(value)
        self.model.stop_training = True
        self._stopped = True
        self._report(
            self._epoch,
            NON_FINITE,
            f"Non-finite training values at epoch {self._epoch}, {what}; "
            "stopped training and restored the weights and optimizer state "
            f"from {self._snapshot_source}.",
            next(iter(found.values()), math.nan),
        )

    # -- diagnostics ---------------------------------------------------------

    def _generator_step(self) -> int:
        return int(self.model.g_optimizer.iterations.numpy())

    def _diagnose(self, epoch: int, logs: dict) -> None:
        gan = self.model
        g_norm = logs.get("g_grad_norm")
        # The generator moved this epoch, so g_grad_norm is a real mean.
        g_moved = self._generator_step() > self._g_step_at_epoch_begin
        if g_moved and g_norm is not None and self._baseline_g_norm is None:
            self._baseline_g_norm = float(g_norm)
        if epoch < self.warmup_epochs or not is_due(epoch, self.every_n_epochs):
            return
        generated = gan.generate(self.num_samples, seed=self.seed)
        diversity = mean_pairwise_distance(generated)
        ratio = diversity / self.real_diversity
        figures = {
            "diversity_ratio": ratio,
            "generated_diversity": diversity,
            "real_diversity": self.real_diversity,
        }
        for key in ("d_fake", "g_grad_norm"):
            if logs.get(key) is not None:
                figures[key] = float(logs[key])
        found, real = self._coverage.measure(generated), self._coverage.real
        figures.update(
            coverage=found.coverage,
            coverage_real=real.coverage,
            coverage_ratio=found.coverage / real.coverage,
            density=found.density,
            density_real=real.density,
            density_ratio=found.density / real.density,
        )
        if self._modes is not None:
            centers, std = self._modes
            found = mixture_modes(
                gan.generate(_MODE_SAMPLES, seed=self.seed),
                centers,
                std=std,
            )
            figures.update(modes=found.modes, high_quality=found.high_quality)
        self._write_scalars(epoch, figures)
        self._check_collapse(epoch, figures)
        d_fake = logs.get("d_fake")
        if (
            gan.loss_pair.probabilistic
            and g_moved
            and d_fake is not None
            and g_norm is not None
        ):
            self._check_overpowering(epoch, float(d_fake), float(g_norm))

    def _check_collapse(self, epoch: int, figures: dict[str, float]) -> None:
        """One mode-collapse event per epoch, from the strongest evidence."""
        # Samples that capture no mode have not reached the data yet.
        if "modes" in figures and 0 < figures["modes"] < len(self._modes[0]):
            self._report(
                epoch,
                MODE_COLLAPSE,
                f"Mode collapse suspected: samples capture "
                f"{figures['modes']:.0f} of the {len(self._modes[0])} known "
                f"modes ({figures['high_quality']:.0%} of {_MODE_SAMPLES} "
                "samples within 3 standard deviations of a mode).",
                figures["modes"] / len(self._modes[0]),
            )
            return
        coverage_ratio = figures["coverage_ratio"]
        if (
            coverage_ratio < self.coverage_ratio
            and figures["density_ratio"] >= _REALISTIC_DENSITY
        ):
            self._report(
                epoch,
                MODE_COLLAPSE,
                "Mode collapse suspected: fixed-noise samples cover "
                f"{figures['coverage']:.0%} of the real samples' "
                f"neighbourhoods, where real data covers "
                f"{figures['coverage_real']:.0%}, though they lie among "
                f"real ones (density {figures['density_ratio']:.2g}x real "
                "data's; Naeem et al. 2020).",
                coverage_ratio,
            )
            return
        ratio = figures["diversity_ratio"]
        diversity = figures["generated_diversity"]
        was_diverse = self._was_diverse
        self._was_diverse = was_diverse or ratio >= self.collapse_ratio
        among_real = figures["density_ratio"] >= _REALISTIC_DENSITY
        if (
            math.isfinite(ratio)
            and ratio < self.collapse_ratio
            and (was_diverse or among_real)
        ):
            self._report(
                epoch,
                MODE_COLLAPSE,
                "Mode collapse suspected: fixed-noise samples are "
                f"{ratio:.2g}x as diverse as real data (mean pairwise "
                f"distance {diversity:.3g} vs {self.real_diversity:.3g}).",
                ratio,
            )

    def _check_overpowering(self, epoch: int, d_fake: float, g_norm: float):
        if d_fake >= self.overpowered_d_fake:
            return
        base = self._baseline_g_norm
        relative = (
            base is not None and g_norm < self.vanishing_grad_ratio * base
        )
        if not (relative or g_norm < self.vanishing_grad_floor):
            return
        versus = (
            f"{g_norm / base:.2g}x its first-epoch value {base:.2g}"
            if relative
            else f"below the floor {self.vanishing_grad_floor:.2g}"
        )
        self._report(
            epoch,
            DISCRIMINATOR_OVERPOWERING,
            "Discriminator overpowering the generator: mean D(G(z)) is "
            f"{d_fake:.2g} (threshold {self.overpowered_d_fake:.2g}) and the "
            f"generator's gradient norm has vanished to {g_norm:.2g} "
            f"({versus}).",
            d_fake,
        )

    # -- output ----------------------------------------------------------

    def _report(self, epoch: int, kind: str, message: str, value: float):
        self.events.append(HealthEvent(int(epoch), kind, message, float(value)))
        _logger.warning(message)
        if self._writer is not None:
            with epoch_summaries(self._writer, epoch):
                tf.summary.text(kind, message)
            self._writer.flush()

    def _write_scalars(self, epoch: int, figures: dict[str, float]) -> None:
        if self._writer is None:
            return
        with epoch_summaries(self._writer, epoch):
            for key, value in figures.items():
                tf.summary.scalar(CURVE_TAGS.get(key, key), value)
        self._writer.flush()
