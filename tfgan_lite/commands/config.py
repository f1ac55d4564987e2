"""``TrainConfig``, the settings of a training run, and the recipe table.

Each field of :class:`TrainConfig` is a flag of ``python -m
tfgan_lite.train`` with the same name; its help, written once in the
field's metadata, is what ``--help`` prints. A field left None takes the
recipe of ``model`` from :data:`RECIPES`, complete presets made from one
base with ``dataclasses.replace``. That merge happens in one place,
``TrainConfig.__post_init__``, so the Python call and the command agree:
``TrainConfig(model="mlp_2d")`` and ``--model=mlp_2d`` train the same
recipe, and a field the user sets always wins.

Example:
    >>> TrainConfig(model="mlp_2d", dataset="ring").width
    128
    >>> TrainConfig(model="mlp_2d", dataset="ring", width=64).width
    64
"""

from __future__ import annotations

import dataclasses
import math
import types
from collections.abc import Mapping
from typing import Any

from tfgan_lite._validation import (
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_path,
)
from tfgan_lite.commands import kinds
from tfgan_lite.commands.names import (
    AUGMENTATIONS,
    CLUSTER_FEATURES,
    LOSSES,
    UPDATES,
)

__all__ = ["RECIPES", "TrainConfig", "helps"]

_ON_NAN = ("stop", "rollback")
STRATEGIES = ("auto", "one_device", "mirrored", "tpu", "multi_worker")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
_GENERATORS = ("resnet", "unet")


