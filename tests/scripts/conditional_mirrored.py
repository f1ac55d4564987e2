"""Trains a tiny ConditionalGAN on one device and under MirroredStrategy.

Run as a script, it prints ``RESULT {json}``; tests/mirrored_testutil.py
calls :func:`compare` in its worker instead.
"""

import json

# First: the two logical CPUs, set before anything starts TensorFlow.
from mirrored_setup import compare as _compare
from mirrored_setup import tf

# isort: split
import keras
import numpy as np

from tfgan_lite import ConditionalGAN, models


def _train(strategy):
    keras.utils.set_random_seed(0)
    with strategy.scope():
        g, d = models.conditional.conditional_mlp(3, latent_dim=4, hidden=8)
        gan = ConditionalGAN(g, d, num_classes=3, seed=3)
        gan.compile(
            keras.optimizers.Adam(1e-2),
            keras.optimizers.Adam(1e-2),
            gradient_penalty=1.0,
            r1_penalty=0.5,
        )
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 2)).astype("float32")
    y = (np.arange(16) % 3).astype("int32")
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
    history = gan.fit(data, epochs=1, verbose=0).history
    return gan, history


def compare() -> dict:
    """The comparison of ``_train`` on 1 and 2 devices."""
    return _compare(_train)


if __name__ == "__main__":
    print("RESULT " + json.dumps(compare()))
