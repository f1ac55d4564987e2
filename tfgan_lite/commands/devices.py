"""The devices a run trains on: ``--strategy`` and ``--precision``.

The strategy is made once, before the model: everything with variables
(the networks, the optimizers, the weight average) is built in its scope,
and ``keras.Model.fit`` then splits each global batch across its replicas.
The dtype policy is set while the networks are built, and put back after,
so that a Python caller's own global policy is left as it was.

``--strategy=multi_worker`` reads its cluster from the ``TF_CONFIG``
environment variable (:func:`cluster_task`), as every TensorFlow
multi-worker program does; the same command runs on every worker.

Example:
    >>> strategy = make_strategy("one_device")
    >>> strategy.num_replicas_in_sync
    1
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from typing import NamedTuple

import keras
import tensorflow as tf

from tfgan_lite.commands._cli import UsageError

__all__ = [
    "ClusterTask",
    "check_batch",
    "cluster_task",
    "describe",
    "from_chief",
    "make_strategy",
    "precision_policy",
]

_TF_CONFIG_EXAMPLE = (
    'TF_CONFIG=\'{"cluster": {"worker": ["host1:2222", "host2:2222"]}, '
    '"task": {"type": "worker", "index": 0}}\' on the first worker, '
    '"index": 1 on the second'
)
# The task types that train; an "evaluator" or "ps" task does not.
_TRAINING_TASKS = ("chief", "worker")
# The process's multi-worker strategy and the TF_CONFIG it was made from:
# TensorFlow sets up collective ops once, when its runtime starts.
_MULTI_WORKER: dict[str, tf.distribute.Strategy] = {}


class ClusterTask(NamedTuple):
    """This process's place in a multi-worker cluster, from ``TF_CONFIG``.

    Attributes:
        kind: The task type, "chief" or "worker".
        index: Its index among the tasks of its type.
        workers: The training tasks of the cluster, the chief included.
        has_chief: Whether the cluster has a "chief" task.
    """

    kind: str
    index: int
    workers: int
    has_chief: bool = False

    @property
    def is_chief(self) -> bool:
        """Whether this task writes the run directory: the "chief" task, or
        worker 0 of a cluster without one (TensorFlow's rule)."""
        if self.kind == "chief":
            return True
        return not self.has_chief and self.index == 0

    def words(self) -> str:
        """E.g. "worker 1", "worker 0, the chief" or "the chief"."""
        if self.kind == "chief":
            return "the chief"
        chief = ", the chief" if self.is_chief else ""
        return f"worker {self.index}{chief}"


def make_strategy(name: str) -> tf.distribute.Strategy:
    """The ``tf.distribute`` strategy that ``--strategy=name`` asks for.

    Args:
        name: "auto": mirrored when more than one GPU is visible, else one
            device; "one_device": TensorFlow's default placement (one GPU
            if there is one); "mirrored": every local GPU, else every
            logical CPU device; "tpu": the TPU system the environment
            names (a Cloud TPU VM's own); "multi_worker": every local
            device of every worker of the cluster that ``TF_CONFIG``
            names, one strategy per process, made before TensorFlow runs
            anything else there.

    Raises:
        UsageError: For "tpu" on a machine without a reachable TPU, and
            for "multi_worker" without a usable ``TF_CONFIG`` or after
            TensorFlow's runtime has started.
    """
    if name == "multi_worker":
        return _multi_worker_strategy()
    # Listing logical devices starts TensorFlow's runtime, which
    # multi_worker must set up itself.
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


def cluster_task(environ: Mapping[str, str] | None = None) -> ClusterTask:
    """This process's task in the cluster that ``TF_CONFIG`` describes.

    Args:
        environ: The environment to read; None: ``os.environ``.

    Raises:
        UsageError: If ``TF_CONFIG`` is unset, not JSON, or lacks a
            "cluster" of "chief"/"worker" addresses or a "task" of one of
            them; the message shows an example.
    """
    raw = (os.environ if environ is None else environ).get("TF_CONFIG", "")
    if not raw.strip():
        raise _tf_config_error("TF_CONFIG is not set")
    try:
        spec = json.loads(raw)
    except ValueError as e:
        raise _tf_config_error(f"TF_CONFIG is not JSON ({e})") from None
    cluster = spec.get("cluster") if isinstance(spec, dict) else None
    task = spec.get("task") if isinstance(spec, dict) else None
    if not isinstance(cluster, dict) or not isinstance(task, dict):
        raise _tf_config_error('TF_CONFIG lacks a "cluster" or a "task"')
    sizes = {}
    for kind in _TRAINING_TASKS:
        addresses = cluster.get(kind, [])
        if not isinstance(addresses, list):
            raise _tf_config_error(
                f'TF_CONFIG\'s cluster "{kind}" is not a list of addresses'
            )
        sizes[kind] = len(addresses)
    kind, index = task.get("type"), task.get("index", 0)
    if (
        kind not in _TRAINING_TASKS
        or not isinstance(index, int)
        or not 0 <= index < sizes[kind]
    ):
        raise _tf_config_error(
            f"TF_CONFIG's task {json.dumps(task)} is not one of its "
            f"cluster's {sizes['chief']} chief and {sizes['worker']} "
            "worker tasks"
        )
    return ClusterTask(
        kind, index, sum(sizes.values()), has_chief=sizes["chief"] > 0
    )


def _multi_worker_strategy() -> tf.distribute.Strategy:
    """The process's one ``MultiWorkerMirroredStrategy``, made on first use.

    Raises:
        UsageError: Without a usable ``TF_CONFIG``, after TensorFlow has run
            other work in this process, or for another ``TF_CONFIG`` than
            the strategy's.
    """
    cluster_task()  # A usage message rather than TensorFlow's error.
    spec = os.environ["TF_CONFIG"]
    if _MULTI_WORKER:
        made_for, strategy = next(iter(_MULTI_WORKER.items()))
        if made_for != spec:
            raise UsageError(
                "--strategy=multi_worker joins one cluster per process; "
                "this one joined another TF_CONFIG's. Start a new process."
            )
        return strategy
    try:
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
    except RuntimeError as e:
        if "program startup" not in str(e):
            raise
        raise UsageError(
            "--strategy=multi_worker must start before TensorFlow runs "
            "anything else in the process. Run the command in a process "
            "of its own (python -m tfgan_lite.train), or call train() "
            "before other TensorFlow work."
        ) from None
    _MULTI_WORKER[spec] = strategy
    return strategy


def from_chief(
    strategy: tf.distribute.Strategy, value: int, *, chief: bool
) -> int:
    """The chief's ``value`` on every worker of a multi-worker strategy.

    A collective op: every worker must call it at the same point of the
    run, and waits there for the others.

    Args:
        strategy: The run's strategy.
        value: This worker's value; only the chief's counts.
        chief: Whether this worker is the chief.
    """
    # Each of the chief's replicas adds the value, the others 0; every
    # worker has as many replicas (MultiWorkerMirroredStrategy's rule).
    local = len(strategy.extended.worker_devices)
    mine = tf.constant(value if chief else 0, tf.int64)
    shares = strategy.experimental_distribute_values_from_function(
        lambda _: mine
    )
    total = strategy.reduce(tf.distribute.ReduceOp.SUM, shares, axis=None)
    return int(total) // local


def _tf_config_error(problem: str) -> UsageError:
    return UsageError(
        f"--strategy=multi_worker needs the cluster in the TF_CONFIG "
        f"environment variable: {problem}. Set it on each worker before "
        f"the command, e.g. {_TF_CONFIG_EXAMPLE}."
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

    Example: "mirrored over 2 devices (CPU:0, CPU:1)", or "multi-worker
    over 2 workers × 1 device (CPU:0), as worker 1".
    """
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return _describe_multi_worker(strategy)
    kinds = {
        tf.distribute.MirroredStrategy: "mirrored",
        tf.distribute.TPUStrategy: "TPU",
    }
    kind = next((w for t, w in kinds.items() if isinstance(strategy, t)), "")
    if not kind:
        return ""  # The default strategy, or a caller's own.
    replicas = strategy.num_replicas_in_sync
    noun = "device" if replicas == 1 else "devices"
    return f"{kind} over {replicas} {noun} ({_device_names(strategy)})"


def _describe_multi_worker(strategy: tf.distribute.Strategy) -> str:
    # worker_devices are this worker's; every worker has as many.
    local = len(strategy.extended.worker_devices)
    workers = strategy.num_replicas_in_sync // local
    words = (
        f"multi-worker over {workers} worker{'s' * (workers != 1)} × "
        f"{local} device{'s' * (local != 1)} ({_device_names(strategy)})"
    )
    resolver = strategy.cluster_resolver
    if resolver is None or resolver.task_type is None:
        return words  # A strategy made without a cluster.
    task = ClusterTask(
        resolver.task_type,
        resolver.task_id,
        workers,
        has_chief="chief" in resolver.cluster_spec().jobs,
    )
    return f"{words}, as {task.words()}"


def _device_names(strategy: tf.distribute.Strategy) -> str:
    """This worker's devices, e.g. "CPU:0, CPU:1"."""
    return ", ".join(
        d.rsplit("/", 1)[-1].removeprefix("device:")
        for d in strategy.extended.worker_devices
    )


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
