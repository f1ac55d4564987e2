"""A small finished run of the training command, for tests that read one.

``finished_run(tmp_path / "run")`` trains for a few seconds with the
command's own :func:`tfgan_lite.train.train` and returns the run
directory: ``logs/`` (TensorBoard: train/ with per-step and per-epoch
curves, samples/ with the sample image, health/), ``samples/*.png``,
``model.keras`` and ``config.json``, as a default run writes them.
``noise_folder(folder, count)`` writes a folder of images for the command
to train on.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from tfgan_lite.train import TrainConfig, train

# Enough to train in seconds on a CPU and still make every file.
_SMALL = {"epochs": 2, "steps": 5, "batch_size": 16, "width": 8}


def finished_run(run_dir, *, points: bool = False, **overrides) -> Path:
    """Trains a tiny run into ``run_dir`` and returns it as a Path.

    Args:
        run_dir: The run directory to fill (made if missing).
        points: A 2-D run (``mlp_2d`` on the ring, with the scatter
            picture) instead of the default digits DCGAN.
        **overrides: TrainConfig fields, e.g. ``epochs=3``.
    """
    settings = {**_SMALL, "metrics_every": 0, **overrides}
    settings["run_dir"] = str(run_dir)
    if points:
        config = TrainConfig.for_model("mlp_2d", dataset="ring", **settings)
    else:
        config = TrainConfig(**settings)
    train(config, verbose=0)
    return Path(run_dir)


def noise_folder(folder, count: int, *, side: int = 28) -> Path:
    """``count`` grayscale PNGs of uniform noise, 00.png, 01.png, ..."""
    folder = Path(folder)
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i in range(count):
        pixels = rng.integers(0, 256, (side, side), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"{i:02d}.png")
    return folder
