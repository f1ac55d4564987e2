"""The noise module: one algorithm everywhere, a saved counter-based stream."""

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import _noise


class _Owner(keras.layers.Layer):
    def __init__(self, seed, start=0):
        super().__init__()
        self.stream = _noise.NoiseStream(
            self, seed, name="noise_state", start=start
        )


def test_stateless_draws_use_philox_and_the_seed_pair():
    seed = _noise.seed_pair(7)
    assert seed == [7, 0]
    expected = tf.random.stateless_normal((3, 2), seed=seed, alg="philox")
    np.testing.assert_array_equal(_noise.normal((3, 2), seed), expected)
    expected = tf.random.stateless_uniform((4,), seed=seed, alg="philox")
    np.testing.assert_array_equal(_noise.uniform((4,), seed), expected)


def test_stream_draws_from_its_state_and_advances_the_counter():
    owner = _Owner(seed=11, start=5)
    state = owner.stream.state
    assert state.dtype == "int64" and not state.trainable
    assert state in owner.non_trainable_weights
    np.testing.assert_array_equal(state.numpy(), [11, 5])
    first = owner.stream.normal(4, (3,))
    second = owner.stream.uniform(2)
    np.testing.assert_array_equal(state.numpy(), [11, 7])
    np.testing.assert_array_equal(
        first,
        tf.random.stateless_normal((4, 3), seed=[11, 5], alg="philox"),
    )
    np.testing.assert_array_equal(
        second,
        tf.random.stateless_uniform((2,), seed=[11, 6], alg="philox"),
    )


def test_restored_state_repeats_the_stream():
    a, b = _Owner(seed=3), _Owner(seed=99)
    a.stream.normal(2, (2,))
    b.set_weights(a.get_weights())
    np.testing.assert_array_equal(
        a.stream.normal(5, (2,)), b.stream.normal(5, (2,))
    )


# The per-replica slicing is covered by tests/test_distribute.py, whose
# subprocess sets up two logical CPUs before TensorFlow starts.
