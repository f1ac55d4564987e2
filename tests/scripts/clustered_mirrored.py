"""Trains a tiny ClusteredGAN on one device and under MirroredStrategy.

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

from tfgan_lite import ClusteredGAN, models


def _networks():
    """A BatchNorm-free pair on 2-D points: replicas see the same math."""
    z = keras.Input((4,))
    cluster = models.LatentCluster(3, name="latent_cluster")(z)
    code = keras.layers.Flatten()(keras.layers.Embedding(3, 2)(cluster))
    h = keras.layers.Dense(8, activation="relu")(
        keras.layers.Concatenate()([z, code])
    )
    g = keras.Model(z, keras.layers.Dense(2)(h))
    x = keras.Input((2,))
    c = keras.Input((), dtype="int32")
    features = keras.layers.Dense(8, activation="relu")(x)
    projection = keras.layers.Dot(axes=1)(
        [keras.layers.Flatten()(keras.layers.Embedding(3, 8)(c)), features]
    )
    logit = keras.layers.Add()([keras.layers.Dense(1)(features), projection])
    return g, keras.Model([x, c], logit)


def _train(strategy):
    keras.utils.set_random_seed(0)
    with strategy.scope():
        gan = ClusteredGAN(*_networks(), num_clusters=3, seed=3)
        gan.compile(
            keras.optimizers.Adam(1e-2),
            keras.optimizers.Adam(1e-2),
            gradient_penalty=1.0,
            r1_penalty=0.5,
        )
    rng = np.random.default_rng(0)
    centres = np.array([[-4.0, 0.0], [0.0, 4.0], [4.0, 0.0]])
    x = centres[np.arange(16) % 3] + rng.normal(0, 0.1, (16, 2))
    # The clusters are found from the dataset inside fit, as users call it.
    data = tf.data.Dataset.from_tensor_slices(x.astype("float32")).batch(8)
    history = gan.fit(data, epochs=1, verbose=0).history
    return gan, history


def compare() -> dict:
    """The comparison of ``_train`` on 1 and 2 devices."""
    return _compare(_train)


if __name__ == "__main__":
    print("RESULT " + json.dumps(compare()))
