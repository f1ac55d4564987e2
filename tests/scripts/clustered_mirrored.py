"""Trains a tiny ClusteredGAN on one device and under MirroredStrategy.

Prints one JSON line. Run as a script: logical devices must be configured
before TensorFlow starts, which a pytest process has already done.
"""

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402

_CPU = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    _CPU, [tf.config.LogicalDeviceConfiguration()] * 2
)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from tfgan_lite import ClusteredGAN, models  # noqa: E402


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


def main() -> None:
    single, h1 = _train(tf.distribute.get_strategy())
    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    multi, h2 = _train(mirrored)
    weight_error = max(
        float(np.abs(a - b).max())
        for a, b in zip(single.get_weights(), multi.get_weights(), strict=True)
    )
    print(
        "RESULT "
        + json.dumps(
            {
                "replicas": mirrored.num_replicas_in_sync,
                "weight_error": weight_error,
                "single": {k: float(v[-1]) for k, v in h1.items()},
                "mirrored": {k: float(v[-1]) for k, v in h2.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
