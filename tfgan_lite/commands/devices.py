"""The devices a run trains on: ``--strategy`` and ``--precision``.

The strategy is made once, before the model: everything with variables
(the networks, the optimizers, the weight average) is built in its scope,
and ``keras.Model.fit`` then splits each global batch across its replicas.
The dtype policy is set while the networks are built, and put back after,
so that a Python caller's own global policy is left as it was.

Example:
    >>> strategy = make_strategy("one_device")
    >>> strategy.num_replicas_in_sync
    1
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import keras
import tensorflow as tf

from tfgan_lite.commands._cli import UsageError

__all__ = ["check_batch", "describe", "make_strategy", "precision_policy"]


def make_strategy(name: str) -> tf.distribute.Strategy:
    """The ``tf.distribute`` strategy that ``--strategy=name`` asks for.

    Args:
        name: "auto": mirrored when more than one GPU is visible, else one
            device; "one_device": TensorFlow's default placement (one GPU
            if there is one); "mirrored": every local GPU, else every
            logical CPU device; "tpu": the TPU system the environment
            names (a Cloud TPU VM's own).

    Raises:
        UsageError: For "tpu" on a machine without a reachable TPU.
    """
    gpus = tf.config.list_logical_devices("GPU")
    if name == "auto":
        name = "mirrored" if len(gpus) > 1 else "one_device"
    if name == "one_device":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        devices = gpus or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy([d.name for d in devices])
    if name == "tpu":
        return _tpu_strategy()
    raise ValueError(f"Unknown strategy {name!r}.")


def check_batch(config, replicas: int) -> None:
    """Refuses a global batch that the replicas cannot share evenly.

    Raises:
        UsageError: If ``--batch_size`` is not a multiple of the replicas,
            or a replica's share is smaller than ``--d_steps`` (each
            discriminator update takes its own slice of it).
    """
    batch = config.batch_size
    if batch % replicas:
        raise UsageError(
            f"--batch_size {batch} is the global batch, split across "
            f"{replicas} replicas; make it a multiple of {replicas} (e.g. "
            f"{-(-batch // replicas) * replicas})."
        )
    if batch // replicas < config.d_steps:
        raise UsageError(
            f"Each of the {replicas} replicas gets {batch // replicas} of "
            f"--batch_size {batch}, which --d_steps {config.d_steps} splits "
            "further; use a batch of at least "
            f"{replicas * config.d_steps}."
        )


def _tpu_strategy() -> tf.distribute.TPUStrategy:
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, tf.errors.OpError) as e:
        raise UsageError(
            f"--strategy=tpu found no TPU ({e}). Run on a TPU VM, or use "
            "--strategy=auto."
        ) from None
    return tf.distribute.TPUStrategy(resolver)


def describe(strategy: tf.distribute.Strategy) -> str:
    """The start line's words for where a run trains, or "" for one device.

    Example: "mirrored over 2 devices (CPU:0, CPU:1)".
    """
    kinds = {
        tf.distribute.MirroredStrategy: "mirrored",
        tf.distribute.TPUStrategy: "TPU",
    }
    kind = next((w for t, w in kinds.items() if isinstance(strategy, t)), "")
    if not kind:
        return ""  # The default strategy, or a caller's own.
    replicas = strategy.num_replicas_in_sync
    devices = strategy.extended.worker_devices
    names = ", ".join(
        d.rsplit("/", 1)[-1].removeprefix("device:") for d in devices
    )
    noun = "device" if replicas == 1 else "devices"
    return f"{kind} over {replicas} {noun} ({names})"


@contextlib.contextmanager
def precision_policy(name: str) -> Iterator[None]:
    """Keras' global dtype policy set to ``name`` within the block.

    Layers take the global policy when they are made, and keep it; the
    previous policy is back after the block.
    """
    saved = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(name)
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(saved)
