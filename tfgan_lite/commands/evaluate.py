"""``tfgan-evaluate``: the quality of a trained generator, offline.

Also ``python -m tfgan_lite.evaluate``. Measures a trained generator
against real data and prints a table with the feature extractor named above
it (``--json`` prints JSON instead):

* image data: FD, KID, precision, recall, density, coverage and (with a
  classifier) the classifier score, each beside what real data scores on
  the same scale (see :mod:`tfgan_lite.metrics.quality`);
* the 2-D ring and grid: modes captured, high-quality fraction and reverse
  KL, with PacGAN's definitions (:func:`tfgan_lite.metrics.mixture_modes`).

A model in a run directory is measured as the run measured it, so the
figures equal those of ``RUN_DIR/metrics.json``: the same real images (the
run's training data in its data order, or the images a folder run held
back from training), seed, sample count and EMA
generator. The lines above the table say what was measured.
:func:`write_run_metrics` writes that file at the end of a run.

absl flags become one typed :class:`EvaluateConfig`, which
:func:`evaluate` turns into a result; tests call :func:`evaluate` directly.

Example:
    tfgan-evaluate --model runs/default/model.keras
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sys
from collections.abc import Sequence
from typing import Any, NamedTuple

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
    "RANDOM_FEATURES",
    "EvaluateConfig",
    "evaluate",
    "format_result",
    "check_model_path",
    "main",
    "run_extractor",
    "run_real_words",
    "summary_lines",
    "write_run_metrics",
]

EXTRACTORS = ("auto", "digits", "random", "inception")
# Datasets of handwritten digits, which the shipped classifier knows.
_DIGIT_DATASETS = ("digits", "mnist")
# Features of the random CNN that measures non-digit images; fewer for
# fewer real images (run_extractor).
RANDOM_FEATURES = 64
# PacGAN measures 2-D mixtures on 2,500 samples.
_MIXTURE_SAMPLES = 2_500


@dataclasses.dataclass(frozen=True)
class EvaluateConfig:
    """What to evaluate, against what, and how.

    By default a model in a run directory (``RUN_DIR/model.keras`` beside
    ``RUN_DIR/config.json``) is measured as the run measured it, so that
    the figures equal those of ``RUN_DIR/metrics.json``: against the
    run's own real images (the images a folder run held back from
    training, else the first 2,000 training images in the run's data
    order; split into halves with the run's seed), with as many
    samples of the EMA generator as a half holds, from the run's seed.
    Setting ``dataset``, ``num_real`` or ``seed`` to other values than the
    run's measures against other real images instead: the first
    ``num_real`` images of ``dataset`` in the order of ``seed``.

    Attributes:
        model: A ``.keras`` file holding a ``tfgan_lite.GAN``.
        dataset: The real data: "digits", a tfds name ("mnist", ...),
            "ring", "grid", or a folder of images. "" takes the run's
            dataset (from config.json beside the model), else "digits".
        extractor: "auto" (the digits classifier for digit datasets, else
            a random embedding), "digits", "random" or "inception".
        inception_weights: Local InceptionV3 weights file, for
            ``extractor="inception"``; nothing is downloaded.
        num_real: Real images to compare against (split into halves); 0
            takes the run's measurement images, else 2,000.
        seed: Seed of the generated samples and of the real order and
            split; -1 takes the run's seed, else 0.
        ema: Sample from the EMA generator when the model keeps one
            (training measures it); False samples the raw generator.
        json: Print JSON instead of a table.
    """

    model: str = "runs/default/model.keras"
    dataset: str = ""
    extractor: str = "auto"
    inception_weights: str = ""
    num_real: int = 0
    seed: int = -1
    ema: bool = True
    json: bool = False

    def __post_init__(self):
        check_choice(self.extractor, "--extractor", EXTRACTORS)
        if self.num_real != 0:
            check_int(self.num_real, "--num_real", minimum=8)
        check_int(self.seed, "--seed", minimum=-1)
        if self.extractor == "inception" and not self.inception_weights:
            raise ValueError(
                "--extractor=inception needs --inception_weights=PATH, a "
                "local InceptionV3 weights file (nothing is downloaded)."
            )


# Real images when neither the flags nor a run directory say how many.
_NUM_REAL = 2_000


class _Plan(NamedTuple):
    """What one evaluation measures, with the defaults filled in."""

    dataset: str
    seed: int
    num_real: int
    # The training run's settings, when its own real images are used.
    run: Any
    # Why the run's own images are not used, when there is a run.
    note: str = ""


def _run_config(model_path: str) -> tuple[Any, str]:
    """The TrainConfig of the run directory holding the model, and why not.

    Returns:
        (config, "") for a readable ``config.json`` beside the model;
        (None, "") when there is none; (None, reason) when it cannot be
        read back into the run's settings.
    """
    path = os.path.join(os.path.dirname(model_path) or ".", "config.json")
    if not os.path.exists(path):
        return None, ""
    try:
        with open(path, encoding="utf-8") as f:
            saved = dict(json.load(f)["config"])
        from tfgan_lite.commands.config import RECIPES, TrainConfig

        names = {f.name for f in dataclasses.fields(TrainConfig)}
        recipe = RECIPES.get(saved.get("model"))
        # Only the settings off the model's recipe, as the run was given
        # them: config.json lists every field, those of other models too.
        kwargs = {
            k: tuple(v) if isinstance(v, list) else v
            for k, v in saved.items()
            if k in names
            and (
                recipe is None
                or k in ("model", "dataset", "run_dir")
                or getattr(recipe, k) != v
            )
        }
        return TrainConfig(**kwargs), ""
    except (OSError, ValueError, KeyError, TypeError) as e:
        return None, f"{path} could not be read as a run's settings ({e})"


def _plan(config: EvaluateConfig) -> _Plan:
    from tfgan_lite.commands import builders

    run, note = _run_config(config.model)
    if run is not None:
        differ = [
            f"--{name}"
            for name, given, default, own in (
                ("dataset", config.dataset, "", run.dataset),
                ("num_real", config.num_real, 0, builders.METRICS_SAMPLES),
                ("seed", config.seed, -1, run.seed),
            )
            if given not in (default, own)
        ]
        if not differ:
            return _Plan(run.dataset, run.seed, builders.METRICS_SAMPLES, run)
        note = f"{' and '.join(differ)} set off the run's"
    dataset = config.dataset or (run.dataset if run else "digits")
    seed = config.seed if config.seed >= 0 else (run.seed if run else 0)
    return _Plan(dataset, seed, config.num_real or _NUM_REAL, None, note)


def _load_gan(path: str):
    from tfgan_lite.gans.gan import GAN

    model = _files.load_keras(
        path,
        hint=_MODEL_HINT,
        remedy="Train again to write it anew, or evaluate the last good "
        "model of the run, RUN_DIR/checkpoints/last.keras.",
    )
    if not isinstance(model, GAN):
        raise TypeError(
            f"{path} holds a {type(model).__name__}, not a tfgan_lite.GAN."
        )
    return model


def _run_real_images(run) -> np.ndarray:
    """The real images a training run measures its samples against.

    The run's pipeline read from its start as ``build`` reads it (the same
    data order for the same seed), cut to the measurement set.
    """
    from tfgan_lite.commands import builders, kinds
    from tfgan_lite.commands.datasets import read_first

    kind = kinds.kind_of(run)
    first = read_first(
        kind.dataset(run), samples=kind.samples(run), repeat=bool(run.steps)
    )
    return builders.metrics_images(run, first)


def _real_images(plan: _Plan, sample_shape) -> np.ndarray:
    import keras

    from tfgan_lite import data as data_lib

    # tf.data's shuffle draws its order from the op's seed together with
    # the global one, which training sets from its seed: without the same
    # global seed, the same --seed would give another order of images.
    keras.utils.set_random_seed(plan.seed)
    if plan.run is not None:
        return _run_real_images(plan.run)
    height, width, channels = sample_shape
    dataset = data_lib.load(
        plan.dataset,
        image_size=(height, width),
        channels=channels,
        batch_size=min(plan.num_real, 256),
        seed=plan.seed,
    )
    parts, count = [], 0
    for element in dataset:
        images = element[0] if isinstance(element, tuple) else element
        parts.append(images.numpy())
        count += len(parts[-1])
        if count >= plan.num_real:
            break
    return np.concatenate(parts)[: plan.num_real]


def run_real_words(run, count: int) -> tuple[str, str]:
    """Which real images a run measured against: long words and a line.

    Args:
        run: The run's ``TrainConfig``.
        count: Real images measured against (both halves).

    Returns:
        (metrics.json's "real_images", the end-of-run line saying what
        they were measured against).
    """
    from tfgan_lite.commands import datasets

    own = "the run's own measurement images: "
    held = datasets.held_back(run)
    if held is not None:
        return (
            f"{own}{count} images of {run.dataset} held back from training "
            f"({held.record()['share']:.0%} of its {held.total} images, "
            "chosen by a hash of each file's path)",
            f"  against {count} images held back from training "
            f"({held.total - len(held.files)} of the folder's {held.total} "
            "trained on)",
        )
    words = (
        f"{own}the first {count} training images of {run.dataset} in the "
        f"run's data order (seed {run.seed})"
    )
    if datasets.is_folder(run.dataset):
        minimum = math.ceil(datasets.HOLD_BACK_MIN / datasets.HOLD_BACK_SHARE)
        why = (
            "the folder is too small to hold some back (fewer than "
            f"{minimum:,} images)"
        )
        return f"{words}; {why}", f"  against the training images: {why}"
    return words, "  against the training images"


def _real_words(plan: _Plan, count: int) -> str:
    """Which real images were measured against, in words."""
    if plan.run is not None:
        return run_real_words(plan.run, count)[0]
    words = (
        f"the first {count} images of {plan.dataset} in the data order of "
        f"seed {plan.seed}"
    )
    if plan.note:
        words += f", not the run's own measurement images: {plan.note}"
    return words


def run_extractor(
    dataset: str, sample_shape, num_real: int, name: str = "auto"
):
    """The feature extractor that measures samples of ``sample_shape``.

    "auto" (what every training run measures with): the digits classifier
    for grayscale samples of the digit datasets, else a fixed-seed random
    CNN of the sample shape, which suits any images (Naeem et al. 2020,
    https://arxiv.org/abs/2002.09797). "digits" and "random" force one.
    The random CNN has 64 features, or fewer when ``num_real`` real images
    (both halves) are too few for a 64-d covariance: one less than a half.
    """
    from tfgan_lite.metrics import features as features_lib

    height, width, channels = sample_shape
    if name == "auto":
        digits = dataset in _DIGIT_DATASETS and channels == 1
        name = "digits" if digits else "random"
    if name == "digits":
        return features_lib.digits_classifier()
    dim = max(1, min(RANDOM_FEATURES, num_real // 2 - 1))
    return features_lib.random_embedding(
        seed=0, image_size=(height, width), channels=channels, dim=dim
    )


def _extractor(
    config: EvaluateConfig, dataset: str, sample_shape, num_real: int
):
    if config.extractor == "inception":
        from tfgan_lite.metrics import features as features_lib

        return features_lib.inception_v3(config.inception_weights)
    return run_extractor(dataset, sample_shape, num_real, config.extractor)


def evaluate(config: EvaluateConfig) -> dict[str, Any]:
    """Evaluates ``config.model`` on ``config.dataset``.

    Returns:
        For images, :func:`tfgan_lite.metrics.quality.as_dict` of the
        report with what was measured: ``"generator"`` ("ema" or "raw"),
        ``"seed"`` and ``"real_images"`` (which real images, in words).
        For the 2-D mixtures, ``{"dataset", "num_samples", "modes",
        "num_modes", "high_quality", "reverse_kl", "generator", "seed"}``.

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
    plan = _plan(config)
    shape = tuple(gan.sample_shape)
    use_ema = config.ema and gan.ema_generator is not None
    what = {"generator": "ema" if use_ema else "raw", "seed": plan.seed}
    if plan.dataset in ("ring", "grid"):
        if shape != (2,):
            raise ValueError(
                f"--dataset={plan.dataset} holds 2-D points, but the "
                f"model makes samples of shape {shape}."
            )
        centers, std = modes_lib.known_mixture(plan.dataset)
        samples = gan.generate(
            _MIXTURE_SAMPLES, seed=plan.seed, use_ema=use_ema
        )
        result = modes_lib.mixture_modes(samples, centers, std=std)
        return {
            "dataset": plan.dataset,
            "num_samples": result.num_samples,
            "modes": result.modes,
            "num_modes": len(centers),
            "high_quality": result.high_quality,
            "reverse_kl": result.reverse_kl,
            **what,
        }
    if len(shape) != 3:
        raise ValueError(
            f"The model makes samples of shape {shape}; evaluate needs "
            "images (H, W, C), or --dataset=ring/grid for 2-D points."
        )
    real = _real_images(plan, shape)
    reference = quality.Reference(
        real,
        extractor=_extractor(config, plan.dataset, shape, len(real)),
        seed=plan.seed,
    )
    samples = gan.generate(reference.num_real, seed=plan.seed, use_ema=use_ema)
    return {
        **what,
        "real_images": _real_words(plan, len(real)),
        **quality.as_dict(reference.compare(samples)),
    }


def format_result(result: dict[str, Any]) -> str:
    """The result of :func:`evaluate` as a markdown table.

    The lines above the table say what was measured: the extractor, the
    generator (EMA or raw), the seed and which real images.
    """
    generator = {"ema": "the EMA generator", "raw": "the raw generator"}.get(
        result.get("generator"), "the generator"
    )
    if "modes" in result:
        return "\n".join(
            [
                f"2-D {result['dataset']}, {result['num_samples']} samples "
                f"of {generator} (seed {result.get('seed', 0)}; PacGAN's "
                "definitions)",
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

    lines = [quality.format_table(result)]
    if "real_images" in result:
        lines[:0] = [
            f"Generated: {result['num_generated']} samples of {generator}, "
            f"seed {result['seed']}.",
            f"Real: {result['real_images']}, halved with seed "
            f"{result['seed']}.",
        ]
    return "\n".join(lines)


def write_run_metrics(
    measure,
    path: str,
    *,
    real_images: str | None = None,
    against: str | None = None,
    held_back: dict | None = None,
) -> list[str]:
    """Writes a run's last quality report to ``path`` and sums it up.

    The file (``RUN_DIR/metrics.json``) is written whole or not at all: to
    a temporary file first, then renamed over the old one. It holds
    ``"epoch"`` (0-based), what was measured (``"generator"``: "ema" or
    "raw"; ``"seed"`` of the latent batch and of the real split;
    ``"real_images"`` in words) and the
    :func:`tfgan_lite.metrics.quality.as_dict` form of the report.
    ``python -m tfgan_lite.evaluate --model=RUN_DIR/model.keras`` measures
    the same way and prints the same figures.

    Args:
        measure: The run's ``tfgan_lite.callbacks.MetricsCallback``, after
            at least one measurement.
        path: Where to write the report, e.g. ``RUN_DIR/metrics.json``.
        real_images: Which real images ``measure`` holds, in words; None
            says the run's own training images.
        against: A line for the summary saying what was measured against
            (:func:`run_real_words`); None adds none.
        held_back: The folder's split when the real images were held back
            from training (``HeldBack.record()``), kept in the file as
            ``"held_back"``.

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
    if real_images is None:
        real_images = (
            f"the run's own measurement images: the first "
            f"{measure.reference.num_images} training images in the run's "
            f"data order (seed {measure.seed})"
        )
    data = {
        "epoch": epoch,
        "generator": "ema" if uses_ema else "raw",
        "seed": measure.seed,
        "real_images": real_images,
        **({"held_back": held_back} if held_back else {}),
        **quality.as_dict(report),
    }
    _write_json(data, path)
    return summary_lines(data, path, against=against)


def _write_json(data: dict[str, Any], path: str) -> None:
    # A crash mid-write must not leave half a report for a resumed run.
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
    os.replace(temporary, path)


def summary_lines(
    data: dict[str, Any], path: str | None = None, *, against: str | None = None
) -> list[str]:
    """A quality report in two to five short lines, for the end of a run.

    Args:
        data: A report as :func:`write_run_metrics` writes it (or as
            :func:`evaluate` returns it, without ``"epoch"``).
        path: The full report's file, named on the last line; None leaves
            that line out.
        against: A line saying which real images were measured against
            (:func:`run_real_words`), after the figures; None leaves it out.
    """
    from tfgan_lite.metrics import quality

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
    if against:
        lines.append(against)
    if quality.negative_kid(data):
        lines.append(f"  {quality.KID_NOTE}")
    if path is not None:
        lines.append(f"Full report: {path}")
    return lines


def _number(value: float, metric: str) -> str:
    # KID of good samples is near 0 and needs its decimals; large figures
    # (an early generator's) need none.
    if metric == "kid" and abs(value) < 1:
        return f"{value:.4f}"
    return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"


_HELPS = {
    "model": "The .keras file of a trained tfgan_lite.GAN.",
    "dataset": "digits, mnist, ..., ring, grid, or a folder of images; "
    "empty: the run's dataset, else digits.",
    "extractor": "auto, digits, random or inception.",
    "inception_weights": "Local InceptionV3 .h5 weights file.",
    "num_real": "Real images to compare against, split into halves; "
    "0: the run's own measurement images (RUN_DIR/config.json beside "
    "--model), else 2000.",
    "seed": "Seed of the generated samples and of the real order and "
    "split; -1: the run's seed, else 0.",
    "ema": "Sample the EMA generator when the model keeps one, as "
    "training measures it.",
    "json": "Print JSON instead of a table.",
}


def check_model_path(path: str, hint: str) -> None:
    """Refuses a model path that names no ``.keras`` file, before Keras loads.

    Raises:
        FileNotFoundError: If nothing exists at ``path``.
        ValueError: If ``path`` is a directory or not named ``*.keras``.
    """
    if not os.path.exists(path):
        raise FileNotFoundError(f"No model file at '{path}'. {hint}")
    if os.path.isdir(path) or not path.endswith(".keras"):
        raise ValueError(
            f"'{path}' is not a Keras v3 model archive (expected a file "
            f"named *.keras). {hint}"
        )


_MODEL_HINT = (
    "Pass --model=RUN_DIR/model.keras, the file tfgan-train (python -m "
    "tfgan_lite.train) writes."
)


def main(argv: Sequence[str] | None = None) -> int:
    """Parses flags, evaluates, prints; returns an exit code.

    The flags and the model path are checked before TensorFlow is
    imported, so a usage mistake is reported at once.

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
        return _cli.print_help(
            "usage: tfgan-evaluate [--flag=value ...]\n"
            "   or: python -m tfgan_lite.evaluate [--flag=value ...]\n\n"
            "Measures a trained generator against real data. A model in a "
            "run directory\nis measured as the run measured it "
            "(RUN_DIR/metrics.json): same real\nimages, seed and "
            "generator.\n",
            values,
        )

    status, config, level = _cli.parse_config(
        args,
        values,
        EvaluateConfig,
        _HELPS,
        debug=debug,
        check=lambda config: check_model_path(config.model, _MODEL_HINT),
    )
    if status:
        return status
    _quiet.start(level)

    def run() -> None:
        result = evaluate(config)
        print(
            json.dumps(result, indent=2)
            if config.json
            else format_result(result)
        )

    return _cli.run(run, debug=debug)
