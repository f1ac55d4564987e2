"""The kinds of training run, each with the settings it reads.

A kind is a row of :data:`KINDS`: a plain GAN on images, a clustered GAN,
a conditional GAN, a GAN on 2-D points, or a CycleGAN. Each names the
settings it reads among those that not every kind reads, checks what its
data must be, and supplies how to make its dataset, build its model and
choose its callbacks. A setting that a kind does not read must keep the
recipe's value; :func:`refuse_unread`, the one place that decides it,
refuses another.

Importing this module loads no TensorFlow: the checks read plain names
(:mod:`tfgan_lite.commands.names`), and the data, model and callbacks of a
kind load their modules (``datasets``, ``builders``) on first call, so that
``TrainConfig`` refuses a bad command line before TensorFlow starts.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from tfgan_lite.commands.names import (
    CLUSTER_SAMPLES,
    CYCLE_GAN_PAIRS,
    DIGITS_MAPPINGS,
    FOLDER_PAIR_SEPARATOR,
    IMAGE_DATASETS,
    POINT_DATASETS,
)

if TYPE_CHECKING:
    import tensorflow as tf

    from tfgan_lite.commands.builders import Callbacks
    from tfgan_lite.commands.config import TrainConfig

__all__ = [
    "KINDS",
    "Kind",
    "check_source",
    "is_pair",
    "kind_of",
    "refuse_unread",
    "unread",
]

# Settings that only some kinds read, and who reads them (for messages).
_GAN_SETTINGS = (
    "latent_dim",
    "d_steps",
    "update",
    "gradient_penalty",
    "r1_penalty",
    "r2_penalty",
    "r1_interval",
    "top_k",
    "top_k_steps",
    "ema",
    "ema_rampup",
    "metrics_every",
)
# Settings of the GANs on images (plain, clustered, conditional).
_IMAGE_SETTINGS = ("augment",)
_DCGAN_SETTINGS = ("clusters", "cluster_features", "conditional")
_CYCLEGAN_SETTINGS = (
    "generator",
    "blocks",
    "image_size",
    "cycle_weight",
    "identity_weight",
    "pool_size",
)
_OWNERS = {
    **dict.fromkeys(_GAN_SETTINGS, "the GAN presets"),
    "augment": "the dcgan presets, whose discriminators see images",
    "clusters": "the dcgan presets",
    "cluster_features": "the dcgan presets with --clusters",
    "conditional": "the dcgan presets, where it trains a ConditionalGAN",
    **dict.fromkeys(_CYCLEGAN_SETTINGS, "--model=cyclegan"),
}


class Kind(NamedTuple):
    """One kind of run: the settings it reads and how it is made.

    Attributes:
        name: "gan", "clustered", "conditional", "points" or "cyclegan".
        reads: The settings it reads among those not every kind reads.
        check: Refuses data that the kind cannot train on (ValueError).
        dataset: The config -> one pass of its training data, a fresh
            pipeline on every call.
        samples: The config -> real samples its callbacks read.
        build: (config, dataset, first read, **network options) -> (the
            compiled model, config.json's "resolved" record).
        callbacks: (config, model, first read, paths) -> ``Callbacks``.
        pass_samples: Samples of the first pass that ``build`` reads.
        refusals: Setting -> the message that refuses it, where one says
            more than "does not apply".
    """

    name: str
    reads: frozenset[str]
    check: Callable[[TrainConfig], None]
    dataset: Callable[[TrainConfig], tf.data.Dataset]
    samples: Callable[[TrainConfig], int]
    build: Callable
    callbacks: Callable[..., Callbacks]
    pass_samples: int = 0
    refusals: Mapping[str, str] = {}


# --------------------------------------------------------------------------
# What each kind's data must be: names only, no file is read.


def is_pair(dataset: str) -> bool:
    """Whether --dataset names two image domains, for CycleGAN."""
    mapping = dataset.removeprefix("digits_")
    return (
        FOLDER_PAIR_SEPARATOR in dataset
        or (dataset != mapping and mapping in DIGITS_MAPPINGS)
        or dataset.removeprefix("cycle_gan/") in CYCLE_GAN_PAIRS
    )


def _check_images(config: TrainConfig) -> None:
    """Refuses data other than images for a dcgan preset."""
    if is_pair(config.dataset):
        raise ValueError(
            f"--dataset {config.dataset} holds two image domains, which go "
            "with --model=cyclegan."
        )
    if config.dataset in POINT_DATASETS:
        raise ValueError(_points_mismatch(config))


def _check_labelled(config: TrainConfig) -> None:
    """Refuses data without class labels for a conditional run."""
    dataset = config.dataset
    if dataset in (*POINT_DATASETS, "celeb_a") or is_pair(dataset):
        raise ValueError(
            f"--conditional needs images with class labels, and --dataset "
            f"{dataset} has none: use digits, mnist, fashion_mnist, "
            "cifar10, or a folder with one subfolder per class."
        )
    _check_images(config)


def _check_points(config: TrainConfig) -> None:
    """Refuses data other than the 2-D mixtures for mlp_2d."""
    if is_pair(config.dataset):
        _check_images(config)
    if config.dataset not in POINT_DATASETS:
        raise ValueError(_points_mismatch(config))


def _check_pair(config: TrainConfig) -> None:
    """Refuses data other than two image domains for CycleGAN."""
    if not is_pair(config.dataset):
        raise ValueError(
            f"--model=cyclegan needs two image domains, not --dataset "
            f"{config.dataset}: use digits_invert, digits_rotate, "
            "cycle_gan/<pair> or two folders as --dataset=path/to/A,"
            "path/to/B."
        )


def _points_mismatch(config: TrainConfig) -> str:
    return (
        f"--model {config.model} cannot train on --dataset "
        f"{config.dataset}: the 2-D mixtures 'ring' and 'grid' go with "
        "--model mlp_2d, image datasets with the dcgan presets."
    )


def check_source(config: TrainConfig) -> None:
    """Refuses a --dataset that is neither a known name nor a folder here.

    The command's check, before TensorFlow loads; ``TrainConfig`` itself
    does not look at the disk, so that a config rebuilt from a moved run
    directory's config.json still loads.

    Raises:
        ValueError: Naming the known datasets.
    """
    dataset = config.dataset
    if dataset.startswith("cycle_gan/") and not is_pair(dataset):
        raise ValueError(
            f"--dataset {dataset}: no such CycleGAN pair. Known pairs: "
            f"{', '.join(CYCLE_GAN_PAIRS)}."
        )
    named = (*IMAGE_DATASETS, *POINT_DATASETS)
    if is_pair(dataset) and FOLDER_PAIR_SEPARATOR in dataset:
        folders = dataset.split(FOLDER_PAIR_SEPARATOR)
        if len(folders) != 2 or not all(folders):
            raise ValueError(
                f"--dataset {dataset}: give two folders, the domains X and "
                "Y, as path/to/A,path/to/B."
            )
    elif is_pair(dataset) or dataset in named:
        return
    else:
        folders = [dataset]
    for folder in folders:
        if not Path(folder).expanduser().is_dir():
            raise ValueError(
                f"--dataset {folder!r} is neither a known dataset nor an "
                f"existing folder. Known datasets: {', '.join(named)}; for "
                "--model=cyclegan digits_invert, digits_rotate, "
                "cycle_gan/<pair> or two folders path/to/A,path/to/B."
            )


def _late(module: str, name: str) -> Callable:
    """``tfgan_lite.commands.<module>.<name>``, imported on its first call.

    The data and model code imports TensorFlow; the table of kinds, which
    ``TrainConfig`` reads, must not.
    """

    def call(*args, **kwargs):
        found = importlib.import_module(f"tfgan_lite.commands.{module}")
        return getattr(found, name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


_DCGAN_READS = frozenset((*_GAN_SETTINGS, *_IMAGE_SETTINGS, *_DCGAN_SETTINGS))

KINDS: Mapping[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "gan",
            _DCGAN_READS - {"cluster_features"},
            _check_images,
            _late("datasets", "images"),
            _late("builders", "gan_samples"),
            _late("builders", "image_gan"),
            _late("builders", "image_callbacks"),
            refusals={
                "cluster_features": "--cluster_features applies to "
                "--clusters of 2 or more; this run trains a plain GAN. "
                "Drop --cluster_features, or give --clusters."
            },
        ),
        Kind(
            "clustered",
            _DCGAN_READS,
            _check_images,
            _late("datasets", "images"),
            _late("builders", "gan_samples"),
            _late("builders", "clustered_gan"),
            _late("builders", "image_callbacks"),
            pass_samples=CLUSTER_SAMPLES,
        ),
        Kind(
            "conditional",
            frozenset((*_GAN_SETTINGS, *_IMAGE_SETTINGS, "conditional")),
            _check_labelled,
            _late("datasets", "labelled_images"),
            _late("builders", "gan_samples"),
            _late("builders", "conditional_gan"),
            _late("builders", "class_callbacks"),
            refusals={
                "clusters": "--clusters and --conditional exclude each "
                "other: a conditional GAN trains on the data's own labels. "
                "Drop one of them.",
                "cluster_features": "--cluster_features applies to "
                "--clusters; a conditional GAN trains on the data's own "
                "labels. Drop --cluster_features.",
            },
        ),
        Kind(
            "points",
            frozenset(_GAN_SETTINGS),
            _check_points,
            _late("datasets", "points"),
            _late("builders", "points_samples"),
            _late("builders", "points_gan"),
            _late("builders", "points_callbacks"),
            refusals={
                "clusters": "--clusters applies to the dcgan presets; "
                "--model mlp_2d trains a plain GAN.",
                "augment": "--augment transforms images; --model mlp_2d "
                "trains on 2-D points. Drop --augment.",
                "cluster_features": "--cluster_features applies to the "
                "dcgan presets with --clusters; --model mlp_2d trains a "
                "plain GAN.",
            },
        ),
        Kind(
            "cyclegan",
            frozenset(_CYCLEGAN_SETTINGS),
            _check_pair,
            _late("datasets", "pair"),
            _late("builders", "cyclegan_samples"),
            _late("builders", "cyclegan"),
            _late("builders", "cyclegan_callbacks"),
        ),
    )
}

# The models that are a kind of their own; the others are dcgan presets.
_MODEL_KINDS = {"mlp_2d": "points", "cyclegan": "cyclegan"}


def kind_of(config: TrainConfig) -> Kind:
    """The kind of run ``config`` describes."""
    if config.model in _MODEL_KINDS:
        return KINDS[_MODEL_KINDS[config.model]]
    if config.conditional:
        return KINDS["conditional"]
    return KINDS["clustered" if config.clusters else "gan"]


def unread(config: TrainConfig) -> frozenset[str]:
    """The settings that the run of ``config`` does not read.

    They cannot change the run, so a run directory resumes whatever they
    hold (e.g. a setting added after the run was written).
    """
    return frozenset(_OWNERS) - kind_of(config).reads


def refuse_unread(
    kind: Kind,
    config: TrainConfig,
    recipe: TrainConfig,
    given: Collection[str] = (),
) -> None:
    """Refuses a setting that ``kind`` does not read, given or set off its
    recipe.

    Args:
        kind: The kind of run.
        config: The merged settings.
        recipe: The recipe they were merged from.
        given: The settings given explicitly (flags on the command line,
            fields set in Python). One of them that ``kind`` does not read
            is refused even at the recipe's value, so that a flag is never
            silently ignored; a whole config (a rebuilt ``config.json``)
            passes none.

    Raises:
        ValueError: Naming the settings, the model, and who reads them.
    """
    misplaced = [
        name
        for name in _OWNERS
        if name not in kind.reads
        and (name in given or getattr(config, name) != getattr(recipe, name))
    ]
    if not misplaced:
        return
    for name in misplaced:
        if name in kind.refusals:
            raise ValueError(kind.refusals[name])
    names = sorted(misplaced, key=list(type(config).__dataclass_fields__).index)
    raise ValueError(
        f"{', '.join(f'--{name}' for name in names)} does not apply to "
        f"--model={config.model} (a setting of {_OWNERS[names[0]]})."
    )
