"""Command line training: ``python -m tfgan_lite.train``.

absl flags become one typed :class:`TrainConfig`, which :func:`train` turns
into a fit. Tests call :func:`train` directly, without flags.

A run directory holds everything a run makes::

    RUN_DIR/config.json      the resolved configuration
    RUN_DIR/logs/            TensorBoard: train/, samples/, health/, metrics/
    RUN_DIR/samples/         sample grids as PNG files
    RUN_DIR/backup/          keras.callbacks.BackupAndRestore state
    RUN_DIR/checkpoints/     the last good model, every epoch
    RUN_DIR/model.keras      the final model (also written on Ctrl-C)
    RUN_DIR/metrics.json     the last quality report (digit datasets)
    RUN_DIR/export/          exported generator, with --export

Running the same command again resumes from the last completed epoch.

Example:
    python -m tfgan_lite.train --run_dir runs/digits
    tensorboard --logdir runs/digits/logs
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import _flags
from tfgan_lite import callbacks as callbacks_lib
from tfgan_lite import data as data_lib
from tfgan_lite import losses as losses_lib
from tfgan_lite import metrics as metrics_lib
from tfgan_lite import models as models_lib
from tfgan_lite._validation import check_choice, check_float, check_int
from tfgan_lite.gan import GAN, UPDATES

__all__ = ["MODEL_DEFAULTS", "TrainConfig", "main", "parse_flags", "train"]

# Sample shape of each image preset; "mlp_2d" trains on 2-D points.
_IMAGE_SHAPES = {
    "dcgan_28": (28, 28, 1),
    "dcgan_32": (32, 32, 3),
    "dcgan_64": (64, 64, 3),
}
_POINT_DATASETS = ("ring", "grid")
# Handwritten digits, which the shipped digits classifier knows.
_DIGIT_DATASETS = ("digits", "mnist")
# Real images the quality measurements compare against (two halves).
_METRICS_REAL_IMAGES = 2_000


# Settings in which a preset's recipe differs from the dataclass defaults
# (the dcgan recipe). mlp_2d on the ring and grid: all modes on 5 of 5 seeds
# each, 96.7% and 93.1% of samples high quality, about 2 minutes a run
# (benchmarks/mode_collapse.py; see BUILD.md).
MODEL_DEFAULTS = {
    "mlp_2d": {
        "width": 128,
        "latent_dim": 8,
        "batch_size": 256,
        "lr": 1e-3,
        "r1_penalty": 0.1,
        "ema": 0.999,
        "epochs": 15,
        "steps": 1000,
    },
}


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Everything a training run needs, resolved and typed.

    Attributes:
        dataset: "digits" (offline default), a tfds name
            ("mnist", "fashion_mnist", "cifar10", "celeb_a"), "ring" or
            "grid" (2-D mixtures, with model "mlp_2d"), or a folder of
            images.
        model: A preset of ``tfgan_lite.models``.
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
        ema: Decay of the generator's weight average; 0 turns it off.
        seed: Seed of weights, data order and noise.
        run_dir: The run directory.
        export: Export the generator to RUN_DIR/export at the end.
        sample_every: Write a sample grid every this many epochs.
        metrics_every: Measure sample quality every this many epochs (and
            after the last) on digit datasets ("digits", "mnist") with the
            shipped digits classifier; 0 turns it off.
    """

    dataset: str = "digits"
    model: str = "dcgan_28"
    loss: str = "non_saturating"
    d_steps: int = 1
    update: str = "alternating"
    epochs: int = 60
    steps: int = 0
    # The digits recipe: batch 32, Adam(4e-4, 0.5), R1 1.0. Against batch
    # 64, Adam(2e-4) and no R1 at the same images seen, on seeds 0 and 1:
    # classifier score 0.749 vs 0.667 of real, FD 10.2x vs 18.4x (BUILD.md).
    batch_size: int = 32
    lr: float = 4e-4
    beta_1: float = 0.5
    latent_dim: int = 64
    width: int = 64
    gradient_penalty: float = 0.0
    r1_penalty: float = 1.0
    ema: float = 0.0
    seed: int = 0
    run_dir: str = "runs/default"
    export: bool = False
    sample_every: int = 5
    metrics_every: int = 10

    @classmethod
    def for_model(cls, model: str = "dcgan_28", **kwargs) -> TrainConfig:
        """The recipe of a preset, with ``kwargs`` overriding it.

        ``TrainConfig(model="mlp_2d")`` keeps the dcgan defaults for every
        other field; ``TrainConfig.for_model("mlp_2d", dataset="grid")``
        takes that preset's own recipe (``MODEL_DEFAULTS``), as the command
        line does when a flag is not given.
        """
        return cls(model=model, **{**MODEL_DEFAULTS.get(model, {}), **kwargs})

    def __post_init__(self):
        # Checked here, before a directory is made or data is read, with the
        # checkers and resolvers that the library's own entry points use.
        if self.model not in models_lib.PRESETS:
            raise ValueError(
                f"Unknown --model {self.model!r}. Known presets: "
                f"{', '.join(sorted(models_lib.PRESETS))}."
            )
        losses_lib.get(self.loss)
        check_choice(self.update, "--update", UPDATES)
        for name in ("epochs", "batch_size", "latent_dim", "width", "d_steps"):
            check_int(getattr(self, name), f"--{name}", minimum=1)
        check_int(self.steps, "--steps", minimum=0)
        check_int(self.sample_every, "--sample_every", minimum=1)
        check_int(self.metrics_every, "--metrics_every", minimum=0)
        check_float(self.lr, "--lr", low=0.0, low_closed=False)
        check_float(self.ema, "--ema", low=0.0, high=1.0, high_closed=False)
        if self.batch_size < self.d_steps:
            raise ValueError(
                f"--batch_size ({self.batch_size}) is split into d_steps "
                f"({self.d_steps}) minibatches; make it at least d_steps."
            )
        is_points = self.dataset in _POINT_DATASETS
        if is_points != (self.model == "mlp_2d"):
            raise ValueError(
                f"--model {self.model} cannot train on --dataset "
                f"{self.dataset}: the 2-D mixtures 'ring' and 'grid' go with "
                "--model mlp_2d, image datasets with the dcgan presets."
            )


