"""Command line training: ``python -m tfgan_lite.train``.

absl flags become one typed :class:`TrainConfig`, which :func:`train` turns
into a fit. Tests call :func:`train` directly, without flags.

A run directory holds everything a run makes::

    RUN_DIR/config.json      the resolved configuration
    RUN_DIR/logs/            TensorBoard: train/, samples/, health/, metrics/
    RUN_DIR/samples/         sample grids as PNG files
    RUN_DIR/backup/          step checkpoints: every --checkpoint_every
                             steps and every epoch, the two newest kept
    RUN_DIR/checkpoints/     the last good model, every epoch
    RUN_DIR/model.keras      the final model (also written on Ctrl-C)
    RUN_DIR/metrics.json     the last quality report (digit datasets)
    RUN_DIR/export/          exported generator, with --export

Running the same command again resumes from the last checkpoint, at its
step: mid-epoch, with the data order of an uninterrupted run. With
``--deterministic`` on the CPU the final weights then equal an uninterrupted
run's bit for bit (to within float rounding with ``--steps_per_execution``
above 1, see the README). A NaN or inf in training stops the run, naming
the step, or with ``--on_nan=rollback`` goes back to the last checkpoint
with a lower learning rate; a non-finite state is never saved.

The dcgan_28 recipe trains a ``ClusteredGAN``: both networks are
conditioned on 25 k-means clusters of the training images, found before the
first step, and the generator still takes latents alone (``--clusters=0``
trains a plain ``GAN``).

Besides the GAN presets, two other kinds of run:

* ``--conditional``: a ``ConditionalGAN`` with the conditional DCGAN of the
  chosen dcgan preset, on labelled images: the digits, a tfds set with
  labels (mnist, fashion_mnist, cifar10) or a folder with one subfolder
  per class. The number of classes comes from the data; a folder's class
  ids follow its sorted subfolder names, and config.json records the class
  names. The sample grids hold one row per class.
* ``--model=cyclegan``: a ``CycleGAN`` on two image domains:
  ``--dataset=digits_invert`` (the default), ``digits_rotate``,
  ``cycle_gan/<pair>``, or two folders as ``--dataset=path/to/A,path/to/B``.
  The sample grids hold rows x, G(x) and F(G(x)).

Example:
    python -m tfgan_lite.train --run_dir runs/digits
    python -m tfgan_lite.train --conditional --run_dir runs/classes
    python -m tfgan_lite.train --model=cyclegan --run_dir runs/invert
    tensorboard --logdir runs/digits/logs
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import _checkpoint, _cli, _flags
from tfgan_lite import callbacks as callbacks_lib
from tfgan_lite import data as data_lib
from tfgan_lite import losses as losses_lib
from tfgan_lite import metrics as metrics_lib
from tfgan_lite import models as models_lib
from tfgan_lite._console import (
    Progress,
    end_lines,
    log_update_freq,
    own_line_logging,
    resolve_verbose,
    start_line,
)
from tfgan_lite._quiet import FLAG_HELP as TF_LOG_LEVEL_HELP
from tfgan_lite._quiet import strip_flag as strip_tf_log_level
from tfgan_lite._validation import (
    check_choice,
    check_float,
    check_int,
    check_path,
)
from tfgan_lite.gans.clustered import ClusteredGAN
from tfgan_lite.gans.conditional import ConditionalGAN
from tfgan_lite.gans.cyclegan import CycleGAN
from tfgan_lite.gans.gan import GAN, UPDATES

__all__ = [
    "MODEL_DEFAULTS",
    "TrainConfig",
    "UsageError",
    "main",
    "parse_flags",
    "train",
]

# Sample shape of each image preset; "mlp_2d" trains on 2-D points.
_IMAGE_SHAPES = {
    "dcgan_28": (28, 28, 1),
    "dcgan_32": (32, 32, 3),
    "dcgan_64": (64, 64, 3),
}
_POINT_DATASETS = ("ring", "grid")
# The train command's unpaired translation model (not a GAN preset).
CYCLEGAN = "cyclegan"
_MODELS = (*_IMAGE_SHAPES, "mlp_2d", CYCLEGAN)
_CYCLEGAN_GENERATORS = {
    "resnet": models_lib.resnet_cyclegan,
    "unet": models_lib.unet_cyclegan,
}
# Separates the two folders of --dataset=path/to/A,path/to/B.
_FOLDER_PAIR_SEPARATOR = ","
# Flags that a kind of run does not read; giving one is refused.
_CYCLEGAN_ONLY = (
    "generator",
    "blocks",
    "image_size",
    "cycle_weight",
    "identity_weight",
    "pool_size",
)
_NOT_FOR_CYCLEGAN = (
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
    "clusters",
)
# Columns of the per-class sample grid, and inputs of the cycle grid.
_SAMPLES_PER_CLASS = 8
_CYCLE_GRID_IMAGES = 8
# Handwritten digits, which the shipped digits classifier knows.
_DIGIT_DATASETS = ("digits", "mnist")
# Real images the quality measurements compare against (two halves).
_METRICS_REAL_IMAGES = 2_000
_ON_NAN = ("stop", "rollback")
# Files of the size of the training state a run directory holds at once:
# two checkpoints and one being written, model.keras, checkpoints/last.keras
# and a temporary copy. Logs and sample grids get _LOG_SPACE_BYTES.
_STATE_COPIES = 6
_LOG_SPACE_BYTES = 64 * 2**20
# Training images read to count and find the clusters of a ClusteredGAN,
# and the fewest images per cluster on small data sets.
_CLUSTER_IMAGES = 10_000
_IMAGES_PER_CLUSTER = 8
# Real points under the 2-D scatter pictures (PacGAN scores 2,500).
_SCATTER_REAL_POINTS = 2_500


# Settings in which a preset's recipe differs from the dataclass defaults
# (the dcgan recipe). mlp_2d on the ring and grid: all modes on 5 of 5 seeds
# each, 98.5% and 96.9% of samples high quality (benchmarks/mode_collapse.py;
# see BUILD.md). Its steps run in chunks of 10, which makes the 45,000 steps
# about a third faster: Keras' per-step overhead outweighs these MLPs.
MODEL_DEFAULTS = {
    "mlp_2d": {
        "width": 128,
        "latent_dim": 4,
        "batch_size": 256,
        "lr": 1e-3,
        "r1_penalty": 0.1,
        "ema": 0.999,
        "ema_rampup": 0.0,
        "epochs": 45,
        "steps": 1000,
        "steps_per_execution": 10,
        "clusters": 0,
    },
    # Adam(1e-3) was measured on 28x28 digits only; the colour presets keep
    # the learning rate of the recipe before it.
    "dcgan_32": {"lr": 4e-4, "epochs": 60, "clusters": 0},
    "dcgan_64": {"lr": 4e-4, "epochs": 60, "clusters": 0},
}


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Everything a training run needs, resolved and typed.

    Attributes:
        dataset: "digits" (offline default), a tfds name
            ("mnist", "fashion_mnist", "cifar10", "celeb_a"), "ring" or
            "grid" (2-D mixtures, with model "mlp_2d"), or a folder of
            images. With model "cyclegan": "digits_invert",
            "digits_rotate", "cycle_gan/<pair>", or two folders
            "path/to/A,path/to/B".
        model: A GAN preset of ``tfgan_lite.models`` ("dcgan_28",
            "dcgan_32", "dcgan_64", "mlp_2d"), or "cyclegan".
        loss: A loss family of ``tfgan_lite.losses``.
        d_steps: Discriminator updates per generator update.
        update: "alternating" or "simultaneous".
        epochs: Number of epochs.
        steps: Steps per epoch over the repeated dataset; 0 means one pass
            over the data per epoch.
        batch_size: Real samples per step (split into d_steps minibatches).
        lr: Learning rate of both Adam optimizers.
        beta_1: Adam's beta_1 for both (0.5 as in DCGAN).
        latent_dim: Size of the latent vector.
        width: Base channel count of the DCGAN presets, hidden units of
            "mlp_2d".
        gradient_penalty: WGAN-GP weight; 0 turns it off.
        r1_penalty: R1 weight; 0 turns it off.
        r1_interval: Discriminator updates per R1 evaluation, weighted by
            the interval (``GAN.compile(r1_interval=...)``, StyleGAN2's lazy
            regularization); 1 computes it in every update.
        top_k: Fraction of each batch's generated samples, those the
            discriminator scores as most real, that the generator's loss
            uses (``GAN.compile(top_k=...)``, top-k training); 1 uses all.
        top_k_steps: Generator updates over which that fraction falls
            linearly from 1 to ``top_k``; 0 keeps ``top_k`` throughout.
        ema: Decay of the generator's weight average; 0 turns it off.
        ema_rampup: Largest half-life of the average as a fraction of the
            generator updates so far (``EMAGenerator(rampup=...)``), so the
            copy follows the generator early in a run; 0 turns it off.
        seed: Seed of weights, data order and noise.
        run_dir: The run directory.
        export: Export the generator to RUN_DIR/export at the end.
        sample_every: Write a sample grid every this many epochs.
        metrics_every: Measure sample quality every this many epochs (and
            after the last) on digit datasets ("digits", "mnist") with the
            shipped digits classifier; 0 turns it off.
        steps_per_execution: Training steps per call of the compiled train
            function (``keras.Model.compile(steps_per_execution=...)``).
            Above 1 it saves Keras' per-step overhead, which dominates the
            step time of small networks, at two costs: callbacks see the
            steps in chunks (the weight average takes one m-fold update
            per chunk, see ``EMAGenerator``; a NaN is reported at its
            chunk's last step), and the steps of an epoch,
            ``checkpoint_every`` and ``log_every_steps`` must be multiples
            of it. A preset's chunk (``MODEL_DEFAULTS``) shrinks to divide
            the values given on the command line or to ``for_model``.
        clusters: k-means clusters of the training images (at most 10,000
            read, downsampled to 14x14) that both networks are conditioned
            on: a ``ClusteredGAN``, whose generator still takes latents
            alone, at most one cluster per 8 images read (a plain ``GAN``
            below 2). 0 trains a plain ``GAN``. Read by the dcgan presets
            only, and not with ``conditional``, which uses the data's
            labels.
        log_every_steps: Steps between the points of the TensorBoard
            training curves (``batch_*`` scalars, besides the ``epoch_*``
            ones); 0 logs per epoch only; -1 picks a period that gives at
            least 100 points over the run.
        conditional: Train a ``ConditionalGAN`` on the dataset's class
            labels, with the conditional DCGAN of a dcgan preset.
        generator: CycleGAN's generators: "resnet" or "unet" (both with
            the 70x70 PatchGAN discriminator).
        blocks: Residual blocks of CycleGAN's ResNet generators.
        image_size: CycleGAN's image side in pixels, a multiple of 8; 0
            means 32 for the digits pairs and 256 for photos and folders.
        cycle_weight: CycleGAN's cycle-consistency weight (paper: 10).
        identity_weight: CycleGAN's identity-loss weight; 0 turns it off.
        pool_size: Generated images kept per CycleGAN discriminator; 0
            shows them only the newest.
        checkpoint_every: Steps between step checkpoints in RUN_DIR/backup
            (there is one at every epoch end too); 0 means epoch ends only.
        on_nan: What a NaN or inf in the losses or the state does: "stop"
            (raise ``NonFiniteError`` naming the step, model.keras holding
            the last good checkpoint) or "rollback" (reload the last good
            checkpoint, multiply both learning rates by
            ``rollback_lr_factor`` and go on).
        rollback_lr_factor: Learning-rate factor of each rollback, in (0, 1).
        max_rollbacks: Rollbacks a run may make; one more non-finite step
            stops it as "stop" does.
        deterministic: Call ``tf.config.experimental.enable_op_determinism``
            and, with no GPU or TPU, run TensorFlow on one thread per op
            (CPU runs are then reproducible bit for bit, runs in chunks of
            steps to within float rounding; see the README).
    """

    dataset: str = "digits"
    model: str = "dcgan_28"
    loss: str = "non_saturating"
    d_steps: int = 1
    update: str = "alternating"
    epochs: int = 30
    steps: int = 0
    # The digits recipe: 30 epochs of batch 32, Adam(1e-3, 0.5), R1 1.0,
    # 25 k-means clusters that both networks are conditioned on, and samples
    # from the generator's weight average, whose half-life grows with the
    # run. The clusters took the bundled digits' classifier score from 0.891
    # to 0.97 of real in half the epochs, and 5,000 held-out MNIST digits'
    # from 0.893 to 0.952 at 4,000 steps (BUILD.md, eighth round).
    batch_size: int = 32
    lr: float = 1e-3
    beta_1: float = 0.5
    latent_dim: int = 64
    width: int = 64
    gradient_penalty: float = 0.0
    r1_penalty: float = 1.0
    r1_interval: int = 1
    top_k: float = 1.0
    top_k_steps: int = 0
    ema: float = 0.999
    ema_rampup: float = 0.05
    seed: int = 0
    run_dir: str = "runs/default"
    export: bool = False
    sample_every: int = 5
    metrics_every: int = 10
    log_every_steps: int = -1
    steps_per_execution: int = 1
    clusters: int = 25

    conditional: bool = False
    generator: str = "resnet"
    blocks: int = 9
    image_size: int = 0
    cycle_weight: float = 10.0
    identity_weight: float = 0.0
    pool_size: int = 50

    checkpoint_every: int = 100
    on_nan: str = "stop"
    rollback_lr_factor: float = 0.5
    max_rollbacks: int = 3
    deterministic: bool = False

    @classmethod
    def for_model(cls, model: str = "dcgan_28", **kwargs) -> TrainConfig:
        """The recipe of a preset, with ``kwargs`` overriding it.

        ``TrainConfig(model="mlp_2d")`` keeps the dcgan defaults for every
        other field; ``TrainConfig.for_model("mlp_2d", dataset="grid")``
        takes that preset's own recipe (``MODEL_DEFAULTS``), as the command
        line does when a flag is not given.
        """
        settings = {**MODEL_DEFAULTS.get(model, {}), **kwargs}
        if "steps_per_execution" not in kwargs:
            settings["steps_per_execution"] = _recipe_chunk(
                cls, settings.get("steps_per_execution", 1), settings
            )
        return cls(model=model, **settings)

    def __post_init__(self):
        # Checked here, before a directory is made or data is read, with the
        # checkers and resolvers that the library's own entry points use.
        if self.model not in _MODELS:
            raise ValueError(
                f"Unknown --model {self.model!r}. Known presets: "
                f"{', '.join(sorted(_MODELS))}."
            )
        losses_lib.get(self.loss)
        check_choice(self.update, "--update", UPDATES)
        for name in (
            "epochs",
            "batch_size",
            "latent_dim",
            "width",
            "d_steps",
            "r1_interval",
            "steps_per_execution",
        ):
            check_int(getattr(self, name), f"--{name}", minimum=1)
        check_int(self.steps, "--steps", minimum=0)
        check_int(self.sample_every, "--sample_every", minimum=1)
        check_int(self.metrics_every, "--metrics_every", minimum=0)
        check_int(self.log_every_steps, "--log_every_steps", minimum=-1)
        check_float(self.lr, "--lr", low=0.0, low_closed=False)
        check_float(
            self.beta_1, "--beta_1", low=0.0, high=1.0, high_closed=False
        )
        check_float(self.gradient_penalty, "--gradient_penalty", low=0.0)
        check_float(self.r1_penalty, "--r1_penalty", low=0.0)
        check_float(self.top_k, "--top_k", low=0.0, high=1.0, low_closed=False)
        check_int(self.top_k_steps, "--top_k_steps", minimum=0)
        # numpy's seed, which keras.utils.set_random_seed sets, is 32-bit.
        check_int(self.seed, "--seed", minimum=0, maximum=2**32 - 1)
        check_path(self.run_dir, "--run_dir")
        check_float(self.ema, "--ema", low=0.0, high=1.0, high_closed=False)
        check_float(self.ema_rampup, "--ema_rampup", low=0.0, high=1.0)
        check_choice(self.generator, "--generator", _CYCLEGAN_GENERATORS)
        check_int(self.blocks, "--blocks", minimum=1)
        check_int(self.image_size, "--image_size", minimum=0)
        if self.image_size % 8:
            raise ValueError(
                "--image_size must be a multiple of 8 (the PatchGAN halves "
                f"it three times), got {self.image_size}."
            )
        check_int(self.pool_size, "--pool_size", minimum=0)
        check_float(self.cycle_weight, "--cycle_weight", low=0.0)
        check_float(self.identity_weight, "--identity_weight", low=0.0)
        check_int(self.checkpoint_every, "--checkpoint_every", minimum=0)
        check_choice(self.on_nan, "--on_nan", _ON_NAN)
        check_float(
            self.rollback_lr_factor,
            "--rollback_lr_factor",
            low=0.0,
            high=1.0,
            low_closed=False,
            high_closed=False,
        )
        check_int(self.max_rollbacks, "--max_rollbacks", minimum=0)
        chunk = self.steps_per_execution
        for name in ("steps", "checkpoint_every", "log_every_steps"):
            value = getattr(self, name)
            if value > 0 and value % chunk:
                raise ValueError(
                    f"--{name} ({value}) must be a multiple of "
                    f"--steps_per_execution ({chunk}): training runs in "
                    f"chunks of {chunk} steps. Use --{name}="
                    f"{-(-value // chunk) * chunk}, or another "
                    "--steps_per_execution."
                )
        if self.batch_size < self.d_steps:
            raise ValueError(
                f"--batch_size ({self.batch_size}) is split into d_steps "
                f"({self.d_steps}) minibatches; make it at least d_steps."
            )
        check_int(self.clusters, "--clusters", minimum=0)
        if self.clusters == 1:
            raise ValueError(
                "--clusters must be 0 (a plain GAN) or at least 2, got 1."
            )
        if self.conditional:
            _check_conditional(self.model, self.dataset)
        if (self.model == CYCLEGAN) != _is_pair(self.dataset):
            raise ValueError(_pair_mismatch(self.model, self.dataset))
        is_points = self.dataset in _POINT_DATASETS
        if self.model != CYCLEGAN and is_points != (self.model == "mlp_2d"):
            raise ValueError(
                f"--model {self.model} cannot train on --dataset "
                f"{self.dataset}: the 2-D mixtures 'ring' and 'grid' go with "
                "--model mlp_2d, image datasets with the dcgan presets."
            )


