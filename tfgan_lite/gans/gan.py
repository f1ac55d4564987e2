"""The GAN model: a keras.Model whose ``fit`` plays the adversarial game.

The generator G maps noise z ~ N(0, I) to samples and the discriminator D
scores samples with one logit each. ``GAN.train_step`` runs the two-optimizer
update of Goodfellow et al. 2014 (https://arxiv.org/abs/1406.2661,
Algorithm 1) under ``tf.function``; both updates go through the library's
one update helper, ``tfgan_lite._update.apply_phases``, so that loss
scaling, replica scaling and gradient application are written once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import _noise, penalties
from tfgan_lite import augment as augment_lib
from tfgan_lite import losses as losses_lib
from tfgan_lite._validation import (
    check_bool,
    check_choice,
    check_float,
    check_int,
)
from tfgan_lite.gans import _networks, _schedule
from tfgan_lite.gans._update import Phase, apply_phases
from tfgan_lite.gans.base import (
    D_LOSS,
    D_NORM,
    G_LOSS,
    G_NORM,
    AdversarialModel,
    KerasOptions,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["UPDATES", "GAN", "AuxiliaryTerms"]

UPDATES = ("alternating", "simultaneous")

# Metric names besides the base's, and all of them in log order.
_D_REAL = "d_real"
_D_FAKE = "d_fake"
_GP = "gradient_penalty"
_R1 = "r1_penalty"
_R2 = "r2_penalty"
_AUGMENT_P = "augment_p"
_TRACKERS = (D_LOSS, G_LOSS, _D_REAL, _D_FAKE, D_NORM, G_NORM, _GP, _R1, _R2)
_TRACKERS += (_AUGMENT_P,)


class AuxiliaryTerms(NamedTuple):
    """Loss terms a subclass adds to each player's adversarial loss.

    Attributes:
        discriminator: Added to the discriminator group's loss (scalar).
        generator: Added to the generator group's loss (scalar).
        metrics: Tracker name -> scalar, reported as they are.
    """

    discriminator: tf.Tensor
    generator: tf.Tensor
    metrics: dict


@keras.saving.register_keras_serializable(package="tfgan_lite")
class GAN(AdversarialModel):
    """A generative adversarial network trained with ``fit``.

    ``GAN`` wraps a generator and a discriminator. ``compile`` chooses the
    two optimizers and the game (loss family, Algorithm 1's k, penalties);
    ``fit`` then runs adversarial updates on batches of real images. Calling
    the model on latent vectors returns generated samples, so ``predict``
    works and the model saves to and loads from ``.keras`` files with both
    networks, both optimizers and the compile settings.

    How fit's steps map to updates:
        Each training step is one iteration of Algorithm 1 (Goodfellow et
        al. 2014). With ``d_steps=k`` the step splits its batch into k
        equal minibatches and makes k discriminator updates, one per
        minibatch, each with fresh noise; then one generator update with
        fresh noise. So ``fit(batch_size=k * m)`` trains on minibatches of
        m, and an epoch of S steps makes k * S discriminator updates and S
        generator updates. Minibatch i holds rows i, i + k, i + 2k, ...,
        which keeps the updates the same under ``tf.distribute`` when k
        divides the per-replica batch. Rows past k * floor(batch / k) of a
        ragged last batch are left out. ``d_optimizer.iterations`` counts
        discriminator updates and ``g_optimizer.iterations`` generator
        updates.

    Metrics (``keras.metrics.Mean`` trackers, shown by the progress bar and
    written by ``keras.callbacks.TensorBoard``):
        d_loss: the discriminator's objective, weighted penalties included.
        g_loss: the generator's objective.
        d_real, d_fake: mean D(x) and D(G(z)), as probabilities for the
            minimax and non-saturating losses, as raw scores otherwise.
        d_grad_norm, g_grad_norm: global L2 norm of each player's gradient
            on the batch mean loss (training only).
        gradient_penalty, r1_penalty, r2_penalty: unweighted, when enabled
            (with ``r1_interval=n`` in training, n times R1 or R2 in the
            updates that compute it and 0 in the others, so the mean
            estimates the penalty).
        augment_p: with ``compile(augment=...)``, the probability that
            each augmentation applies, after each discriminator update
            (training only).

    Args:
        generator: A Keras model from latent vectors (N, latent_dim) to
            samples.
        discriminator: A Keras model from samples to one logit per sample,
            (N, 1) or (N,). It is called on real and on generated batches
            separately. Gradient penalties assume it scores samples
            independently (no batch normalization).
        latent_dim: Size of the latent vector. None reads it from the
            generator's input shape.
        seed: Integer seed of the training noise stream. The stream's
            position is saved with the model, so a resumed run draws the
            same noise as an uninterrupted one. None picks a random seed.
        ema: Keep ``ema_generator``, a copy of the generator for an
            exponential moving average of its weights (Karras et al. 2018,
            https://arxiv.org/abs/1710.10196). The model never updates it
            itself; ``tfgan_lite.callbacks.EMAGenerator`` does. When it
            exists, ``generate`` and export sample from it.
        **kwargs: Passed to ``keras.Model`` (e.g. ``name``).

    Raises:
        TypeError: If a network is not a Keras layer or model.
        ValueError: If the generator's output does not fit the
            discriminator's input, or latent_dim disagrees with the
            generator's input.

    Example:
        >>> from tfgan_lite import models
        >>> generator, discriminator = models.mlp(latent_dim=4)
        >>> gan = GAN(generator, discriminator, seed=0)
        >>> gan.compile(loss="non_saturating")
        >>> history = gan.fit(np.random.randn(256, 2).astype("float32"),
        ...                   batch_size=32, epochs=1, verbose=0)
        >>> gan.generate(5, seed=1).shape
        (5, 2)
    """

    _NETWORK_ARGS = ("generator", "discriminator")
    # Evaluation augments nothing either.
    _TRAINING_ONLY = (D_NORM, G_NORM, _AUGMENT_P)
    _COMPILE_HINT = (
        "gan.compile(g_optimizer=..., d_optimizer=..., loss='non_saturating')"
    )

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        *,
        latent_dim: int | None = None,
        seed: int | None = None,
        ema: bool = False,
        **kwargs,
    ):
        super().__init__(
            {"generator": generator, "discriminator": discriminator},
            seed=seed,
            trackers=_TRACKERS,
            **kwargs,
        )
        self.latent_dim = self._resolve_latent_dim(generator, latent_dim)
        self.sample_shape, _ = self._trace_networks(
            generator, discriminator, self.latent_dim
        )
        # Evaluation has its own stream (counter from 2**40), so
        # validation_data never changes the noise that training sees.
        self._train_noise = _noise.NoiseStream(
            self, self.seed, name="noise_state"
        )
        self._eval_noise = _noise.NoiseStream(
            self, self.seed, name="eval_noise_state", start=2**40
        )
        # The streams' [seed, counter] variables, saved with the weights.
        self.noise_state = self._train_noise.state
        self.eval_noise_state = self._eval_noise.state
        self.ema_generator = None
        if check_bool(ema, "ema"):
            self.enable_ema()
        # The discriminator's augmentation, chosen in compile.
        self.augment = None

    def enable_ema(self) -> keras.Model:
        """Creates ``ema_generator`` from the current generator, if absent.

        Returns:
            The EMA copy: same architecture, current weights, not trainable.
        """
        if self.ema_generator is None:
            copy = keras.models.clone_model(self.generator)
            copy.set_weights(self.generator.get_weights())
            copy.trainable = False
            self.ema_generator = copy
        return self.ema_generator

    @property
    def sampler(self) -> keras.Model:
        """The network to sample from: the EMA generator when there is one."""
        return (
            self.generator if self.ema_generator is None else self.ema_generator
        )

    # -- construction ------------------------------------------------------

    @staticmethod
    def _resolve_latent_dim(generator, latent_dim: int | None) -> int:
        """latent_dim, read from or checked against the generator's input."""
        return _networks.resolve_latent_dim(generator, latent_dim)

    @staticmethod
    def _trace_networks(generator, discriminator, latent_dim: int) -> tuple:
        """Calls both networks symbolically and checks that G feeds D.

        Subclasses whose players take other inputs override it; it reads
        nothing but its arguments, so it can run inside ``__init__``.

        Returns:
            (sample shape, the discriminator's symbolic outputs).
        """
        return _networks.trace_pair(generator, discriminator, latent_dim)

    # -- compile -----------------------------------------------------------

    def compile(
        self,
        g_optimizer: keras.optimizers.Optimizer | str | None = None,
        d_optimizer: keras.optimizers.Optimizer | str | None = None,
        loss: str | losses_lib.LossPair | tuple = "non_saturating",
        *,
        d_steps: int = 1,
        update: str = "alternating",
        gradient_penalty: float = 0.0,
        r1_penalty: float = 0.0,
        r2_penalty: float = 0.0,
        r1_interval: int = 1,
        top_k: float = 1.0,
        top_k_steps: int = 0,
        augment: str | augment_lib.Augment | None = None,
        **keras_options: Unpack[KerasOptions],
    ) -> None:
        """Chooses the optimizers and the game.

        Args:
            g_optimizer: Generator optimizer, or a Keras optimizer name.
                None gives Adam(lr=2e-4, beta_1=0.5) (Radford et al. 2015).
            d_optimizer: Discriminator optimizer, as above. Must be a
                different object from g_optimizer.
            loss: A name from ``tfgan_lite.losses.names()`` ("minimax",
                "non_saturating", "wasserstein", "hinge", "least_squares",
                "relativistic_average", "relativistic_pairing"), a
                ``LossPair``, or a tuple ``(generator_fn,
                discriminator_fn)``. Resolved here, once.
            d_steps: k of Algorithm 1: discriminator updates per generator
                update. Each step splits its batch into k minibatches, one
                per discriminator update, each with fresh noise.
            update: "alternating" updates D, then G from a new forward pass
                through the updated D. "simultaneous" computes both
                gradients from one generator forward pass and one
                discriminator pass and applies them together (the
                simultaneous gradient descent of Goodfellow 2016,
                https://arxiv.org/abs/1701.00160, Section 8.2). It skips the
                second generator pass and the second discriminator pass on
                fakes, so each step costs less; it needs d_steps=1.
            gradient_penalty: Weight lambda of the WGAN-GP penalty
                (Gulrajani et al. 2017); 0 turns it off, 10 is the paper's.
            r1_penalty: Weight gamma of the R1 penalty, on real samples
                (Mescheder et al. 2018); 0 turns it off.
            r2_penalty: Weight gamma of the R2 penalty, R1 on generated
                samples taken as constants (Mescheder et al. 2018, Eq. 10);
                0 turns it off. R3GAN (Huang et al. 2024,
                https://arxiv.org/abs/2501.05441) pairs it with R1 of the
                same gamma and the "relativistic_pairing" loss.
            r1_interval: Discriminator updates per R1 (and R2) evaluation.
                1 computes them in every update. n > 1 is the lazy
                regularization of StyleGAN2 (Karras et al. 2020,
                https://arxiv.org/abs/1912.04958, Section 3.1): each
                penalty enters every n-th update with n times its weight,
                so its average pull is unchanged while most updates skip
                its second-order gradient. The ``r1_penalty`` and
                ``r2_penalty`` metrics are then that lazy estimate (n times
                the penalty, or 0), whose mean over an epoch estimates the
                penalty. Evaluation always computes them.
            top_k: Fraction of each batch's generated samples, those the
                discriminator scores as most real, that the generator's
                adversarial loss averages over (top-k training, Sinha et
                al. 2020, https://arxiv.org/abs/2002.06224): the samples D
                rejects most firmly, often between modes, no longer drag
                the generator. In (0, 1]; 1.0 uses every sample.
                At least one sample is always kept; evaluation uses all.
                Under tf.distribute each replica keeps that fraction of
                its own share of the batch.
            top_k_steps: Generator updates over which the kept fraction
                falls linearly from 1 to ``top_k`` (the paper anneals it
                too, so that early training uses every sample); 0 keeps
                ``top_k`` from the first update.
            augment: Differentiable augmentation of every image the
                discriminator sees in training, reals and fakes, in both
                players' steps and in the penalties (``tfgan_lite.augment``):
                None or "none" for none, "diffaugment" (DiffAugment, Zhao
                et al. 2020, https://arxiv.org/abs/2006.10738), "ada"
                (DiffAugment's operations with ADA's adaptive probability,
                Karras et al. 2020, https://arxiv.org/abs/2006.06676), or
                a ``tfgan_lite.augment.Augment``, which then serves this
                model only. Seeded from the model's seed unless the layer
                has its own. The penalties take D's gradient at the
                augmented images it scores. ``generate``, export,
                ``evaluate`` and the quality metrics see no augmentation.
                Its state (p, the random stream) is saved with the
                weights; the ``augment_p`` metric reports p (its mean over
                the epoch's discriminator updates). Images only.
            **keras_options: Keras' own settings, passed through to
                ``keras.Model.compile``: ``jit_compile`` (XLA; default
                "auto"), ``steps_per_execution`` (1), ``run_eagerly``
                (False), ``auto_scale_loss`` (True: under the
                "mixed_float16" policy, wrap both optimizers in a
                ``LossScaleOptimizer``). See ``KerasOptions``.

        Raises:
            ValueError: For an unknown loss, update or augmentation,
                d_steps < 1, negative penalty weights, a shared optimizer
                object, simultaneous updates with d_steps > 1, or
                augmentation of samples that are not images.
            TypeError: For arguments of the wrong type.
        """
        loss_pair = losses_lib.get(loss)
        d_steps = check_int(d_steps, "d_steps", minimum=1)
        update = check_choice(update, "update", UPDATES)
        if update == "simultaneous" and d_steps != 1:
            raise ValueError(
                "update='simultaneous' updates D and G together from one "
                f"forward pass, so d_steps must be 1 (got {d_steps}). Use "
                "update='alternating' for k discriminator steps."
            )
        # A weight of 0 turns the penalty off.
        gp_weight = check_float(gradient_penalty, "gradient_penalty", low=0.0)
        r1_weight = check_float(r1_penalty, "r1_penalty", low=0.0)
        r2_weight = check_float(r2_penalty, "r2_penalty", low=0.0)
        r1_interval = check_int(r1_interval, "r1_interval", minimum=1)
        top_k = check_float(top_k, "top_k", low=0.0, high=1.0, low_closed=False)
        top_k_steps = check_int(top_k_steps, "top_k_steps", minimum=0)
        if top_k < 1.0 and loss_pair.generator is (
            losses_lib.relativistic_pairing_generator_loss
        ):
            # Top-k keeps fewer fake logits than there are real ones, and
            # the pairing loss needs one fake per real.
            raise ValueError(
                f"top_k={top_k} keeps only some of the generated samples, "
                "but loss='relativistic_pairing' pairs each real logit "
                "with one fake logit. Use top_k=1.0 with this loss, or "
                "loss='relativistic_average'."
            )
        augment_layer = self._augment_layer(augment)
        settings = {
            "d_steps": d_steps,
            "update": update,
            "gradient_penalty": gp_weight,
            "r1_penalty": r1_weight,
            "r2_penalty": r2_weight,
            "r1_interval": r1_interval,
            "top_k": top_k,
            "top_k_steps": top_k_steps,
            "augment": (
                None
                if augment_layer is None
                else keras.saving.serialize_keras_object(augment_layer)
            ),
        }
        self._compile_players(
            g_optimizer,
            d_optimizer,
            loss_pair,
            settings,
            generators=(self.generator,),
            discriminators=(self.discriminator,),
            keras_options=keras_options,
        )
        self.d_steps = d_steps
        self.update = update
        self.gradient_penalty_weight = gp_weight
        self.r1_penalty_weight = r1_weight
        self.r2_penalty_weight = r2_weight
        self.r1_interval = r1_interval
        self.top_k = top_k
        self.top_k_steps = top_k_steps
        if self.augment is not augment_layer:
            if self.augment is not None:
                # A compile that changes the augmentation drops the old
                # layer's weights from the model's state; Keras keeps a
                # replaced layer tracked otherwise.
                self._tracker.untrack(self.augment)
            self.augment = augment_layer

    def _augment_layer(self, augment) -> augment_lib.Augment | None:
        """Resolves compile's ``augment`` and creates its weights."""
        layer = augment_lib.get(augment)
        if layer is None:
            return None
        if len(self.sample_shape) != 3:
            raise ValueError(
                "augment= needs a GAN of images, (height, width, channels); "
                f"this one makes samples of shape {self.sample_shape}. Pass "
                "augment=None."
            )
        # Weights made now, under the strategy scope that compile runs in.
        layer.bind(self.seed)
        return layer

    # -- serialization -----------------------------------------------------

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "latent_dim": self.latent_dim,
            "ema": self.ema_generator is not None,
        }

    # -- metrics -----------------------------------------------------------

    def _metric_names(self) -> list[str]:
        keys = [D_LOSS, G_LOSS, _D_REAL, _D_FAKE, D_NORM, G_NORM]
        if getattr(self, "gradient_penalty_weight", 0.0):
            keys.append(_GP)
        if getattr(self, "r1_penalty_weight", 0.0):
            keys.append(_R1)
        if getattr(self, "r2_penalty_weight", 0.0):
            keys.append(_R2)
        if getattr(self, "augment", None) is not None:
            keys.append(_AUGMENT_P)
        return keys

    # -- sampling ----------------------------------------------------------

    def _stream(self, training: bool) -> _noise.NoiseStream:
        return self._train_noise if training else self._eval_noise

    def _noise(self, batch_size, training: bool = True) -> tf.Tensor:
        return self._stream(training).normal(batch_size, (self.latent_dim,))

    def call(self, z, training: bool = False):
        """Generates samples from latent vectors z, shape (N, latent_dim)."""
        if len(z.shape) != 2 or z.shape[-1] not in (None, self.latent_dim):
            raise ValueError(
                f"Expected latent vectors of shape (batch, {self.latent_dim}),"
                f" got {tuple(z.shape)}."
            )
        # Samples leave the model in float32 whatever the compute policy.
        return tf.cast(self.generator(z, training=training), tf.float32)

    def generate(
        self,
        n: int,
        *,
        labels=None,
        seed: int | None = None,
        batch_size: int = 256,
        use_ema: bool = True,
    ) -> np.ndarray:
        """Returns n generated samples as a numpy array.

        Args:
            n: Number of samples.
            labels: Class ids, for conditional subclasses; an unconditional
                GAN has no classes and refuses them.
            seed: Integer seed of the latent draw; the same seed gives the
                same samples from the same weights. None draws fresh noise.
            batch_size: Samples per generator call.
            use_ema: Sample from ``ema_generator`` when it exists.

        Returns:
            An array of shape (n, *sample_shape), in the generator's output
            range ([-1, 1] for the reference models).

        Raises:
            TypeError, ValueError: For a non-positive n or batch_size, a
                non-integer seed, or labels given to an unconditional GAN.
        """
        n = check_int(n, "n", minimum=1)
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        if seed is not None:
            seed = check_int(seed, "seed", minimum=0)
        inputs = self._generator_inputs(self._latents(n, seed), labels)
        sampler = self.sampler if use_ema else self.generator
        batches = [
            tf.cast(
                sampler(
                    _schedule.rows(inputs, i, i + batch_size), training=False
                ),
                tf.float32,
            )
            for i in range(0, n, batch_size)
        ]
        return tf.concat(batches, 0).numpy()

    def _latents(self, n: int, seed: int | None) -> tf.Tensor:
        """The latent vectors of ``generate``: seeded, or fresh noise."""
        if seed is None:
            return tf.random.normal((n, self.latent_dim))
        return _noise.normal((n, self.latent_dim), _noise.seed_pair(seed))

    def _generator_inputs(self, z: tf.Tensor, labels):
        """What the generator takes besides latents z; z alone here."""
        if labels is not None:
            raise ValueError(
                "This GAN is unconditional: it has no classes, so "
                "generate() takes no `labels`. Use "
                "tfgan_lite.ConditionalGAN for class-conditional samples."
            )
        return z

    # -- the adversarial step ----------------------------------------------

    def _real_batch(self, data) -> tf.Tensor:
        """Unpacks images from (images, labels) and checks them at trace."""
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        return self._checked_samples(x)

    def _checked_samples(self, x) -> tf.Tensor:
        """Real samples as a tensor of the compute dtype, checked at trace."""
        if not isinstance(x, (tf.Tensor, np.ndarray, tf.Variable)):
            raise TypeError(
                "GAN.fit expects a batch of samples (a tensor, or "
                f"(samples, labels)); got {type(x).__name__}."
            )
        # The shape the generator makes.
        return self._real_tensor(x, (None, *self.sample_shape), "samples")

    def _logits(self, samples, training: bool) -> tf.Tensor:
        """Discriminator logits, flat and float32 whatever the policy."""
        logits = self.discriminator(samples, training=training)
        return tf.cast(tf.reshape(logits, (-1,)), tf.float32)

    def _summary(self, logits: tf.Tensor) -> tf.Tensor:
        if self.loss_pair.probabilistic:
            return tf.reduce_mean(tf.sigmoid(logits))
        return tf.reduce_mean(logits)

    # Hooks for subclasses that condition the networks or add loss terms
    # (ConditionalGAN, InfoGAN); the update itself stays this class's.

    def _fake(self, real, z, training: bool):
        """Generated samples in the form the discriminator takes."""
        del real  # Unconditional: the fakes do not depend on the batch.
        return self.generator(z, training=training)

    def _critic(self, real, fake) -> tuple:
        """(D on images alone, real images, fake images) for penalties."""
        return self.discriminator, real, fake

    def _augment_samples(self, samples):
        """The samples that D takes, with their images augmented."""
        return self.augment(samples)

    def _auxiliary(self, real, z, fake, training: bool):
        """Extra loss terms beside the adversarial ones; None here."""
        del real, z, fake, training
        return None

    def _forward(
        self, real, z, *, need_d: bool, need_g: bool, training: bool = True
    ) -> dict[str, tf.Tensor]:
        """One forward pass: the losses each requested player minimises."""
        batch = _schedule.batch_size(real)
        fake = self._fake(real, z, training)
        augmenting = training and self.augment is not None
        if augmenting:
            # Every discriminator call below, the auxiliary heads' and the
            # penalties' included, sees augmented images; each of the two
            # batches gets draws of its own.
            real = self._augment_samples(real)
            fake = self._augment_samples(fake)
        extra = self._auxiliary(real, z, fake, training)
        out = dict(extra.metrics) if extra else {}
        # Real and fake are scored in separate calls, not one call on their
        # concatenation: the generator's gradient then flows back through D
        # on the fakes only (a simultaneous step saves that half pass), and
        # batch statistics, if D has any, are never mixed.
        fake_logits = self._logits(fake, training)
        if need_d or self.loss_pair.generator_needs_real:
            real_logits = self._logits(real, training)
        if need_g:
            g_logits = self._top_k(fake_logits) if training else fake_logits
            if self.loss_pair.generator_needs_real:
                g_loss = self.loss_pair.generator(g_logits, real_logits)
            else:
                g_loss = self.loss_pair.generator(g_logits)
            if extra:
                g_loss += extra.generator
            out[G_LOSS] = g_loss
        if need_d:
            d_loss = self.loss_pair.discriminator(real_logits, fake_logits)
            out[_D_REAL] = self._summary(real_logits)
            out[_D_FAKE] = self._summary(fake_logits)
            if augmenting:
                self.augment.observe(real_logits)
                out[_AUGMENT_P] = tf.identity(self.augment.probability)
            if extra:
                d_loss += extra.discriminator
            critic, real_x, fake_x = self._critic(real, fake)
            if self.gradient_penalty_weight:
                eps = self._stream(training).uniform(batch)
                gp = penalties.gradient_penalty(
                    critic,
                    real_x,
                    fake_x,
                    interpolation_weights=eps,
                    training=training,
                )
                out[_GP] = gp
                d_loss += self.gradient_penalty_weight * gp
            regularizers = (
                (_R1, penalties.r1_penalty, real_x, self.r1_penalty_weight),
                (_R2, penalties.r2_penalty, fake_x, self.r2_penalty_weight),
            )
            for key, penalty, x, weight in regularizers:
                if weight:
                    out[key] = self._regularizer(penalty, critic, x, training)
                    d_loss += weight * out[key]
            out[D_LOSS] = d_loss
        return out

    def _top_k(self, fake_logits: tf.Tensor) -> tf.Tensor:
        """The logits of the fakes that the generator's loss uses."""
        if self.top_k == 1.0:
            return fake_logits
        return _schedule.top_k_logits(
            fake_logits,
            self.top_k,
            steps=self.top_k_steps,
            step=self.g_optimizer.iterations,
        )

    def _regularizer(self, penalty, critic, x, training: bool) -> tf.Tensor:
        """R1 or R2 on x, or in training its lazy estimate (r1_interval)."""
        if self.r1_interval == 1 or not training:
            return penalty(critic, x, training=training)
        return _schedule.lazy_penalty(
            lambda: penalty(critic, x, training=True),
            self.r1_interval,
            self.d_optimizer.iterations,
        )

    def _update(self, real, z, phases: Sequence[Phase]) -> dict[str, tf.Tensor]:
        """One forward pass, then each phase's gradient step."""
        keys = {p.loss_key for p in phases}
        return apply_phases(
            lambda: self._forward(
                real, z, need_d=D_LOSS in keys, need_g=G_LOSS in keys
            ),
            phases,
        )

    def _train_step(self, real):
        g_phase, d_phase = self._player_phases(
            (self.generator,), (self.discriminator,)
        )
        if self.update == "simultaneous":
            z = self._noise(_schedule.batch_size(real))
            self._track(self._update(real, z, (d_phase, g_phase)))
            return self._logs()
        # Algorithm 1 of Goodfellow et al. 2014, unrolled: k discriminator
        # updates, each on its own minibatch and noise, then one generator
        # update. No tf.cond: optimizer updates inside control flow cannot
        # synchronise across replicas under tf.distribute.
        for minibatch in _schedule.minibatches(real, self.d_steps):
            z = self._noise(_schedule.batch_size(minibatch))
            self._track(self._update(minibatch, z, (d_phase,)))
        z = self._noise(_schedule.batch_size(minibatch))
        self._track(self._update(minibatch, z, (g_phase,)))
        return self._logs()

    def _test_losses(self, real) -> dict[str, tf.Tensor]:
        z = self._noise(_schedule.batch_size(real), training=False)
        return self._forward(real, z, need_d=True, need_g=True, training=False)
