"""Stacked digits, 1,000 modes: the image problem of the mode-collapse report.

Three bundled digits stacked as the channels of one 28x28 image
(``tfgan_lite.data.stacked_digits``) make 1,000 equally likely modes.
After training, 26,000 samples are scored as in PacGAN (Lin et al. 2018,
https://arxiv.org/abs/1712.04086, Section 5 and Table 2): the shipped
digits classifier labels each channel, the three labels name a mode, and
the report gives the modes with at least one sample and the reverse KL of
the mode histogram against uniform (``tfgan_lite.metrics.stacked_modes``).

``benchmarks/mode_collapse.py --problems=stacked`` runs it; this module
holds the recipes, one run and the table rows.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Sequence
from typing import NamedTuple

import harness
import keras
import numpy as np

import tfgan_lite
from tfgan_lite.train import TrainConfig

NUM_SAMPLES = 26_000
"""Samples scored per run, as in PacGAN's stacked-MNIST experiments."""

TRAIN_IMAGES = 25_600
"""Stacked images drawn once for training (PacGAN trains on 25,600)."""

IMAGE_SHAPE = (28, 28, 3)
_EVAL_SEED_OFFSET = 10_000
_TRAIN = TrainConfig()


@dataclasses.dataclass(frozen=True)
class StackedConfig:
    """One recipe for ``dcgan`` on stacked digits.

    The defaults are the train command's dcgan recipe (``TrainConfig``),
    so that the report measures what a user gets, but for the clusters
    (below) and the steps.

    Attributes:
        width, latent_dim: As in ``tfgan_lite.models.dcgan``.
        batch: Real images per step.
        lr: Adam learning rate of both players.
        beta_1: Adam's beta_1.
        r1: R1 penalty weight; 0 is off.
        ema: Decay of the generator's weight average; 0 is off.
        ema_rampup: Largest half-life of the average, as a fraction of the
            updates so far; 0 is off.
        top_k: Fraction of fakes, those D scores as most real, in G's loss
            (``GAN.compile(top_k=...)``); 1 uses all.
        top_k_steps: Generator updates over which that fraction falls from
            1 to ``top_k``; 0 starts at ``top_k``.
        steps: Generator updates.
        pack: PacGAN pack size of D; 1 is off.
        mbstd: Give D a minibatch standard deviation feature.
        clusters: k-means clusters both players are conditioned on (a
            ``ClusteredGAN``); 0 trains a plain GAN. 0 here, unlike the
            digits recipe: on stacked digits, seed 0, 3,200 steps, 25
            clusters gave reverse KL 0.202 and 100 gave 0.180, against
            0.162 without.
        max_seconds: Stop training after this many seconds; 0 trains all
            ``steps``.
    """

    width: int = _TRAIN.width
    latent_dim: int = _TRAIN.latent_dim
    batch: int = _TRAIN.batch_size
    lr: float = _TRAIN.lr
    beta_1: float = _TRAIN.beta_1
    r1: float = _TRAIN.r1_penalty
    ema: float = _TRAIN.ema
    ema_rampup: float = _TRAIN.ema_rampup
    top_k: float = _TRAIN.top_k
    top_k_steps: int = _TRAIN.top_k_steps
    # 6,400 steps of 32 (8 passes over the 25,600 images): at 3,200 the
    # mode histogram was further from uniform (reverse KL 0.162, seed 0).
    steps: int = 6_400
    pack: int = 1
    mbstd: bool = False
    clusters: int = 0
    max_seconds: float = 0.0


RECIPE = StackedConfig()

# DCGAN as published: batch 64, Adam(2e-4, 0.5), no penalty.
PLAIN = dataclasses.replace(
    RECIPE,
    batch=64,
    lr=2e-4,
    r1=0.0,
    ema=0.0,
    top_k=1.0,
    top_k_steps=0,
)

QUICK = {"steps": 20, "batch": 32}
"""What ``--quick`` changes, for smoke runs."""