def _recipe_chunk(cls, chunk: int, settings: dict) -> int:
    """A recipe's steps_per_execution, fitted to the steps a user chose.

    A chunk the user did not ask for must not refuse their --steps or
    --checkpoint_every: it shrinks to the largest size that divides them
    (1 for one pass over the data per epoch, whose length is not known
    yet). A chunk the user gave is checked instead.
    """

    def get(name):
        return settings.get(name, cls.__dataclass_fields__[name].default)

    if not isinstance(chunk, int) or chunk <= 1:
        return chunk
    values = [get(n) for n in ("steps", "checkpoint_every", "log_every_steps")]
    if not all(isinstance(v, int) for v in values) or values[0] == 0:
        return 1
    for value in values:
        if value > 0:
            chunk = math.gcd(chunk, value)
    return chunk


# CycleGAN on the digits pair: small networks, the paper's loss, weights,
# pool and Adam(2e-4, 0.5), at 32x32. A few minutes on a 2-core CPU.
MODEL_DEFAULTS[CYCLEGAN] = {
    "dataset": "digits_invert",
    "loss": "least_squares",
    "width": 8,
    "blocks": 2,
    "batch_size": 16,
    "lr": 2e-4,
    "epochs": 12,
    "sample_every": 2,
    "r1_penalty": 0.0,
    "ema": 0.0,
    "metrics_every": 0,
    "clusters": 0,
}


