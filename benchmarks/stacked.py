"""Stacked digits, 1,000 modes: the image problem of the mode-collapse report.

Three bundled digits stacked as the channels of one 28x28 image
(``tfgan_lite.data.stacked_digits``) make 1,000 equally likely modes.
After training, 26,000 samples are scored as in PacGAN (Lin et al. 2018,
https://arxiv.org/abs/1712.04086, Section 5 and Table 2): the shipped
digits classifier labels each channel, the three labels name a mode, and
the report gives the modes with at least one sample and the reverse KL of
the mode histogram against uniform (``tfgan_lite.metrics.stacked_modes``).

``benchmarks/mode_collapse.py --problems=stacked`` runs it; this module
holds the recipes, one run (built by the train command's own ``build``,
with this data) and the table rows.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Sequence
from typing import NamedTuple

import harness
import numpy as np

import tfgan_lite
from tfgan_lite.train import TrainConfig

NUM_SAMPLES = 26_000
"""Samples scored per run, as in PacGAN's stacked-MNIST experiments."""

TRAIN_IMAGES = 25_600
"""Stacked images drawn once for training (PacGAN trains on 25,600)."""

IMAGE_SHAPE = (28, 28, 3)
_EVAL_SEED_OFFSET = 10_000

RECIPE = harness.with_steps(
    dataclasses.replace(TrainConfig(), clusters=0, metrics_every=0), 6_400
)
"""The train command's dcgan recipe on stacked digits, but for two things.

No clusters: on stacked digits, seed 0, 3,200 steps, 25 clusters gave
reverse KL 0.202 and 100 gave 0.180, against 0.162 without. And 6,400
steps of 32 (8 passes over the 25,600 images): at 3,200 the mode
histogram was further from uniform (reverse KL 0.162, seed 0). The
networks take the data's shape, 28x28 with 3 channels.
"""

# DCGAN as published: batch 64, Adam(2e-4, 0.5), no penalty.
_PLAIN = {
    "batch_size": 64,
    "lr": 2e-4,
    "r1_penalty": 0.0,
    "ema": 0.0,
    "top_k": 1.0,
    "top_k_steps": 0,
}

QUICK = {"steps": 20, "batch_size": 32}
"""What ``--quick`` changes (steps of the run), for smoke runs."""


def quick(recipe: TrainConfig) -> TrainConfig:
    """``recipe`` cut to ``QUICK``."""
    smaller = dataclasses.replace(recipe, batch_size=QUICK["batch_size"])
    return harness.with_steps(smaller, QUICK["steps"])


def variants(recipe: TrainConfig = RECIPE) -> dict[str, harness.Variant]:
    """The variants of ``mode_collapse.VARIANTS``, for stacked digits."""
    plain = dataclasses.replace(recipe, **_PLAIN)
    steps = harness.total_steps(recipe) * recipe.batch_size
    steps = max(1, steps // plain.batch_size)
    return {
        "default": harness.Variant(recipe),
        "plain": harness.Variant(harness.with_steps(plain, steps)),
        "pack4": harness.Variant(recipe, {"pack": 4}),
        "mbstd": harness.Variant(recipe, {"minibatch_stddev": True}),
    }


def describe(variant: harness.Variant) -> str:
    """A short one-line description of a recipe."""
    config, networks = variant.config, variant.networks
    parts = [
        f"dcgan {IMAGE_SHAPE}, width {config.width}",
        f"z {config.latent_dim}",
        f"Adam({config.lr:g}, {config.beta_1:g})",
        f"batch {config.batch_size}",
        f"{harness.total_steps(config)} steps",
    ]
    if config.r1_penalty:
        parts.append(f"R1 {config.r1_penalty:g}")
    if config.ema:
        parts.append(f"EMA {config.ema:g}")
        if config.ema_rampup:
            parts.append(f"ramp-up {config.ema_rampup:g}")
    if config.top_k < 1:
        parts.append(f"top-k {config.top_k:g} over {config.top_k_steps} steps")
    if networks.get("pack", 1) > 1:
        parts.append(f"pack {networks['pack']}")
    if networks.get("minibatch_stddev"):
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


def train_and_score(
    variant: harness.Variant, seed: int, *, num_samples: int = NUM_SAMPLES
) -> StackedResult:
    """Trains ``variant`` on stacked digits and counts its samples' modes."""
    start = time.perf_counter()
    batch_size = variant.config.batch_size

    def images():
        return tfgan_lite.data.stacked_digits(
            TRAIN_IMAGES, batch_size=batch_size, seed=seed
        )

    gan, train_seconds = harness.train_variant(variant, seed, dataset=images)
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
