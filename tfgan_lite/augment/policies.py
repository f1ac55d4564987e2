"""Augmentation policies: which operations, how likely, drawn from what seed.

An :class:`Augment` is a Keras layer that a GAN applies to real and
generated images before every discriminator call in training. Its state
(the probability p, the position of its random stream, and for
:class:`AdaptiveAugment` the statistics that move p) lives in
non-trainable weights, so ``.keras`` files and step checkpoints save it
and a resumed run draws the augmentations an uninterrupted one would.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import keras
import tensorflow as tf

from tfgan_lite import _noise
from tfgan_lite._validation import (
    check_choice,
    check_float,
    check_int,
    check_optional_int,
)
from tfgan_lite.augment import ops

__all__ = [
    "ADA_POLICIES",
    "ALL_POLICIES",
    "POLICIES",
    "AdaptiveAugment",
    "Augment",
    "Draw",
    "DiffAugment",
]

# DiffAugment's three policies (Zhao et al. 2020, Section 3).
POLICIES = ("color", "translation", "cutout")
# Every policy a layer takes: DiffAugment's, and ADA's geometric transforms
# (isotropic scaling, rotation, anisotropic scaling; Karras et al. 2020,
# Appendix B), resampled at once by ops.warp.
ALL_POLICIES = (*POLICIES, "geometric")
# AdaptiveAugment's defaults: the operations that do not leak, and the r_t
# that p steers toward (see its docstring for both).
ADA_POLICIES = ("color", "translation", "geometric")
ADA_TARGET = 0.3

# The operations each policy applies, in the order they run.
_OPERATIONS = {
    "color": ("brightness", "saturation", "contrast"),
    "translation": ("translation",),
    "cutout": ("cutout",),
    "geometric": ("geometric",),
}
_ALL_OPERATIONS = ("brightness", "saturation", "contrast", "translation")
_ALL_OPERATIONS += ("cutout",)
# Uniform draws per sample: a gate per operation, then the parameters.
_COLUMNS = len(_ALL_OPERATIONS) + 7
# The geometric policy's draws, a second stream draw only when a layer has
# it (so the other policies draw what they always drew): a gate for each of
# isotropic scaling, rotation and anisotropic scaling, then their values.
_WARP_COLUMNS = 6
# ADA's spread of log2 of both scalings (Karras et al. 2020, Appendix B).
_LOG2_SCALE_STD = 0.2

# The random stream's first counter value: far from the model's training
# (0) and evaluation (2**40) noise streams of the same seed.
_STREAM_START = 2**41


class Draw(NamedTuple):
    """One batch's random augmentation parameters, one row per sample.

    Attributes:
        gates: (N, 5) bools: whether each operation (brightness,
            saturation, contrast, translation, cutout) applies.
        brightness: (N,) shifts in [-0.5, 0.5).
        saturation: (N,) factors in [0, 2).
        contrast: (N,) factors in [0.5, 1.5).
        shift_y, shift_x: (N,) int32 shifts in [-s, s], s the translation
            fraction of the side, rounded.
        center_y, center_x: (N,) int32 cutout centres, a row and a column.
        warp: (N, 2, 2) maps from output to input positions that
            ``ops.warp`` takes, the identity where no geometric transform
            applies; None without the geometric policy.
        warp_gate: (N,) bools: whether any geometric transform applies;
            None without the geometric policy.
    """

    gates: tf.Tensor
    brightness: tf.Tensor
    saturation: tf.Tensor
    contrast: tf.Tensor
    shift_y: tf.Tensor
    shift_x: tf.Tensor
    center_y: tf.Tensor
    center_x: tf.Tensor
    warp: tf.Tensor | None = None
    warp_gate: tf.Tensor | None = None


def _pixels(fraction: float, side: int) -> int:
    """fraction * side, rounded half up, as DiffAugment sizes its shifts."""
    return int(fraction * side + 0.5)


def _integers(u: tf.Tensor, low, count) -> tf.Tensor:
    """Uniform integers in [low, low + count) from U[0, 1) draws."""
    return tf.cast(tf.floor(u * count), tf.int32) + low


def _warp_matrices(u: tf.Tensor, probability) -> tuple[tf.Tensor, tf.Tensor]:
    """ADA's geometric transforms from (N, 6) uniforms, as ops.warp maps.

    Each of isotropic scaling s = 2^(0.2 z), rotation by an angle uniform
    in [-pi, pi), and anisotropic scaling a = 2^(0.2 z) (a along the rows,
    1 / a along the columns), z standard normal, applies with probability
    ``probability``. The content moves by R(angle) diag(a, 1 / a) s; warp
    takes the inverse, from output to input positions.

    Returns:
        (N, 2, 2) matrices and the (N,) bools of samples that any applies to.
    """
    gates = u[:, :3] < probability
    # Inside (0, 1), so that ndtri stays finite.
    values = tf.clip_by_value(u[:, 3:], 1e-6, 1.0 - 1e-6)
    log2 = _LOG2_SCALE_STD * tf.math.ndtri(values[:, ::2])
    log2 = tf.where(gates[:, ::2], log2, tf.zeros_like(log2))
    scale, aniso = tf.unstack(tf.pow(2.0, log2), axis=1)
    angle = tf.where(gates[:, 1], 2.0 * math.pi * (values[:, 1] - 0.5), 0.0)
    cos, sin = tf.cos(angle), tf.sin(angle)
    # diag(1 / (s a), a / s) R(-angle), R(t) = [[cos t, -sin t], [sin t,
    # cos t]] in (row, column) order.
    row_scale = 1.0 / (scale * aniso)
    col_scale = aniso / scale
    matrix = tf.stack(
        [
            tf.stack([row_scale * cos, row_scale * sin], -1),
            tf.stack([-col_scale * sin, col_scale * cos], -1),
        ],
        axis=1,
    )
    return matrix, tf.reduce_any(gates, axis=1)


def _policy(policy) -> tuple[str, ...]:
    if isinstance(policy, str):
        policy = (policy,)
    if not isinstance(policy, Sequence) or not policy:
        raise TypeError(
            "`policy` must be a non-empty list of names from "
            f"{ALL_POLICIES}, got {policy!r}."
        )
    names = tuple(check_choice(p, "policy", ALL_POLICIES) for p in policy)
    if len(set(names)) != len(names):
        raise ValueError(f"`policy` names an operation twice: {names}.")
    return names


@keras.saving.register_keras_serializable(package="tfgan_lite")
class Augment(keras.layers.Layer):
    """Differentiable per-sample augmentation with a fixed probability.

    Each operation of the chosen policies applies to each sample
    independently with probability ``p``; the parameters are drawn per
    sample, from a counter-based stream whose position is a weight (see
    ``tfgan_lite._noise.NoiseStream``), so N replicas of a
    ``tf.distribute`` strategy draw what one device draws for the global
    batch. A sample whose draws all fall out is returned exactly. The
    operations are those of ``tfgan_lite.augment.ops``; gradients flow
    through them to the images.

    A model calls :meth:`bind` from its ``compile``, which creates the
    weights (seeded from the model's seed unless ``seed`` is given), then
    calls the layer on real and on generated images in training and
    :meth:`observe` on the discriminator's logits of real images.

    Args:
        policy: Names from ``ALL_POLICIES``: "color" (brightness,
            saturation, contrast), "translation", "cutout", "geometric"
            (ADA's isotropic scaling, rotation and anisotropic scaling,
            each gated by p, resampled at once). Default DiffAugment's
            three, ``POLICIES``.
        probability: p, the chance that each operation applies to each
            sample, in [0, 1]. 1 applies every operation to every sample.
        translation: Largest shift, as a fraction of the image's side
            (1/8 in DiffAugment).
        cutout: The square's side, as a fraction of the image's side (1/2
            in DiffAugment).
        fill: What a translation or a geometric transform uncovers:
            "zeros" (DiffAugment) or "reflect" (ADA); see
            ``ops.translate`` and ``ops.warp``.
        seed: Integer seed of the stream; None takes the model's seed.
        **kwargs: Passed to ``keras.layers.Layer`` (e.g. ``name``).

    Raises:
        TypeError, ValueError: For an unknown policy or an argument out of
            range.
    """

    adaptive = False

    def __init__(
        self,
        policy: Sequence[str] = POLICIES,
        *,
        probability: float = 1.0,
        translation: float = 0.125,
        cutout: float = 0.5,
        fill: str = "zeros",
        seed: int | None = None,
        **kwargs,
    ):
        kwargs.setdefault("trainable", False)
        # Images keep their dtype (float16 under mixed precision) and p its
        # float32, which the gates compare with float32 draws: no autocast,
        # and a float32 policy, under which Keras opens no autocast scope.
        kwargs.setdefault("autocast", False)
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.policy = _policy(policy)
        self.initial_probability = check_float(
            probability, "probability", low=0.0, high=1.0
        )
        self.translation = check_float(
            translation, "translation", low=0.0, high=0.5
        )
        self.cutout = check_float(cutout, "cutout", low=0.0, high=1.0)
        self.fill = check_choice(fill, "fill", ops.FILLS)
        self.seed = check_optional_int(seed, "seed", minimum=0)
        self.operations = tuple(
            op for name in self.policy for op in _OPERATIONS[name]
        )
        self.probability = None
        self._stream = None
        # Its weights are made by bind(), once the seed is known.
        self.built = True

    def build(self, input_shape=None):
        self.built = True

    # -- state -------------------------------------------------------------

    def bind(self, seed: int) -> None:
        """Creates the weights, seeded by ``seed`` unless one was given.

        Called by the model's ``compile``; a second call keeps the weights.

        Args:
            seed: The model's seed, used when the layer has none.
        """
        if self._stream is not None:
            return
        if self.seed is None:
            self.seed = check_int(seed, "seed", minimum=0)
        self.probability = self.add_weight(
            shape=(),
            dtype="float32",
            initializer=keras.initializers.Constant(self.initial_probability),
            trainable=False,
            # Every replica computes the same p; the first one's is kept.
            aggregation="only_first_replica",
            name="probability",
        )
        self._stream = _noise.NoiseStream(
            self, self.seed, name="augment_state", start=_STREAM_START
        )
        self._create_state()

    def _create_state(self) -> None:
        """Weights of a subclass's controller; none here."""

    def observe(self, real_logits: tf.Tensor) -> None:
        """Takes the discriminator's logits on augmented reals; no-op here.

        Args:
            real_logits: (N,) float32 logits of this replica's reals.
        """
        del real_logits

    # -- augmenting --------------------------------------------------------

    def draw(self, images: tf.Tensor) -> Draw:
        """Draws parameters for a batch of images; advances the stream.

        Args:
            images: (N, H, W, C) floats: this replica's batch, read for
                its size and sides only.

        Returns:
            A :class:`Draw` for those N images.
        """
        self._require_bound()
        height, width = self._check_images(images)
        u = self._stream.uniform(tf.shape(images)[0], (_COLUMNS,))
        n_ops = len(_ALL_OPERATIONS)
        shift_y = _pixels(self.translation, height)
        shift_x = _pixels(self.translation, width)
        warp = warp_gate = None
        if "geometric" in self.operations:
            warp, warp_gate = _warp_matrices(
                self._stream.uniform(tf.shape(images)[0], (_WARP_COLUMNS,)),
                self.probability,
            )
        return Draw(
            gates=u[:, :n_ops] < self.probability,
            brightness=u[:, n_ops] - 0.5,
            saturation=2.0 * u[:, n_ops + 1],
            contrast=u[:, n_ops + 2] + 0.5,
            shift_y=_integers(u[:, n_ops + 3], -shift_y, 2 * shift_y + 1),
            shift_x=_integers(u[:, n_ops + 4], -shift_x, 2 * shift_x + 1),
            center_y=_integers(u[:, n_ops + 5], 0, height),
            center_x=_integers(u[:, n_ops + 6], 0, width),
            warp=warp,
            warp_gate=warp_gate,
        )

    def apply(self, images: tf.Tensor, draw: Draw) -> tf.Tensor:
        """Applies the policy's operations that ``draw``'s gates select.

        Args:
            images: (N, H, W, C) floats in [-1, 1].
            draw: Parameters for these N images, from :meth:`draw`.

        Returns:
            The augmented images, same shape and dtype.
        """
        height, width = self._check_images(images)
        size = (_pixels(self.cutout, height), _pixels(self.cutout, width))
        transforms = {
            "brightness": lambda x: ops.brightness(x, draw.brightness),
            "saturation": lambda x: ops.saturation(x, draw.saturation),
            "contrast": lambda x: ops.contrast(x, draw.contrast),
            "translation": lambda x: ops.translate(
                x, draw.shift_y, draw.shift_x, fill=self.fill
            ),
            "cutout": lambda x: ops.cutout(
                x, draw.center_y, draw.center_x, size
            ),
            "geometric": lambda x: ops.warp(x, draw.warp, fill=self.fill),
        }
        for name in self.operations:
            if name == "geometric":
                gate = draw.warp_gate
            else:
                gate = draw.gates[:, _ALL_OPERATIONS.index(name)]
            # tf.where, not a blend: a sample the gate skips comes back
            # bit for bit, and gets the identity's gradient.
            gate = tf.reshape(gate, (-1, 1, 1, 1))
            images = tf.where(gate, transforms[name](images), images)
        return images

    def call(self, images):
        """Augments a batch: :meth:`draw` then :meth:`apply`."""
        return self.apply(images, self.draw(images))

    def _check_images(self, images) -> tuple[int, int]:
        shape = tuple(images.shape)
        if len(shape) != 4 or None in shape[1:3]:
            raise ValueError(
                "Augmentation takes images of shape (batch, height, width, "
                f"channels) with known height and width; got {shape}."
            )
        return int(shape[1]), int(shape[2])

    def _require_bound(self) -> None:
        if self._stream is None:
            raise ValueError(
                f"{type(self).__name__} has no state yet. Pass it to a "
                "model's compile(augment=...), or call bind(seed) first."
            )

    # -- serialization -----------------------------------------------------

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "policy": list(self.policy),
            "probability": self.initial_probability,
            "translation": self.translation,
            "cutout": self.cutout,
            "fill": self.fill,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="tfgan_lite")
