"""Training callbacks for tfgan_lite.GAN: grids, EMA, health, metrics.

>>> import tempfile
>>> import keras
>>> import numpy as np
>>> import tfgan_lite
>>> from tfgan_lite import callbacks
>>> images = np.random.default_rng(0).uniform(-1, 1, (64, 2)).astype("f4")
>>> gan = tfgan_lite.GAN(*tfgan_lite.models.mlp(latent_dim=4), seed=0)
>>> gan.compile()
>>> logs = tempfile.mkdtemp()
>>> history = gan.fit(images, batch_size=32, epochs=2, verbose=0, callbacks=[
...     callbacks.EMAGenerator(decay=0.999),
...     callbacks.TrainingHealth(real_samples=images, log_dir=logs),
...     keras.callbacks.TensorBoard(logs),
... ])
>>> gan.ema_generator is not None
True

Each callback writes TensorBoard summaries to its own run beside keras'
``train`` and ``validation`` runs: ``<log_dir>/samples`` and
``<log_dir>/health``, at step = the 0-based epoch index.
"""

from tfgan_lite.callbacks.cycle_grid import cycle_grid
from tfgan_lite.callbacks.ema import EMAGenerator
from tfgan_lite.callbacks.health import HealthEvent
from tfgan_lite.callbacks.health import TrainingHealth
from tfgan_lite.callbacks.image_grid import ImageGrid
from tfgan_lite.callbacks.image_grid import make_grid
from tfgan_lite.callbacks.metrics import MetricsCallback
from tfgan_lite.callbacks.scatter import PointScatter
from tfgan_lite.callbacks.scatter import render_scatter
from tfgan_lite.callbacks.scatter import scatter_figure

__all__ = [
    "EMAGenerator",
    "HealthEvent",
    "ImageGrid",
    "MetricsCallback",
    "PointScatter",
    "TrainingHealth",
    "cycle_grid",
    "make_grid",
    "render_scatter",
    "scatter_figure",
]
