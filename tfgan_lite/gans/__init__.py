"""The adversarial models: each a ``keras.Model`` trained with ``fit``.

Every model takes its gradient steps through one helper,
``tfgan_lite.gans._update.apply_phases``.
"""

from tfgan_lite.gans.clustered import ClusteredGAN
from tfgan_lite.gans.conditional import ConditionalGAN
from tfgan_lite.gans.cyclegan import DIRECTIONS
from tfgan_lite.gans.cyclegan import CycleGAN
from tfgan_lite.gans.gan import GAN
from tfgan_lite.gans.gan import UPDATES
from tfgan_lite.gans.gan import AuxiliaryTerms
from tfgan_lite.gans.infogan import InfoGAN

__all__ = [
    "DIRECTIONS",
    "UPDATES",
    "AuxiliaryTerms",
    "ClusteredGAN",
    "ConditionalGAN",
    "CycleGAN",
    "GAN",
    "InfoGAN",
]
