"""Trains a tiny GAN on one device and under MirroredStrategy; prints JSON.

Run as a script: logical devices must be configured before TensorFlow starts,
which a pytest process has already done.
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402

_CPU = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    _CPU, [tf.config.LogicalDeviceConfiguration()] * 2
)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from tfgan_lite import GAN, models  # noqa: E402


def _train(strategy, update: str, steps: int, r1_interval: int):
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
        )
    x = np.random.default_rng(0).normal(size=(16 * steps, 2))
    data = tf.data.Dataset.from_tensor_slices(x.astype("float32")).batch(16)
    history = gan.fit(data, epochs=1, verbose=0).history
    return gan, history


def main(update: str, steps: int, r1_interval: int) -> None:
    default = tf.distribute.get_strategy()
    single, h1 = _train(default, update, steps, r1_interval)
    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    multi, h2 = _train(mirrored, update, steps, r1_interval)
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
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