class UsageError(ValueError):
    """Settings or data that a run cannot use; the command exits with 2."""


class NonFiniteError(RuntimeError):
    """Training met a NaN or inf it could not roll back; the command exits 1.

    Attributes:
        step: The training step (1-based) whose losses or state were not
            finite.
        restored_step: The step of the checkpoint that RUN_DIR/model.keras
            then holds.
    """

    def __init__(self, message: str, step: int, restored_step: int):
        super().__init__(message)
        self.step = step
        self.restored_step = restored_step


def _is_pair(dataset: str) -> bool:
    """Whether --dataset names two image domains, for CycleGAN."""
    mapping = dataset.removeprefix("digits_")
    return (
        _FOLDER_PAIR_SEPARATOR in dataset
        or (dataset != mapping and mapping in data_lib.unpaired.DIGITS_MAPPINGS)
        or dataset.removeprefix("cycle_gan/") in data_lib.CYCLE_GAN_PAIRS
    )


def _pair_mismatch(model: str, dataset: str) -> str:
    if model == CYCLEGAN:
        return (
            f"--model=cyclegan needs two image domains, not --dataset "
            f"{dataset}: use digits_invert, digits_rotate, "
            "cycle_gan/<pair> or two folders as --dataset=path/to/A,"
            "path/to/B."
        )
    return (
        f"--dataset {dataset} holds two image domains, which go with "
        "--model=cyclegan."
    )


def _check_conditional(model: str, dataset: str) -> None:
    if model in (CYCLEGAN, "mlp_2d"):
        raise ValueError(
            f"--conditional does not apply to --model={model}; it trains "
            "a ConditionalGAN with a dcgan preset (dcgan_28, dcgan_32, "
            "dcgan_64)."
        )
    if dataset in (*_POINT_DATASETS, "celeb_a") or _is_pair(dataset):
        raise ValueError(
            f"--conditional needs images with class labels, and --dataset "
            f"{dataset} has none: use digits, mnist, fashion_mnist, "
            "cifar10, or a folder with one subfolder per class."
        )


def _networks(config: TrainConfig):
    if config.model == "mlp_2d":
        return models_lib.get(
            "mlp_2d", latent_dim=config.latent_dim, hidden=config.width
        )
    return models_lib.get(
        config.model, latent_dim=config.latent_dim, width=config.width
    )


