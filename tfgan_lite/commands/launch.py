"""The package's commands behind their quiet start.

``setup.py``'s console scripts name these functions, and ``python -m
tfgan_lite.train`` / ``tfgan_lite.evaluate`` call them from the first lines
of those modules. Importing this module loads nothing heavy (the package's
``__init__`` imports its public names on first use), and neither does a
command's module: its ``main`` checks the flags, then loads TensorFlow in
:func:`tfgan_lite.commands.quiet.start`, with its start-up lines held back.
"""

from __future__ import annotations

from tfgan_lite.commands import quiet

__all__ = ["evaluate", "export", "sample", "train"]


def train() -> None:
    """``tfgan-train``, ``python -m tfgan_lite.train``: trains, resuming a
    run directory."""
    quiet.launch("tfgan_lite.commands.train")


def evaluate() -> None:
    """``python -m tfgan_lite.evaluate``: measures a trained generator."""
    quiet.launch("tfgan_lite.evaluate")


def sample() -> None:
    """``tfgan-sample``: writes samples of a trained generator as PNG files."""
    quiet.launch("tfgan_lite.commands.sample", prog="tfgan-sample")


def export() -> None:
    """``tfgan-export``: exports a trained generator and checks the files."""
    quiet.launch(
        "tfgan_lite.export.cli", prog="tfgan-export", verbose_shows_all=True
    )
