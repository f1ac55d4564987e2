"""GAN under tf.distribute: MirroredStrategy on 2 logical CPUs.

The comparisons run in a subprocess, whose logical devices are set before
TensorFlow starts; they share one worker with the model tests'
(mirrored_testutil). Multi-worker training, two processes on localhost, is
tested through the command that users run it with
(tests/commands/test_multi_worker.py).
"""

import inspect

import pytest
from mirrored_testutil import mirrored_result


@pytest.mark.slow
@pytest.mark.parametrize(
    "update, steps, r1_interval, d_steps",
    [
        ("alternating", 1, 1, 1),
        ("simultaneous", 1, 1, 1),
        # Lazy R1's tf.cond in updates 0, 2 and 4 of 6, inside the
        # replicas; two discriminator minibatches a step, which each
        # replica splits from its part of the batch.
        ("alternating", 3, 2, 2),
    ],
)
def test_mirrored_matches_single_device(update, steps, r1_interval, d_steps):
    result = mirrored_result(
        "mirrored_step.py", update, str(steps), str(r1_interval), str(d_steps)
    )
    assert result["replicas"] == 2
    # The same steps, global batches and seeds: the same updated weights.
    assert result["weight_error"] < 1e-5, result
    for name in ("d_loss", "g_loss", "d_real", "d_fake", "gradient_penalty"):
        assert result["mirrored"][name] == pytest.approx(
            result["single"][name], rel=1e-5, abs=1e-6
        )


def test_keras_hooks_behind_the_multi_worker_workaround():
    """Fails if Keras changes the two places GAN works around (#20585).

    GAN overrides `_maybe_symbolic_build` and returns one-element logs under
    multi-worker strategies. If Keras renames the hook or stops reducing logs
    over axis 0, the workaround must be revisited.
    """
    from keras.src.backend.tensorflow import trainer as tf_trainer

    from tfgan_lite import GAN

    hook = tf_trainer.TensorFlowTrainer._maybe_symbolic_build
    assert 'reduce(\n                        "MEAN"' in inspect.getsource(hook)
    assert GAN._maybe_symbolic_build is not hook
    reduce_source = inspect.getsource(tf_trainer.reduce_per_replica)
    assert 'strategy.reduce("MEAN", v, axis=0)' in reduce_source