def variants(recipe: StackedConfig = RECIPE) -> dict[str, StackedConfig]:
    """The variants of ``mode_collapse.VARIANTS``, for stacked digits."""
    plain_steps = max(1, recipe.steps * recipe.batch // PLAIN.batch)
    return {
        "default": recipe,
        "plain": dataclasses.replace(PLAIN, steps=plain_steps),
        "pack4": dataclasses.replace(recipe, pack=4),
        "mbstd": dataclasses.replace(recipe, mbstd=True),
    }


def describe(config: StackedConfig) -> str:
    """A short one-line description of a recipe."""
    parts = [
        f"dcgan {IMAGE_SHAPE}, width {config.width}",
        f"z {config.latent_dim}",
        f"Adam({config.lr:g}, {config.beta_1:g})",
        f"batch {config.batch}",
        f"{config.steps} steps",
    ]
    if config.r1:
        parts.append(f"R1 {config.r1:g}")
    if config.ema:
        parts.append(f"EMA {config.ema:g}")
        if config.ema_rampup:
            parts.append(f"ramp-up {config.ema_rampup:g}")
    if config.top_k < 1:
        parts.append(f"top-k {config.top_k:g} over {config.top_k_steps} steps")
    if config.pack > 1:
        parts.append(f"pack {config.pack}")
    if config.mbstd:
        parts.append("mbstd")
    if config.clusters:
        parts.append(f"{config.clusters} clusters")
    return ", ".join(parts)


class Published(NamedTuple):
    """One published stacked-MNIST row."""

    method: str
    modes: str
    reverse_kl: str


PUBLISHED = (
    Published("DCGAN", "99", "3.40"),
    Published("PacDCGAN2-4", "1,000", "0.06-0.07"),
)
"""Lin et al. 2018 (https://arxiv.org/abs/1712.04086), Table 2."""

TABLE_HEADER = ("variant", "seeds", "modes", "reverse KL", "steps", "s / run")


class StackedResult(NamedTuple):
    """One trained and scored run."""

    modes: int
    reverse_kl: float
    seconds: float
    train_seconds: float
    steps: int
    samples: np.ndarray


def build_gan(config: StackedConfig, seed: int) -> tfgan_lite.GAN:
    """A compiled GAN for ``config``, weights drawn from ``seed``."""
    keras.utils.set_random_seed(seed)
    if config.clusters:
        generator, discriminator = tfgan_lite.models.clustered_dcgan(
            IMAGE_SHAPE,
            config.clusters,
            latent_dim=config.latent_dim,
            width=config.width,
        )
        gan = tfgan_lite.ClusteredGAN(
            generator, discriminator, num_clusters=config.clusters, seed=seed
        )
    else:
        generator, discriminator = tfgan_lite.models.dcgan(
            IMAGE_SHAPE,
            latent_dim=config.latent_dim,
            width=config.width,
            pack=config.pack,
            minibatch_stddev=config.mbstd,
        )
        gan = tfgan_lite.GAN(generator, discriminator, seed=seed)
    gan.compile(
        keras.optimizers.Adam(config.lr, beta_1=config.beta_1),
        keras.optimizers.Adam(config.lr, beta_1=config.beta_1),
        "non_saturating",
        r1_penalty=config.r1,
        top_k=config.top_k,
        top_k_steps=config.top_k_steps,
    )
    return gan


def train_and_score(
    config: StackedConfig, seed: int, *, num_samples: int = NUM_SAMPLES
) -> StackedResult:
    """Trains ``config`` on stacked digits and counts its samples' modes."""
    start = time.perf_counter()
    gan = build_gan(config, seed)
    dataset = tfgan_lite.data.stacked_digits(
        TRAIN_IMAGES, batch_size=config.batch, seed=seed
    ).repeat()
    callbacks = []
    if config.max_seconds:
        callbacks.append(harness.TimeLimit(config.max_seconds))
    if config.ema:
        callbacks.append(
            tfgan_lite.callbacks.EMAGenerator(
                config.ema, rampup=config.ema_rampup or None
            )
        )
    fit_start = time.perf_counter()
    gan.fit(
        dataset,
        epochs=1,
        steps_per_epoch=config.steps,
        callbacks=callbacks,
        verbose=0,
    )
    train_seconds = time.perf_counter() - fit_start
    samples = gan.generate(num_samples, seed=seed + _EVAL_SEED_OFFSET)
    score = tfgan_lite.metrics.stacked_modes(samples)
    return StackedResult(
        score.modes,
        score.reverse_kl,
        time.perf_counter() - start,
        train_seconds,
        int(gan.g_optimizer.iterations.numpy()),
        samples,
    )


def result_row(name: str, results: Sequence[StackedResult]) -> list[str]:
    """One table row of a variant's runs."""
    return [
        name,
        str(len(results)),
        harness.format_mean_se([r.modes for r in results]),
        harness.format_mean_se([r.reverse_kl for r in results], digits=3),
        f"{statistics.median(r.steps for r in results):,.0f}",
        f"{statistics.median(r.seconds for r in results):.0f}",
    ]


def real_row(num_samples: int = NUM_SAMPLES, seed: int = 1) -> list[str]:
    """The table row of real stacked digits, scored like the samples.

    A uniform draw of N images over 1,000 modes has an expected reverse
    KL of about 999 / (2 N) (0.02 for 26,000) and the classifier's errors
    add to it, so this row is the floor that a generator can reach.
    """
    images, _ = tfgan_lite.data.stacked_digits_arrays(num_samples, seed=seed)
    score = tfgan_lite.metrics.stacked_modes(images)
    return [
        f"real stacked digits ({num_samples:,})",
        "",
        str(score.modes),
        f"{score.reverse_kl:.3f}",
        "",
        "",
    ]


def published_rows() -> list[list[str]]:
    """Table rows for the published numbers."""
    return [
        [f"{p.method} (PacGAN, Table 2)", "", p.modes, p.reverse_kl, "", ""]
        for p in PUBLISHED
    ]
