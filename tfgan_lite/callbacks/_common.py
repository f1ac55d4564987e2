"""What the training callbacks share: the model they observe, their timing."""

from __future__ import annotations

from typing import Any

from tfgan_lite.gan import GAN


def _check_gan(model: Any, callback: str) -> GAN:
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


def _is_due(epoch: int, every_n_epochs: int) -> bool:
    """Whether a periodic callback acts at this 0-based epoch index.

    The same rule as ``keras.callbacks.TensorBoard(histogram_freq=n)``:
    epochs 0, n, 2n, ... so the first epoch is always covered.
    """
    return epoch % every_n_epochs == 0