def _setting(help_text: str) -> Any:
    """A field that the recipe fills when left None; its flag's help."""
    return dataclasses.field(default=None, metadata={"help": help_text})


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Everything a training run needs, resolved and typed.

    A field left None takes the value of the recipe of ``model``
    (:data:`RECIPES`); every field holds a value once constructed. Each
    field's meaning is the help of its flag, in the field's metadata
    (:func:`helps`, ``python -m tfgan_lite.train --help``). Settings that
    the kind of run does not read (see ``tfgan_lite.commands.kinds``)
    keep the recipe's value; another value is refused.

    Raises:
        ValueError, TypeError: For a value out of range, a setting the kind
            of run does not read, or data that does not fit the model.
    """

    dataset: str | None = _setting(
        "digits, mnist, fashion_mnist, cifar10, celeb_a, ring, grid, or a "
        "folder of images; for cyclegan digits_invert, digits_rotate, "
        "cycle_gan/<pair>, or two folders path/to/A,path/to/B."
    )
    model: str = dataclasses.field(
        default="dcgan_28",
        metadata={"help": "dcgan_28, dcgan_32, dcgan_64, mlp_2d, or cyclegan."},
    )
    loss: str | None = _setting("Loss family of tfgan_lite.losses.")
    d_steps: int | None = _setting(
        "Discriminator updates per generator update."
    )
    update: str | None = _setting("alternating or simultaneous.")
    epochs: int | None = _setting("Epochs to train.")
    steps: int | None = _setting(
        "Steps per epoch over the repeated data; 0: one pass (at least "
        "300 steps for a folder of images)."
    )
    # A budget does not change the plan: --epochs still sets the run's
    # length, the log period and the end of --top_k_steps; the weight
    # average's rampup and top-k follow the updates done. Checked against
    # time.monotonic() at each step (or chunk) end, from the start of
    # train(): data loading, clustering and building included.
    minutes: float | None = _setting(
        "Wall-clock budget of this command in minutes, from the start of "
        "training's setup: the run stops at the first step end after it, "
        "saving the checkpoint, model.keras, samples and metrics as at a "
        "normal end; the same command again (with a larger budget or none) "
        "resumes. --epochs still sets the run's planned length and what "
        "follows it (the log period); the learning rate is constant. 0: no "
        "budget."
    )
    # Split into d_steps minibatches.
    batch_size: int | None = _setting("Real samples per step.")
    lr: float | None = _setting("Adam learning rate of both players.")
    beta_1: float | None = _setting("Adam beta_1 of both players.")
    latent_dim: int | None = _setting("Size of the latent vector.")
    width: int | None = _setting(
        "Base channels (dcgan) or hidden units (mlp_2d)."
    )
    gradient_penalty: float | None = _setting("WGAN-GP weight; 0 is off.")
    r1_penalty: float | None = _setting("R1 weight; 0 is off.")
    # GAN.compile(r2_penalty=...); R3GAN uses R1 and R2 of one weight.
    r2_penalty: float | None = _setting(
        "R2 weight (R1 on generated samples); 0 is off."
    )
    # GAN.compile(r1_interval=...), StyleGAN2's lazy regularization.
    r1_interval: int | None = _setting(
        "Discriminator updates per R1 and R2 evaluation (lazy, weighted by "
        "the interval); 1: every update."
    )
    # GAN.compile(top_k=..., top_k_steps=...), the fraction falling linearly.
    top_k: float | None = _setting(
        "Fraction of generated samples, those D scores as most real, in the "
        "generator's loss (top-k training); 1: all."
    )
    top_k_steps: int | None = _setting(
        "Generator updates over which that fraction falls from 1 to "
        "--top_k; 0: from the start."
    )
    # GAN.compile(augment=...): tfgan_lite.augment, or "auto", which the
    # build resolves from the data (build.resolve_augment).
    augment: str | None = _setting(
        "Differentiable augmentation of the images the discriminator sees "
        "(image GANs): none, diffaugment (colour, translation, cutout), "
        "ada (colour, translation, scaling and rotation, with an adaptive "
        "probability), or "
        "auto (ada for a folder of fewer than 1,000 images, else none)."
    )
    ema: float | None = _setting(
        "Decay of the generator weight average; 0 is off."
    )
    # EMAGenerator(rampup=...): the copy follows the generator early on.
    ema_rampup: float | None = _setting(
        "Largest half-life of the average, as a fraction of the generator "
        "updates so far; 0 is off."
    )
    seed: int | None = _setting("Seed of weights, data order and noise.")
    run_dir: str | None = _setting("Run directory.")
    export: bool | None = _setting(
        "Export the generator to RUN_DIR/export at the end."
    )
    sample_every: int | None = _setting("Epochs between sample grids.")
    # And after the last epoch; a folder of 2,000+ images holds a tenth back.
    metrics_every: int | None = _setting(
        "Epochs between quality measurements of image runs (the digits "
        "classifier on digits, else a random CNN); 0 is off."
    )
    log_every_steps: int | None = _setting(
        "Steps between points of the TensorBoard training curves; 0: per "
        "epoch only; -1: at least 100 points over the run."
    )
    # keras.Model.compile(steps_per_execution=...). Callbacks then see the
    # steps in chunks: the weight average takes one m-fold update per chunk
    # and a NaN is reported at its chunk's last step. A recipe's chunk
    # shrinks to divide the steps a user chose (_fit_chunk).
    steps_per_execution: int | None = _setting(
        "Training steps per call of the compiled train function; above 1 "
        "saves per-step overhead on small networks (the steps of an epoch "
        "and --checkpoint_every must be multiples of it)."
    )
    # Of at most ClusteredGAN.adapt's default of images, downsampled to
    # 14x14; below 2 the run trains a plain GAN.
    clusters: int | None = _setting(
        "k-means clusters of the training images that both networks are "
        "conditioned on (ClusteredGAN; samples need no label), at most one "
        "per 8 images; 0 trains a plain GAN. The dcgan_28 recipe uses 25."
    )
    # ClusteredGAN(features=...); "hog" groups garments by shape where
    # pixels grouped them by brightness (docs/experiments/
    # 2026-12-07-hog-clusters.md).
    cluster_features: str | None = _setting(
        "What the --clusters are found in: hog (histograms of oriented "
        "gradients: shapes, whatever their brightness) or pixels (the "
        "images downsampled to 14x14)."
    )
    conditional: bool | None = _setting(
        "Train a ConditionalGAN on the class labels of digits, mnist, "
        "fashion_mnist, cifar10 or a folder of class subfolders (ids follow "
        "the sorted subfolder names)."
    )
    # Both with the 70x70 PatchGAN discriminator.
    generator: str | None = _setting("cyclegan: resnet or unet generators.")
    blocks: int | None = _setting(
        "cyclegan: residual blocks of the resnet generators."
    )
    image_size: int | None = _setting(
        "cyclegan: image side, a multiple of 8; 0: 32 for digits pairs, "
        "else 256."
    )
    cycle_weight: float | None = _setting("cyclegan: cycle-consistency weight.")
    identity_weight: float | None = _setting(
        "cyclegan: identity-loss weight; 0 is off."
    )
    pool_size: int | None = _setting(
        "cyclegan: fakes kept per discriminator; 0 is off."
    )
    # In RUN_DIR/backup, the two newest kept.
    checkpoint_every: int | None = _setting(
        "Steps between step checkpoints (also one every epoch); 0: epoch "
        "ends only."
    )
    # "stop" raises NonFiniteError, model.keras holding the last good
    # checkpoint; one rollback more than max_rollbacks stops as "stop" does.
    on_nan: str | None = _setting(
        "On a NaN or inf: stop (naming the step) or rollback (to the last "
        "checkpoint, learning rates times --rollback_lr_factor)."
    )
    rollback_lr_factor: float | None = _setting(
        "Learning-rate factor of each rollback."
    )
    max_rollbacks: int | None = _setting(
        "Rollbacks allowed before a NaN stops the run."
    )
    # With no GPU or TPU also one thread per op; runs in chunks of steps
    # agree to within float rounding (docs/guarantees.md, Reproducibility).
    deterministic: bool | None = _setting(
        "Enable TensorFlow op determinism (bit-exact CPU runs)."
    )
    # commands.devices builds it before the model; a checkpoint restores
    # under any strategy, so a run may resume on other devices.
    strategy: str | None = _setting(
        "Devices to train on: auto (mirrored when more than one GPU is "
        "visible, else one device), one_device, mirrored (every local GPU, "
        "else every logical CPU), multi_worker (the cluster in TF_CONFIG; "
        "the chief writes the run directory) or tpu. --batch_size is the "
        "global batch, split across the replicas."
    )
    # keras.mixed_precision: variables stay float32, and under
    # mixed_float16 both optimizers scale their losses.
    precision: str | None = _setting(
        "Dtype policy of the networks: float32, mixed_float16 (GPUs) or "
        "mixed_bfloat16 (TPUs, recent CPUs)."
    )
    jit_compile: bool | None = _setting("Compile the training step with XLA.")

    @classmethod
    def for_model(cls, model: str = "dcgan_28", **kwargs) -> TrainConfig:
        """The recipe of a preset with ``kwargs`` set: ``cls(model, ...)``."""
        return cls(model=model, **kwargs)

    def __post_init__(self):
        if _RECIPES and self.model not in _RECIPES:
            raise ValueError(
                f"Unknown --model {self.model!r}. Known presets: "
                f"{', '.join(sorted(_RECIPES))}."
            )
        given = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if getattr(self, f.name) is not None
        }
        if len(given) < len(dataclasses.fields(self)):
            # The one merge of a recipe and the settings given; the merged
            # config is checked as it is made.
            recipe = _RECIPES[self.model]
            merged = _merge(recipe, given)
            kinds.refuse_unread(kinds.kind_of(merged), merged, recipe, given)
            for name, value in dataclasses.asdict(merged).items():
                object.__setattr__(self, name, value)
            return
        # While the table is being built, each recipe is its own reference.
        _check(self, _RECIPES.get(self.model, self))


def _check_loss(loss: Any) -> None:
    """Refuses a loss that ``tfgan_lite.losses.get`` would refuse.

    Against the names alone, so that a mistyped --loss is reported before
    TensorFlow loads; ``losses.get`` spells a name the same way.
    """
    if not isinstance(loss, str):
        raise TypeError(
            f"--loss must be the name of a loss family, got {loss!r} of type "
            f"{type(loss).__name__}. Known losses: {', '.join(LOSSES)}."
        )
    if loss.strip().lower().replace("-", "_") not in LOSSES:
        raise ValueError(
            f"Unknown GAN loss {loss!r}. Known losses: {', '.join(LOSSES)}."
        )


def helps() -> dict[str, str]:
    """Field name -> its flag's help, in field order."""
    return {f.name: f.metadata["help"] for f in dataclasses.fields(TrainConfig)}


