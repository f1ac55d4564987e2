"""InfoGAN: latent codes that the generator must keep recoverable.

Chen et al. 2016 (https://arxiv.org/abs/1606.03657) split the generator's
input into noise and codes c (categorical and continuous), and add a Q
network that reads c back from G(z, c); both G and Q minimise the
mutual-information loss ``auxiliary_losses.mutual_information_loss``, so
the codes come to control distinct factors of the data, without labels.

``InfoGAN`` subclasses ``GAN``: it draws the codes with the noise, reads
the Q head from the discriminator's second output, and adds the loss to
both players; the update stays ``GAN``'s.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import tensorflow as tf

from tfgan_lite import _noise
from tfgan_lite._validation import check_float, check_int, check_optional_int
from tfgan_lite.auxiliary_losses import mutual_information_loss
from tfgan_lite.gans.gan import GAN, AuxiliaryTerms

__all__ = ["InfoGAN"]

_INFO_LOSS = "info_loss"


@keras.saving.register_keras_serializable(package="tfgan_lite")
class InfoGAN(GAN):
    """An InfoGAN trained with ``fit`` on unlabelled samples.

    The latent vector is ``[noise, one-hot code 1, ..., continuous codes]``:
    noise ~ N(0, I), each categorical code uniform over its values,
    continuous codes ~ U(-1, 1). Q's head is part of the discriminator
    model (its second output), so Q's weights, head and shared body, are
    in the discriminator's optimizer group: ``d_optimizer`` updates them
    on d_loss + info_weight * info_loss. The generator minimises g_loss +
    info_weight * info_loss. ``info_loss`` is reported as a metric.

    Args:
        generator: A model from latents (N, latent_dim) to samples.
        discriminator: A model from samples to ``[logit, q]``, q of shape
            (N, sum(categorical) + continuous).
        categorical: Number of values of each categorical code.
        continuous: Number of continuous codes.
        latent_dim: Total latent size; None reads it from the generator.
        seed: Seed of the training noise stream (see ``GAN``).
        ema: Keep an EMA copy of the generator (see ``GAN``).
        **kwargs: Passed to ``GAN``: latent_dim, seed and ema above, and
            ``keras.Model``'s arguments (e.g. ``name``).

    Raises:
        ValueError: If the codes do not fit in latent_dim, or the
            discriminator has no Q output of the codes' size.

    Example:
        >>> import numpy as np
        >>> from tfgan_lite.models.infogan import infogan_dcgan
        >>> g, d = infogan_dcgan(noise_dim=4, categorical=(3,),
        ...                      continuous=1, width=4)
        >>> gan = InfoGAN(g, d, categorical=(3,), continuous=1, seed=0)
        >>> gan.compile(info_weight=1.0)
        >>> history = gan.fit(np.zeros((8, 28, 28, 1), "float32"),
        ...                   batch_size=4, verbose=0)
        >>> gan.latents(2, category=1, seed=0)[:, 4:7].numpy().tolist()
        [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]]
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        *,
        categorical: Sequence[int] = (10,),
        continuous: int = 2,
        **kwargs,
    ):
        # latent_dim, seed and ema are GAN's, with GAN's defaults.
        super().__init__(generator, discriminator, **kwargs)
        self.categorical = tuple(
            check_int(k, f"categorical[{i}]", minimum=2)
            for i, k in enumerate(categorical)
        )
        self.continuous = check_int(continuous, "continuous", minimum=0)
        self.code_dim = sum(self.categorical) + self.continuous
        self._check_codes()
        self.noise_dim = self.latent_dim - self.code_dim
        self._add_tracker(_INFO_LOSS)
        self.info_weight = 1.0

    @staticmethod
    def _trace_networks(generator, discriminator, latent_dim: int) -> tuple:
        """Calls G, then D with its Q head, symbolically.

        Returns:
            (sample shape, the discriminator's outputs [logit, q]).
        """
        z = keras.KerasTensor((None, latent_dim), dtype="float32")
        fake = generator(z)
        scores = discriminator(fake)
        if not isinstance(scores, (list, tuple)) or len(scores) != 2:
            raise ValueError(
                "InfoGAN needs a discriminator that returns [logit, q] (Q "
                "shares D's body); this one returns one output."
            )
        return tuple(fake.shape[1:]), scores

    def _check_codes(self) -> None:
        """Checks that the codes fit in the latents and Q reads them all."""
        if self.code_dim < 1 or self.code_dim > self.latent_dim:
            raise ValueError(
                f"The codes take {self.code_dim} latent entries "
                f"(sum(categorical) + continuous) but latent_dim is "
                f"{self.latent_dim}; they need 1 to latent_dim."
            )
        _, (_, q) = self._trace_networks(
            self.generator, self.discriminator, self.latent_dim
        )
        if tuple(q.shape) != (None, self.code_dim):
            raise ValueError(
                f"Q must output (batch, {self.code_dim}) values (code "
                "logits, then continuous means); the discriminator's second "
                f"output has shape {tuple(q.shape)}."
            )

    def compile(self, *args, info_weight: float = 1.0, **kwargs) -> None:
        """As ``GAN.compile``, plus the mutual-information weight.

        Args:
            *args: Passed to ``GAN.compile``.
            info_weight: lambda of Chen et al. 2016, Eq. 6 (1 for
                categorical codes in the paper); 0 turns the loss off.
            **kwargs: Passed to ``GAN.compile``.
        """
        weight = check_float(info_weight, "info_weight", low=0.0)
        super().compile(*args, **kwargs)
        self.info_weight = weight

    def get_compile_config(self) -> dict:
        config = super().get_compile_config()
        return {**config, "info_weight": self.info_weight} if config else {}

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "categorical": list(self.categorical),
            "continuous": self.continuous,
        }

    def _metric_names(self) -> list[str]:
        return super()._metric_names() + [_INFO_LOSS]

    # -- latents and codes -------------------------------------------------

    def _compose(self, noise, uniform, category=None) -> tf.Tensor:
        """[noise, one-hot codes, continuous] from N(0,1) and U[0,1) draws."""
        parts = [noise]
        for i, k in enumerate(self.categorical):
            code = tf.cast(tf.floor(uniform[:, i] * k), tf.int32)
            if i == 0 and category is not None:
                code = tf.fill(tf.shape(code), category)
            parts.append(tf.one_hot(code, k))
        n_cat = len(self.categorical)
        parts.append(2.0 * uniform[:, n_cat : n_cat + self.continuous] - 1.0)
        return tf.concat(parts, axis=1)

    def _noise(self, batch_size, training: bool = True) -> tf.Tensor:
        stream = self._stream(training)
        noise = stream.normal(batch_size, (self.noise_dim,))
        draws = len(self.categorical) + self.continuous
        return self._compose(noise, stream.uniform(batch_size, (draws,)))

    def latents(
        self, n: int, *, category: int | None = None, seed: int | None = None
    ) -> tf.Tensor:
        """Latent vectors with fresh codes, the first categorical one fixed.

        Args:
            n: Number of vectors.
            category: Value of the first categorical code for all n; None
                draws it uniformly.
            seed: Integer seed; None draws fresh values.

        Returns:
            A float32 tensor (n, latent_dim), to pass to the model or its
            generator.

        Raises:
            TypeError, ValueError: For a bad n, category or seed.
        """
        n = check_int(n, "n", minimum=1)
        if category is not None:
            if not self.categorical:
                raise ValueError("This InfoGAN has no categorical code.")
            category = check_int(
                category, "category", minimum=0, maximum=self.categorical[0] - 1
            )
        seed = check_optional_int(seed, "seed", minimum=0)
        draws = len(self.categorical) + self.continuous
        if seed is None:
            noise = tf.random.normal((n, self.noise_dim))
            uniform = tf.random.uniform((n, draws))
        else:
            noise = _noise.normal((n, self.noise_dim), [seed, 0])
            uniform = _noise.uniform((n, draws), [seed, 1])
        return self._compose(noise, uniform, category)

    def _latents(self, n: int, seed: int | None) -> tf.Tensor:
        return self.latents(n, seed=seed)

    def codes(self, z) -> tf.Tensor:
        """The codes of latents z: categorical ids, then continuous values."""
        z = tf.convert_to_tensor(z)
        parts, start = [], self.noise_dim
        for k in self.categorical:
            ids = tf.argmax(z[:, start : start + k], axis=1)
            parts.append(tf.cast(ids, tf.float32)[:, None])
            start += k
        parts.append(z[:, start:])
        return tf.concat(parts, axis=1)

    # -- the adversarial step hooks ------------------------------------------

    def _logits(self, samples, training: bool) -> tf.Tensor:
        logits = self.discriminator(samples, training=training)[0]
        return tf.cast(tf.reshape(logits, (-1,)), tf.float32)

    def _critic(self, real, fake) -> tuple:
        return self._logits, real, fake

    def _auxiliary(self, real, z, fake, training: bool):
        # Q reads the fakes in a pass of its own, so GAN's forward pass
        # stays as it is.
        q = self.discriminator(fake, training=training)[1]
        info = mutual_information_loss(
            q,
            self.codes(z),
            categorical=self.categorical,
            continuous=self.continuous,
        )
        term = self.info_weight * info
        return AuxiliaryTerms(term, term, {_INFO_LOSS: info})
