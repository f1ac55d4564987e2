"""The model and the callbacks of each kind of run.

Each builder takes the config, the run's pipeline (already read) and its
:class:`~tfgan_lite.commands.datasets.FirstRead`, and returns the compiled
model with config.json's "resolved" record; each callback maker returns a
:class:`Callbacks`. ``tfgan_lite.commands.kinds`` puts them in its table.
Sample shapes come from the data, which has the preset's shape unless a
caller of ``build`` supplies other data.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import callbacks as callbacks_lib
from tfgan_lite import metrics as metrics_lib
from tfgan_lite import models as models_lib
from tfgan_lite.commands._cli import UsageError
from tfgan_lite.commands.datasets import (
    IMAGE_SHAPES,
    POINT_DATASETS,
    FirstRead,
    class_names,
    held_back_images,
)
from tfgan_lite.commands.evaluate import run_extractor
from tfgan_lite.gans import GAN, ClusteredGAN, ConditionalGAN, CycleGAN
from tfgan_lite.gans.clustered import ADAPT_SAMPLES

if TYPE_CHECKING:
    from tfgan_lite.commands.config import TrainConfig

__all__ = [
    "CLUSTER_SAMPLES",
    "CYCLE_GRID_SAMPLES",
    "HEALTH_SAMPLES",
    "METRICS_SAMPLES",
    "MIN_METRICS_SAMPLES",
    "SCATTER_SAMPLES",
    "Callbacks",
    "class_callbacks",
    "clustered_gan",
    "conditional_gan",
    "cyclegan",
    "cyclegan_callbacks",
    "gan_samples",
    "image_callbacks",
    "image_gan",
    "measured",
    "metrics_images",
    "points_callbacks",
    "points_gan",
    "points_samples",
]

# Real samples of the health checks, of the quality measurements (two
# halves) and under the 2-D scatter pictures (PacGAN scores 2,500).
HEALTH_SAMPLES = 256
METRICS_SAMPLES = 2_000
MIN_METRICS_SAMPLES = 12
SCATTER_SAMPLES = 2_500
# Columns of the per-class sample grid, and inputs of the cycle grid.
_SAMPLES_PER_CLASS = 8
CYCLE_GRID_SAMPLES = 8
# The training images a ClusteredGAN is clustered on: as many as
# ClusteredGAN.adapt reads by default. At most one cluster per
# _IMAGES_PER_CLUSTER of them, so that every cluster has examples.
CLUSTER_SAMPLES = ADAPT_SAMPLES
_IMAGES_PER_CLUSTER = 8


class Callbacks(NamedTuple):
    """The callbacks of a run, in the groups the fit orders them by.

    Attributes:
        health: Run before the checkpoints: ``TrainingHealth`` restores
            the last good weights on NaN before anything is written.
        state: Change the model at batch or epoch ends (the weight
            average); the checkpoints come after them.
        observers: Watch and write: sample grids, scatter, measurements.
        measure: The quality measurements among ``observers``, if any.
    """

    health: list
    state: list
    observers: list
    measure: callbacks_lib.MetricsCallback | None = None


# --------------------------------------------------------------------------
# Models.


def _optimizers(config: TrainConfig) -> tuple:
    """One Adam for each player (or group of networks)."""
    return tuple(
        keras.optimizers.Adam(config.lr, beta_1=config.beta_1) for _ in range(2)
    )


def _compile(gan: GAN, config: TrainConfig) -> dict[str, Any]:
    gan.compile(
        *_optimizers(config),
        config.loss,
        d_steps=config.d_steps,
        update=config.update,
        gradient_penalty=config.gradient_penalty,
        r1_penalty=config.r1_penalty,
        r2_penalty=config.r2_penalty,
        r1_interval=config.r1_interval,
        top_k=config.top_k,
        top_k_steps=config.top_k_steps,
        augment=config.augment,
        steps_per_execution=config.steps_per_execution,
        jit_compile=config.jit_compile,
    )
    return {"sample_shape": list(gan.sample_shape)}


def _shape(spec) -> tuple[int, ...]:
    spec = spec[0] if isinstance(spec, tuple) else spec
    return tuple(spec.shape[1:])


def image_gan(
    config: TrainConfig, dataset: tf.data.Dataset, first: FirstRead, **networks
) -> tuple[GAN, dict]:
    """A ``GAN`` with a DCGAN of the data's image shape."""
    g, d = models_lib.dcgan(
        _shape(dataset.element_spec),
        latent_dim=config.latent_dim,
        width=config.width,
        **networks,
    )
    gan = GAN(g, d, seed=config.seed, ema=config.ema > 0)
    return gan, _compile(gan, config)