def _merge(recipe: TrainConfig, given: dict[str, Any]) -> TrainConfig:
    """``recipe`` with the settings ``given``; a recipe chunk fitted to them."""
    if "steps_per_execution" not in given:
        given = {
            **given,
            "steps_per_execution": _fit_chunk(
                recipe.steps_per_execution,
                {**dataclasses.asdict(recipe), **given},
            ),
        }
    return dataclasses.replace(recipe, **given)


def _fit_chunk(chunk: int, settings: Mapping[str, Any]) -> int:
    """A recipe's steps_per_execution, fitted to the steps a user chose.

    A chunk the user did not ask for must not refuse their --steps or
    --checkpoint_every: it shrinks to the largest size that divides them
    (1 for one pass over the data per epoch, whose length is not known
    yet). A chunk the user gave is checked instead.
    """
    if chunk <= 1:
        return chunk
    names = ("steps", "checkpoint_every", "log_every_steps")
    values = [settings[name] for name in names]
    if not all(isinstance(v, int) for v in values) or values[0] == 0:
        return 1
    for value in values:
        if value > 0:
            chunk = math.gcd(chunk, value)
    return chunk


def _check(config: TrainConfig, recipe: TrainConfig) -> None:
    """Refuses settings a run cannot use, before data is read.

    With the checkers that the library's own entry points use.
    """
    kind = kinds.kind_of(config)
    kinds.refuse_unread(kind, config, recipe)
    _check_loss(config.loss)
    check_choice(config.update, "--update", UPDATES)
    for name in (
        "epochs",
        "batch_size",
        "latent_dim",
        "width",
        "d_steps",
        "r1_interval",
        "steps_per_execution",
    ):
        check_int(getattr(config, name), f"--{name}", minimum=1)
    check_int(config.steps, "--steps", minimum=0)
    check_float(config.minutes, "--minutes", low=0.0)
    check_int(config.sample_every, "--sample_every", minimum=1)
    check_int(config.metrics_every, "--metrics_every", minimum=0)
    check_int(config.log_every_steps, "--log_every_steps", minimum=-1)
    check_float(config.lr, "--lr", low=0.0, low_closed=False)
    check_float(config.beta_1, "--beta_1", low=0.0, high=1.0, high_closed=False)
    check_float(config.gradient_penalty, "--gradient_penalty", low=0.0)
    check_float(config.r1_penalty, "--r1_penalty", low=0.0)
    check_float(config.r2_penalty, "--r2_penalty", low=0.0)
    check_float(config.top_k, "--top_k", low=0.0, high=1.0, low_closed=False)
    check_int(config.top_k_steps, "--top_k_steps", minimum=0)
    check_choice(config.augment, "--augment", ("auto", *AUGMENTATIONS))
    # numpy's seed, which keras.utils.set_random_seed sets, is 32-bit.
    check_int(config.seed, "--seed", minimum=0, maximum=2**32 - 1)
    check_path(config.run_dir, "--run_dir")
    check_float(config.ema, "--ema", low=0.0, high=1.0, high_closed=False)
    check_float(config.ema_rampup, "--ema_rampup", low=0.0, high=1.0)
    check_choice(config.generator, "--generator", _GENERATORS)
    check_int(config.blocks, "--blocks", minimum=1)
    check_int(config.image_size, "--image_size", minimum=0)
    if config.image_size % 8:
        raise ValueError(
            "--image_size must be a multiple of 8 (the PatchGAN halves "
            f"it three times), got {config.image_size}."
        )
    check_int(config.pool_size, "--pool_size", minimum=0)
    check_float(config.cycle_weight, "--cycle_weight", low=0.0)
    check_float(config.identity_weight, "--identity_weight", low=0.0)
    check_int(config.checkpoint_every, "--checkpoint_every", minimum=0)
    check_choice(config.on_nan, "--on_nan", _ON_NAN)
    check_float(
        config.rollback_lr_factor,
        "--rollback_lr_factor",
        low=0.0,
        high=1.0,
        low_closed=False,
        high_closed=False,
    )
    check_int(config.max_rollbacks, "--max_rollbacks", minimum=0)
    check_choice(config.strategy, "--strategy", STRATEGIES)
    check_choice(config.precision, "--precision", PRECISIONS)
    check_bool(config.jit_compile, "--jit_compile")
    chunk = config.steps_per_execution
    for name in ("steps", "checkpoint_every", "log_every_steps"):
        value = getattr(config, name)
        if value > 0 and value % chunk:
            raise ValueError(
                f"--{name} ({value}) must be a multiple of "
                f"--steps_per_execution ({chunk}): training runs in "
                f"chunks of {chunk} steps. Use --{name}="
                f"{-(-value // chunk) * chunk}, or another "
                "--steps_per_execution."
            )
    if config.batch_size < config.d_steps:
        raise ValueError(
            f"--batch_size ({config.batch_size}) is split into d_steps "
            f"({config.d_steps}) minibatches; make it at least d_steps."
        )
    check_int(config.clusters, "--clusters", minimum=0)
    if config.clusters == 1:
        raise ValueError(
            "--clusters must be 0 (a plain GAN) or at least 2, got 1."
        )
    check_choice(
        config.cluster_features, "--cluster_features", CLUSTER_FEATURES
    )
    kind.check(config)


