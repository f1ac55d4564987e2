"""Mode collapse on PacGAN's problems, against published numbers.

Trains GAN variants on PacGAN's 2-D ring (8 modes, radius 1, std 0.01) and
grid (25 modes, spacing 2, std 0.05) and scores 2,500 samples of each run
with PacGAN's definitions (``tfgan_lite.metrics.mixture_modes``): a sample
is high quality within 3 std of its nearest center, a mode is captured when
a high-quality sample lands on it, and reverse KL compares the captured
histogram with the uniform one. On stacked digits (1,000 modes, see
``stacked.py``) it trains the DCGAN recipe and counts the modes of 26,000
samples with the shipped digits classifier. Prints one markdown report
(header, results beside Lin et al. 2018, Tables 1 and 2, and VEEGAN) ready
to paste into docs/mode-collapse.md, and saves one picture per problem:

    python benchmarks/mode_collapse.py                    # full run
    python benchmarks/mode_collapse.py --quick            # smoke run
    python benchmarks/mode_collapse.py --problems=grid --seeds=2 \\
        --variants=default --overrides=r1_penalty=1,ema=0.99  # screening
    python benchmarks/mode_collapse.py --problems=stacked --seeds=3

Every variant is built by the train command's own ``build``
(``tfgan_lite.train.build``, through ``harness.train_variant``).

Variants (``VARIANTS``; ``stacked.variants`` for stacked digits):
    plain     The old default of ``train.py --model mlp_2d``: the plain
              non-saturating GAN of PacGAN's baseline, hidden 64 (depth 3),
              latent 64, Adam(2e-4, 0.5), batch 64; on stacked digits the
              published DCGAN recipe (batch 64, Adam(2e-4, 0.5), no R1). It
              gets the same wall time as ``default``: the median of
              default's runs on the problem when both run in one
              invocation, else ``--plain_seconds``; and at most as many
              real samples as ``default`` sees (steps scaled by the batch
              ratio).
    default   The library's recipe (``RECIPE``, the train command's mlp_2d
              recipe; ``stacked.RECIPE`` is its DCGAN recipe).
    pack4     ``default`` with a PacGAN discriminator, pack=4.
    mbstd     ``default`` with a minibatch-stddev feature in D.

Nothing is asserted. Wall time is per run (build, train and score) on a
machine that may be shared: the table quotes the median over seeds.
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import harness
import numpy as np
import stacked
import tensorflow as tf
from absl import app, flags

import tfgan_lite
from tfgan_lite.callbacks import scatter as scatter_lib
from tfgan_lite.metrics import modes as modes_lib
from tfgan_lite.train import RECIPES, TrainConfig

FLAGS = flags.FLAGS

NUM_SAMPLES = 2_500
# Evaluation latents come from another seed than training's noise stream.
_EVAL_SEED_OFFSET = 10_000


# --------------------------------------------------------------------------
# Problems.


class Problem(NamedTuple):
    """A mixture with known modes.

    Attributes:
        name: Flag value.
        sample: ``sample(n, seed)`` returns n float32 training points.
        centers: The (M, 2) mode centers.
        std: Standard deviation of each mode, per coordinate.
        extent: Half width of the square that the picture shows.
    """

    name: str
    sample: Callable[[int, int], np.ndarray]
    centers: np.ndarray
    std: float
    extent: float


def _ring(n: int, seed: int) -> np.ndarray:
    return tfgan_lite.data.ring(n, seed=seed)[0]


def _grid(n: int, seed: int) -> np.ndarray:
    return tfgan_lite.data.grid(n, seed=seed)[0]


def _problems() -> dict[str, Problem]:
    # Stacked digits, an image problem, lives in stacked.py.
    return {
        "ring": Problem("ring", _ring, modes_lib.ring_centers(), 0.01, 1.5),
        "grid": Problem("grid", _grid, modes_lib.grid_centers(), 0.05, 5.5),
    }


PROBLEMS = ("ring", "grid", "stacked")


# --------------------------------------------------------------------------
# Published numbers.


class Published(NamedTuple):
    """One published row: mean modes and high-quality percentage."""

    source: str
    method: str
    problem: str
    modes: float
    high_quality: float


PUBLISHED = (
    Published("PacGAN, Table 1", "GAN", "ring", 6.3, 98.2),
    Published("PacGAN, Table 1", "GAN", "grid", 17.3, 94.8),
    Published("PacGAN, Table 1", "PacGAN4", "ring", 7.8, 95.9),
    Published("PacGAN, Table 1", "PacGAN4", "grid", 24.8, 93.6),
    Published("VEEGAN, Table 1", "VEEGAN", "grid", 24.6, 40.0),
)
"""Lin et al. 2018 (https://arxiv.org/abs/1712.04086), Table 1, and
Srivastava et al. 2017 (https://arxiv.org/abs/1705.07761), Table 1."""


# --------------------------------------------------------------------------
# Variants.


RECIPE = harness.with_steps(RECIPES["mlp_2d"], 45_000)
"""The library's recipe for 2-D mixtures: the train command's mlp_2d recipe.

MLPs of 3 x 128 for both players, latent 4, non-saturating loss, Adam(1e-3,
0.5) for both, batch 256, 45,000 steps in chunks of 10 per call of the
train function, R1 0.1 and sampling from an EMA of the generator's
weights (decay 0.999). Screening (see BUILD.md) found the number of steps
the main lever for sample quality, R1 the one for grid coverage, the EMA
copy worth 6-58 points of high-quality samples on the ring (PacGAN's std
0.01 modes) over the training weights, and a latent of 4 rather than 8
worth about 2 points on the grid: the misses are bridges of samples between
modes, which a smaller latent and longer training thin (grid: 94.1% at
20,000 steps, 94.9% at 30,000, 96.9% at 45,000; means of 5 seeds). The
chunks make room for the 45,000 steps within 3 minutes a run.
"""

# PacGAN's baseline: hidden 64, latent 64, Adam(2e-4, 0.5), batch 64.
_PLAIN = {
    "width": 64,
    "latent_dim": 64,
    "lr": 2e-4,
    "batch_size": 64,
    "r1_penalty": 0.0,
    "ema": 0.0,
    "top_k": 1.0,
    "top_k_steps": 0,
}


def variants(recipe: TrainConfig = RECIPE) -> dict[str, harness.Variant]:
    """The benchmark's variants, built around ``recipe``."""
    plain = dataclasses.replace(recipe, **_PLAIN)
    # Same number of real points seen as the recipe.
    steps = harness.total_steps(recipe) * recipe.batch_size // plain.batch_size
    return {
        "plain": harness.Variant(harness.with_steps(plain, steps)),
        "default": harness.Variant(recipe),
        "pack4": harness.Variant(recipe, {"pack": 4}),
        "mbstd": harness.Variant(recipe, {"minibatch_stddev": True}),
    }


# default runs first: plain's time budget is default's median time.
VARIANTS = ("default", "plain", "pack4", "mbstd")

QUICK = {"steps": 50, "batch_size": 64}
"""What ``--quick`` changes in the recipe (steps of the run), for smoke runs."""


def quick(recipe: TrainConfig) -> TrainConfig:
    """``recipe`` cut to ``QUICK``."""
    smaller = dataclasses.replace(recipe, batch_size=QUICK["batch_size"])
    return harness.with_steps(smaller, QUICK["steps"])


# --------------------------------------------------------------------------
# Runs.


class RunResult(NamedTuple):
    """One trained and scored run."""

    modes: int
    high_quality: float
    reverse_kl: float
    seconds: float
    train_seconds: float
    steps: int
    samples: np.ndarray


def train_and_score(
    problem: Problem,
    variant: harness.Variant,
    seed: int,
    *,
    verbose: int = 0,
    verbose_raw: bool = True,
) -> RunResult:
    """Trains ``variant`` on ``problem`` and scores 2,500 samples."""
    start = time.perf_counter()
    config = dataclasses.replace(variant.config, dataset=problem.name)
    gan, train_seconds = harness.train_variant(
        variant._replace(config=config), seed, verbose=verbose
    )
    samples = gan.generate(NUM_SAMPLES, seed=seed + _EVAL_SEED_OFFSET)
    seconds = time.perf_counter() - start
    score = modes_lib.mixture_modes(samples, problem.centers, std=problem.std)
    if config.ema and verbose_raw:
        # The training weights too, to see what the average adds.
        raw = modes_lib.mixture_modes(
            gan.generate(
                NUM_SAMPLES, seed=seed + _EVAL_SEED_OFFSET, use_ema=False
            ),
            problem.centers,
            std=problem.std,
        )
        print(
            f"  without EMA: {raw.modes} modes, "
            f"{100 * raw.high_quality:.1f}% HQ",
            file=sys.stderr,
        )
    return RunResult(
        score.modes,
        score.high_quality,
        score.reverse_kl,
        seconds,
        train_seconds,
        int(gan.g_optimizer.iterations.numpy()),
        samples,
    )


# --------------------------------------------------------------------------
# Formatting.


def describe(variant: harness.Variant) -> str:
    """A short one-line description of a recipe."""
    config, networks = variant.config, variant.networks
    parts = [
        f"MLP {config.width}x3",
        f"z {config.latent_dim}",
        config.loss,
        f"Adam({config.lr:g}, {config.beta_1:g})",
        f"batch {config.batch_size}",
        f"{harness.total_steps(config)} steps",
    ]
    if config.r1_penalty:
        parts.append(f"R1 {config.r1_penalty:g}")
    if config.ema:
        parts.append(f"EMA {config.ema:g}")
    if config.top_k < 1:
        parts.append(f"top-k {config.top_k:g} over {config.top_k_steps} steps")
    if networks.get("pack", 1) > 1:
        parts.append(f"pack {networks['pack']}")
    if networks.get("minibatch_stddev"):
        parts.append("mbstd")
    return ", ".join(parts)


def published_rows(problem: str) -> list[list[str]]:
    """Table rows for the published numbers on ``problem``."""
    return [
        [
            f"{p.method} ({p.source})",
            "",
            f"{p.modes:.1f}",
            f"{p.high_quality:.1f}",
            "",
            "",
            "",
        ]
        for p in PUBLISHED
        if p.problem == problem
    ]


def result_row(name: str, results: Sequence[RunResult]) -> list[str]:
    """One table row of a variant's runs."""
    return [
        name,
        str(len(results)),
        harness.format_mean_se([r.modes for r in results]),
        harness.format_mean_se([100 * r.high_quality for r in results]),
        harness.format_mean_se([r.reverse_kl for r in results], digits=3),
        f"{statistics.median(r.steps for r in results):,.0f}",
        f"{statistics.median(r.seconds for r in results):.0f}",
    ]


TABLE_HEADER = (
    "variant",
    "seeds",
    "modes",
    "high quality %",
    "reverse KL",
    "steps",
    "s / run",
)


# --------------------------------------------------------------------------
# Pictures.


def render_figure(
    samples: np.ndarray,
    problem: Problem,
    *,
    real: np.ndarray | None = None,
    size: int = 480,
) -> np.ndarray:
    """The whole mixture beside a zoom on its first mode, as one image."""
    return scatter_lib.scatter_figure(
        samples,
        problem.centers,
        std=problem.std,
        extent=problem.extent,
        real=real,
        size=size,
    )


def write_png(image: np.ndarray, path: str) -> None:
    """Writes a uint8 (H, W, 3) array as a PNG file."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tf.io.write_file(path, tf.io.encode_png(tf.constant(image)))


# --------------------------------------------------------------------------
# Main.


def _header(
    recipe: TrainConfig, stacked_recipe: TrainConfig, seeds: int
) -> list[str]:
    return [
        *harness.report_header(
            "tfgan_lite mode collapse: PacGAN's 2-D ring and grid, and "
            "stacked digits"
        ),
        f"- Recipe (default, 2-D): {describe(harness.Variant(recipe))}",
        "- Recipe (default, stacked): "
        f"{stacked.describe(harness.Variant(stacked_recipe))}",
        f"- Protocol: {seeds} seed(s) per variant; mean ± standard error "
        "over seeds; wall time per run (build, train, score) is the median "
        f"over seeds. 2-D: {NUM_SAMPLES:,} samples per run scored with "
        "PacGAN's definitions (high quality: within 3 std of the nearest "
        f"center). Stacked: {stacked.NUM_SAMPLES:,} samples per run, each "
        "channel labelled by the shipped digits classifier (digits_cnn_v1).",
        "",
    ]


def _check_choices(values, known, flag) -> list[str]:
    values = [v.strip() for v in values]
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise app.UsageError(
            f"Unknown --{flag} {unknown}; choose from {known}."
        )
    return values


def run_benchmark(
    problems: Sequence[str],
    names: Sequence[str],
    recipe: TrainConfig,
    seeds: Sequence[int],
    *,
    stacked_recipe: TrainConfig = stacked.RECIPE,
    stacked_samples: int = stacked.NUM_SAMPLES,
    plot_dir: str | None = None,
    plain_seconds: Mapping[str, float] | None = None,
) -> list[str]:
    """Trains every variant on every problem and seed.

    Args:
        problems: Names from ``PROBLEMS``.
        names: Variant names from ``VARIANTS``.
        recipe: The 2-D default recipe that the variants are built around.
        seeds: Seeds of the runs of each variant.
        stacked_recipe: The default recipe on stacked digits.
        stacked_samples: Samples scored per stacked-digits run.
        plot_dir: Where to save the picture of ``default``'s first seed per
            problem; None saves none.
        plain_seconds: Training seconds of ``plain`` per problem, for
            problems where ``default`` is not run too; a missing problem
            trains it on as many points as ``default``.

    Returns:
        The report's lines (header, then one table per problem).
    """
    configs = variants(recipe)
    table_problems = _problems()
    report = _header(recipe, stacked_recipe, len(seeds))
    if any(p != "stacked" for p in problems):
        for name in names:
            report.append(f"- {name}: {describe(configs[name])}")
        report.append("")
    for problem_name in problems:
        budget = (plain_seconds or {}).get(problem_name, 0.0)
        if problem_name == "stacked":
            report += _stacked_section(
                names,
                stacked_recipe,
                seeds,
                num_samples=stacked_samples,
                plot_dir=plot_dir,
                plain_seconds=budget,
            )
            continue
        problem = table_problems[problem_name]
        rows = []
        for name in names:
            variant = configs[name]
            if name == "plain" and budget:
                variant = variant._replace(max_seconds=budget)
            results = []
            for seed in seeds:
                result = train_and_score(problem, variant, seed)
                results.append(result)
                print(
                    f"{problem_name} {name} seed {seed}: {result.modes} "
                    f"modes, {100 * result.high_quality:.1f}% HQ, "
                    f"KL {result.reverse_kl:.3f}, {result.seconds:.0f} s, "
                    f"{result.steps} steps",
                    file=sys.stderr,
                    flush=True,
                )
                first = seed == seeds[0]
                if plot_dir is not None and name == "default" and first:
                    image = render_figure(
                        result.samples,
                        problem,
                        real=problem.sample(NUM_SAMPLES, 1),
                    )
                    path = os.path.join(
                        plot_dir, f"mode_collapse_{problem_name}.png"
                    )
                    write_png(image, path)
            rows.append(result_row(name, results))
            if name == "default":
                budget = statistics.median(r.train_seconds for r in results)
        report += [f"### {problem_name}", ""]
        report += harness.markdown_table(
            TABLE_HEADER, rows + published_rows(problem_name), align="llrrrrr"
        )
        report.append("")
    return report


def _stacked_section(
    names: Sequence[str],
    recipe: TrainConfig,
    seeds: Sequence[int],
    *,
    num_samples: int,
    plot_dir: str | None,
    plain_seconds: float,
) -> list[str]:
    """Runs the variants on stacked digits; returns the report's section."""
    configs = stacked.variants(recipe)
    rows = []
    budget = plain_seconds
    lines = ["### stacked", ""]
    for name in names:
        variant = configs[name]
        if name == "plain" and budget:
            variant = variant._replace(max_seconds=budget)
        lines.append(f"- {name}: {stacked.describe(variant)}")
        results = []
        for seed in seeds:
            result = stacked.train_and_score(
                variant, seed, num_samples=num_samples
            )
            results.append(result)
            print(
                f"stacked {name} seed {seed}: {result.modes} modes, "
                f"KL {result.reverse_kl:.3f}, {result.seconds:.0f} s, "
                f"{result.steps} steps",
                file=sys.stderr,
                flush=True,
            )
            if plot_dir is not None and name == "default" and seed == seeds[0]:
                grid = tfgan_lite.callbacks.make_grid(result.samples[:64])
                write_png(grid, os.path.join(plot_dir, _STACKED_PICTURE))
        rows.append(stacked.result_row(name, results))
        if name == "default":
            budget = statistics.median(r.train_seconds for r in results)
    lines.append("")
    lines += harness.markdown_table(
        stacked.TABLE_HEADER,
        rows + [stacked.real_row(num_samples)] + stacked.published_rows(),
        align="llrrrr",
    )
    lines.append("")
    return lines


_STACKED_PICTURE = "mode_collapse_stacked.png"


def _define_flags() -> None:
    # Defined only when run as a script: importing the module (tests, other
    # benchmarks with flags of the same names) must not touch FLAGS.
    flags.DEFINE_list("problems", list(PROBLEMS), f"Subset of {PROBLEMS}.")
    flags.DEFINE_integer("seeds", 5, "Seeds per variant.", lower_bound=1)
    flags.DEFINE_integer("first_seed", 0, "First seed.", lower_bound=0)
    flags.DEFINE_list("variants", list(VARIANTS), f"Subset of {VARIANTS}.")
    flags.DEFINE_integer(
        "steps",
        None,
        "Generator updates of the 2-D recipe; plain's are scaled to see as "
        "many points.",
        lower_bound=1,
    )
    flags.DEFINE_integer(
        "stacked_steps",
        None,
        "Generator updates of the stacked-digits recipe.",
        lower_bound=1,
    )
    flags.DEFINE_list(
        "overrides",
        [],
        "name=value changes to the 2-D recipe (TrainConfig fields, as the "
        "train command's flags), e.g. r1_penalty=1,ema=0.99.",
    )
    flags.DEFINE_bool(
        "quick",
        False,
        "Smoke run: 1 seed, a few steps, 500 stacked samples, no pictures.",
    )
    flags.DEFINE_string("plot_dir", "docs", "Folder of the pictures.")
    flags.DEFINE_bool("plots", True, "Save the pictures.")
    flags.DEFINE_list(
        "plain_seconds",
        [],
        "problem:seconds items: training time of plain when default is not "
        "run in the same invocation, e.g. ring:118,grid:199; a problem left "
        "out gives plain as many real points as default.",
    )


def _parse_seconds(items: Sequence[str]) -> dict[str, float]:
    seconds = {}
    for item in items:
        problem, sep, value = item.partition(":")
        if not sep or problem.strip() not in PROBLEMS:
            raise app.UsageError(
                f"--plain_seconds takes problem:seconds items, got {item!r}."
            )
        seconds[problem.strip()] = float(value)
    return seconds


def main(argv: Sequence[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    problems = _check_choices(FLAGS.problems, PROBLEMS, "problems")
    names = _check_choices(FLAGS.variants, VARIANTS, "variants")
    try:
        recipe = harness.apply_overrides(RECIPE, FLAGS.overrides)
    except ValueError as e:
        raise app.UsageError(str(e)) from None
    if FLAGS.steps:
        recipe = harness.with_steps(recipe, FLAGS.steps)
    stacked_recipe = stacked.RECIPE
    if FLAGS.stacked_steps:
        stacked_recipe = harness.with_steps(stacked_recipe, FLAGS.stacked_steps)
    stacked_samples = stacked.NUM_SAMPLES
    seeds = range(FLAGS.first_seed, FLAGS.first_seed + FLAGS.seeds)
    plot_dir = FLAGS.plot_dir if FLAGS.plots else None
    if FLAGS.quick:
        recipe = quick(recipe)
        stacked_recipe = stacked.quick(stacked_recipe)
        stacked_samples = 500
        seeds, plot_dir = [FLAGS.first_seed], None
    report = run_benchmark(
        problems,
        names,
        recipe,
        seeds,
        stacked_recipe=stacked_recipe,
        stacked_samples=stacked_samples,
        plot_dir=plot_dir,
        plain_seconds=_parse_seconds(FLAGS.plain_seconds),
    )
    print("\n".join(report), flush=True)


if __name__ == "__main__":
    _define_flags()
    app.run(main)
