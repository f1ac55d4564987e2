"""The evaluation command: ``python -m tfgan_lite.evaluate``.

Measures a trained generator against real data, offline, and prints a table
with the feature extractor named above it (``--json`` prints JSON instead):

* image data: FD, KID, precision, recall, density, coverage and (with a
  classifier) the classifier score, each beside what real data scores on
  the same scale (see :mod:`tfgan_lite.metrics.quality`);
* the 2-D ring and grid: modes captured, high-quality fraction and reverse
  KL, with PacGAN's definitions (:func:`tfgan_lite.metrics.mixture_modes`).

absl flags become one typed :class:`EvaluateConfig`, which
:func:`evaluate` turns into a result; tests call :func:`evaluate` directly.

Example:
    python -m tfgan_lite.evaluate --model runs/default/model.keras \\
        --dataset digits
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

# Nothing here imports TensorFlow or Keras at module level: a usage error
# is reported before they load (the metrics, the models and the data are
# imported inside the functions that use them).
from tfgan_lite import _files
from tfgan_lite._validation import check_choice, check_int
from tfgan_lite.commands import _cli, _flags
from tfgan_lite.commands import quiet as _quiet

__all__ = [
    "EXTRACTORS",
    "EvaluateConfig",
    "evaluate",
    "format_result",
    "main",
    "summary_lines",
    "write_run_metrics",
]

EXTRACTORS = ("auto", "digits", "random", "inception")
# Datasets of handwritten digits, which the shipped classifier knows.
_DIGIT_DATASETS = ("digits", "mnist")
# PacGAN measures 2-D mixtures on 2,500 samples.
_MIXTURE_SAMPLES = 2_500


@dataclasses.dataclass(frozen=True)
class EvaluateConfig:
    """What to evaluate, against what, and how.

    Attributes:
        model: A ``.keras`` file holding a ``tfgan_lite.GAN``.
        dataset: The real data: "digits", a tfds name ("mnist", ...),
            "ring", "grid", or a folder of images.
        extractor: "auto" (the digits classifier for digit datasets, else
            a random embedding), "digits", "random" or "inception".
        inception_weights: Local InceptionV3 weights file, for
            ``extractor="inception"``; nothing is downloaded.
        num_real: Real images to compare against (split into halves).
        seed: Seed of the generated samples and of the real split.
        json: Print JSON instead of a table.
    """

    model: str = "runs/default/model.keras"
    dataset: str = "digits"
    extractor: str = "auto"
    inception_weights: str = ""
    num_real: int = 2_000
    seed: int = 0
    json: bool = False

    def __post_init__(self):
        check_choice(self.extractor, "--extractor", EXTRACTORS)
        check_int(self.num_real, "--num_real", minimum=8)
        check_int(self.seed, "--seed", minimum=0)
        if self.extractor == "inception" and not self.inception_weights:
            raise ValueError(
                "--extractor=inception needs --inception_weights=PATH, a "
                "local InceptionV3 weights file (nothing is downloaded)."
            )


def _load_gan(path: str):
    from tfgan_lite.gans.gan import GAN

    model = _files.load_keras(
        path,
        hint="Pass --model=RUN_DIR/model.keras, the file python -m "
        "tfgan_lite.train writes.",
        remedy="Train again to write it anew, or evaluate the last good "
        "model of the run, RUN_DIR/checkpoints/last.keras.",
    )
    if not isinstance(model, GAN):
        raise TypeError(
            f"{path} holds a {type(model).__name__}, not a tfgan_lite.GAN."
        )
    return model


def _real_images(config: EvaluateConfig, sample_shape) -> np.ndarray:
    from tfgan_lite import data as data_lib

    height, width, channels = sample_shape
    batch = min(config.num_real, 256)
    dataset = data_lib.load(
        config.dataset,
        image_size=(height, width),
        channels=channels,
        batch_size=batch,
        seed=config.seed,
    )
    parts, count = [], 0
    for element in dataset:
        images = element[0] if isinstance(element, tuple) else element
        parts.append(images.numpy())
        count += len(parts[-1])
        if count >= config.num_real:
            break
    return np.concatenate(parts)[: config.num_real]


def _extractor(config: EvaluateConfig, sample_shape):
    from tfgan_lite.metrics import features as features_lib

    height, width, channels = sample_shape
    name = config.extractor
    if name == "auto":
        digits = config.dataset in _DIGIT_DATASETS and channels == 1
        name = "digits" if digits else "random"
    if name == "digits":
        return features_lib.digits_classifier()
    if name == "inception":
        return features_lib.inception_v3(config.inception_weights)
    return features_lib.random_embedding(
        seed=0, image_size=(height, width), channels=channels, dim=64
    )


def evaluate(config: EvaluateConfig) -> dict[str, Any]:
    """Evaluates ``config.model`` on ``config.dataset``.

    Returns:
        For images, :func:`tfgan_lite.metrics.quality.as_dict` of the
        report; for the 2-D mixtures, ``{"dataset", "num_samples",
        "modes", "num_modes", "high_quality", "reverse_kl"}``.

    Raises:
        FileNotFoundError: If the model file (or InceptionV3 weights file)
            does not exist.
        tfgan_lite._files.CorruptFileError: A ValueError, if the model file
            is truncated or corrupt.
        TypeError, ValueError: If the file is not a GAN, or the dataset
            does not fit its samples.
    """
    from tfgan_lite.metrics import modes as modes_lib
    from tfgan_lite.metrics import quality

    gan = _load_gan(config.model)
    shape = tuple(gan.sample_shape)
    if config.dataset in ("ring", "grid"):
        if shape != (2,):
            raise ValueError(
                f"--dataset={config.dataset} holds 2-D points, but the "
                f"model makes samples of shape {shape}."
            )
        centers, std = modes_lib.known_mixture(config.dataset)
        samples = gan.generate(_MIXTURE_SAMPLES, seed=config.seed)
        result = modes_lib.mixture_modes(samples, centers, std=std)
        return {
            "dataset": config.dataset,
            "num_samples": result.num_samples,
            "modes": result.modes,
            "num_modes": len(centers),
            "high_quality": result.high_quality,
            "reverse_kl": result.reverse_kl,
        }
    if len(shape) != 3:
        raise ValueError(
            f"The model makes samples of shape {shape}; evaluate needs "
            "images (H, W, C), or --dataset=ring/grid for 2-D points."
        )
    real = _real_images(config, shape)
    reference = quality.Reference(
        real, extractor=_extractor(config, shape), seed=config.seed
    )
    samples = gan.generate(reference.num_real, seed=config.seed)
    return quality.as_dict(reference.compare(samples))


def format_result(result: dict[str, Any]) -> str:
    """The result of :func:`evaluate` as a markdown table."""
    if "modes" in result:
        return "\n".join(
            [
                f"2-D {result['dataset']}, {result['num_samples']} samples "
                "(PacGAN's definitions)",
                "",
                "| metric | value |",
                "| --- | ---: |",
                f"| modes captured | {result['modes']} of "
                f"{result['num_modes']} |",
                f"| high-quality samples | {result['high_quality']:.1%} |",
                f"| reverse KL | {result['reverse_kl']:.4f} |",
            ]
        )
    from tfgan_lite.metrics import quality

    return quality.format_table(result)


def write_run_metrics(measure, path: str) -> list[str]:
    """Writes a run's last quality report to ``path`` and sums it up.

    The file (``RUN_DIR/metrics.json``) is written whole or not at all: to
    a temporary file first, then renamed over the old one. It holds
    ``"epoch"`` (0-based), what was measured (``"generator"``: "ema" or
    "raw"; ``"seed"`` of the latent batch and of the real split) and the
    :func:`tfgan_lite.metrics.quality.as_dict` form of the report.

    Args:
        measure: The run's ``tfgan_lite.callbacks.MetricsCallback``, after
            at least one measurement.
        path: Where to write the report, e.g. ``RUN_DIR/metrics.json``.

    Returns:
        The lines to print at the end of the run (:func:`summary_lines`).

    Raises:
        ValueError: If ``measure`` has not measured yet.
    """
    from tfgan_lite.metrics import quality

    if not measure.history:
        raise ValueError(
            "The MetricsCallback has no report yet; call write_run_metrics "
            "after a fit that reached a measurement."
        )
    epoch, report = measure.history[-1]
    model = getattr(measure, "model", None)
    uses_ema = bool(
        measure.use_ema and getattr(model, "ema_generator", None) is not None
    )
    data = {
        "epoch": epoch,
        "generator": "ema" if uses_ema else "raw",
        "seed": measure.seed,
        **quality.as_dict(report),
    }
    _write_json(data, path)
    return summary_lines(data, path)


def _write_json(data: dict[str, Any], path: str) -> None:
    # A crash mid-write must not leave half a report for a resumed run.
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
    os.replace(temporary, path)


def summary_lines(data: dict[str, Any], path: str | None = None) -> list[str]:
    """A quality report in two or three short lines, for the end of a run.

    Args:
        data: A report as :func:`write_run_metrics` writes it (or as
            :func:`evaluate` returns it, without ``"epoch"``).
        path: The full report's file, named on the last line; None leaves
            that line out.
    """
    metrics = data["metrics"]
    when = (
        f"after {data['epoch'] + 1} epoch{'s' * (data['epoch'] != 0)} "
        if "epoch" in data
        else ""
    )
    generator = {"ema": " by the EMA generator", "raw": " by the raw generator"}
    head = (
        f"Quality {when}({data['extractor']} features; "
        f"{data['num_generated']} samples"
        f"{generator.get(data.get('generator'), '')} vs "
        f"{data['num_real_per_half']} real images):"
    )
    parts = []
    for name, label in (("fd", "FD"), ("kid", "KID")):
        if name in metrics:
            row = metrics[name]
            parts.append(
                f"{label} {_number(row['generated'], name)} (real vs real "
                f"{_number(row['real'], name)})"
            )
    if "classifier_score" in metrics:
        row = metrics["classifier_score"]
        parts.append(
            f"classifier score {row['generated']:.2f} (real {row['real']:.2f})"
        )
    if "coverage" in metrics:
        row = metrics["coverage"]
        parts.append(
            f"coverage {row['generated']:.2f} (real {row['real']:.2f})"
        )
    lines = [head, "  " + ", ".join(parts)]
    if any(
        metrics.get("kid", {}).get(key, 0) < 0 for key in ("generated", "real")
    ):
        lines.append(f"  {_KID_NOTE}")
    if path is not None:
        lines.append(f"Full report: {path}")
    return lines


# KID is the unbiased estimate of MMD^2, whose value is 0 for equal
# distributions: samples of nearly equal sets scatter around 0, below too.
_KID_NOTE = (
    "KID < 0 reads as 0: it is an unbiased estimate, which can fall below "
    "0 when the two sets are alike."
)


def _number(value: float, metric: str) -> str:
    if metric == "kid":
        return f"{value:.4f}"
    return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"


_HELPS = {
    "model": "The .keras file of a trained tfgan_lite.GAN.",
    "dataset": "digits, mnist, ..., ring, grid, or a folder of images.",
    "extractor": "auto, digits, random or inception.",
    "inception_weights": "Local InceptionV3 .h5 weights file.",
    "num_real": "Real images to compare against.",
    "seed": "Seed of the generated samples and the real split.",
    "json": "Print JSON instead of a table.",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Parses flags, evaluates, prints; returns an exit code.

    Exit codes (the policy of ``tfgan_lite.commands._cli``): 0 on success,
    2 for a usage error (a bad flag, a missing model file, data that does
    not fit the model), 1 when the evaluation fails (a truncated or
    corrupt model file, unreachable data hosts), 130 on Ctrl-C.
    ``--debug`` prints the traceback of an error.
    """
    from absl import flags

    values = flags.FlagValues()
    _flags.define(values, EvaluateConfig, _HELPS)
    args, debug = _cli.split_debug(argv if argv is not None else sys.argv)
    if _flags.help_requested(args[1:]):
        print("usage: python -m tfgan_lite.evaluate [--flag=value ...]\n")
        print(values.get_help(include_special_flags=False))
        print(f"\n  {_cli.DEBUG_HELP}")
        print(f"  {_quiet.FLAG_HELP}")
        return 0

    def run() -> None:
        # --tf_log_level was read by the launcher (commands.quiet).
        _flags.parse(values, args)
        config = _flags.to_config(values, EvaluateConfig, _HELPS)
        result = evaluate(config)
        print(
            json.dumps(result, indent=2)
            if config.json
            else format_result(result)
        )

    return _cli.run(run, debug=debug)