# --------------------------------------------------------------------------
# The recipes: one complete preset per model, made from one base.

_RECIPES: dict[str, TrainConfig] = {}

# A plain GAN on the bundled digits: 30 epochs of batch 32, Adam(1e-3,
# 0.5), R1 1.0, and samples from the generator's weight average, whose
# half-life grows with the run. Settings only CycleGAN reads hold its
# paper's values.
_BASE = TrainConfig(
    dataset="digits",
    model="dcgan_28",
    loss="non_saturating",
    d_steps=1,
    update="alternating",
    epochs=30,
    steps=0,
    minutes=0.0,
    batch_size=32,
    lr=1e-3,
    beta_1=0.5,
    latent_dim=64,
    width=64,
    gradient_penalty=0.0,
    r1_penalty=1.0,
    r2_penalty=0.0,
    r1_interval=1,
    top_k=1.0,
    top_k_steps=0,
    augment="none",
    ema=0.999,
    ema_rampup=0.05,
    seed=0,
    run_dir="runs/default",
    export=False,
    sample_every=5,
    metrics_every=10,
    log_every_steps=-1,
    steps_per_execution=1,
    clusters=0,
    cluster_features="hog",
    conditional=False,
    generator="resnet",
    blocks=9,
    image_size=0,
    cycle_weight=10.0,
    identity_weight=0.0,
    pool_size=50,
    checkpoint_every=100,
    on_nan="stop",
    rollback_lr_factor=0.5,
    max_rollbacks=3,
    deterministic=False,
    strategy="auto",
    precision="float32",
    jit_compile=False,
)