def _load(dataset: str, **kwargs) -> tf.data.Dataset:
    """data.load, with its refusals turned into the command's own."""
    try:
        return data_lib.load(dataset, **kwargs)
    except (ConnectionError, TimeoutError):
        raise  # Unreachable hosts are a failure, not a usage error.
    except (ValueError, OSError) as e:
        raise UsageError(f"--dataset {dataset}: {e}") from None


def _dataset(config: TrainConfig) -> tf.data.Dataset:
    common = {"batch_size": config.batch_size, "seed": config.seed}
    if config.model == "mlp_2d":
        return _load(config.dataset, **common)
    height, width, channels = _IMAGE_SHAPES[config.model]
    return _load(
        config.dataset,
        image_size=(height, width),
        channels=channels,
        with_labels=config.conditional,
        **common,
    )


def _class_names(dataset: str, loaded: tf.data.Dataset) -> list[str]:
    """The classes of a labelled dataset, in class id order.

    Raises:
        UsageError: If the data has fewer than two classes.
    """
    if dataset == "digits":
        names = [str(digit) for digit in range(10)]
    elif dataset in data_lib.SUPPORTED_TFDS:
        import tensorflow_datasets as tfds

        names = list(tfds.builder(dataset).info.features["label"].names)
    else:
        # A folder: one class per subfolder, ids in sorted name order.
        names = list(loaded.class_names)
    if len(names) < 2:
        raise UsageError(
            f"--conditional needs at least two classes; --dataset {dataset} "
            f"has {len(names)} ({', '.join(names)}). A folder's classes "
            "are its subfolders."
        )
    return names


def _check_has_classes(dataset: str) -> None:
    """Refuses a folder whose images lie loose, with no class subfolders."""
    path = Path(dataset).expanduser()
    if path.is_dir() and not any(p.is_dir() for p in path.iterdir()):
        raise UsageError(
            f"--conditional reads class labels from subfolders, one per "
            f"class (class ids follow the sorted subfolder names), and "
            f"{dataset} has no subfolders."
        )


class _Run(NamedTuple):
    """What ``train`` needs of one kind of run."""

    model: keras.Model
    dataset: tf.data.Dataset
    # config.json's "resolved" record.
    resolved: dict
    # Callbacks that run before the backup (TrainingHealth restores the
    # last good weights on NaN before anything is written).
    first: list
    # Callbacks that run after TensorBoard: EMA, grids, measurements.
    observers: list
    measure: callbacks_lib.MetricsCallback | None = None


class _Grid(callbacks_lib.ImageGrid):
    """``ImageGrid`` of another picture of the model (the last epoch too).

    Args:
        draw: The model -> a uint8 grid (H, W, C).
        log_dir, **kwargs: As ``ImageGrid``.
    """

    def __init__(self, draw: Callable, log_dir: str, **kwargs):
        super().__init__(log_dir, **kwargs)
        self._draw = draw

    def grid(self) -> np.ndarray:
        return self._draw(self.model)

    def on_train_begin(self, logs=None):
        # ImageGrid's own begin checks for a GAN, and a CycleGAN is not one.
        tf.io.gfile.makedirs(self.png_dir)
        self._writer = tf.summary.create_file_writer(self.run_dir)


def _optimizers(config: TrainConfig) -> tuple:
    """One Adam for each player (or group of networks)."""
    return tuple(
        keras.optimizers.Adam(config.lr, beta_1=config.beta_1) for _ in range(2)
    )


def _class_rows(model: ConditionalGAN, seed: int) -> np.ndarray:
    """One row per class, the same latent vectors every time."""
    labels = np.repeat(np.arange(model.num_classes), _SAMPLES_PER_CLASS)
    samples = model.generate(len(labels), labels=labels, seed=seed)
    return callbacks_lib.make_grid(samples, rows=model.num_classes)


def _model_words(model: keras.Model, config: TrainConfig) -> str:
    """What the start line says is trained, e.g. "a GAN (dcgan_28)"."""
    preset = config.model
    if isinstance(model, ClusteredGAN):
        preset += f", {model.num_clusters} clusters"
    return f"a {type(model).__name__} ({preset})"


