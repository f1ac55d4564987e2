"""Trains a tiny ConditionalGAN on one device and under MirroredStrategy.

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

from tfgan_lite import ConditionalGAN, models  # noqa: E402


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


def main(train=_train) -> None:
    """Prints the comparison of ``train(strategy)`` on 1 and 2 devices."""
    single, h1 = train(tf.distribute.get_strategy())
    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    multi, h2 = train(mirrored)
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
