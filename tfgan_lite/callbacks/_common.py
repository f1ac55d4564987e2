"""What the training callbacks share: the model they observe, their timing."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from typing import Any

import tensorflow as tf

from tfgan_lite.gans.gan import GAN

__all__ = [
    "check_gan",
    "epoch_summaries",
    "is_due",
    "is_due_or_last",
    "write_pngs",
]


def check_gan(model: Any, callback: str) -> GAN:
    """Returns the model a callback is attached to, checked to be a GAN.

    Raises:
        TypeError: If the callback is used with another kind of model.
    """
    if not isinstance(model, GAN):
        raise TypeError(
            f"{callback} works with tfgan_lite.GAN models, but fit() was "
            f"called on a {type(model).__name__}."
        )
    return model


@contextlib.contextmanager
def epoch_summaries(writer: tf.summary.SummaryWriter, epoch: int):
    """Makes ``writer`` the default at step ``epoch``, always recording.

    Keras' TensorBoard callback with a step ``update_freq`` records
    summaries, for the whole fit, only at steps that are multiples of it;
    without ``record_if(True)`` most epoch-end figures would be dropped.
    """
    with writer.as_default(step=epoch), tf.summary.record_if(True):
        yield


def is_due(epoch: int, every_n_epochs: int) -> bool:
    """Whether a periodic callback acts at this 0-based epoch index.

    The same rule as ``keras.callbacks.TensorBoard(histogram_freq=n)``:
    epochs 0, n, 2n, ... so the first epoch is always covered.
    """
    return epoch % every_n_epochs == 0


def is_due_or_last(
    epoch: int, every_n_epochs: int, params: Mapping | None
) -> bool:
    """``is_due``, or the last epoch of the fit (Keras' ``params``)."""
    last = epoch == (params or {}).get("epochs", 0) - 1
    return is_due(epoch, every_n_epochs) or last


def write_pngs(png, png_dir: str, prefix: str, epoch: int) -> None:
    """Writes ``{prefix}_epoch_{epoch:04d}.png`` and ``{prefix}_latest.png``.

    The latest file is written aside and renamed, so that a viewer never
    reads half a file.
    """
    tf.io.write_file(
        os.path.join(png_dir, f"{prefix}_epoch_{epoch:04d}.png"), png
    )
    latest = os.path.join(png_dir, f"{prefix}_latest.png")
    tf.io.write_file(latest + ".tmp", png)
    tf.io.gfile.rename(latest + ".tmp", latest, overwrite=True)
