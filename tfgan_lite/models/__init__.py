"""Small reference GAN architectures for tests, examples and benchmarks.

* DCGAN pairs (https://arxiv.org/abs/1511.06434) for 28x28x1, 32x32x3 and
  64x64x3 images, optionally with a spectrally normalized discriminator
  (https://arxiv.org/abs/1802.05957).
* An MLP pair for 2-D point data.
* Image-to-image networks for CycleGAN (https://arxiv.org/abs/1703.10593):
  the ResNet-block generator (`resnet`), the U-Net generator (`unet`) and
  the 70x70 PatchGAN discriminator (`patchgan`), with instance norm.
* Class-conditional DCGAN pairs (projection or concatenated one-hot
  discriminators, optional AC-GAN class head) for `ConditionalGAN`.
* A cluster-conditioned DCGAN pair for `ClusteredGAN` (`clustered_dcgan`):
  a generator of latents alone that reads its cluster from z[:, 0].
* `layers`: `Pack` (PacGAN) and `MinibatchStdDev`, which let a
  discriminator see several samples at once; both presets take `pack=` and
  `minibatch_stddev=`.
* `get(name, **kwargs)` to build a pair by preset name (see `PRESETS`).

Every builder returns functional `keras.Model`s named "generator" and
"discriminator"; discriminators output one raw logit per sample.
"""

from tfgan_lite.models.dcgan import (
    SUPPORTED_IMAGE_SHAPES,
    dcgan,
    dcgan_28,
    dcgan_32,
    dcgan_64,
    dcgan_discriminator,
    dcgan_generator,
)
from tfgan_lite.models import layers
from tfgan_lite.models.clustered import LatentCluster, clustered_dcgan
from tfgan_lite.models.conditional import (
    ClassMaps,
    conditional_dcgan,
    conditional_dcgan_28,
    conditional_dcgan_discriminator,
    conditional_dcgan_generator,
    conditional_mlp,
)
from tfgan_lite.models.mlp import (
    mlp,
    mlp_2d,
    mlp_discriminator,
    mlp_generator,
)
from tfgan_lite.models.patchgan import patchgan_discriminator
from tfgan_lite.models.patchgan import receptive_field
from tfgan_lite.models.registry import (
    PRESETS,
    get,
)
from tfgan_lite.models.resnet import ReflectionPadding2D
from tfgan_lite.models.resnet import resnet_cyclegan
from tfgan_lite.models.resnet import resnet_generator
from tfgan_lite.models.unet import unet_cyclegan
from tfgan_lite.models.unet import unet_generator

__all__ = [
    "ClassMaps",
    "LatentCluster",
    "PRESETS",
    "ReflectionPadding2D",
    "SUPPORTED_IMAGE_SHAPES",
    "clustered_dcgan",
    "conditional_dcgan",
    "conditional_dcgan_28",
    "conditional_dcgan_discriminator",
    "conditional_dcgan_generator",
    "conditional_mlp",
    "dcgan",
    "dcgan_28",
    "dcgan_32",
    "dcgan_64",
    "dcgan_discriminator",
    "dcgan_generator",
    "get",
    "layers",
    "mlp",
    "mlp_2d",
    "mlp_discriminator",
    "mlp_generator",
    "patchgan_discriminator",
    "receptive_field",
    "resnet_cyclegan",
    "resnet_generator",
    "unet_cyclegan",
    "unet_generator",
]
