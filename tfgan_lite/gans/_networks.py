"""Checks of networks before training: static shapes and symbolic calls.

Keras models built on ``keras.Input`` know their shapes; calling them on
``keras.KerasTensor`` inputs computes output shapes without running them.
Mismatches are then refused when a model is built, not at the first step.
"""

from __future__ import annotations

import keras

from tfgan_lite._validation import check_int, shapes_compatible

__all__ = ["network_shape", "resolve_latent_dim", "trace_pair"]


def _known_shape(shape) -> tuple | None:
    """Returns a single-input/-output Keras shape as a tuple, else None."""
    if shape is None:
        return None
    if isinstance(shape, list):
        if len(shape) != 1:
            return None
        shape = shape[0]
    if isinstance(shape, dict):
        return None
    return tuple(shape)


def network_shape(network, attr: str) -> tuple | None:
    """A network's static ``input_shape`` or ``output_shape``, else None.

    Args:
        network: A Keras layer or model.
        attr: "input_shape" or "output_shape".

    Returns:
        The shape as a tuple, or None for several inputs or outputs, or a
        network without static shapes.
    """
    try:
        return _known_shape(getattr(network, attr))
    except (AttributeError, ValueError):
        # Subclassed models have no static shapes until they are called.
        return None


def resolve_latent_dim(generator, latent_dim: int | None) -> int:
    """The latent size of a generator of latents alone.

    Args:
        generator: A Keras model or layer from (batch, latent_dim).
        latent_dim: The size asked for; None reads it from the generator.

    Raises:
        ValueError: For a generator of several inputs or of inputs other
            than vectors, an unreadable size, or a mismatch.
    """
    try:
        inputs = list(generator.inputs)
    except (AttributeError, ValueError, TypeError):
        inputs = []
    if len(inputs) > 1:
        raise ValueError(
            f"The generator takes {len(inputs)} inputs, shapes "
            f"{[tuple(t.shape) for t in inputs]}; a GAN's generator takes "
            "latent vectors only. For a generator with a label input, "
            "use tfgan_lite.ConditionalGAN."
        )
    g_in = network_shape(generator, "input_shape")
    if g_in is not None and len(g_in) != 2:
        raise ValueError(
            "The generator must take a batch of latent vectors, shape "
            f"(batch, latent_dim); its input shape is {g_in}."
        )
    known = g_in[-1] if g_in is not None else None
    if latent_dim is None:
        if known is None:
            raise ValueError(
                "Cannot read latent_dim from the generator (it has no "
                "static input shape). Pass GAN(..., latent_dim=N)."
            )
        return int(known)
    latent_dim = check_int(latent_dim, "latent_dim", minimum=1)
    if known is not None and known != latent_dim:
        raise ValueError(
            f"latent_dim={latent_dim} but the generator takes latent "
            f"vectors of size {known}. Pass latent_dim={known} or leave "
            "it as None."
        )
    return latent_dim


def trace_pair(generator, discriminator, latent_dim: int) -> tuple:
    """Calls G on latents and D on G's output, symbolically, and checks them.

    Returns:
        (sample shape, the discriminator's symbolic logits).

    Raises:
        ValueError: If G's output does not fit D, or D does not return one
            logit per sample.
    """
    g_out = network_shape(generator, "output_shape")
    d_in = network_shape(discriminator, "input_shape")
    if g_out is not None and d_in is not None:
        if not shapes_compatible(g_out[1:], d_in[1:]):
            raise ValueError(
                f"The generator outputs samples of shape {g_out} but the "
                f"discriminator takes inputs of shape {d_in}. Make the "
                "generator's output shape match the discriminator's input."
            )
    z = keras.KerasTensor((None, latent_dim), dtype="float32")
    fake = None
    try:
        fake = generator(z)
        logits = discriminator(fake)
    except (ValueError, TypeError) as e:
        raise ValueError(
            "The discriminator cannot take the generator's output "
            f"(generator output spec: {getattr(fake, 'shape', '?')}). "
            f"Make the two shapes agree. Keras said: {e}"
        ) from e
    rank = len(logits.shape)
    if rank not in (1, 2) or (rank == 2 and logits.shape[-1] not in (1, None)):
        raise ValueError(
            "The discriminator must return one logit per sample, shape "
            f"(batch, 1) or (batch,); it returns {logits.shape}."
        )
    return tuple(fake.shape[1:]), logits
