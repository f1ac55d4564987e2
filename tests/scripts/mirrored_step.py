"""Trains a tiny GAN on one device and under MirroredStrategy.

Usage: mirrored_step.py UPDATE STEPS R1_INTERVAL [D_STEPS]; prints
``RESULT {json}``.
tests/mirrored_testutil.py calls :func:`compare` in its worker instead.
"""

import functools
import json
import sys

# First: the two logical CPUs, set before anything starts TensorFlow.
from mirrored_setup import compare as _compare
from mirrored_setup import tf

# isort: split
import keras
import numpy as np

from tfgan_lite import GAN, models


def _train(strategy, update: str, steps: int, r1_interval: int, d_steps: int):
    keras.utils.set_random_seed(0)
    with strategy.scope():
        gan = GAN(*models.mlp(latent_dim=4, hidden=16, depth=2), seed=3)
        gan.compile(
            keras.optimizers.Adam(1e-2),
            keras.optimizers.Adam(1e-2),
            update=update,
            gradient_penalty=1.0,
            r1_penalty=0.5,
            r1_interval=r1_interval,
            d_steps=d_steps,
        )
    x = np.random.default_rng(0).normal(size=(16 * steps, 2))
    data = tf.data.Dataset.from_tensor_slices(x.astype("float32")).batch(16)
    history = gan.fit(data, epochs=1, verbose=0).history
    return gan, history


def compare(
    update: str, steps: str, r1_interval: str, d_steps: str = "1"
) -> dict:
    """The comparison for one update rule, step count, lazy R1 interval and
    number of discriminator updates a step."""
    return _compare(
        functools.partial(
            _train,
            update=update,
            steps=int(steps),
            r1_interval=int(r1_interval),
            d_steps=int(d_steps),
        )
    )


if __name__ == "__main__":
    print("RESULT " + json.dumps(compare(*sys.argv[1:5])))
