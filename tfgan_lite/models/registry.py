"""Name -> builder lookup for the reference GAN architectures.

Each preset builds a `(generator, discriminator)` pair:

* "dcgan_28": DCGAN for 28x28x1 images (MNIST-like).
* "dcgan_32": DCGAN for 32x32x3 images (CIFAR-10-like).
* "dcgan_64": DCGAN for 64x64x3 images (CelebA-like).
* "mlp_2d": MLP for 2-D points (mode-collapse toy problems).
* "resnet_cyclegan": CycleGAN's ResNet generator and 70x70 PatchGAN, one
  direction of an image-to-image pair (build it twice for a CycleGAN).
* "unet_cyclegan": a U-Net generator and the 70x70 PatchGAN, likewise.
* "conditional_dcgan_28": class-conditional DCGAN for 28x28x1 images, for
  ``tfgan_lite.ConditionalGAN`` (pass ``num_classes=``).
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Callable, Mapping
from typing import Any

import keras

from tfgan_lite.models.conditional import conditional_dcgan_28
from tfgan_lite.models.dcgan import dcgan_28, dcgan_32, dcgan_64
from tfgan_lite.models.mlp import mlp_2d
from tfgan_lite.models.resnet import resnet_cyclegan
from tfgan_lite.models.unet import unet_cyclegan

__all__ = ["PRESETS", "get"]

Builder = Callable[..., tuple[keras.Model, keras.Model]]

# Read-only so one caller cannot change what another gets for a name.
PRESETS: Mapping[str, Builder] = types.MappingProxyType(
    {
        "dcgan_28": dcgan_28,
        "dcgan_32": dcgan_32,
        "dcgan_64": dcgan_64,
        "mlp_2d": mlp_2d,
        "resnet_cyclegan": resnet_cyclegan,
        "unet_cyclegan": unet_cyclegan,
        "conditional_dcgan_28": conditional_dcgan_28,
    }
)


def get(name: str, **kwargs: Any) -> tuple[keras.Model, keras.Model]:
    """Builds the (generator, discriminator) pair for a preset name.

    Args:
        name: One of the keys of `PRESETS`: "dcgan_28", "dcgan_32",
            "dcgan_64", "mlp_2d".
        **kwargs: Keyword arguments for the builder, e.g. `latent_dim`,
            `width` or `spectral_norm` for the DCGAN presets, `latent_dim`,
            `hidden` or `depth` for "mlp_2d".

    Returns:
        A `(generator, discriminator)` tuple of functional `keras.Model`s.

    Raises:
        TypeError: If `name` is not a str, or the builder rejects a
            keyword argument.
        ValueError: If `name` is not a known preset, or the builder
            rejects a keyword argument's value.

    Example:
        >>> g, d = get("dcgan_32", latent_dim=16, width=8)
        >>> g.input_shape, d.output_shape
        ((None, 16), (None, 1))
    """
    if not isinstance(name, str):
        raise TypeError(
            f"Preset `name` must be a str, got {name!r} of type "
            f"{type(name).__name__}. Known presets: {_known()}."
        )
    try:
        builder = PRESETS[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(PRESETS), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"Unknown model preset {name!r}. Known presets: {_known()}.{hint}"
        ) from None
    return builder(**kwargs)


def _known() -> str:
    """Returns the preset names as a comma-separated, quoted list."""
    return ", ".join(repr(n) for n in sorted(PRESETS))
