"""tfgan_lite: generative adversarial networks for Keras 3 on TensorFlow.

>>> import tfgan_lite
>>> generator, discriminator = tfgan_lite.models.dcgan_28(latent_dim=64)
>>> gan = tfgan_lite.GAN(generator, discriminator)
>>> gan.compile(loss="non_saturating")  # then gan.fit(images_in_[-1, 1])

The public names load on first use, all together, which also registers
every saved class with Keras (:mod:`tfgan_lite._lazy` says why): importing
the package alone loads neither Keras nor TensorFlow, reads no arguments
and writes nothing. When that first use is what loads TensorFlow, its
start-up lines (and the "failed call to cuInit" of a machine without a
GPU) are held back; ``TF_CPP_MIN_LOG_LEVEL`` is left as the program set
it. ``tfgan_lite.export`` (``from tfgan_lite import export``) loads
TensorFlow only when one of its own names is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tfgan_lite import _lazy

if TYPE_CHECKING:
    from tfgan_lite import auxiliary_losses
    from tfgan_lite import callbacks
    from tfgan_lite import data
    from tfgan_lite import export
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
    "augment",
    "auxiliary_losses",
    "callbacks",
    "data",
    "export",
    "interpolate",
    "losses",
    "metrics",
    "models",
    "penalties",
]

# Public name -> the module it comes from, in the order they load.
_EXPORTS = {
    "augment": "tfgan_lite.augment",
    "auxiliary_losses": "tfgan_lite.auxiliary_losses",
    "callbacks": "tfgan_lite.callbacks",
    "data": "tfgan_lite.data",
    # Loads no TensorFlow until one of its own names is used.
    "export": "tfgan_lite.export",
    "interpolate": "tfgan_lite.interpolate",
    "losses": "tfgan_lite.losses",
    "metrics": "tfgan_lite.metrics",
    "models": "tfgan_lite.models",
    "penalties": "tfgan_lite.penalties",
    "CycleGAN": "tfgan_lite.gans.cyclegan",
    "ClusteredGAN": "tfgan_lite.gans.clustered",
    "ConditionalGAN": "tfgan_lite.gans.conditional",
    "GAN": "tfgan_lite.gans.gan",
    "InfoGAN": "tfgan_lite.gans.infogan",
}
# The export code lives in the top-level `export/` folder (setup.py's
# package_dir installs it as tfgan_lite.export). Run from a source checkout,
# this package has no `export/` inside it; a finder for that one name is
# narrower than adding the checkout's root to __path__ (which would make
# tfgan_lite.tests, tfgan_lite.setup, ... importable) and needs no copy or
# symbolic link, which would go stale or fail on Windows. It comes first:
# with keras already imported, surface() below loads every name at once.
_lazy.map_sibling(__name__, __file__, "export", "export")

# after_import: `import tfgan_lite; import keras; keras.saving.load_model(
# "model.keras")` finds the saved classes, registered as Keras loads.
__getattr__, __dir__ = _lazy.surface(globals(), _EXPORTS, after_import="keras")
