"""Class-conditional DCGAN pairs for ``tfgan_lite.ConditionalGAN``.

The generator embeds the label and concatenates it to z before the DCGAN
generator's projection (Mirza & Osindero 2014,
https://arxiv.org/abs/1411.1784). The discriminator is the DCGAN
discriminator's body, conditioned in one of two ways:

* "projection": logit = linear(h) + <embed(y), h>, with h the body's
  features (Miyato & Koyama 2018, https://arxiv.org/abs/1802.05637, Eq. 3).
* "concat": one-hot class maps are concatenated to the image channels
  before the first convolution (Mirza & Osindero 2014).

``aux_classifier=True`` adds a class head on h, so D returns
``[logit, class_logits]`` and ``ConditionalGAN`` adds the AC-GAN class loss
(Odena et al. 2017, https://arxiv.org/abs/1610.09585).

Both networks take ``[x, label]`` with label an int32 tensor of shape
(batch,), the layout ``tfgan_lite.export`` reads for a conditional model.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import keras

from tfgan_lite._validation import check_bool, check_choice, check_int
from tfgan_lite.models.dcgan import (
    _check_image_shape,
    dcgan_discriminator,
    dcgan_generator,
)

__all__ = [
    "CONDITIONINGS",
    "ClassMaps",
    "conditional_dcgan",
    "conditional_dcgan_28",
    "conditional_dcgan_discriminator",
    "conditional_dcgan_generator",
    "conditional_mlp",
]

CONDITIONINGS = ("projection", "concat")


@keras.saving.register_keras_serializable(package="tfgan_lite")
class ClassMaps(keras.layers.Layer):
    """Appends one constant one-hot map per class to an image's channels.

    Args:
        num_classes: Number of classes, hence of appended channels.
        **kwargs: Passed to ``keras.layers.Layer``.

    Example:
        >>> import numpy as np
        >>> maps = ClassMaps(3)([np.zeros((2, 4, 4, 1)), np.array([0, 2])])
        >>> maps.shape, maps[1, 0, 0].numpy().tolist()
        (TensorShape([2, 4, 4, 4]), [0.0, 0.0, 0.0, 1.0])
    """

    def __init__(self, num_classes: int, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = check_int(num_classes, "num_classes", minimum=2)

    def call(self, inputs):
        images, labels = inputs
        one_hot = keras.ops.one_hot(
            labels, self.num_classes, dtype=images.dtype
        )
        shape = keras.ops.shape(images)
        maps = keras.ops.broadcast_to(
            one_hot[:, None, None, :],
            (shape[0], shape[1], shape[2], self.num_classes),
        )
        return keras.ops.concatenate([images, maps], axis=-1)

    def compute_output_shape(self, input_shape):
        image_shape = input_shape[0]
        return (*image_shape[:-1], image_shape[-1] + self.num_classes)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes}


def _label_input() -> keras.KerasTensor:
    return keras.Input(shape=(), dtype="int32", name="label")


def _add_projection(logit, features, label, num_classes: int):
    """logit + <embed(label), features>, the projection discriminator's head.

    Miyato & Koyama 2018 (https://arxiv.org/abs/1802.05637, Eq. 3): the
    class embedding has the features' width, so the inner product scores
    how well the features match the class.
    """
    embedded = keras.layers.Embedding(
        num_classes, features.shape[-1], name="projection_embedding"
    )(label)
    inner = keras.layers.Dot(axes=1, name="projection")([embedded, features])
    return keras.layers.Add(name="logit_and_projection")([logit, inner])


def conditional_dcgan_generator(
    image_shape: Sequence[int] = (28, 28, 1),
    num_classes: int = 10,
    *,
    latent_dim: int = 128,
    width: int = 64,
    embed_dim: int | None = None,
) -> keras.Model:
    """Builds a DCGAN generator of ``[z, label]`` -> image.

    Args:
        image_shape: Output image shape (side, side, channels), side 28, 32
            or 64.
        num_classes: Number of classes.
        latent_dim: Size of z.
        width: Channel multiplier (see ``dcgan_generator``).
        embed_dim: Size of the label embedding concatenated to z; None uses
            num_classes.

    Returns:
        A functional ``keras.Model`` named "generator" with inputs
        ``[z (None, latent_dim), label (None,) int32]`` and output
        ``(None, *image_shape)`` in [-1, 1].

    Raises:
        TypeError, ValueError: For a wrong argument type or value.

    Example:
        >>> g = conditional_dcgan_generator((28, 28, 1), 10, latent_dim=8,
        ...                                 width=4)
        >>> [tuple(t.shape) for t in g.inputs], g.output_shape
        ([(None, 8), (None,)], (None, 28, 28, 1))
    """
    num_classes = check_int(num_classes, "num_classes", minimum=2)
    latent_dim = check_int(latent_dim, "latent_dim", minimum=1)
    embed_dim = check_int(
        num_classes if embed_dim is None else embed_dim,
        "embed_dim",
        minimum=1,
    )
    body = dcgan_generator(
        image_shape, latent_dim=latent_dim + embed_dim, width=width
    )
    z = keras.Input(shape=(latent_dim,), name="latent")
    label = _label_input()
    embedded = keras.layers.Embedding(
        num_classes, embed_dim, name="label_embedding"
    )(label)
    x = keras.layers.Concatenate(name="latent_and_label")([z, embedded])
    # Re-wrapped only to rename it; the layers are the DCGAN generator's.
    body = keras.Model(body.input, body.output, name="generator_body")
    return keras.Model([z, label], body(x), name="generator")


def conditional_dcgan_discriminator(
    image_shape: Sequence[int] = (28, 28, 1),
    num_classes: int = 10,
    *,
    conditioning: str = "projection",
    aux_classifier: bool = False,
    width: int = 64,
    spectral_norm: bool = False,
) -> keras.Model:
    """Builds a DCGAN discriminator of ``[image, label]`` -> logit.

    Args:
        image_shape: Input image shape (side, side, channels), side 28, 32
            or 64.
        num_classes: Number of classes.
        conditioning: "projection" (Miyato & Koyama 2018) or "concat"
            (one-hot maps on the image channels).
        aux_classifier: Add a class head; the model then returns
            ``[logit, class_logits]`` (AC-GAN).
        width: Channel multiplier (see ``dcgan_discriminator``).
        spectral_norm: Spectrally normalize the body's convolutions and the
            linear logit (the projection embedding is left as it is).

    Returns:
        A functional ``keras.Model`` named "discriminator" with inputs
        ``[image, label]`` and output (None, 1), or
        ``[(None, 1), (None, num_classes)]`` with the class head.

    Raises:
        TypeError, ValueError: For a wrong argument type or value.

    Example:
        >>> d = conditional_dcgan_discriminator((28, 28, 1), 10, width=4,
        ...                                     aux_classifier=True)
        >>> d.output_shape
        [(None, 1), (None, 10)]
    """
    num_classes = check_int(num_classes, "num_classes", minimum=2)
    conditioning = check_choice(conditioning, "conditioning", CONDITIONINGS)
    aux_classifier = check_bool(aux_classifier, "aux_classifier")
    image_shape = _check_image_shape(image_shape)
    image = keras.Input(shape=image_shape, name="image")
    label = _label_input()
    body_shape = image_shape
    x = image
    if conditioning == "concat":
        body_shape = (*body_shape[:-1], body_shape[-1] + num_classes)
        x = ClassMaps(num_classes, name="class_maps")([image, label])
    base = dcgan_discriminator(
        body_shape, width=width, spectral_norm=spectral_norm
    )
    body = keras.Model(
        base.input, base.get_layer("flatten").output, name="body"
    )
    features = body(x)
    # The DCGAN discriminator's last layer is the linear logit.
    logit = base.layers[-1](features)
    if conditioning == "projection":
        logit = _add_projection(logit, features, label, num_classes)
    outputs = logit
    if aux_classifier:
        classes = keras.layers.Dense(num_classes, name="class_logits")(features)
        outputs = [logit, classes]
    return keras.Model([image, label], outputs, name="discriminator")


def conditional_dcgan(
    image_shape: Sequence[int] = (28, 28, 1),
    num_classes: int = 10,
    *,
    conditioning: str = "projection",
    aux_classifier: bool = False,
    latent_dim: int = 128,
    width: int = 64,
    spectral_norm: bool = False,
) -> tuple[keras.Model, keras.Model]:
    """Builds a matching conditional DCGAN (generator, discriminator) pair.

    See ``conditional_dcgan_generator`` and
    ``conditional_dcgan_discriminator``.

    Args:
        image_shape: Image shape (side, side, channels), side 28, 32 or 64.
        num_classes: Number of classes.
        conditioning: How D sees the label: "projection" or "concat".
        aux_classifier: Give D an AC-GAN class head.
        latent_dim: Size of z.
        width: Channel multiplier shared by both networks.
        spectral_norm: Spectrally normalize D's body and logit.

    Returns:
        A ``(generator, discriminator)`` tuple of functional Keras models.

    Raises:
        TypeError, ValueError: For a wrong argument type or value.

    Example:
        >>> g, d = conditional_dcgan((32, 32, 3), 5, conditioning="concat",
        ...                          latent_dim=8, width=4)
        >>> g.output_shape == d.inputs[0].shape
        True
    """
    num_classes = check_int(num_classes, "num_classes", minimum=2)
    discriminator = conditional_dcgan_discriminator(
        image_shape,
        num_classes,
        conditioning=conditioning,
        aux_classifier=aux_classifier,
        width=width,
        spectral_norm=spectral_norm,
    )
    generator = conditional_dcgan_generator(
        image_shape, num_classes, latent_dim=latent_dim, width=width
    )
    return generator, discriminator


conditional_dcgan_28 = functools.partial(conditional_dcgan, (28, 28, 1))


def conditional_mlp(
    num_classes: int = 10,
    *,
    data_dim: int = 2,
    latent_dim: int = 8,
    hidden: int = 64,
    depth: int = 2,
) -> tuple[keras.Model, keras.Model]:
    """Builds a conditional MLP pair for point data, with a projection D.

    The generator embeds the label and concatenates it to z; the
    discriminator's logit is linear(h) + <embed(y), h> (Miyato & Koyama
    2018, https://arxiv.org/abs/1802.05637). No normalization layers, so
    both networks treat samples independently.

    Args:
        num_classes: Number of classes.
        data_dim: Size of a sample.
        latent_dim: Size of z.
        hidden: Units of each hidden layer.
        depth: Hidden layers per network.

    Returns:
        A ``(generator, discriminator)`` tuple of functional Keras models
        taking ``[z, label]`` and ``[x, label]``.

    Raises:
        TypeError, ValueError: For a wrong argument type or value.

    Example:
        >>> g, d = conditional_mlp(4, latent_dim=2, hidden=8)
        >>> g.output_shape, d.output_shape
        ((None, 2), (None, 1))
    """
    num_classes = check_int(num_classes, "num_classes", minimum=2)
    data_dim = check_int(data_dim, "data_dim", minimum=1)
    latent_dim = check_int(latent_dim, "latent_dim", minimum=1)
    hidden = check_int(hidden, "hidden", minimum=1)
    depth = check_int(depth, "depth", minimum=1)

    def stack(x, prefix):
        for i in range(depth):
            x = keras.layers.Dense(
                hidden, activation="leaky_relu", name=f"{prefix}_{i}"
            )(x)
        return x

    z = keras.Input(shape=(latent_dim,), name="latent")
    label = _label_input()
    embedded = keras.layers.Embedding(
        num_classes, hidden, name="label_embedding"
    )(label)
    h = stack(keras.layers.Concatenate()([z, embedded]), "g_hidden")
    sample = keras.layers.Dense(data_dim, name="sample")(h)
    generator = keras.Model([z, label], sample, name="generator")

    x = keras.Input(shape=(data_dim,), name="sample")
    d_label = _label_input()
    h = stack(x, "d_hidden")
    logit = keras.layers.Dense(1, name="logit")(h)
    logit = _add_projection(logit, h, d_label, num_classes)
    discriminator = keras.Model([x, d_label], logit, name="discriminator")
    return generator, discriminator