def _cluster_count(config: TrainConfig) -> int:
    """The clusters a run uses: --clusters, fewer on small data sets.

    At most one cluster per _IMAGES_PER_CLUSTER training images (of at
    most _CLUSTER_IMAGES read), so that every cluster has examples of
    its own; below 2 the run trains a plain GAN.
    """
    if not config.clusters or config.model not in _IMAGE_SHAPES:
        return 0
    count = 0
    for batch in _dataset(config):
        count += len(batch[0] if isinstance(batch, tuple) else batch)
        if count >= _CLUSTER_IMAGES:
            break
    return min(config.clusters, count // _IMAGES_PER_CLUSTER)


def _adapt(gan: ClusteredGAN, config: TrainConfig) -> np.ndarray:
    """Clusters one pass of the training images (at most 10,000)."""
    try:
        return gan.adapt(_dataset(config), max_samples=_CLUSTER_IMAGES)
    except ValueError as e:
        raise UsageError(f"--clusters {config.clusters}: {e}") from None


def _gan_run(config: TrainConfig, paths: dict[str, str]) -> _Run:
    """A GAN, ClusteredGAN or ConditionalGAN, its data and its callbacks."""
    if config.conditional:
        _check_has_classes(config.dataset)
    dataset = _dataset(config)
    resolved = {}
    clusters = 0 if config.conditional else _cluster_count(config)
    if config.conditional:
        names = _class_names(config.dataset, dataset)
    # Repeated before the real samples below are drawn, which may be
    # more than one pass holds.
    dataset = dataset.repeat() if config.steps else dataset
    if config.conditional:
        g, d = models_lib.conditional_dcgan(
            _IMAGE_SHAPES[config.model],
            len(names),
            latent_dim=config.latent_dim,
            width=config.width,
        )
        gan = ConditionalGAN(
            g, d, num_classes=len(names), seed=config.seed, ema=config.ema > 0
        )
        resolved = {"num_classes": len(names), "class_names": names}
    elif clusters >= 2:
        g, d = models_lib.clustered_dcgan(
            _IMAGE_SHAPES[config.model],
            clusters,
            latent_dim=config.latent_dim,
            width=config.width,
        )
        gan = ClusteredGAN(
            g, d, num_clusters=clusters, seed=config.seed, ema=config.ema > 0
        )
        prior = _adapt(gan, config)
        resolved["clusters"] = clusters
        resolved["cluster_prior"] = [round(float(p), 5) for p in prior]
    else:
        gan = GAN(*_networks(config), seed=config.seed, ema=config.ema > 0)
    gan.compile(
        *_optimizers(config),
        config.loss,
        d_steps=config.d_steps,
        update=config.update,
        gradient_penalty=config.gradient_penalty,
        r1_penalty=config.r1_penalty,
        r1_interval=config.r1_interval,
        top_k=config.top_k,
        top_k_steps=config.top_k_steps,
        steps_per_execution=config.steps_per_execution,
    )
    resolved["sample_shape"] = list(gan.sample_shape)
    health = callbacks_lib.TrainingHealth(
        real_samples=_real_samples(dataset),
        log_dir=paths["logs"],
        warmup_epochs=min(5, config.epochs // 4),
        **_known_modes(config.dataset),
    )
    observers = []
    if config.ema:
        observers.append(
            callbacks_lib.EMAGenerator(
                decay=config.ema, rampup=config.ema_rampup or None
            )
        )
    grid = {
        "png_dir": paths["samples"],
        "every_n_epochs": config.sample_every,
        "seed": config.seed,
    }
    if config.conditional:
        observers.append(
            _Grid(
                functools.partial(_class_rows, seed=config.seed),
                paths["logs"],
                num_samples=_SAMPLES_PER_CLASS * gan.num_classes,
                **grid,
            )
        )
    elif config.model != "mlp_2d":
        observers.append(callbacks_lib.ImageGrid(paths["logs"], **grid))
    else:
        observers.append(_point_scatter(config, dataset, paths))
    measure = _metrics_callback(config, dataset, paths["logs"])
    if measure is not None:
        observers.append(measure)
    return _Run(gan, dataset, resolved, [health], observers, measure)


def _point_scatter(
    config: TrainConfig, dataset: tf.data.Dataset, paths: dict[str, str]
) -> callbacks_lib.PointScatter:
    """Samples over the real 2-D mixture, with its known modes."""
    centers, std = metrics_lib.known_mixture(config.dataset)
    return callbacks_lib.PointScatter(
        _real_samples(dataset, n=_SCATTER_REAL_POINTS),
        paths["logs"],
        centers=centers,
        std=std,
        every_n_epochs=config.sample_every,
        seed=config.seed,
        png_dir=paths["samples"],
    )


def _cyclegan_dataset(config: TrainConfig) -> tf.data.Dataset:
    """Two domains: a named pair, or two folders "A,B"."""
    digits = config.dataset.startswith("digits_")
    side = config.image_size or (32 if digits else 256)
    kwargs = {
        "image_size": (side, side),
        "batch_size": config.batch_size,
        "seed": config.seed,
    }
    try:
        if _FOLDER_PAIR_SEPARATOR not in config.dataset:
            return data_lib.load_pair(config.dataset, **kwargs)
        folders = config.dataset.split(_FOLDER_PAIR_SEPARATOR)
        if len(folders) != 2 or not all(folders):
            raise ValueError(
                "give two folders, the domains X and Y, as path/to/A,path/to/B."
            )
        return data_lib.unpaired.folder_pair(*folders, **kwargs)
    except (ConnectionError, TimeoutError):
        raise  # Unreachable hosts are a failure, not a usage error.
    except (ValueError, OSError) as e:
        raise UsageError(f"--dataset {config.dataset}: {e}") from None


def _cyclegan_run(config: TrainConfig, paths: dict[str, str]) -> _Run:
    """A CycleGAN, its two domains and its callbacks."""
    dataset = _cyclegan_dataset(config)
    dataset = dataset.repeat() if config.steps else dataset
    x_shape, y_shape = (tuple(s.shape[1:]) for s in dataset.element_spec)
    build = _CYCLEGAN_GENERATORS[config.generator]
    if config.generator == "resnet":
        build = functools.partial(build, blocks=config.blocks)
    g_xy, d_y = build(x_shape, width=config.width, out_channels=y_shape[-1])
    g_yx, d_x = build(y_shape, width=config.width, out_channels=x_shape[-1])
    model = CycleGAN(
        g_xy, g_yx, d_x, d_y, pool_size=config.pool_size, seed=config.seed
    )
    model.compile(
        *_optimizers(config),
        config.loss,
        cycle_weight=config.cycle_weight,
        identity_weight=config.identity_weight,
        # XLA's compile time outweighs its gain on these small networks.
        jit_compile=False,
        steps_per_execution=config.steps_per_execution,
    )
    inputs = _real_samples(dataset, n=_CYCLE_GRID_IMAGES)
    grid = _Grid(
        functools.partial(callbacks_lib.cycle_grid, images=inputs),
        paths["logs"],
        png_dir=paths["samples"],
        every_n_epochs=config.sample_every,
        num_samples=len(inputs),
    )
    resolved = {"x_shape": list(x_shape), "y_shape": list(y_shape)}
    return _Run(model, dataset, resolved, [], [grid])


class _TensorBoard(keras.callbacks.TensorBoard):
    """Keras' TensorBoard callback, batch curves on the training-step axis.

    Keras numbers its batch points by the calls of the train function,
    counted from 0 in each ``fit``. A resumed run (a new ``fit``) would then
    draw over its first steps, and with ``steps_per_execution=s`` every
    call trains s steps. The point of a call is put at the step the
    model has reached after it instead.
    """

    def __init__(self, log_dir: str, *, steps_per_execution: int, **kwargs):
        super().__init__(log_dir, **kwargs)
        self._chunk = steps_per_execution

    def on_train_batch_begin(self, batch, logs=None):
        # Keras adds one to the counter, then opens the step's writer.
        step = _checkpoint.training_step(self.model) + self._chunk
        self._global_train_batch = step - 1
        super().on_train_batch_begin(batch, logs)


def _real_samples(dataset: tf.data.Dataset, n: int = 256) -> np.ndarray:
    """A few real batches for the health checks."""
    batches, count = [], 0
    for batch in dataset:
        images = batch[0] if isinstance(batch, tuple) else batch
        batches.append(images.numpy())
        count += len(batches[-1])
        if count >= n:
            break
    return np.concatenate(batches)[:n]


def _paths(run_dir: str) -> dict[str, str]:
    names = ("logs", "samples", "backup", "checkpoints", "export")
    paths = {name: os.path.join(run_dir, name) for name in names}
    paths["config"] = os.path.join(run_dir, "config.json")
    paths["model"] = os.path.join(run_dir, "model.keras")
    paths["metrics"] = os.path.join(run_dir, "metrics.json")
    paths["checkpoint"] = os.path.join(paths["checkpoints"], "last.keras")
    return paths


def _write_config(config: TrainConfig, run: _Run, path: str) -> None:
    record = {
        "config": dataclasses.asdict(config),
        "resolved": {
            **run.resolved,
            "compile": run.model.get_compile_config(),
        },
        "versions": {
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
        },
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(record, f, indent=2, sort_keys=True)


# Settings newer than some run directories, with the value that runs
# written before them used.
_ADDED_SETTINGS = {
    "r1_interval": 1,
    "top_k": 1.0,
    "top_k_steps": 0,
    "ema_rampup": 0.0,
    "steps_per_execution": 1,
    "clusters": 0,
}


def _check_same_run(config: TrainConfig, path: str) -> None:
    """Refuses to resume a run directory made with other settings."""
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as f:
        saved = json.load(f)["config"]
    ours = dataclasses.asdict(config)
    # These may change between a run and its resumption.
    free = {
        "epochs",
        "export",
        "sample_every",
        "metrics_every",
        "log_every_steps",
        "checkpoint_every",
        "on_nan",
        "rollback_lr_factor",
        "max_rollbacks",
        "deterministic",
    }
    # A setting added after the run was written ran with its old value.
    saved = {**_ADDED_SETTINGS, **saved}
    changed = sorted(
        k for k in ours if k not in free and saved.get(k) != ours[k]
    )
    if changed:
        details = ", ".join(
            f"{k}: {saved.get(k)!r} -> {ours[k]!r}" for k in changed
        )
        raise UsageError(
            f"{config.run_dir} holds a run with other settings ({details}). "
            "Use another --run_dir, or the same flags to resume."
        )


def train(
    config: TrainConfig,
    *,
    extra_callbacks: Sequence[keras.callbacks.Callback] = (),
    verbose: int | str = "auto",
) -> GAN | CycleGAN:
    """Trains a model as described by ``config`` and fills its run directory.

    A ``GAN`` by default, a ``ConditionalGAN`` with ``conditional=True``
    and a ``CycleGAN`` with ``model="cyclegan"``.

    Args:
        config: The run's settings.
        extra_callbacks: More Keras callbacks, run after the built-in ones.
        verbose: 0 prints nothing; 1 Keras' progress bar (the losses,
            live); 2 one line per epoch; "auto" the bar when stdout is a
            terminal, else one line per epoch. Unless 0, a line first says
            what is trained for how long, and lines last say where the
            files are and what to run next.

    Returns:
        The trained model. ``RUN_DIR/model.keras`` holds it too.

    Raises:
        UsageError: If the run directory holds a run with other settings,
            cannot be written or lacks room for the run's files, the data
            does not fit the model (e.g. no class labels), or a batch does
            not fit in memory.
        NonFiniteError: On a NaN or inf that ``config.on_nan`` does not
            roll back (``model.keras`` then holds the last good checkpoint).
        CorruptFileError: If ``RUN_DIR/backup`` holds checkpoints and none
            can be read.
        KeyboardInterrupt: After saving ``model.keras``, on Ctrl-C.
    """
    paths = _paths(config.run_dir)
    _check_same_run(config, paths["config"])
    _check_writable(config.run_dir)
    if config.deterministic:
        _enable_determinism()
    keras.utils.set_random_seed(config.seed)

    run = (_cyclegan_run if config.model == CYCLEGAN else _gan_run)(
        config, paths
    )
    _write_config(config, run, paths["config"])

    steps_per_epoch = _steps_per_epoch(config, run.dataset)
    if steps_per_epoch is None:
        steps_per_epoch = _count_batches(run.dataset)
    if steps_per_epoch % config.steps_per_execution:
        raise UsageError(
            f"An epoch of --dataset {config.dataset} has {steps_per_epoch} "
            f"steps, not a multiple of --steps_per_execution "
            f"({config.steps_per_execution}). Set --steps to a multiple of "
            "it, or use another --steps_per_execution."
        )
    checkpoints = _checkpoint.CheckpointDir(
        paths["backup"], _checkpoint.state_variables(run.model)
    )
    # Saved with every checkpoint; rollbacks change it.
    record = {"lr_scale": 1.0, "rollbacks": 0}
    _check_free_space(config.run_dir, checkpoints.nbytes)
    saver = _checkpoint.StepCheckpointer(
        checkpoints,
        every=config.checkpoint_every,
        meta=lambda: dict(record),
        keras_path=paths["checkpoint"],
    )
    verbose = resolve_verbose(verbose)
    # First, so that Keras uses it instead of its own, added last: the
    # bar's line is finished before other callbacks print at epoch end.
    progress = Progress()
    callbacks: list[keras.callbacks.Callback] = [
        progress,
        *run.first,
        _TensorBoard(
            paths["logs"],
            update_freq=log_update_freq(
                config.log_every_steps,
                epochs=config.epochs,
                steps_per_epoch=steps_per_epoch,
                steps_per_execution=config.steps_per_execution,
            ),
            steps_per_execution=config.steps_per_execution,
        ),
        *run.observers,
    ]
    # After every callback that changes the state at batch or epoch end
    # (EMAGenerator), so that a checkpoint holds the whole state of its
    # step; it writes checkpoints/last.keras at epoch ends too.
    callbacks.append(saver)
    callbacks.extend(extra_callbacks)

    model = run.model
    if verbose:
        print(
            start_line(
                model=_model_words(model, config),
                dataset=config.dataset,
                epochs=config.epochs,
                steps_per_epoch=steps_per_epoch,
                batch_size=config.batch_size,
                run_dir=config.run_dir,
            ),
            flush=True,
        )
    started = time.monotonic()
    try:
        with own_line_logging(progress):
            _fit_from_checkpoints(
                config,
                run,
                saver,
                record,
                steps_per_epoch,
                paths["model"],
                callbacks=callbacks,
                verbose=verbose,
                # The data is shuffled by tfgan_lite.data; Keras cannot
                # shuffle a tf.data.Dataset and warns when asked to.
                shuffle=False,
            )
    except KeyboardInterrupt:
        _checkpoint.save_keras(model, paths["model"])
        print(
            f"\nInterrupted. Saved {paths['model']}. Run the same command "
            "to resume from the last checkpoint.",
            file=sys.stderr,
        )
        raise
    _checkpoint.save_keras(model, paths["model"])
    if run.measure is not None and run.measure.history:
        _write_metrics(run.measure, paths["metrics"])
    if config.export:
        _export(paths["model"], paths["export"])
    if verbose:
        lines = end_lines(
            seconds=time.monotonic() - started,
            paths=paths,
            samples=_latest_samples(paths["samples"]),
            exported=paths["export"] if config.export else None,
        )
        print("\n".join(lines), flush=True)
    return model


def _enable_determinism() -> None:
    """Op determinism, and on a CPU-only machine one thread per op.

    On the CPU, op determinism alone left 3 of 36 small runs sharing two
    cores with other weights than the rest: with several threads, timing
    decides which thread runs a kernel and so the order of its float sums.
    With one inter-op and one intra-op thread, 36 of 36 were identical.
    """
    tf.config.experimental.enable_op_determinism()
    if _has_accelerator():
        return
    try:
        tf.config.threading.set_inter_op_parallelism_threads(1)
        tf.config.threading.set_intra_op_parallelism_threads(1)
    except RuntimeError:
        # TensorFlow's runtime started before this call, with its threads.
        if not _one_thread_per_op():
            warnings.warn(
                "deterministic=True could not limit TensorFlow to one "
                "thread per op because its runtime had already started, so "
                "CPU runs may differ in the last bits. Set the environment "
                "variables TF_NUM_INTEROP_THREADS=1 and "
                "TF_NUM_INTRAOP_THREADS=1 before starting Python, or call "
                "train() before any other TensorFlow work.",
                stacklevel=3,
            )


def _one_thread_per_op() -> bool:
    """Whether the started runtime has one inter- and one intra-op thread."""
    config = tf.config.threading
    pairs = (
        (config.get_inter_op_parallelism_threads(), "TF_NUM_INTEROP_THREADS"),
        (config.get_intra_op_parallelism_threads(), "TF_NUM_INTRAOP_THREADS"),
    )
    # 0 means the default, which the environment variable overrides.
    return all(
        n == 1 or (n == 0 and os.environ.get(var, "").strip() == "1")
        for n, var in pairs
    )


def _has_accelerator() -> bool:
    return any(tf.config.list_physical_devices(k) for k in ("GPU", "TPU"))


def _steps_per_epoch(
    config: TrainConfig, dataset: tf.data.Dataset
) -> int | None:
    """Steps of one epoch; None when the data's length is unknown."""
    if config.steps:
        return config.steps
    cardinality = int(dataset.cardinality())
    return cardinality if cardinality > 0 else None


def _latest_samples(folder: str) -> str | None:
    """The newest sample picture a run wrote, or None."""
    for name in ("samples_latest.png", "scatter_latest.png"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return path
    return None


def _count_batches(dataset: tf.data.Dataset) -> int:
    """Batches of one pass over data of unknown length (reads it once)."""
    count = int(dataset.reduce(np.int64(0), lambda n, _: n + 1))
    if not count:
        raise UsageError("The dataset holds no full batch.")
    return count


def _check_writable(run_dir: str) -> None:
    """Refuses a run directory that cannot be written, before training."""
    try:
        os.makedirs(run_dir, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=run_dir, prefix=".write-test-")
        try:
            os.write(handle, b"0")
            os.fsync(handle)
        finally:
            os.close(handle)
            os.remove(probe)
    except OSError as e:
        raise UsageError(
            f"--run_dir {run_dir} cannot be written ({e.strerror or e}); "
            "a run writes checkpoints there from its first step. Use a "
            "writable --run_dir."
        ) from None


def _check_free_space(run_dir: str, state_bytes: int) -> None:
    """Refuses a run directory without room for the run's files."""
    need = _STATE_COPIES * state_bytes + _LOG_SPACE_BYTES
    free = shutil.disk_usage(run_dir).free
    if free < need:
        mib = 2**20
        raise UsageError(
            f"--run_dir {run_dir} has {free / mib:.1f} MiB free; this run "
            f"needs about {need / mib:.1f} MiB ({_STATE_COPIES} copies of "
            f"its {state_bytes / mib:.1f} MiB training state: checkpoints "
            f"and model files, plus {_LOG_SPACE_BYTES // mib} MiB of logs "
            "and samples). Free some space or use another --run_dir."
        )


def _stream(make: Callable[[], tf.data.Dataset], step: int):
    """The training batches from ``step`` on, as an uninterrupted run has.

    Each call builds the pipeline afresh: the order of a fresh pipeline's
    k-th pass is a pure function of the seed (its shuffle draws the seeds
    of pass k from a generator that starts at the seed), so skipping
    ``step`` batches gives exactly the batches an uninterrupted run sees
    from ``step`` on, mid-epoch included. Skipping costs producing those
    batches (no training), far less than training them; storing the
    iterator instead would put the shuffle buffer, the whole cached
    dataset, in every checkpoint.
    """
    return make().repeat().skip(step)


def _set_learning_rate(model: keras.Model, value: float) -> None:
    for optimizer in (model.g_optimizer, model.d_optimizer):
        optimizer.learning_rate = value


def _where(step: int, per_epoch: int) -> str:
    epoch, batch = divmod(step - 1, per_epoch)
    return f"step {step} (epoch {epoch + 1}, batch {batch + 1} of {per_epoch})"


def _fit_from_checkpoints(
    config: TrainConfig,
    run: _Run,
    saver: _checkpoint.StepCheckpointer,
    record: dict,
    per_epoch: int,
    model_path: str,
    **fit_kwargs,
) -> None:
    """Fits from the newest checkpoint to the last step, rolling back on NaN.

    A run resumed mid-epoch fits the rest of that epoch first (stopping
    after it), then the remaining epochs, so that every step sees the
    batch an uninterrupted run sees. The epoch-end logs of a resumed
    epoch average its resumed steps only.

    Raises:
        NonFiniteError: On a non-finite step that ``config.on_nan`` does
            not roll back; ``model_path`` then holds the last checkpoint.
        UsageError: If a batch does not fit in memory.
    """
    model, checkpoints = run.model, saver.checkpoints
    restored = checkpoints.restore()
    if restored is None:
        # Step 0, so that a rollback always has a checkpoint to go to.
        checkpoints.save(0, **record)
    else:
        record.update(
            {k: restored.meta[k] for k in record if k in restored.meta}
        )
    _set_learning_rate(model, config.lr * record["lr_scale"])
    build = functools.partial(
        _cyclegan_dataset if config.model == CYCLEGAN else _dataset, config
    )
    total = config.epochs * per_epoch
    while (step := _checkpoint.training_step(model)) < total:
        epoch, batch = divmod(step, per_epoch)
        saver.stop_after_epoch = epoch if batch else None
        try:
            model.fit(
                _stream(build, step),
                initial_epoch=epoch,
                epochs=config.epochs,
                steps_per_epoch=per_epoch - batch,
                **fit_kwargs,
            )
        except (tf.errors.ResourceExhaustedError, MemoryError) as e:
            last = checkpoints.steps()
            failed = _checkpoint.training_step(model) + 1
            raise UsageError(
                f"Out of memory in {_where(failed, per_epoch)}: a "
                f"batch of {config.batch_size} does not fit "
                f"({type(e).__name__}). Use a smaller --batch_size or "
                f"--width, with another --run_dir (the last checkpoint, "
                f"step {last[0] if last else 0}, is kept)."
            ) from None
        if saver.non_finite is None:
            done = _checkpoint.training_step(model)
            if batch and done == (epoch + 1) * per_epoch:
                continue  # The resumed epoch is done; now the others.
            return
        _after_non_finite(config, model, saver, record, per_epoch, model_path)


def _after_non_finite(
    config: TrainConfig,
    model: keras.Model,
    saver: _checkpoint.StepCheckpointer,
    record: dict,
    per_epoch: int,
    model_path: str,
) -> None:
    """Rolls back to the last checkpoint, or raises NonFiniteError."""
    step, what = saver.non_finite
    checkpoints = saver.checkpoints
    restored = checkpoints.restore()
    where = _where(step, per_epoch)
    rollback = config.on_nan == "rollback"
    if rollback and record["rollbacks"] < config.max_rollbacks:
        record["rollbacks"] += 1
        record["lr_scale"] *= config.rollback_lr_factor
        lr = config.lr * record["lr_scale"]
        _set_learning_rate(model, lr)
        # Saved again with the new record, so a resumed run keeps it.
        checkpoints.save(restored.step, **record)
        warnings.warn(
            f"Non-finite values in {where}: {what}. Rolled back to the "
            f"checkpoint of step {restored.step} with learning rate {lr:g} "
            f"(rollback {record['rollbacks']} of {config.max_rollbacks}).",
            stacklevel=2,
        )
        return
    _checkpoint.save_keras(model, model_path)
    after = f" after {record['rollbacks']} rollbacks" if rollback else ""
    advice = (
        "Lower --lr, or raise --max_rollbacks."
        if rollback
        else "Rerun with --on_nan=rollback to go back to it with a lower "
        "learning rate, or lower --lr."
    )
    raise NonFiniteError(
        f"Non-finite values in {where}: {what}. Training stopped{after}; "
        f"{model_path} holds the last good checkpoint, step "
        f"{restored.step}. {advice}",
        step,
        restored.step,
    )


def _known_modes(dataset: str) -> dict:
    """The mode centres of the 2-D mixtures, for the health check."""
    if dataset not in _POINT_DATASETS:
        return {}
    centers, std = metrics_lib.known_mixture(dataset)
    return {"modes": centers, "mode_std": std}


def _metrics_callback(
    config: TrainConfig, dataset: tf.data.Dataset, log_dir: str
) -> callbacks_lib.MetricsCallback | None:
    """Quality measurements for digit datasets, with the digits classifier."""
    if not config.metrics_every or config.dataset not in _DIGIT_DATASETS:
        return None
    if _IMAGE_SHAPES.get(config.model) != (28, 28, 1):
        return None
    return callbacks_lib.MetricsCallback(
        _real_samples(dataset, n=_METRICS_REAL_IMAGES),
        extractor=metrics_lib.features.digits_classifier(),
        log_dir=log_dir,
        every_n_epochs=config.metrics_every,
        seed=config.seed,
    )


def _write_metrics(measure: callbacks_lib.MetricsCallback, path: str) -> None:
    """Writes the last quality report, for scripts and for resumed runs."""
    epoch, report = measure.history[-1]
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(
            {"epoch": epoch, **metrics_lib.quality.as_dict(report)}, f, indent=2
        )
    os.replace(path + ".tmp", path)


def _export(model_path: str, out_dir: str) -> None:
    """Exports the trained generator: SavedModel and float32 LiteRT."""
    from tfgan_lite import export

    export.run_export(
        export.ExportConfig(model=model_path, out_dir=out_dir, overwrite=True)
    )


_HELPS = {
    "dataset": "digits, mnist, fashion_mnist, cifar10, celeb_a, ring, "
    "grid, or a folder of images; for cyclegan digits_invert, "
    "digits_rotate, cycle_gan/<pair>, or two folders path/to/A,path/to/B.",
    "model": "dcgan_28, dcgan_32, dcgan_64, mlp_2d, or cyclegan.",
    "loss": "Loss family of tfgan_lite.losses.",
    "d_steps": "Discriminator updates per generator update.",
    "update": "alternating or simultaneous.",
    "epochs": "Epochs to train.",
    "steps": "Steps per epoch over the repeated data; 0: one pass.",
    "batch_size": "Real samples per step.",
    "lr": "Adam learning rate of both players.",
    "beta_1": "Adam beta_1 of both players.",
    "latent_dim": "Size of the latent vector.",
    "width": "Base channels (dcgan) or hidden units (mlp_2d).",
    "gradient_penalty": "WGAN-GP weight; 0 is off.",
    "r1_penalty": "R1 weight; 0 is off.",
    "r1_interval": "Discriminator updates per R1 evaluation (lazy R1, "
    "weighted by the interval); 1: every update.",
    "top_k": "Fraction of generated samples, those D scores as most real, "
    "in the generator's loss (top-k training); 1: all.",
    "top_k_steps": "Generator updates over which that fraction falls from 1 "
    "to --top_k; 0: from the start.",
    "ema": "Decay of the generator weight average; 0 is off.",
    "ema_rampup": "Largest half-life of the average, as a fraction of the "
    "generator updates so far; 0 is off.",
    "seed": "Seed of weights, data order and noise.",
    "run_dir": "Run directory.",
    "export": "Export the generator to RUN_DIR/export at the end.",
    "sample_every": "Epochs between sample grids.",
    "metrics_every": "Epochs between quality measurements on digit "
    "datasets (digits classifier); 0 is off.",
    "log_every_steps": "Steps between points of the TensorBoard training "
    "curves; 0: per epoch only; -1: at least 100 points over the run.",
    "steps_per_execution": "Training steps per call of the compiled train "
    "function; above 1 saves per-step overhead on small networks (the "
    "steps of an epoch and --checkpoint_every must be multiples of it).",
    "clusters": "k-means clusters of the training images that both networks "
    "are conditioned on (ClusteredGAN; samples need no label), at most one "
    "per 8 images; 0 trains a plain GAN. The dcgan_28 recipe uses 25.",
    "conditional": "Train a ConditionalGAN on the class labels of digits, "
    "mnist, fashion_mnist, cifar10 or a folder of class subfolders (ids "
    "follow the sorted subfolder names).",
    "generator": "cyclegan: resnet or unet generators.",
    "blocks": "cyclegan: residual blocks of the resnet generators.",
    "image_size": "cyclegan: image side, a multiple of 8; 0: 32 for digits "
    "pairs, else 256.",
    "cycle_weight": "cyclegan: cycle-consistency weight.",
    "identity_weight": "cyclegan: identity-loss weight; 0 is off.",
    "pool_size": "cyclegan: fakes kept per discriminator; 0 is off.",
    "checkpoint_every": "Steps between step checkpoints (also one every "
    "epoch); 0: epoch ends only.",
    "on_nan": "On a NaN or inf: stop (naming the step) or rollback (to "
    "the last checkpoint, learning rates times --rollback_lr_factor).",
    "rollback_lr_factor": "Learning-rate factor of each rollback.",
    "max_rollbacks": "Rollbacks allowed before a NaN stops the run.",
    "deterministic": "Enable TensorFlow op determinism (bit-exact CPU runs).",
}


def parse_flags(argv: Sequence[str]) -> TrainConfig:
    """The TrainConfig of a command line (``argv[0]`` is the program).

    Flags not given take the chosen preset's recipe (``MODEL_DEFAULTS``),
    then the dataclass defaults.

    Raises:
        absl.flags.Error: For an unknown flag or a value of the wrong type.
        ValueError, TypeError: For values TrainConfig refuses, for a flag
            that the chosen kind of run does not read, and for a positional
            argument.
    """
    from absl import flags

    values = flags.FlagValues()
    _flags.define(values, TrainConfig, _HELPS)
    _flags.parse(values, argv)
    given = {name for name in _HELPS if values[name].present}
    model = values["model"].value
    for name, value in MODEL_DEFAULTS.get(model, {}).items():
        if name not in given:
            values[name].value = value
    if "steps_per_execution" not in given:
        settings = {name: values[name].value for name in _HELPS}
        values["steps_per_execution"].value = _recipe_chunk(
            TrainConfig, settings["steps_per_execution"], settings
        )
    cyclegan = model == CYCLEGAN
    unused = _NOT_FOR_CYCLEGAN if cyclegan else _CYCLEGAN_ONLY
    if {"conditional", "clusters"} <= given and values["conditional"].value:
        raise ValueError(
            "--clusters and --conditional exclude each other: a conditional "
            "GAN trains on the data's own labels. Drop one of them."
        )
    if "clusters" in given and values["clusters"].value and model == "mlp_2d":
        raise ValueError(
            "--clusters applies to the dcgan presets; --model mlp_2d "
            "trains a plain GAN."
        )
    misplaced = [f"--{name}" for name in unused if name in given]
    if misplaced:
        owner = "the GAN presets" if cyclegan else "--model=cyclegan"
        raise ValueError(
            f"{', '.join(misplaced)} does not apply to --model={model} "
            f"(a setting of {owner})."
        )
    return _flags.to_config(values, TrainConfig, _HELPS)


def main(argv: Sequence[str] | None = None) -> int:
    """Parses absl flags from ``argv`` and trains; returns an exit code.

    0 on success, 2 for a usage error, 1 for a failure (unreachable data
    hosts, a corrupt file, a failed write), 130 on Ctrl-C: the policy of
    ``tfgan_lite._cli``. ``--debug`` prints the traceback of an error.
    """
    from absl import flags

    args, debug = _cli.split_debug(argv if argv is not None else sys.argv)
    if _flags.help_requested(args[1:]):
        values = flags.FlagValues()
        _flags.define(values, TrainConfig, _HELPS)
        print("usage: python -m tfgan_lite.train [--flag=value ...]\n")
        print(values.get_help(include_special_flags=False))
        print(f"\n  {_cli.DEBUG_HELP}")
        print(f"  {TF_LOG_LEVEL_HELP}")
        return 0
    # --tf_log_level took effect when the package loaded (tfgan_lite._quiet).
    return _cli.run(
        lambda: train(parse_flags(strip_tf_log_level(args))),
        debug=debug,
        failures=(NonFiniteError,),
    )


if __name__ == "__main__":
    sys.exit(main())
