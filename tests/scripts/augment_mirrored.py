"""Trains a tiny image GAN with ADA on one device and under MirroredStrategy.

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

from tfgan_lite import GAN, augment


def _networks():
    g = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8 * 8 * 3, activation="tanh"),
            keras.layers.Reshape((8, 8, 3)),
        ]
    )
    d = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            keras.layers.Conv2D(4, 3, strides=2),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ]
    )
    return g, d


def _train(strategy):
    keras.utils.set_random_seed(0)
    with strategy.scope():
        gan = GAN(*_networks(), seed=3)
        # p starts at 0.5 and moves every update, so that both the gates
        # and the controller's sum over replicas count.
        ada = augment.AdaptiveAugment(
            probability=0.5, interval=1, ramp_images=160
        )
        gan.compile(
            keras.optimizers.Adam(1e-2),
            keras.optimizers.Adam(1e-2),
            r1_penalty=0.5,
            augment=ada,
        )
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (16, 8, 8, 3)).astype("float32")
    data = tf.data.Dataset.from_tensor_slices(x).batch(8)
    history = gan.fit(data, epochs=1, verbose=0).history
    return gan, history


def compare() -> dict:
    """The comparison of ``_train`` on 1 and 2 devices."""
    return _compare(_train)


if __name__ == "__main__":
    print("RESULT " + json.dumps(compare()))