_RECIPES.update(
    {
        # 25 k-means clusters that both networks are conditioned on. They
        # took the bundled digits' classifier score from 0.891 to 0.97 of
        # real in half the epochs, and 5,000 held-out MNIST digits' from
        # 0.893 to 0.952 at 4,000 steps (BUILD.md, eighth round).
        # Width 32 and R1 in every 16th D update (lazy, weighted by 16):
        # the step 2.3 times faster than width 64 with R1 in every update,
        # and as good on 4,000 Fashion-MNIST images it was not tuned on
        # (docs/experiments/2026-12-06-speed-profile.md). R1 0.2, not 1.0:
        # lower FD on Fashion-MNIST (2 seeds) and the digits (3 seeds)
        # (docs/experiments/2026-12-07-r1-weight.md).
        # ADA on folders of fewer than 1,000 images: 300 MNIST digits and
        # 300 bundled digits trained to a lower FD with it (docs/
        # experiments/2026-12-07-small-data-recipe.md).
        # A longer weight average (half-life 0.2 t, up to 1,386 updates):
        # with a folder's 9,000 steps it raised Fashion-MNIST's classifier
        # score on three seeds of three, and the digits' on three of three
        # (docs/experiments/2026-12-07-longer-average.md).
        # Its clusters are of gradient histograms (the base's
        # cluster_features): Fashion-MNIST's score 0.952-0.968 on four
        # seeds, from 0.919-0.943 with pixel clusters (docs/experiments/
        # 2026-12-07-hog-clusters.md).
        "dcgan_28": dataclasses.replace(
            _BASE,
            clusters=25,
            width=32,
            r1_interval=16,
            r1_penalty=0.2,
            augment="auto",
            ema=0.9995,
            ema_rampup=0.2,
        ),
        # Adam(1e-3) was measured on 28x28 digits only; the colour presets
        # keep the learning rate of the recipe before it. Width 64 and R1
        # 1.0 in every update, without clusters: on 3,029 emoji at 32x32,
        # the digits' changes (width 32, lazy R1, 25 clusters), alone or
        # together, all ended with a higher FD at the same 3,000 steps
        # (docs/experiments/2026-12-07-colour-presets.md).
        "dcgan_32": dataclasses.replace(
            _BASE, model="dcgan_32", lr=4e-4, epochs=60, augment="auto"
        ),
        "dcgan_64": dataclasses.replace(
            _BASE, model="dcgan_64", lr=4e-4, epochs=60, augment="auto"
        ),
        # On the ring and grid: all modes on 5 of 5 seeds each, 98.5% and
        # 96.9% of samples high quality (benchmarks/mode_collapse.py; see
        # BUILD.md). Chunks of 10 steps make the 45,000 steps about a third
        # faster: Keras' per-step overhead outweighs these MLPs.
        "mlp_2d": dataclasses.replace(
            _BASE,
            model="mlp_2d",
            dataset="ring",
            width=128,
            latent_dim=4,
            batch_size=256,
            r1_penalty=0.1,
            ema_rampup=0.0,
            epochs=45,
            steps=1000,
            steps_per_execution=10,
        ),
        # The digits pair: small networks, the paper's loss, weights, pool
        # and Adam(2e-4, 0.5), at 32x32. A few minutes on a 2-core CPU.
        # R1, the weight average and the measurements are off, as in every
        # run of it so far (config.json records them).
        "cyclegan": dataclasses.replace(
            _BASE,
            model="cyclegan",
            dataset="digits_invert",
            loss="least_squares",
            width=8,
            blocks=2,
            batch_size=16,
            lr=2e-4,
            epochs=12,
            sample_every=2,
            r1_penalty=0.0,
            ema=0.0,
            metrics_every=0,
        ),
    }
)

RECIPES: Mapping[str, TrainConfig] = types.MappingProxyType(_RECIPES)
"""Model name -> its complete recipe, what ``TrainConfig(model=...)`` gets."""
