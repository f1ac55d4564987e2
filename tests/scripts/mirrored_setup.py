"""Two logical CPUs, and the comparison every mirrored script makes.

Import this before anything runs a TensorFlow op: logical devices can
only be set before the runtime starts. Python runs it once per process,
however many scripts of one worker import it.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402

_CPU = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    _CPU, [tf.config.LogicalDeviceConfiguration()] * 2
)

import numpy as np  # noqa: E402


def compare(train) -> dict:
    """Trains with ``train(strategy)`` on 1 and 2 devices; the differences.

    ``train`` returns the trained model and its ``fit`` history. The
    result holds the replica count, the largest weight difference and the
    last value of every logged metric on each side.
    """
    single, h1 = train(tf.distribute.get_strategy())
    # Every MirroredStrategy numbers its collective ops from the same keys,
    # so a second one in the process (the worker runs several comparisons)
    # would meet the first one's ops of other shapes under the same keys.
    # TensorFlow's own strategy tests move the base the same way.
    tf.distribute.MirroredStrategy._collective_key_base += 100_000
    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    multi, h2 = train(mirrored)
    weight_error = max(
        float(np.abs(a - b).max())
        for a, b in zip(single.get_weights(), multi.get_weights(), strict=True)
    )
    return {
        "replicas": mirrored.num_replicas_in_sync,
        "weight_error": weight_error,
        "single": {k: float(v[-1]) for k, v in h1.items()},
        "mirrored": {k: float(v[-1]) for k, v in h2.items()},
    }
