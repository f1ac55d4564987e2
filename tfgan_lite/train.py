"""Command line training: ``tfgan-train``, or ``python -m tfgan_lite.train``.

absl flags become one typed :class:`TrainConfig`, which :func:`train` turns
into a fit. Tests call :func:`train` directly, without flags. The command
lives in ``tfgan_lite.commands``; this module is its entry point and
re-exports its public names.

The run directory (``--run_dir``) holds everything a run makes: see
:mod:`tfgan_lite.commands.run_dir`.

Running the same command again resumes from the last checkpoint, at its
step (also where the run directory was moved or copied to): mid-epoch,
with the data order of an uninterrupted run. With
``--deterministic`` on the CPU the final weights then equal an uninterrupted
run's bit for bit (to within float rounding with ``--steps_per_execution``
above 1, see docs/guarantees.md). A NaN or inf in training stops the run, naming
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

``--minutes=M`` gives a run a wall-clock budget: it stops at the first
step end after M minutes, saving what a finished run saves (checkpoint,
model.keras, samples, metrics.json), and the same command again resumes
it. ``--epochs`` still sets the planned length. A first run of about a
minute on a 2-core CPU::

    tfgan-train --minutes=1 --run_dir=runs/first

Example:
    python -m tfgan_lite.train --run_dir runs/digits
    python -m tfgan_lite.train --conditional --run_dir runs/classes
    python -m tfgan_lite.train --model=cyclegan --run_dir runs/invert
    tensorboard --logdir runs/digits/logs
"""

from __future__ import annotations

if __name__ == "__main__":
    # Before the imports below load TensorFlow: the flags are checked
    # first, and TensorFlow's start-up lines are held back
    # (tfgan_lite.commands.quiet).
    from tfgan_lite.commands import launch

    launch.train()  # Runs main() and exits.

from tfgan_lite.commands._cli import UsageError
from tfgan_lite.commands.build import Built, build
from tfgan_lite.commands.config import RECIPES, TrainConfig
from tfgan_lite.commands.fit_loop import NonFiniteError
from tfgan_lite.commands.train import main, parse_flags
from tfgan_lite.commands.trainer import enable_determinism, train

__all__ = [
    "RECIPES",
    "Built",
    "NonFiniteError",
    "TrainConfig",
    "UsageError",
    "build",
    "enable_determinism",
    "main",
    "parse_flags",
    "train",
]
