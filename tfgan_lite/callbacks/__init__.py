"""Training callbacks for tfgan_lite.GAN: sample grids, EMA, health checks.

>>> from tfgan_lite import callbacks
>>> gan.fit(images, epochs=20, callbacks=[
...     callbacks.EMAGenerator(decay=0.999),
...     callbacks.ImageGrid("logs", every_n_epochs=1),
...     callbacks.TrainingHealth(real_samples=images[:512], log_dir="logs"),
...     keras.callbacks.TensorBoard("logs"),
... ])

Each callback writes TensorBoard summaries to its own run beside keras'
``train`` and ``validation`` runs: ``<log_dir>/samples`` and
``<log_dir>/health``, at step = the 0-based epoch index.
"""

from tfgan_lite.callbacks.ema import EMAGenerator
from tfgan_lite.callbacks.health import HealthEvent
from tfgan_lite.callbacks.health import TrainingHealth
from tfgan_lite.callbacks.image_grid import ImageGrid
from tfgan_lite.callbacks.image_grid import make_grid

__all__ = [
    "EMAGenerator",
    "HealthEvent",
    "ImageGrid",
    "TrainingHealth",
    "make_grid",
]
