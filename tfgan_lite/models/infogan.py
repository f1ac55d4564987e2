"""DCGAN pairs for ``tfgan_lite.InfoGAN``: a Q head on D's body.

The generator is the DCGAN generator on [noise, one-hot categorical codes,
continuous codes]; the discriminator returns ``[logit, q]``, where q (the
code logits, then the continuous means) is a linear head on the same
features as the logit, so Q shares D's body (Chen et al. 2016,
https://arxiv.org/abs/1606.03657, Section 6).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

from tfgan_lite._validation import check_int
from tfgan_lite.models.dcgan import dcgan_discriminator, dcgan_generator

__all__ = ["infogan_dcgan"]


def infogan_dcgan(
    image_shape: Sequence[int] = (28, 28, 1),
    *,
    noise_dim: int = 62,
    categorical: Sequence[int] = (10,),
    continuous: int = 2,
    width: int = 64,
) -> tuple[keras.Model, keras.Model]:
    """Builds an InfoGAN (generator, discriminator-with-Q) pair.

    Args:
        image_shape: Image shape (side, side, channels), side 28, 32 or 64.
        noise_dim: Size of the incompressible noise (62 in the paper's
            MNIST model).
        categorical: Values of each categorical code ((10,) in the paper).
        continuous: Number of continuous codes, U(-1, 1) each.
        width: Channel multiplier shared by both networks.

    Returns:
        ``(generator, discriminator)``: the generator takes latents of size
        noise_dim + sum(categorical) + continuous; the discriminator
        returns ``[logit (None, 1), q (None, sum(categorical) +
        continuous)]``.

    Raises:
        TypeError, ValueError: For a wrong argument type or value.

    Example:
        >>> g, d = infogan_dcgan(noise_dim=4, categorical=(3,), continuous=1,
        ...                      width=4)
        >>> g.input_shape, d.output_shape
        ((None, 8), [(None, 1), (None, 4)])
    """
    noise_dim = check_int(noise_dim, "noise_dim", minimum=0)
    categorical = tuple(
        check_int(k, f"categorical[{i}]", minimum=2)
        for i, k in enumerate(categorical)
    )
    continuous = check_int(continuous, "continuous", minimum=0)
    code_dim = sum(categorical) + continuous
    check_int(code_dim, "sum(categorical) + continuous", minimum=1)
    generator = dcgan_generator(
        image_shape, latent_dim=noise_dim + code_dim, width=width
    )
    base = dcgan_discriminator(image_shape, width=width)
    features = base.get_layer("flatten").output
    q = keras.layers.Dense(code_dim, name="q")(features)
    discriminator = keras.Model(
        base.input, [base.output, q], name="discriminator"
    )
    return generator, discriminator
