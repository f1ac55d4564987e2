"""The kinds of training run, each with the settings it reads.

A kind is a row of :data:`KINDS`: a plain GAN on images, a clustered GAN,
a conditional GAN, a GAN on 2-D points, or a CycleGAN. Each names the
settings it reads among those that not every kind reads, checks what its
data must be, and supplies how to make its dataset, build its model and
choose its callbacks. A setting that a kind does not read must keep the
recipe's value; :func:`refuse_unread`, the one place that decides it,
refuses another.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, NamedTuple

import tensorflow as tf

from tfgan_lite.commands import builders, datasets

if TYPE_CHECKING:
    from tfgan_lite.commands.config import TrainConfig

__all__ = ["KINDS", "Kind", "kind_of", "refuse_unread"]

# Settings that only some kinds read, and who reads them (for messages).
_GAN_SETTINGS = (
    "latent_dim",
    "d_steps",
    "update",
    "gradient_penalty",
    "r1_penalty",
    "r1_interval",
    "top_k",
    "top_k_steps",
    "ema",
    "ema_rampup",
    "metrics_every",
)
_DCGAN_SETTINGS = ("clusters", "conditional")
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
    "clusters": "the dcgan presets",
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
    callbacks: Callable[..., builders.Callbacks]
    pass_samples: int = 0
    refusals: Mapping[str, str] = {}


_DCGAN_READS = frozenset((*_GAN_SETTINGS, *_DCGAN_SETTINGS))

KINDS: Mapping[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "gan",
            _DCGAN_READS,
            datasets.check_images,
            datasets.images,
            builders.gan_samples,
            builders.image_gan,
            builders.image_callbacks,
        ),
        Kind(
            "clustered",
            _DCGAN_READS,
            datasets.check_images,
            datasets.images,
            builders.gan_samples,
            builders.clustered_gan,
            builders.image_callbacks,
            pass_samples=builders.CLUSTER_SAMPLES,
        ),
        Kind(
            "conditional",
            frozenset((*_GAN_SETTINGS, "conditional")),
            datasets.check_labelled,
            datasets.labelled_images,
            builders.gan_samples,
            builders.conditional_gan,
            builders.class_callbacks,
            refusals={
                "clusters": "--clusters and --conditional exclude each "
                "other: a conditional GAN trains on the data's own labels. "
                "Drop one of them."
            },
        ),
        Kind(
            "points",
            frozenset(_GAN_SETTINGS),
            datasets.check_points,
            datasets.points,
            builders.points_samples,
            builders.points_gan,
            builders.points_callbacks,
            refusals={
                "clusters": "--clusters applies to the dcgan presets; "
                "--model mlp_2d trains a plain GAN."
            },
        ),
        Kind(
            "cyclegan",
            frozenset(_CYCLEGAN_SETTINGS),
            datasets.check_pair,
            datasets.pair,
            lambda config: builders.CYCLE_GRID_SAMPLES,
            builders.cyclegan,
            builders.cyclegan_callbacks,
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