def points_gan(
    config: TrainConfig, dataset: tf.data.Dataset, first: FirstRead, **networks
) -> tuple[GAN, dict]:
    """A ``GAN`` with MLPs for 2-D points (``width`` hidden units)."""
    g, d = models_lib.mlp_2d(
        latent_dim=config.latent_dim, hidden=config.width, **networks
    )
    gan = GAN(g, d, seed=config.seed, ema=config.ema > 0)
    return gan, _compile(gan, config)


def clustered_gan(
    config: TrainConfig, dataset: tf.data.Dataset, first: FirstRead, **networks
) -> tuple[GAN, dict]:
    """A ``ClusteredGAN`` clustered on the first pass; fewer clusters on
    small data sets, and below 2 a plain ``GAN``."""
    images = sum(len(batch) for batch in first.first_pass)
    clusters = min(config.clusters, images // _IMAGES_PER_CLUSTER)
    if clusters < 2:
        return image_gan(config, dataset, first, **networks)
    g, d = models_lib.clustered_dcgan(
        _shape(dataset.element_spec),
        clusters,
        latent_dim=config.latent_dim,
        width=config.width,
        **networks,
    )
    gan = ClusteredGAN(
        g,
        d,
        num_clusters=clusters,
        features=config.cluster_features,
        seed=config.seed,
        ema=config.ema > 0,
    )
    try:
        prior = gan.adapt(list(first.first_pass))
    except ValueError as e:
        raise UsageError(f"--clusters {config.clusters}: {e}") from None
    return gan, {
        "clusters": clusters,
        "cluster_features": gan.features,
        "cluster_prior": [round(float(p), 5) for p in prior],
        **_compile(gan, config),
    }


def conditional_gan(
    config: TrainConfig, dataset: tf.data.Dataset, first: FirstRead, **networks
) -> tuple[GAN, dict]:
    """A ``ConditionalGAN`` with one class per label of the data."""
    names = class_names(config.dataset, dataset)
    g, d = models_lib.conditional_dcgan(
        _shape(dataset.element_spec),
        len(names),
        latent_dim=config.latent_dim,
        width=config.width,
        **networks,
    )
    gan = ConditionalGAN(
        g, d, num_classes=len(names), seed=config.seed, ema=config.ema > 0
    )
    return gan, {
        "num_classes": len(names),
        "class_names": names,
        **_compile(gan, config),
    }


def cyclegan(
    config: TrainConfig, dataset: tf.data.Dataset, first: FirstRead, **networks
) -> tuple[CycleGAN, dict]:
    """A ``CycleGAN`` between the two domains of the data."""
    x_shape, y_shape = (tuple(s.shape[1:]) for s in dataset.element_spec)
    if config.generator == "resnet":
        make = functools.partial(
            models_lib.resnet_cyclegan, blocks=config.blocks, **networks
        )
    else:
        make = functools.partial(models_lib.unet_cyclegan, **networks)
    g_xy, d_y = make(x_shape, width=config.width, out_channels=y_shape[-1])
    g_yx, d_x = make(y_shape, width=config.width, out_channels=x_shape[-1])
    model = CycleGAN(
        g_xy, g_yx, d_x, d_y, pool_size=config.pool_size, seed=config.seed
    )
    model.compile(
        *_optimizers(config),
        config.loss,
        cycle_weight=config.cycle_weight,
        identity_weight=config.identity_weight,
        jit_compile=config.jit_compile,
        steps_per_execution=config.steps_per_execution,
    )
    return model, {"x_shape": list(x_shape), "y_shape": list(y_shape)}


# --------------------------------------------------------------------------
# Callbacks.


def measured(config: TrainConfig) -> bool:
    """Whether a run measures its quality: every image GAN's, unless off."""
    return bool(config.metrics_every and config.model in IMAGE_SHAPES)


def metrics_images(config: TrainConfig, first: FirstRead) -> np.ndarray:
    """The real images a run's quality is measured against.

    A folder's images held back from training (``datasets.held_back``),
    else up to :data:`METRICS_SAMPLES` of the first images, but never past one
    pass of the data: a repeated image would sit in both halves of the
    real-vs-real baseline and make real data look closer to itself than
    it is (on the 1,797 bundled digits, 208 of 2,000 were repeats).
    """
    held = held_back_images(config)
    if held is not None:
        return held
    images = first.samples[:METRICS_SAMPLES]
    if first.pass_batches is not None:
        # Batches are full (drop_remainder), so a pass is whole batches.
        images = images[: first.pass_batches * config.batch_size]
    return images


def gan_samples(config: TrainConfig) -> int:
    """Real samples the callbacks of an image GAN read."""
    return max(HEALTH_SAMPLES, METRICS_SAMPLES if measured(config) else 0)


def cyclegan_samples(config: TrainConfig) -> int:
    """Real samples a CycleGAN run's callbacks read: its grid's inputs."""
    del config  # The same grid for every pair.
    return CYCLE_GRID_SAMPLES


def points_samples(config: TrainConfig) -> int:
    """Real points the callbacks of a 2-D run read."""
    return max(HEALTH_SAMPLES, SCATTER_SAMPLES)


def _gan_callbacks(
    picture: Callable,
    config: TrainConfig,
    model: GAN,
    first: FirstRead,
    paths: Mapping[str, str],
) -> Callbacks:
    known = {}
    if config.dataset in POINT_DATASETS:
        centers, std = metrics_lib.known_mixture(config.dataset)
        known = {"modes": centers, "mode_std": std}
    health = callbacks_lib.TrainingHealth(
        real_samples=first.samples[:HEALTH_SAMPLES],
        log_dir=paths["logs"],
        warmup_epochs=min(5, config.epochs // 4),
        **known,
    )
    state = []
    if config.ema:
        state.append(
            callbacks_lib.EMAGenerator(
                decay=config.ema, rampup=config.ema_rampup or None
            )
        )
    observers = [picture(config, model, first, paths)]
    measure = None
    real = metrics_images(config, first) if measured(config) else []
    # Fewer would leave a real half no larger than the 5 neighbours.
    if len(real) >= MIN_METRICS_SAMPLES:
        measure = callbacks_lib.MetricsCallback(
            real,
            extractor=run_extractor(
                config.dataset, model.sample_shape, len(real)
            ),
            log_dir=paths["logs"],
            every_n_epochs=config.metrics_every,
            seed=config.seed,
        )
        observers.append(measure)
    return Callbacks([health], state, observers, measure)


def _grid_options(config: TrainConfig, paths: Mapping[str, str]) -> dict:
    return {
        "png_dir": paths["samples"],
        "every_n_epochs": config.sample_every,
        "seed": config.seed,
    }


def _image_grid(config, model, first, paths) -> callbacks_lib.ImageGrid:
    return callbacks_lib.ImageGrid(
        paths["logs"], **_grid_options(config, paths)
    )


def _class_grid(config, model, first, paths) -> callbacks_lib.ImageGrid:
    # One row per class, the same latent vector down each column.
    return callbacks_lib.ImageGrid(
        paths["logs"],
        num_samples=_SAMPLES_PER_CLASS * model.num_classes,
        **_grid_options(config, paths),
    )


def _scatter(config, model, first, paths) -> callbacks_lib.PointScatter:
    """Samples over the real 2-D mixture, with its known modes."""
    centers, std = metrics_lib.known_mixture(config.dataset)
    return callbacks_lib.PointScatter(
        first.samples[:SCATTER_SAMPLES],
        paths["logs"],
        centers=centers,
        std=std,
        every_n_epochs=config.sample_every,
        seed=config.seed,
        png_dir=paths["samples"],
    )


image_callbacks = functools.partial(_gan_callbacks, _image_grid)
class_callbacks = functools.partial(_gan_callbacks, _class_grid)
points_callbacks = functools.partial(_gan_callbacks, _scatter)


def cyclegan_callbacks(
    config: TrainConfig,
    model: CycleGAN,
    first: FirstRead,
    paths: Mapping[str, str],
) -> Callbacks:
    """The cycle grid: rows x, G(x) and F(G(x)) of the first inputs."""
    inputs = first.samples[:CYCLE_GRID_SAMPLES]
    grid = callbacks_lib.ImageGrid(
        paths["logs"],
        images=inputs,
        png_dir=paths["samples"],
        every_n_epochs=config.sample_every,
    )
    return Callbacks([], [], [grid])