def _networks(config: TrainConfig):
    if config.model == "mlp_2d":
        return models_lib.get(
            "mlp_2d", latent_dim=config.latent_dim, hidden=config.width
        )
    return models_lib.get(
        config.model, latent_dim=config.latent_dim, width=config.width
    )


def _dataset(config: TrainConfig) -> tf.data.Dataset:
    common = {"batch_size": config.batch_size, "seed": config.seed}
    if config.model == "mlp_2d":
        return data_lib.load(config.dataset, **common)
    height, width, channels = _IMAGE_SHAPES[config.model]
    return data_lib.load(
        config.dataset,
        image_size=(height, width),
        channels=channels,
        **common,
    )


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


def _write_config(config: TrainConfig, gan: GAN, path: str) -> None:
    record = {
        "config": dataclasses.asdict(config),
        "resolved": {
            "sample_shape": list(gan.sample_shape),
            "compile": gan.get_compile_config(),
        },
        "versions": {
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
        },
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(record, f, indent=2, sort_keys=True)


def _check_same_run(config: TrainConfig, path: str) -> None:
    """Refuses to resume a run directory made with other settings."""
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as f:
        saved = json.load(f)["config"]
    ours = dataclasses.asdict(config)
    # These may change between a run and its resumption.
    free = {"epochs", "export", "sample_every", "metrics_every"}
    changed = sorted(
        k for k in ours if k not in free and saved.get(k) != ours[k]
    )
    if changed:
        details = ", ".join(
            f"{k}: {saved.get(k)!r} -> {ours[k]!r}" for k in changed
        )
        raise ValueError(
            f"{config.run_dir} holds a run with other settings ({details}). "
            "Use another --run_dir, or the same flags to resume."
        )


def train(
    config: TrainConfig,
    *,
    extra_callbacks: Sequence[keras.callbacks.Callback] = (),
    verbose: int | str = "auto",
) -> GAN:
    """Trains a GAN as described by ``config`` and fills its run directory.

    Args:
        config: The run's settings.
        extra_callbacks: More Keras callbacks, run after the built-in ones.
        verbose: Passed to ``fit`` (the progress bar shows the losses).

    Returns:
        The trained GAN. ``RUN_DIR/model.keras`` holds it too.

    Raises:
        ValueError: If the run directory holds a run with other settings,
            or the dataset does not fit the model.
        KeyboardInterrupt: After saving ``model.keras``, on Ctrl-C.
    """
    paths = _paths(config.run_dir)
    _check_same_run(config, paths["config"])
    os.makedirs(config.run_dir, exist_ok=True)
    keras.utils.set_random_seed(config.seed)

    dataset = _dataset(config)
    if config.steps:
        dataset = dataset.repeat()
    gan = GAN(*_networks(config), seed=config.seed, ema=config.ema > 0)
    gan.compile(
        keras.optimizers.Adam(config.lr, beta_1=config.beta_1),
        keras.optimizers.Adam(config.lr, beta_1=config.beta_1),
        config.loss,
        d_steps=config.d_steps,
        update=config.update,
        gradient_penalty=config.gradient_penalty,
        r1_penalty=config.r1_penalty,
    )
    _write_config(config, gan, paths["config"])

    callbacks: list[keras.callbacks.Callback] = [
        # First: on NaN it restores the last good state before any callback
        # below writes a backup or a checkpoint of bad weights.
        callbacks_lib.TrainingHealth(
            real_samples=_real_samples(dataset),
            log_dir=paths["logs"],
            warmup_epochs=min(5, config.epochs // 4),
            **_known_modes(config.dataset),
        ),
        # Restores a backed-up run at train begin: run the same command
        # again and it resumes from the last completed epoch.
        keras.callbacks.BackupAndRestore(
            paths["backup"], save_freq="epoch", delete_checkpoint=False
        ),
        keras.callbacks.TensorBoard(paths["logs"]),
    ]
    if config.ema:
        callbacks.append(callbacks_lib.EMAGenerator(decay=config.ema))
    if config.model != "mlp_2d":
        callbacks.append(
            callbacks_lib.ImageGrid(
                paths["logs"],
                png_dir=paths["samples"],
                every_n_epochs=config.sample_every,
                seed=config.seed,
            )
        )
    measure = _metrics_callback(config, dataset, paths["logs"])
    if measure is not None:
        callbacks.append(measure)
    # After TrainingHealth, which restores the last good weights on NaN.
    callbacks.append(keras.callbacks.ModelCheckpoint(paths["checkpoint"]))
    callbacks.extend(extra_callbacks)

    try:
        gan.fit(
            dataset,
            epochs=config.epochs,
            steps_per_epoch=config.steps or None,
            callbacks=callbacks,
            verbose=verbose,
        )
    except KeyboardInterrupt:
        gan.save(paths["model"])
        print(
            f"\nInterrupted. Saved {paths['model']}. Run the same command "
            "to resume from the last completed epoch.",
            file=sys.stderr,
        )
        raise
    gan.save(paths["model"])
    if measure is not None and measure.history:
        _write_metrics(measure, paths["metrics"])
    if config.export:
        _export(paths["model"], paths["export"])
    return gan


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
    "grid, or a folder of images.",
    "model": "Architecture preset of tfgan_lite.models.",
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
    "ema": "Decay of the generator weight average; 0 is off.",
    "seed": "Seed of weights, data order and noise.",
    "run_dir": "Run directory.",
    "export": "Export the generator to RUN_DIR/export at the end.",
    "sample_every": "Epochs between sample grids.",
    "metrics_every": "Epochs between quality measurements on digit "
    "datasets (digits classifier); 0 is off.",
}


def parse_flags(argv: Sequence[str]) -> TrainConfig:
    """The TrainConfig of a command line (``argv[0]`` is the program).

    Flags not given take the chosen preset's recipe (``MODEL_DEFAULTS``),
    then the dataclass defaults.

    Raises:
        absl.flags.Error: For an unknown flag or a value of the wrong type.
        ValueError, TypeError: For values TrainConfig refuses.
    """
    from absl import flags

    values = flags.FlagValues()
    _flags.define(values, TrainConfig, _HELPS)
    values(list(argv))
    config = _flags.to_config(values, TrainConfig, _HELPS)
    given = {name for name in _HELPS if values[name].present}
    recipe = MODEL_DEFAULTS.get(config.model, {})
    return dataclasses.replace(
        config, **{k: v for k, v in recipe.items() if k not in given}
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Parses absl flags from ``argv`` and trains; returns an exit code."""
    from absl import flags

    args = list(argv if argv is not None else sys.argv)
    if _flags.help_requested(args[1:]):
        values = flags.FlagValues()
        _flags.define(values, TrainConfig, _HELPS)
        print("usage: python -m tfgan_lite.train [--flag=value ...]\n")
        print(values.get_help(include_special_flags=False))
        return 0
    try:
        config = parse_flags(args)
    except (flags.Error, ValueError, TypeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        train(config)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
