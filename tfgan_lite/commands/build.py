"""``build``: the model, data and callbacks of a run, ready to fit.

What ``python -m tfgan_lite.train`` trains, for programs that fit it
themselves (the benchmarks): the kind of run (``kinds``) makes its
pipeline once, reads its first batches once, and builds its model and
callbacks from them.

Example:
    >>> from tfgan_lite.commands.config import TrainConfig
    >>> built = build(TrainConfig(model="mlp_2d", dataset="ring", width=8))
    >>> type(built.model).__name__, built.steps_per_epoch
    ('GAN', 1000)
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import NamedTuple

import keras
import tensorflow as tf

from tfgan_lite.commands import devices, kinds, run_dir
from tfgan_lite.commands._cli import UsageError
from tfgan_lite.commands.builders import Callbacks
from tfgan_lite.commands.config import TrainConfig
from tfgan_lite.commands.datasets import IMAGE_SHAPES, is_folder, read_first

__all__ = [
    "MIN_FOLDER_EPOCH_STEPS",
    "SMALL_FOLDER_IMAGES",
    "Built",
    "build",
    "epoch_steps",
    "resolve_augment",
]

MIN_FOLDER_EPOCH_STEPS = 300
"""Steps of an epoch at least, for a folder of images without ``--steps``.

One pass over 300 images is 9 steps of 32: 30 such epochs left a GAN on
300 MNIST digits at 2.1 times the FD of 30 epochs of 100 steps over the
repeated images (docs/experiments/2026-12-06-small-data-augmentation.md).
On 4,000 Fashion-MNIST images (112 steps a pass), twice the steps took FD
from 4.2 to 2.8 times real's (docs/experiments/2026-12-07-r1-weight.md),
and 9,000 steps with the recipe's longer weight average raised the
classifier score on three seeds of three
(docs/experiments/2026-12-07-longer-average.md): the recipe's 30 epochs
are at least 9,000 steps on any folder.
"""

SMALL_FOLDER_IMAGES = 1_000
"""Below this many training images, ``--augment=auto`` is ADA.

On 300 images at 6,000 steps (3 seeds), ADA lowered the mean FD by 44% on
MNIST and 11% on the bundled digits
(docs/experiments/2026-12-07-small-data-recipe.md); at a folder's 9,000
steps by 60% on MNIST (seed 0), and on 1,000 MNIST digits by 3 to 4%
only, at a lower classifier score (2 seeds;
docs/experiments/2026-12-07-longer-average.md). ADA keeps its
probability near 0 while the discriminator does not overfit.
"""


class Built(NamedTuple):
    """A run's parts, built from its config.

    Attributes:
        model: The compiled model.
        make_dataset: Builds one pass of the training data afresh; its
            order is a pure function of the seed.
        steps_per_epoch: Training steps of one epoch.
        resolved: What the data decided (sample shape, classes, clusters),
            config.json's "resolved" record (the compile config aside).
        callbacks: The run's callbacks, in their groups; they log under
            ``config.run_dir``.
        kind: The kind of run.
        repeats: Whether an epoch is longer than one pass over the data,
            which ``--steps`` or a small folder makes it.
        strategy: The ``tf.distribute`` strategy the model was built in.
    """

    model: keras.Model
    make_dataset: Callable[[], tf.data.Dataset]
    steps_per_epoch: int
    resolved: dict
    callbacks: Callbacks
    kind: kinds.Kind
    repeats: bool = False
    strategy: tf.distribute.Strategy | None = None


def build(
    config: TrainConfig,
    *,
    dataset: Callable[[], tf.data.Dataset] | None = None,
    **networks,
) -> Built:
    """Builds the model, data and callbacks that ``config`` describes.

    The pipeline is built once and its first batches read once: the
    clustering, the real samples of the callbacks and the length of a
    pass of unknown length share that read.

    Args:
        config: The run's settings.
        dataset: Builds the training data instead of ``config.dataset``
            (one pass, batched, in the shape the kind expects); the sample
            shape follows its elements. None uses ``config.dataset``.
        **networks: More keyword arguments of the network builder, e.g.
            ``pack=4`` or ``minibatch_stddev=True``.

    Raises:
        UsageError: If the data does not fit the model (no class labels,
            too few distinct images to cluster, no full batch, an epoch
            that is not a multiple of ``steps_per_execution``).
    """
    kind = kinds.kind_of(config)
    make = dataset or functools.partial(kind.dataset, config)
    pipeline = make()
    # A pass of unknown length is counted for the epoch's length, and for
    # --augment=auto, which reads the folder's size.
    unknown = int(pipeline.cardinality()) <= 0 and (
        not config.steps or config.augment == "auto"
    )
    first = read_first(
        pipeline,
        samples=kind.samples(config),
        pass_samples=kind.pass_samples,
        count_pass=unknown,
        repeat=bool(config.steps),
    )
    paths = run_dir.paths(config.run_dir)
    strategy = devices.make_strategy(config.strategy)
    devices.check_batch(config, strategy.num_replicas_in_sync)
    # Every variable (networks, optimizer slots, the weight average) is
    # made in the strategy's scope, under the run's dtype policy.
    pass_steps = first.pass_batches or int(pipeline.cardinality())
    augment = resolve_augment(config, pass_steps, dataset)
    given = config
    config = dataclasses.replace(config, augment=augment)
    with strategy.scope(), devices.precision_policy(config.precision):
        model, resolved = kind.build(config, pipeline, first, **networks)
        callbacks = kind.callbacks(config, model, first, paths)
    if given.augment == "auto":
        resolved["augment"] = augment
    steps = epoch_steps(config, pass_steps, dataset)
    if steps % config.steps_per_execution:
        raise UsageError(
            f"An epoch of --dataset {config.dataset} has {steps} steps, not "
            f"a multiple of --steps_per_execution "
            f"({config.steps_per_execution}). Set --steps to a multiple of "
            "it, or use another --steps_per_execution."
        )
    repeats = not config.steps and steps != pass_steps
    return Built(
        model, make, steps, resolved, callbacks, kind, repeats, strategy
    )


def resolve_augment(
    config: TrainConfig, pass_steps: int, dataset: Callable | None = None
) -> str:
    """``config.augment``, with "auto" made "ada" or "none" from the data.

    "auto" is ADA for a folder of images whose pass holds fewer than
    :data:`SMALL_FOLDER_IMAGES` (in full batches), where a discriminator
    learns the training images by heart; "none" otherwise, and for the
    named datasets.
    """
    if config.augment != "auto":
        return config.augment
    small_folder = _image_folder(config, dataset) and (
        0 < pass_steps * config.batch_size < SMALL_FOLDER_IMAGES
    )
    return "ada" if small_folder else "none"


def epoch_steps(
    config: TrainConfig, pass_steps: int, dataset: Callable | None = None
) -> int:
    """The steps of one epoch: ``--steps``, else one pass over the data.

    A pass over a folder of images shorter than
    :data:`MIN_FOLDER_EPOCH_STEPS` gives way to that many steps over the
    repeated images, so that the recipe's epochs train a small folder as
    long as a large one (the training stream repeats in any case).
    """
    if config.steps:
        return config.steps
    small_folder = _image_folder(config, dataset) and (
        0 < pass_steps < MIN_FOLDER_EPOCH_STEPS
    )
    return MIN_FOLDER_EPOCH_STEPS if small_folder else pass_steps


def _image_folder(config: TrainConfig, dataset: Callable | None) -> bool:
    """Whether the run trains an image preset on a folder of images."""
    return (
        dataset is None
        and config.model in IMAGE_SHAPES
        and is_folder(config.dataset)
    )
