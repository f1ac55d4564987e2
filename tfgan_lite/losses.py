"""Adversarial losses as pure functions over discriminator logits.

Every family comes as a pair, ``<family>_generator_loss`` and
``<family>_discriminator_loss``. All functions take raw discriminator
outputs (logits in (-inf, inf)), never probabilities: the log terms are
written with ``softplus`` so that they stay finite and keep useful gradients
for logits as large as +-100 in float32, where ``log(sigmoid(x))`` would
round to ``log(0)``.

Identities used throughout, with ``s`` the sigmoid:

    -log s(x)     = softplus(-x)
    -log(1 - s(x)) = softplus(x)

A loss is chosen once, by name, through :func:`get`, which returns a
:class:`LossPair`. ``GAN.compile`` calls ``get`` and the training step only
ever sees the two functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import keras
import tensorflow as tf

# CycleGAN's image losses, kept importable from their former home.
from tfgan_lite.auxiliary_losses import cycle_consistency_loss, identity_loss

__all__ = [
    "LossPair",
    "cycle_consistency_loss",
    "get",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "identity_loss",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "deserialize",
    "names",
    "non_saturating_discriminator_loss",
    "non_saturating_generator_loss",
    "relativistic_average_discriminator_loss",
    "relativistic_average_generator_loss",
    "relativistic_pairing_discriminator_loss",
    "relativistic_pairing_generator_loss",
    "serialize",
    "value_function",
    "wasserstein_discriminator_loss",
    "wasserstein_generator_loss",
]


def _logits(x, name: str) -> tf.Tensor:
    """Converts to a floating tensor; integer logits are almost surely a bug.

    Raises:
        TypeError: If `x` is not floating-point.
        ValueError: If `x` is statically known to hold no logits.
    """
    x = tf.convert_to_tensor(x)
    if not x.dtype.is_floating:
        raise TypeError(
            f"Expected floating-point logits for `{name}`, got dtype "
            f"{x.dtype.name}. Pass the discriminator's raw float outputs."
        )
    # The mean of no logits is NaN, which would pass silently into training.
    if x.shape.num_elements() == 0:
        raise ValueError(
            f"`{name}` must hold at least one logit, got {name} of shape "
            f"{tuple(x.shape)}."
        )
    # Losses are reduced in float32 so that float16/bfloat16 logits from a
    # mixed-precision discriminator do not overflow in the squares and sums.
    return tf.cast(x, tf.float32)


def _both(real_logits, fake_logits) -> tuple[tf.Tensor, tf.Tensor]:
    return _logits(real_logits, "real_logits"), _logits(
        fake_logits, "fake_logits"
    )


def _mean(x: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(x)


# -- Minimax (original GAN) ------------------------------------------------


def minimax_generator_loss(fake_logits) -> tf.Tensor:
    """Saturating generator loss of the original GAN: E[log(1 - D(G(z)))].

    The generator minimises this term of the value function. Its gradient
    with respect to a fake logit is ``-D(G(z))``, which vanishes when the
    discriminator rejects fakes confidently (D(G(z)) near 0), as it does early
    in training. Prefer :func:`non_saturating_generator_loss`.

    Goodfellow et al. 2014, https://arxiv.org/abs/1406.2661, Eq. 1.

    Args:
        fake_logits: Discriminator logits for generated samples, any shape,
            values in (-inf, inf).

    Returns:
        A scalar float32 tensor, in (-inf, 0].

    Example:
        >>> float(minimax_generator_loss([0.0]))  # log(1 - 0.5)
        -0.6931...
    """
    fake_logits = _logits(fake_logits, "fake_logits")
    return -_mean(tf.math.softplus(fake_logits))


def minimax_discriminator_loss(real_logits, fake_logits) -> tf.Tensor:
    """Discriminator cross-entropy: -E[log D(x)] - E[log(1 - D(G(z)))].

    This is the negated value function V(D, G); the discriminator minimises
    it. It is also the discriminator loss of the non-saturating game.

    Goodfellow et al. 2014, https://arxiv.org/abs/1406.2661, Eq. 1.

    Args:
        real_logits: Discriminator logits for data samples, any shape.
        fake_logits: Discriminator logits for generated samples, any shape.

    Returns:
        A scalar float32 tensor, in [0, inf).

    Example:
        >>> float(minimax_discriminator_loss([0.0], [0.0]))  # log 4
        1.3862...
    """
    real_logits, fake_logits = _both(real_logits, fake_logits)
    return _mean(tf.math.softplus(-real_logits)) + _mean(
        tf.math.softplus(fake_logits)
    )


# -- Non-saturating --------------------------------------------------------


def non_saturating_generator_loss(fake_logits) -> tf.Tensor:
    """Non-saturating generator loss: -E[log D(G(z))].

    It has the same fixed point as the minimax loss but a gradient of
    ``-(1 - D(G(z)))`` with respect to the fake logit, which stays near -1
    when the discriminator rejects fakes, instead of vanishing.

    Goodfellow et al. 2014, https://arxiv.org/abs/1406.2661, Section 3.

    Args:
        fake_logits: Discriminator logits for generated samples, any shape.

    Returns:
        A scalar float32 tensor, in [0, inf).

    Example:
        >>> float(non_saturating_generator_loss([0.0]))  # -log 0.5
        0.6931...
    """
    fake_logits = _logits(fake_logits, "fake_logits")
    return _mean(tf.math.softplus(-fake_logits))


non_saturating_discriminator_loss = minimax_discriminator_loss
"""Discriminator loss of the non-saturating game; the same cross-entropy
as :func:`minimax_discriminator_loss`."""


# -- Wasserstein -----------------------------------------------------------


def wasserstein_generator_loss(fake_logits) -> tf.Tensor:
    """Wasserstein generator loss: -E[C(G(z))] for a critic C.

    Arjovsky et al. 2017, https://arxiv.org/abs/1701.07875. Pair it with a
    Lipschitz constraint on the critic, such as the gradient penalty.

    Args:
        fake_logits: Critic scores for generated samples, any shape, in
            (-inf, inf).

    Returns:
        A scalar float32 tensor.
    """
    return -_mean(_logits(fake_logits, "fake_logits"))


def wasserstein_discriminator_loss(real_logits, fake_logits) -> tf.Tensor:
    """Wasserstein critic loss: E[C(G(z))] - E[C(x)].

    Arjovsky et al. 2017, https://arxiv.org/abs/1701.07875.

    Args:
        real_logits: Critic scores for data samples, any shape.
        fake_logits: Critic scores for generated samples, any shape.

    Returns:
        A scalar float32 tensor: minus the critic's estimate of the
        Wasserstein-1 distance.
    """
    real_logits, fake_logits = _both(real_logits, fake_logits)
    return _mean(fake_logits) - _mean(real_logits)


# -- Hinge -----------------------------------------------------------------


def hinge_generator_loss(fake_logits) -> tf.Tensor:
    """Hinge-game generator loss: -E[D(G(z))].

    Lim & Ye 2017, https://arxiv.org/abs/1705.02894; used by SN-GAN
    (Miyato et al. 2018) and BigGAN.

    Args:
        fake_logits: Discriminator scores for generated samples, any shape.

    Returns:
        A scalar float32 tensor.
    """
    return -_mean(_logits(fake_logits, "fake_logits"))


def hinge_discriminator_loss(real_logits, fake_logits) -> tf.Tensor:
    """Hinge discriminator loss: E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))].

    Lim & Ye 2017, https://arxiv.org/abs/1705.02894.

    Args:
        real_logits: Discriminator scores for data samples, any shape.
        fake_logits: Discriminator scores for generated samples, any shape.

    Returns:
        A scalar float32 tensor, in [0, inf).
    """
    real_logits, fake_logits = _both(real_logits, fake_logits)
    return _mean(tf.nn.relu(1.0 - real_logits)) + _mean(
        tf.nn.relu(1.0 + fake_logits)
    )


# -- Least squares ---------------------------------------------------------


def least_squares_generator_loss(fake_logits) -> tf.Tensor:
    """Least-squares generator loss: 1/2 E[(D(G(z)) - 1)^2].

    Mao et al. 2017, https://arxiv.org/abs/1611.04076, Eq. 2 with the
    0-1 coding a=0, b=1, c=1, applied to the raw discriminator output.

    Args:
        fake_logits: Discriminator outputs for generated samples, any shape.

    Returns:
        A scalar float32 tensor, in [0, inf).
    """
    return 0.5 * _mean(tf.square(_logits(fake_logits, "fake_logits") - 1.0))


def least_squares_discriminator_loss(real_logits, fake_logits) -> tf.Tensor:
    """Least-squares discriminator loss: 1/2 E[(D(x)-1)^2] + 1/2 E[D(G(z))^2].

    Mao et al. 2017, https://arxiv.org/abs/1611.04076, Eq. 2 (a=0, b=1).

    Args:
        real_logits: Discriminator outputs for data samples, any shape.
        fake_logits: Discriminator outputs for generated samples, any shape.

    Returns:
        A scalar float32 tensor, in [0, inf).
    """
    real_logits, fake_logits = _both(real_logits, fake_logits)
    return 0.5 * _mean(tf.square(real_logits - 1.0)) + 0.5 * _mean(
        tf.square(fake_logits)
    )


# -- Relativistic average --------------------------------------------------


def relativistic_average_generator_loss(fake_logits, real_logits) -> tf.Tensor:
    """Relativistic average generator loss (RaSGAN).

    The generator plays the discriminator's game with the roles swapped:
    fakes should look more real than the average real, and reals less real
    than the average fake. Unlike the other generator losses this one needs
    the real logits too.

    Jolicoeur-Martineau 2018, https://arxiv.org/abs/1807.00734, Eq. 12
    with the sigmoid cross-entropy.

    Args:
        fake_logits: Discriminator logits for generated samples, shape (N,...).
        real_logits: Discriminator logits for data samples, shape (M, ...).

    Returns:
        A scalar float32 tensor, in [0, inf).
    """
    # Checked here, so that a message names this function's arguments.
    fake_logits = _logits(fake_logits, "fake_logits")
    real_logits = _logits(real_logits, "real_logits")
    # The same game with the roles swapped.
    return relativistic_average_discriminator_loss(
        real_logits=fake_logits, fake_logits=real_logits
    )


def relativistic_average_discriminator_loss(
    real_logits, fake_logits
) -> tf.Tensor:
    """Relativistic average discriminator loss (RaSGAN).

    -E_x[log s(C(x) - E C(G(z)))] - E_z[log(1 - s(C(G(z)) - E C(x)))].

    Jolicoeur-Martineau 2018, https://arxiv.org/abs/1807.00734, Eq. 11
    with the sigmoid cross-entropy.

    Args:
        real_logits: Discriminator logits for data samples, shape (M, ...).
        fake_logits: Discriminator logits for generated samples, shape (N,...).

    Returns:
        A scalar float32 tensor, in [0, inf).
    """
    real_logits, fake_logits = _both(real_logits, fake_logits)
    real_rel = real_logits - _mean(fake_logits)
    fake_rel = fake_logits - _mean(real_logits)
    return _mean(tf.math.softplus(-real_rel)) + _mean(
        tf.math.softplus(fake_rel)
    )


# -- Relativistic pairing -------------------------------------------------


def _paired(first, second, names: tuple[str, str]) -> tf.Tensor:
    """first - second, elementwise, over batches of one size."""
    first = tf.reshape(_logits(first, names[0]), (-1,))
    second = tf.reshape(_logits(second, names[1]), (-1,))
    message = (
        f"The relativistic pairing loss pairs each of `{names[0]}` with one "
        f"of `{names[1]}` by batch index, so they need as many logits"
    )
    if not first.shape.is_compatible_with(second.shape):
        raise ValueError(
            f"{message}; got {first.shape[0]} and {second.shape[0]}. Score "
            "real and fake batches of one size (GAN.compile's top_k < 1 "
            "keeps fewer fakes), or use relativistic_average."
        )
    # Unknown sizes are checked at run time: a batch of 1 would broadcast.
    check = tf.debugging.assert_equal(tf.size(first), tf.size(second), message)
    with tf.control_dependencies([check]):
        return first - second


def relativistic_pairing_generator_loss(fake_logits, real_logits) -> tf.Tensor:
    """Relativistic pairing generator loss (RpGAN).

    E[softplus(-(C(G(z_i)) - C(x_i)))]: each fake should score above the
    real it is paired with, so this loss needs the real logits too.

    Jolicoeur-Martineau 2018, https://arxiv.org/abs/1807.00734 (RSGAN);
    R3GAN's loss (Huang et al. 2024, https://arxiv.org/abs/2501.05441).

    Args:
        fake_logits: Discriminator logits for generated samples, (N, ...).
        real_logits: Discriminator logits for data samples, as many.

    Returns:
        A scalar float32 tensor, in [0, inf).

    Raises:
        ValueError: If the two batches hold different numbers of logits.
    """
    diff = _paired(fake_logits, real_logits, ("fake_logits", "real_logits"))
    return _mean(tf.math.softplus(-diff))


def relativistic_pairing_discriminator_loss(
    real_logits, fake_logits
) -> tf.Tensor:
    """Relativistic pairing discriminator loss (RpGAN).

    E[softplus(-(C(x_i) - C(G(z_i))))]: real i paired with fake i, not
    with the batch mean as in the relativistic average loss.

    Jolicoeur-Martineau 2018, https://arxiv.org/abs/1807.00734 (RSGAN);
    R3GAN's loss (Huang et al. 2024, https://arxiv.org/abs/2501.05441).

    Args:
        real_logits: Discriminator logits for data samples, (N, ...).
        fake_logits: Discriminator logits for generated samples, as many.

    Returns:
        A scalar float32 tensor, in [0, inf).

    Raises:
        ValueError: If the two batches hold different numbers of logits.
    """
    diff = _paired(real_logits, fake_logits, ("real_logits", "fake_logits"))
    return _mean(tf.math.softplus(-diff))


# -- The value function ----------------------------------------------------


def value_function(real_logits, fake_logits) -> tf.Tensor:
    """The GAN value function V(D, G) = E[log D(x)] + E[log(1 - D(G(z)))].

    At the optimal discriminator D* = p_data / (p_data + p_g) it equals
    -log 4 + 2 JSD(p_data || p_g), so -log 4 when p_g = p_data.

    Goodfellow et al. 2014, https://arxiv.org/abs/1406.2661, Eq. 1 and
    Theorem 1.

    Args:
        real_logits: Discriminator logits for data samples, any shape.
        fake_logits: Discriminator logits for generated samples, any shape.

    Returns:
        A scalar float32 tensor, in (-inf, 0].

    Example:
        >>> round(float(value_function([0.0], [0.0])), 4)  # -log 4
        -1.3863
    """
    return -minimax_discriminator_loss(real_logits, fake_logits)


# -- Lookup ----------------------------------------------------------------


class LossPair(NamedTuple):
    """A generator loss and a discriminator loss that form one game.

    Attributes:
        generator: ``fn(fake_logits) -> scalar``, or
            ``fn(fake_logits, real_logits) -> scalar`` when
            ``generator_needs_real`` is True.
        discriminator: ``fn(real_logits, fake_logits) -> scalar``.
        name: The family name, used in saved configs and logs.
        probabilistic: True when sigmoid(logit) is the discriminator's
            probability that a sample is real; the model then reports
            d_real and d_fake as probabilities, else as raw scores.
        generator_needs_real: True when the generator loss also reads the
            discriminator's logits on real data (relativistic losses).
    """

    generator: Callable[..., tf.Tensor]
    discriminator: Callable[..., tf.Tensor]
    name: str = "custom"
    probabilistic: bool = False
    generator_needs_real: bool = False


_PAIRS: dict[str, LossPair] = {
    "minimax": LossPair(
        minimax_generator_loss,
        minimax_discriminator_loss,
        "minimax",
        probabilistic=True,
    ),
    "non_saturating": LossPair(
        non_saturating_generator_loss,
        non_saturating_discriminator_loss,
        "non_saturating",
        probabilistic=True,
    ),
    "wasserstein": LossPair(
        wasserstein_generator_loss,
        wasserstein_discriminator_loss,
        "wasserstein",
    ),
    "hinge": LossPair(hinge_generator_loss, hinge_discriminator_loss, "hinge"),
    "least_squares": LossPair(
        least_squares_generator_loss,
        least_squares_discriminator_loss,
        "least_squares",
    ),
    "relativistic_average": LossPair(
        relativistic_average_generator_loss,
        relativistic_average_discriminator_loss,
        "relativistic_average",
        generator_needs_real=True,
    ),
    "relativistic_pairing": LossPair(
        relativistic_pairing_generator_loss,
        relativistic_pairing_discriminator_loss,
        "relativistic_pairing",
        generator_needs_real=True,
    ),
}


# Registered so that a custom LossPair built from library functions saves
# and reloads with the model.
for _pair in _PAIRS.values():
    for _fn in (_pair.generator, _pair.discriminator):
        if not keras.saving.get_registered_object(f"tfgan_lite>{_fn.__name__}"):
            keras.saving.register_keras_serializable("tfgan_lite")(_fn)


def names() -> tuple[str, ...]:
    """Returns the loss family names that :func:`get` accepts."""
    return tuple(_PAIRS)


def get(identifier: str | LossPair | tuple[Callable, Callable]) -> LossPair:
    """Resolves a loss family name, a LossPair or a (g_fn, d_fn) tuple.

    Args:
        identifier: One of :func:`names`, a :class:`LossPair`, or a tuple
            ``(generator_fn, discriminator_fn)`` of callables with the
            signatures ``g(fake_logits)`` and ``d(real_logits, fake_logits)``.
            Such a tuple is reported with raw d_real/d_fake scores.

    Returns:
        A :class:`LossPair`.

    Raises:
        ValueError: For an unknown name; the message lists the known ones.
        TypeError: For anything else.

    Example:
        >>> get("hinge").name
        'hinge'
    """
    if isinstance(identifier, LossPair):
        if not (
            callable(identifier.generator)
            and callable(identifier.discriminator)
        ):
            raise TypeError(
                "LossPair.generator and LossPair.discriminator must be "
                f"callables, got {identifier.generator!r} and "
                f"{identifier.discriminator!r}."
            )
        return identifier
    if isinstance(identifier, str):
        key = identifier.strip().lower().replace("-", "_")
        if key not in _PAIRS:
            raise ValueError(
                f"Unknown GAN loss {identifier!r}. Known losses: "
                f"{', '.join(names())}. Or pass a tuple "
                "(generator_fn, discriminator_fn) or a tfgan_lite.losses."
                "LossPair."
            )
        return _PAIRS[key]
    if (
        isinstance(identifier, tuple)
        and len(identifier) == 2
        and all(callable(f) for f in identifier)
    ):
        return LossPair(identifier[0], identifier[1])
    raise TypeError(
        "Expected a loss name (str), a LossPair or a tuple "
        "(generator_fn, discriminator_fn) of two callables; got "
        f"{identifier!r} of type {type(identifier).__name__}."
    )


def serialize(pair: LossPair) -> str | dict:
    """Returns a JSON-ready config for a LossPair, the name for built-ins.

    Custom functions are stored by reference through Keras serialization,
    so they must be importable or registered with
    ``keras.saving.register_keras_serializable`` to reload.
    """
    if _PAIRS.get(pair.name) == pair:
        return pair.name
    return {
        "generator": keras.saving.serialize_keras_object(pair.generator),
        "discriminator": keras.saving.serialize_keras_object(
            pair.discriminator
        ),
        "name": pair.name,
        "probabilistic": pair.probabilistic,
        "generator_needs_real": pair.generator_needs_real,
    }


def deserialize(config: str | dict) -> LossPair:
    """Inverse of :func:`serialize`."""
    if isinstance(config, str):
        return get(config)
    return LossPair(
        generator=keras.saving.deserialize_keras_object(config["generator"]),
        discriminator=keras.saving.deserialize_keras_object(
            config["discriminator"]
        ),
        name=config["name"],
        probabilistic=config["probabilistic"],
        generator_needs_real=config["generator_needs_real"],
    )
