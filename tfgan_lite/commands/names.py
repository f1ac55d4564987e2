"""The names a command line may give, without importing TensorFlow.

A usage mistake is reported before TensorFlow loads (a second, not ten),
so the checks of ``TrainConfig`` compare against these plain tuples
rather than the registries of the library's modules, which import
TensorFlow. ``tests/commands/test_names.py`` holds each tuple equal to the
registry it mirrors: a loss, update, augmentation, dataset or pair added
there fails that test until it is added here too.

The stdlib only.
"""

from __future__ import annotations

__all__ = [
    "AUGMENTATIONS",
    "CLUSTER_FEATURES",
    "CLUSTER_SAMPLES",
    "CYCLE_GAN_PAIRS",
    "DIGITS_MAPPINGS",
    "FOLDER_PAIR_SEPARATOR",
    "IMAGE_DATASETS",
    "IMAGE_SHAPES",
    "LOSSES",
    "POINT_DATASETS",
    "UPDATES",
]

# tfgan_lite.losses.names().
LOSSES = (
    "minimax",
    "non_saturating",
    "wasserstein",
    "hinge",
    "least_squares",
    "relativistic_average",
    "relativistic_pairing",
)
# tfgan_lite.gans.UPDATES.
UPDATES = ("alternating", "simultaneous")
# tfgan_lite.augment.NAMES: --augment.
AUGMENTATIONS = ("none", "diffaugment", "ada")
# tfgan_lite.gans.ClusteredGAN's features: --cluster_features.
CLUSTER_FEATURES = ("pixels", "hog")
# "digits" and tfgan_lite.data.SUPPORTED_TFDS: the names data.load reads
# as image sets.
IMAGE_DATASETS = ("digits", "mnist", "fashion_mnist", "cifar10", "celeb_a")
# The 2-D mixtures of tfgan_lite.data.load.
POINT_DATASETS = ("ring", "grid")
# tfgan_lite.data.unpaired.DIGITS_MAPPINGS: --dataset=digits_<mapping>.
DIGITS_MAPPINGS = ("invert", "rotate")
# Separates the two folders of --dataset=path/to/A,path/to/B.
FOLDER_PAIR_SEPARATOR = ","
# tfgan_lite.data.CYCLE_GAN_PAIRS: --dataset=cycle_gan/<pair>.
CYCLE_GAN_PAIRS = (
    "apple2orange",
    "summer2winter_yosemite",
    "horse2zebra",
    "monet2photo",
    "cezanne2photo",
    "ukiyoe2photo",
    "vangogh2photo",
    "maps",
    "facades",
    "iphone2dslr_flower",
)
# Sample shape of each image preset.
IMAGE_SHAPES = {
    "dcgan_28": (28, 28, 1),
    "dcgan_32": (32, 32, 3),
    "dcgan_64": (64, 64, 3),
}
# tfgan_lite.gans.clustered.ADAPT_SAMPLES: the images of the first pass
# that a clustered run reads to find its clusters.
CLUSTER_SAMPLES = 10_000
