"""The one mapping from samples in [-1, 1] to uint8 pixels."""

import numpy as np
import tensorflow as tf

from tfgan_lite._pixels import to_uint8


def _reference(x):
    # Independent float64 formula; half-way values are exact in binary, so
    # float32 and float64 agree on them and np.round breaks ties to even.
    x = np.asarray(x, np.float64)
    x = np.where(np.isnan(x), -1.0, x)
    return np.clip(np.round((x + 1.0) * 127.5), 0, 255).astype(np.uint8)


def test_matches_the_formula_on_random_and_edge_values():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1.2, 1.2, size=(64, 5, 5, 3)).astype(np.float32)
    np.testing.assert_array_equal(to_uint8(x).numpy(), _reference(x))
    edges = np.array(
        [-1.0, 1.0, 0.0, -2.0, 3.0, np.inf, -np.inf, np.nan], np.float32
    )
    out = to_uint8(edges).numpy()
    assert out.tolist() == [0, 255, 128, 0, 255, 255, 0, 0]
    assert out.dtype == np.uint8


def test_half_levels_round_to_even():
    # (x + 1) * 127.5 = k + 0.5 exactly for x = (2k + 1) / 255 - 1.
    k = np.array([0, 1, 2, 127, 253], np.float64)
    x = ((2 * k + 1) / 255.0 - 1.0).astype(np.float32)
    scaled = (x.astype(np.float32) + np.float32(1)) * np.float32(127.5)
    expected = np.round(scaled).astype(np.uint8)
    np.testing.assert_array_equal(to_uint8(x).numpy(), expected)


def test_same_pixels_inside_a_graph_and_with_xla():
    x = np.linspace(-1.1, 1.1, 1001, dtype=np.float32)
    graph = tf.function(to_uint8)(tf.constant(x))
    xla = tf.function(to_uint8, jit_compile=True)(tf.constant(x))
    np.testing.assert_array_equal(graph, _reference(x))
    np.testing.assert_array_equal(xla, _reference(x))
