"""MLP generator/discriminator pair for low-dimensional point data.

Meant for toy problems such as a ring or grid of 2-D Gaussians, where
mode collapse is easy to see (e.g. Metz et al. 2016, Unrolled GANs,
https://arxiv.org/abs/1611.02163).
"""

from __future__ import annotations

import functools

import keras

from tfgan_lite._validation import check_bool, check_int
from tfgan_lite.models import layers

__all__ = [
    "mlp",
    "mlp_2d",
    "mlp_discriminator",
    "mlp_generator",
]

_LEAKY_SLOPE = 0.2


def mlp_generator(
    *,
    data_dim: int = 2,
    latent_dim: int = 8,
    hidden: int = 128,
    depth: int = 3,
) -> keras.Model:
    """Builds an MLP generator mapping latent vectors to points.

    Layout: `depth` x Dense(hidden, relu), then a linear Dense(data_dim),
    so samples are unbounded like the target points.

    Args:
        data_dim: Dimension of the generated points.
        latent_dim: Size of the input noise vector. The default 8 is more
            than the 2 dimensions of the toy data so the generator can
            cover several separated modes without having to fold a 2-D
            noise plane.
        hidden: Units in each hidden layer.
        depth: Number of hidden layers.

    Returns:
        A functional `keras.Model` named "generator" with input shape
        `(None, latent_dim)` and output shape `(None, data_dim)`.

    Raises:
        TypeError: If an argument is not an int (bools are rejected).
        ValueError: If an argument is not positive.

    Example:
        >>> g = mlp_generator(latent_dim=4, hidden=16, depth=2)
        >>> g.input_shape, g.output_shape
        ((None, 4), (None, 2))
    """
    data_dim = check_int(data_dim, "data_dim", minimum=1)
    latent_dim = check_int(latent_dim, "latent_dim", minimum=1)
    hidden = check_int(hidden, "hidden", minimum=1)
    depth = check_int(depth, "depth", minimum=1)

    z = keras.Input(shape=(latent_dim,), name="latent")
    x = z
    for i in range(1, depth + 1):
        x = keras.layers.Dense(hidden, activation="relu", name=f"hidden_{i}")(x)
    points = keras.layers.Dense(data_dim, name="to_points")(x)
    return keras.Model(z, points, name="generator")


def mlp_discriminator(
    *,
    data_dim: int = 2,
    hidden: int = 128,
    depth: int = 3,
    pack: int = 1,
    minibatch_stddev: bool = False,
) -> keras.Model:
    """Builds an MLP discriminator mapping points to one logit each.

    Layout: `depth` x (Dense(hidden) + LeakyReLU(0.2)), then a Dense(1)
    logit with no sigmoid, because the losses take logits. There is no
    BatchNorm, so per-sample gradient penalties stay valid.

    Args:
        data_dim: Dimension of the input points.
        hidden: Units in each hidden layer.
        depth: Number of hidden layers.
        pack: Points per decision, m of PacGAN (Lin et al. 2018,
            https://arxiv.org/abs/1712.04086): a ``layers.Pack`` input
            concatenates m points and D returns one logit per pack, so
            batches must be multiples of m. 1 is off.
        minibatch_stddev: Append a ``layers.MinibatchStdDev`` feature
            before the logit (Karras et al. 2018,
            https://arxiv.org/abs/1710.10196), computed over the whole
            batch D sees.

    Returns:
        A functional `keras.Model` named "discriminator" with input shape
        `(None, data_dim)` and output shape `(None, 1)`.

    Raises:
        TypeError: If an argument is not an int (bools are rejected).
        ValueError: If an argument is not positive.

    Example:
        >>> d = mlp_discriminator(hidden=16, depth=2)
        >>> d.input_shape, d.output_shape
        ((None, 2), (None, 1))
    """
    data_dim = check_int(data_dim, "data_dim", minimum=1)
    hidden = check_int(hidden, "hidden", minimum=1)
    depth = check_int(depth, "depth", minimum=1)
    pack = check_int(pack, "pack", minimum=1)
    minibatch_stddev = check_bool(minibatch_stddev, "minibatch_stddev")

    points = keras.Input(shape=(data_dim,), name="points")
    x = layers.Pack(pack, name="pack")(points) if pack > 1 else points
    for i in range(1, depth + 1):
        x = keras.layers.Dense(hidden, name=f"hidden_{i}")(x)
        x = keras.layers.LeakyReLU(_LEAKY_SLOPE, name=f"hidden_{i}_lrelu")(x)
    if minibatch_stddev:
        x = layers.MinibatchStdDev(name="minibatch_stddev")(x)
    logit = keras.layers.Dense(1, name="logit")(x)
    return keras.Model(points, logit, name="discriminator")


def mlp(
    *,
    data_dim: int = 2,
    latent_dim: int = 8,
    hidden: int = 128,
    depth: int = 3,
    pack: int = 1,
    minibatch_stddev: bool = False,
) -> tuple[keras.Model, keras.Model]:
    """Builds a matching MLP (generator, discriminator) pair.

    See `mlp_generator` and `mlp_discriminator` for the layouts.

    Args:
        data_dim: Dimension of the data points.
        latent_dim: Size of the generator's input noise vector (default
            8, see `mlp_generator`).
        hidden: Units in each hidden layer of both networks.
        depth: Number of hidden layers in each network.
        pack: Points per discriminator decision (PacGAN); 1 is off.
        minibatch_stddev: Give the discriminator a minibatch standard
            deviation feature.

    Returns:
        A `(generator, discriminator)` tuple of functional `keras.Model`s.

    Raises:
        TypeError: If an argument is not an int (bools are rejected).
        ValueError: If an argument is not positive.

    Example:
        >>> g, d = mlp(hidden=16, depth=2)
        >>> g.output_shape == d.input_shape == (None, 2)
        True
    """
    # Validate all arguments before building either network.
    data_dim = check_int(data_dim, "data_dim", minimum=1)
    latent_dim = check_int(latent_dim, "latent_dim", minimum=1)
    hidden = check_int(hidden, "hidden", minimum=1)
    depth = check_int(depth, "depth", minimum=1)
    pack = check_int(pack, "pack", minimum=1)
    minibatch_stddev = check_bool(minibatch_stddev, "minibatch_stddev")
    shared = dict(data_dim=data_dim, hidden=hidden, depth=depth)
    generator = mlp_generator(latent_dim=latent_dim, **shared)
    discriminator = mlp_discriminator(
        pack=pack, minibatch_stddev=minibatch_stddev, **shared
    )
    return generator, discriminator


mlp_2d = functools.partial(mlp, data_dim=2)
