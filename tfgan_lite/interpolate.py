"""Walks through latent space: between two latent vectors or two classes.

Linear interpolation ``(1 - t) z0 + t z1`` cuts through the middle of a
Gaussian latent space, where the norms of the mixed vectors shrink (for
independent N(0, I) vectors of size d, the midpoint has norm about
``sqrt(d / 2)`` instead of ``sqrt(d)``), so the middle images come from
latents the generator rarely saw. Spherical interpolation (Shoemake 1985,
recommended for GANs by White 2016, "Sampling Generative Networks",
https://arxiv.org/abs/1609.04468) follows the great circle instead:

    slerp(z0, z1; t) = sin((1 - t) w) / sin(w) z0 + sin(t w) / sin(w) z1

with ``w`` the angle between z0 and z1; it keeps the norm when z0 and z1
have equal norms, and falls back to the linear formula for (anti)parallel
vectors, where ``sin(w)`` vanishes.

For a ``ConditionalGAN``, :func:`interpolate_classes` keeps z fixed and
moves from class a to class b. When the generator embeds its integer label
with one ``keras.layers.Embedding`` (as ``models.conditional_dcgan`` and
``models.conditional_mlp`` do), the embedding vectors are mixed linearly,
``(1 - t) e(a) + t e(b)``, and fed to the rest of the generator. Otherwise
only whole classes can go in, and the label switches from a to b at the
midpoint (t >= 0.5).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite._validation import check_bool, check_choice, check_int
from tfgan_lite.gans.conditional import ConditionalGAN
from tfgan_lite.gans.gan import GAN

__all__ = [
    "METHODS",
    "interpolate",
    "interpolate_classes",
    "interpolate_latents",
]

METHODS = ("slerp", "linear")

# Below this sin(angle), slerp's weights lose precision; the vectors are
# (anti)parallel and the linear formula is used.
_PARALLEL = 1e-6


def _vector(z: Any, name: str) -> np.ndarray:
    array = np.asarray(z, dtype=np.float64)
    if array.ndim != 1 or not array.size:
        raise ValueError(
            f"`{name}` must be one latent vector, shape (latent_dim,), got "
            f"shape {array.shape}."
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"`{name}` holds NaN or infinite values.")
    return array


def interpolate_latents(
    z0: Any, z1: Any, *, steps: int = 8, method: str = "slerp"
) -> np.ndarray:
    """Latent vectors from z0 to z1, both included, at even steps of t.

    Args:
        z0: The first latent vector, shape (latent_dim,).
        z1: The last latent vector, same shape.
        steps: Number of vectors, at least 2; t runs over
            ``linspace(0, 1, steps)``.
        method: "slerp" (spherical, the default) or "linear".

    Returns:
        A float32 array of shape (steps, latent_dim); row 0 is z0 and the
        last row z1, exactly.

    Raises:
        TypeError: If steps is not an int or method not a str.
        ValueError: For vectors of different or non-vector shapes, NaN
            values, steps < 2 or an unknown method.

    Example:
        >>> interpolate_latents([1.0, 0.0], [0.0, 1.0], steps=3).round(4)
        array([[1.    , 0.    ],
               [0.7071, 0.7071],
               [0.    , 1.    ]], dtype=float32)
        >>> interpolate_latents([1.0, 0.0], [0.0, 1.0], steps=3,
        ...                     method="linear")[1]
        array([0.5, 0.5], dtype=float32)
    """
    a, b = _vector(z0, "z0"), _vector(z1, "z1")
    if a.shape != b.shape:
        raise ValueError(
            f"`z0` and `z1` must have the same shape, got {a.shape} and "
            f"{b.shape}."
        )
    steps = check_int(steps, "steps", minimum=2)
    method = check_choice(method, "method", METHODS)
    t = np.linspace(0.0, 1.0, steps)[:, None]
    out = (1.0 - t) * a + t * b
    norms = np.linalg.norm(a) * np.linalg.norm(b)
    if method == "slerp" and norms > 0:
        cos = np.clip(np.dot(a, b) / norms, -1.0, 1.0)
        angle = np.arccos(cos)
        sin = np.sin(angle)
        if sin > _PARALLEL:
            out = (np.sin((1.0 - t) * angle) * a + np.sin(t * angle) * b) / sin
    # Exact endpoints, whatever the rounding of the weights.
    out[0], out[-1] = a, b
    return out.astype(np.float32)


def _sampler(gan: GAN, use_ema: bool) -> keras.Model:
    if not isinstance(gan, GAN):
        raise TypeError(f"Expected a tfgan_lite.GAN, got {type(gan).__name__}.")
    return gan.sampler if check_bool(use_ema, "use_ema") else gan.generator


def interpolate(
    gan: GAN,
    z0: Any,
    z1: Any,
    *,
    steps: int = 8,
    method: str = "slerp",
    label: int | None = None,
    use_ema: bool = True,
) -> np.ndarray:
    """Images of the latents from z0 to z1 (see interpolate_latents).

    Args:
        gan: A trained ``tfgan_lite.GAN`` (or ConditionalGAN).
        z0: The first latent vector, shape (latent_dim,).
        z1: The last latent vector.
        steps: Number of images, at least 2.
        method: "slerp" or "linear".
        label: The class of every image, for a ConditionalGAN (which needs
            one); an unconditional GAN refuses it.
        use_ema: Generate with ``gan.ema_generator`` when it exists.

    Returns:
        float32 images, shape (steps, *sample_shape).

    Raises:
        TypeError: If gan is not a GAN, or for arguments of a wrong type.
        ValueError: For latents that do not fit the generator, steps < 2,
            an unknown method, or a label that the model does not take.

    Example:
        >>> import tfgan_lite
        >>> gan = tfgan_lite.GAN(*tfgan_lite.models.mlp_2d(latent_dim=4))
        >>> interpolate(gan, np.ones(4), -np.ones(4), steps=5).shape
        (5, 2)
    """
    network = _sampler(gan, use_ema)
    z = interpolate_latents(z0, z1, steps=steps, method=method)
    if z.shape[1] != gan.latent_dim:
        raise ValueError(
            f"The latents have size {z.shape[1]} but the generator takes "
            f"latent_dim={gan.latent_dim}."
        )
    if isinstance(gan, ConditionalGAN):
        if label is None:
            raise ValueError(
                "A ConditionalGAN needs `label`, the class of the images; "
                "for a walk between classes use interpolate_classes."
            )
        inputs = gan._generator_inputs(tf.constant(z), label)
    elif label is not None:
        raise ValueError(
            "`label` is for conditional models; this GAN has no classes."
        )
    else:
        inputs = tf.constant(z)
    return np.asarray(network(inputs, training=False), np.float32)


def _embedding_model(generator: keras.Model) -> tuple | None:
    """(label embedding, model of [z, embedding]) or None if not possible."""
    embeddings = [
        layer
        for layer in getattr(generator, "layers", [])
        if isinstance(layer, keras.layers.Embedding)
    ]
    if len(embeddings) != 1:
        return None
    embedding = embeddings[0]
    try:
        rest = keras.Model(
            [generator.inputs[0], embedding.output], generator.output
        )
    except (ValueError, TypeError, AttributeError):
        # Keras builds models from intermediate tensors only when the
        # embedding's output is all the label reaches.
        return None
    return embedding, rest


def interpolate_classes(
    gan: ConditionalGAN,
    class_a: int,
    class_b: int,
    *,
    steps: int = 8,
    z: Any = None,
    seed: int = 0,
    use_ema: bool = True,
) -> tuple[np.ndarray, str]:
    """Images of one latent vector from class a to class b.

    Args:
        gan: A ``tfgan_lite.ConditionalGAN``.
        class_a: The class of the first image.
        class_b: The class of the last image.
        steps: Number of images, at least 2; t runs over
            ``linspace(0, 1, steps)``.
        z: The latent vector shared by all images, shape (latent_dim,);
            None draws it from N(0, I) with ``seed``.
        seed: Seed of that draw (numpy default_rng).
        use_ema: Generate with ``gan.ema_generator`` when it exists.

    Returns:
        ``(images, how)``: float32 images of shape (steps, *sample_shape),
        the first exactly ``gan``'s image of class a for z and the last of
        class b; and "embedding" when the label embeddings were mixed, or
        "switch" when the label switched from a to b at t = 0.5.

    Raises:
        TypeError: If gan is not a ConditionalGAN, or for arguments of a
            wrong type.
        ValueError: For classes outside [0, num_classes), steps < 2 or a
            latent of the wrong shape.

    Example:
        >>> from tfgan_lite import ConditionalGAN, models
        >>> gan = ConditionalGAN(*models.conditional_mlp(3, latent_dim=2),
        ...                      num_classes=3)
        >>> images, how = interpolate_classes(gan, 0, 2, steps=4)
        >>> images.shape, how
        ((4, 2), 'embedding')
    """
    if not isinstance(gan, ConditionalGAN):
        raise TypeError(
            "interpolate_classes needs a tfgan_lite.ConditionalGAN (a model "
            f"with classes), got {type(gan).__name__}."
        )
    top = gan.num_classes - 1
    class_a = check_int(class_a, "class_a", minimum=0, maximum=top)
    class_b = check_int(class_b, "class_b", minimum=0, maximum=top)
    steps = check_int(steps, "steps", minimum=2)
    seed = check_int(seed, "seed", minimum=0)
    if z is None:
        z = np.random.default_rng(seed).standard_normal(gan.latent_dim)
    z = _vector(z, "z")
    if z.shape != (gan.latent_dim,):
        raise ValueError(
            f"`z` must have shape ({gan.latent_dim},), got {z.shape}."
        )
    network = _sampler(gan, use_ema)
    latents = tf.constant(np.tile(z.astype(np.float32), (steps, 1)))
    t = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
    found = _embedding_model(network)
    if found is None:
        labels = np.where(t[:, 0] < 0.5, class_a, class_b).astype(np.int32)
        images = network([latents, tf.constant(labels)], training=False)
        return np.asarray(images, np.float32), "switch"
    embedding, rest = found
    ends = embedding(tf.constant([class_a, class_b], tf.int32))
    ends = np.asarray(ends, np.float32)
    mixed = (1.0 - t) * ends[0] + t * ends[1]
    # Exact endpoints: the class images themselves.
    mixed[0], mixed[-1] = ends[0], ends[1]
    images = rest([latents, tf.constant(mixed)], training=False)
    return np.asarray(images, np.float32), "embedding"
