"""tfgan_lite: generative adversarial networks for Keras 3 on TensorFlow.

>>> import tfgan_lite
>>> generator, discriminator = tfgan_lite.models.dcgan_28(latent_dim=64)
>>> gan = tfgan_lite.GAN(generator, discriminator)
>>> gan.compile(loss="non_saturating")  # then gan.fit(images_in_[-1, 1])

The public names load on first use (PEP 562), all together, which also
registers every saved class with Keras. Why: ``python -m tfgan_lite.train``
imports this package before the command's module runs, and TensorFlow
prints start-up lines while it loads that only a command started before it
can hold back (:mod:`tfgan_lite.commands.quiet`); so importing the package
alone must not load Keras or TensorFlow. It reads no arguments and leaves
every stream as it is.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tfgan_lite import auxiliary_losses
    from tfgan_lite import callbacks
    from tfgan_lite import data
    from tfgan_lite import interpolate
    from tfgan_lite import losses
    from tfgan_lite import metrics
    from tfgan_lite import models
    from tfgan_lite import penalties
    from tfgan_lite.gans.cyclegan import CycleGAN
    from tfgan_lite.gans.clustered import ClusteredGAN
    from tfgan_lite.gans.conditional import ConditionalGAN
    from tfgan_lite.gans.gan import GAN
    from tfgan_lite.gans.infogan import InfoGAN

__version__ = "0.1.0"

__all__ = [
    "ClusteredGAN",
    "CycleGAN",
    "ConditionalGAN",
    "GAN",
    "InfoGAN",
    "auxiliary_losses",
    "callbacks",
    "data",
    "interpolate",
    "losses",
    "metrics",
    "models",
    "penalties",
]

# Public name -> (its module, its name there; None: the module itself), in
# the order they load.
_EXPORTS = {
    "auxiliary_losses": ("tfgan_lite.auxiliary_losses", None),
    "callbacks": ("tfgan_lite.callbacks", None),
    "data": ("tfgan_lite.data", None),
    "interpolate": ("tfgan_lite.interpolate", None),
    "losses": ("tfgan_lite.losses", None),
    "metrics": ("tfgan_lite.metrics", None),
    "models": ("tfgan_lite.models", None),
    "penalties": ("tfgan_lite.penalties", None),
    "CycleGAN": ("tfgan_lite.gans.cyclegan", "CycleGAN"),
    "ClusteredGAN": ("tfgan_lite.gans.clustered", "ClusteredGAN"),
    "ConditionalGAN": ("tfgan_lite.gans.conditional", "ConditionalGAN"),
    "GAN": ("tfgan_lite.gans.gan", "GAN"),
    "InfoGAN": ("tfgan_lite.gans.infogan", "InfoGAN"),
}
_state = {"loading": False, "loaded": False}


def _resolve(name: str):
    module, attribute = _EXPORTS[name]
    value = importlib.import_module(module)
    if attribute is not None:
        value = getattr(value, attribute)
    globals()[name] = value
    return value


def __getattr__(name: str):
    # Dunder probes (doctest, copy, pickle) must not load TensorFlow.
    if not name.startswith("__") and not _state["loading"]:
        if not _state["loaded"]:
            _state["loading"] = True
            try:
                for each in _EXPORTS:
                    _resolve(each)
                _state["loaded"] = True
            finally:
                _state["loading"] = False
        if name in globals():  # A subpackage the names come from: gans.
            return globals()[name]
    elif name in _EXPORTS:
        # Asked while loading: one module of the package imports another.
        return _resolve(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
