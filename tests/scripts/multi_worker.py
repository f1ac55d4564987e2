"""One worker of a 2-process MultiWorkerMirroredStrategy fit; prints JSON.

Usage: multi_worker.py INDEX PORT0 PORT1
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main(index: int, ports: list[str]) -> None:
    os.environ["TF_CONFIG"] = json.dumps(
        {
            "cluster": {"worker": [f"localhost:{p}" for p in ports]},
            "task": {"type": "worker", "index": index},
        }
    )
    import keras
    import numpy as np
    import tensorflow as tf

    from tfgan_lite import GAN, models

    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    keras.utils.set_random_seed(0)
    with strategy.scope():
        gan = GAN(*models.mlp(latent_dim=4, hidden=16, depth=2), seed=3)
        gan.compile(
            keras.optimizers.Adam(1e-2),
            keras.optimizers.Adam(1e-2),
            d_steps=2,
            gradient_penalty=1.0,
        )
    x = np.random.default_rng(0).normal(size=(128, 2)).astype("float32")
    data = tf.data.Dataset.from_tensor_slices(x).batch(16)
    history = gan.fit(data, epochs=3, verbose=0).history
    print(
        "RESULT "
        + json.dumps(
            {
                "replicas": strategy.num_replicas_in_sync,
                "history": {
                    k: [float(v) for v in vs] for k, vs in history.items()
                },
                "d_updates": int(gan.d_optimizer.iterations.numpy()),
                "g_updates": int(gan.g_optimizer.iterations.numpy()),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2:4])
