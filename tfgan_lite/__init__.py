"""tfgan_lite: generative adversarial networks for Keras 3 on TensorFlow.

>>> import tfgan_lite
>>> generator, discriminator = tfgan_lite.models.dcgan_28(latent_dim=64)
>>> gan = tfgan_lite.GAN(generator, discriminator)
>>> gan.compile(loss="non_saturating")  # then gan.fit(images_in_[-1, 1])
"""

# First: a command (python -m tfgan_lite.train, ...) sets TensorFlow's log
# level before anything below imports TensorFlow; a no-op otherwise.
from tfgan_lite import _quiet  # noqa: F401
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