class DiffAugment(Augment):
    """DiffAugment: every operation on every sample (Zhao et al. 2020).

    https://arxiv.org/abs/2006.10738: colour, translation by up to 1/8 of
    the side with zero fill, and cutout of a square half the side, applied
    to the reals and the fakes each time the discriminator sees them, in
    both players' steps, so that D never sees an unaugmented image and the
    generator learns through the differentiable operations.

    Args:
        policy: See :class:`Augment`. Default all three.
        seed: Integer seed; None takes the model's seed.
        **kwargs: ``translation``, ``cutout`` and the layer's arguments,
            as :class:`Augment`.
    """

    def __init__(
        self,
        policy: Sequence[str] = POLICIES,
        *,
        seed: int | None = None,
        **kwargs,
    ):
        kwargs.pop("probability", None)
        super().__init__(policy, probability=1.0, seed=seed, **kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["probability"]
        return config


@keras.saving.register_keras_serializable(package="tfgan_lite")
class AdaptiveAugment(Augment):
    """DiffAugment's operations, with ADA's adaptive probability.

    Karras et al. 2020, "Training Generative Adversarial Networks with
    Limited Data" (https://arxiv.org/abs/2006.06676), Section 3: each
    operation applies to each sample with probability p, and p follows
    the overfitting heuristic r_t = E[sign(D(x_real))], the mean sign of
    the discriminator's logits on the (augmented) reals since the last
    adjustment. Every ``interval`` discriminator updates,
    ``p += sign(r_t - target) * n / ramp_images`` with n the reals seen
    since the last adjustment, clipped to [0, 1]: p rises while D is too
    sure of the reals and falls when it is not.

    This is ADA's adaptive controller over DiffAugment's colour and
    translation and ADA's geometric group (isotropic scaling, rotation,
    anisotropic scaling), not ADA's full pipeline of 18 transforms. By
    default it uses those three with reflected edges, which do not leak:
    with p below 1 the augmented reals still show the unaugmented ones,
    so the generator gains nothing by drawing the augmentation. Cutout's
    mid-gray squares and zero-filled bands did leak: at p = 0.13, samples
    of a run on 300 MNIST digits showed both
    (``docs/experiments/2026-12-06-small-data-augmentation.md``).

    The default target is 0.3, below the paper's 0.6: with this smaller
    set of transforms and the library's R1 and clusters, p settled near
    0.1 on 300 of the bundled digits at 0.6 and lowered FD by a fifth on
    one seed; at 0.3 p settles near 0.18 and FD fell by 28% on the mean
    of three seeds (``docs/experiments/2026-12-07-ada-target.md``).

    ``ramp_images`` is the number of images over which p can move from 0
    to 1. The paper's 500k images suit runs of millions of images; the
    default 50k lets p reach 1 within 800 steps of 64 images, which a run
    on a small data set lasts, while an adjustment (256 images at batch
    64, interval 4) still moves p by only 0.005.

    Args:
        policy: See :class:`Augment`. Default colour, translation and
            geometric.
        target: The value of r_t that p steers toward (0.6 in the paper,
            0.3 here).
        interval: Discriminator updates between adjustments (4 in the
            paper).
        ramp_images: Images for p to go from 0 to 1 (500k in the paper).
        probability: p's starting value (0 in the paper).
        fill: What a translation or a geometric transform uncovers;
            default "reflect".
        seed: Integer seed; None takes the model's seed.
        **kwargs: ``translation``, ``cutout`` and the layer's arguments,
            as :class:`Augment`.

    Raises:
        TypeError, ValueError: For an argument of the wrong type or out of
            range.
    """

    adaptive = True

    def __init__(
        self,
        policy: Sequence[str] = ADA_POLICIES,
        *,
        target: float = ADA_TARGET,
        interval: int = 4,
        ramp_images: int = 50_000,
        probability: float = 0.0,
        fill: str = "reflect",
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(
            policy, probability=probability, fill=fill, seed=seed, **kwargs
        )
        self.target = check_float(target, "target", low=-1.0, high=1.0)
        self.interval = check_int(interval, "interval", minimum=1)
        self.ramp_images = check_int(ramp_images, "ramp_images", minimum=1)

    def _create_state(self) -> None:
        def scalar(name: str):
            return self.add_weight(
                shape=(),
                dtype="float32",
                initializer="zeros",
                trainable=False,
                # observe() sums over replicas itself, so every replica
                # holds the same value.
                aggregation="only_first_replica",
                name=name,
            )

        # Since the last adjustment: sign(D(real)) summed, reals counted,
        # and discriminator updates observed.
        self.sign_sum = scalar("sign_sum")
        self.seen = scalar("seen")
        self.updates = scalar("updates")

    def observe(self, real_logits: tf.Tensor) -> None:
        """Accumulates r_t's statistics; adjusts p every ``interval`` calls.

        No tf.cond: the adjustment is multiplied by 0 or 1, so the step
        compiles under XLA and runs the same on every replica.

        Args:
            real_logits: (N,) float32 logits of this replica's reals.
        """
        self._require_bound()
        logits = tf.stop_gradient(tf.cast(real_logits, tf.float32))
        stats = tf.stack(
            [
                tf.reduce_sum(tf.sign(logits)),
                tf.cast(tf.size(logits), tf.float32),
            ]
        )
        context = tf.distribute.get_replica_context()
        if context is not None:
            stats = context.all_reduce("sum", stats)
        sign_sum = self.sign_sum + stats[0]
        seen = self.seen + stats[1]
        updates = self.updates + 1.0
        due = tf.cast(updates >= self.interval, tf.float32)
        r_t = sign_sum / tf.maximum(seen, 1.0)
        step = tf.sign(r_t - self.target) * seen / float(self.ramp_images)
        self.probability.assign(
            tf.clip_by_value(self.probability + due * step, 0.0, 1.0)
        )
        self.sign_sum.assign(sign_sum * (1.0 - due))
        self.seen.assign(seen * (1.0 - due))
        self.updates.assign(updates * (1.0 - due))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "target": self.target,
            "interval": self.interval,
            "ramp_images": self.ramp_images,
        }
