"""SavedModel export: signatures, parity, sampling, uint8, EMA, labels."""

import numpy as np
import pytest
import tensorflow as tf
from export_testutil import LATENT, conditional_generator, latents, small_gan

from tfgan_lite import export

ATOL = 1e-5


@pytest.fixture(scope="module")
def loaded(full_export):
    out, _ = full_export
    return tf.saved_model.load(str(out / "saved_model"))


def _generate(loaded, z, **extra):
    fn = loaded.signatures["generate"]
    feeds = {k: tf.constant(v) for k, v in extra.items()}
    return fn(z=tf.constant(z), **feeds)["images"].numpy()


def _sample(loaded, seed, n, **extra):
    fn = loaded.signatures["sample"]
    feeds = {k: tf.constant(v) for k, v in extra.items()}
    out = fn(
        seed=tf.constant(seed, tf.int64), n=tf.constant(n, tf.int32), **feeds
    )
    return out["images"].numpy()


def test_signatures_and_specs(loaded):
    assert set(loaded.signatures) == {"generate", "sample", "serving_default"}
    gen = loaded.signatures["generate"]
    (z_spec,) = gen.structured_input_signature[1].values()
    assert z_spec.name == "z"
    assert z_spec.shape.as_list() == [None, LATENT]
    assert z_spec.dtype == tf.float32
    assert list(gen.structured_outputs) == ["images"]
    sample = loaded.signatures["sample"].structured_input_signature[1]
    assert sample["seed"].shape.as_list() == [2]
    assert sample["seed"].dtype == tf.int64
    assert sample["n"].shape.as_list() == []
    assert sample["n"].dtype == tf.int32


def test_generate_matches_keras_generator(loaded, gan):
    z = latents(16, seed=3)
    expected = gan.ema_generator(z, training=False).numpy()
    np.testing.assert_allclose(
        _generate(loaded, z), expected, atol=ATOL, rtol=0
    )
    # serving_default is the same function.
    default = loaded.signatures["serving_default"](z=tf.constant(z))
    np.testing.assert_allclose(
        default["images"].numpy(), expected, atol=ATOL, rtol=0
    )


def test_sample_is_reproducible_and_respects_n(loaded, gan):
    a = _sample(loaded, [7, 0], 5)
    b = _sample(loaded, [7, 0], 5)
    c = _sample(loaded, [8, 0], 5)
    assert a.shape == (5, 28, 28, 1)
    assert _sample(loaded, [7, 0], 3).shape == (3, 28, 28, 1)
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1e-3
    # seed [s, 0] draws the latents of GAN.generate(n, seed=s).
    np.testing.assert_allclose(a, gan.generate(5, seed=7), atol=ATOL, rtol=0)


def _uint8_formula(x):
    """The pixel mapping written out in numpy, independently of the package.

    float32 throughout, np.round rounds half to even, values outside
    [-1, 1] are clipped and NaN becomes 0.
    """
    x = np.asarray(x, np.float32)
    scaled = np.round((x + np.float32(1.0)) * np.float32(127.5))
    pixels = np.where(np.isnan(x), 0.0, np.clip(scaled, 0.0, 255.0))
    return pixels.astype(np.uint8)


def test_to_uint8_graph_equals_numpy_formula():
    x = np.concatenate(
        [
            np.linspace(-1.2, 1.2, 20001, dtype=np.float32),
            np.array([-1.0, 0.0, 1.0, -3.0, 3.0], np.float32),
        ]
    )
    graph = export.to_uint8(tf.constant(x)).numpy()
    assert graph.dtype == np.uint8
    np.testing.assert_array_equal(graph, _uint8_formula(x))
    np.testing.assert_array_equal(graph, export.to_uint8_numpy(x))
    # -1 -> 0, 0 -> 127.5 -> 128 (half to even), 1 -> 255, clipped outside.
    np.testing.assert_array_equal(graph[-5:], [0, 128, 255, 0, 255])


def test_to_uint8_nan_is_black_and_inf_saturates():
    x = np.array([np.nan, -np.nan, np.inf, -np.inf, 0.0], np.float32)
    expected = np.array([0, 0, 255, 0, 128], np.uint8)
    np.testing.assert_array_equal(_uint8_formula(x), expected)
    graph = export.to_uint8(tf.constant(x)).numpy()
    np.testing.assert_array_equal(graph, expected)
    eager = export.to_uint8_numpy(x)
    assert isinstance(eager, np.ndarray) and eager.dtype == np.uint8
    np.testing.assert_array_equal(eager, expected)


def test_uint8_output(gan, full_export, tmp_path):
    path = export.export_saved_model(gan, tmp_path / "u8", uint8=True)
    loaded_u8 = tf.saved_model.load(str(path))
    z = latents(16, seed=4)
    images = _generate(loaded_u8, z)
    assert images.dtype == np.uint8
    # Exact against the formula applied to the float graph's output.
    out, _ = full_export
    floats = _generate(tf.saved_model.load(str(out / "saved_model")), z)
    np.testing.assert_array_equal(images, export.to_uint8_numpy(floats))
    # Against Keras: a float error <= 1e-5 can only flip a rounding that
    # sits on a .5 boundary, by one level.
    keras_out = gan.ema_generator(z, training=False).numpy()
    expected = export.to_uint8_numpy(keras_out)
    np.testing.assert_allclose(images, expected, atol=1, rtol=0)
    assert np.mean(images != expected) < 1e-3
    sampled = _sample(loaded_u8, [1, 2], 4)
    assert sampled.dtype == np.uint8 and sampled.shape == (4, 28, 28, 1)


def test_ema_option_selects_weights(tmp_path):
    gan = small_gan(seed=5)
    z = latents(6, seed=1)
    ema_out = gan.ema_generator(z, training=False).numpy()
    raw_out = gan.generator(z, training=False).numpy()
    assert np.abs(ema_out - raw_out).max() > 1e-2  # the weights differ

    with_ema = export.export_saved_model(
        export.resolve_generator(gan, use_ema=True), tmp_path / "ema"
    )
    without = export.export_saved_model(
        export.resolve_generator(gan, use_ema=False), tmp_path / "raw"
    )
    default = export.export_saved_model(gan, tmp_path / "default")
    for path, expected in (
        (with_ema, ema_out),
        (without, raw_out),
        (default, ema_out),
    ):
        got = _generate(tf.saved_model.load(str(path)), z)
        np.testing.assert_allclose(got, expected, atol=ATOL, rtol=0)


def test_conditional_generator_gets_label_inputs(tmp_path):
    generator = conditional_generator()
    spec = export.resolve_generator(generator)
    assert spec.conditional and spec.num_classes == 10 and spec.latent_dim == 8
    path = export.export_saved_model(generator, tmp_path / "cond")
    loaded = tf.saved_model.load(str(path))
    gen_inputs = loaded.signatures["generate"].structured_input_signature[1]
    assert gen_inputs["label"].dtype == tf.int32
    assert gen_inputs["label"].shape.as_list() == [None]
    assert set(loaded.signatures["sample"].structured_input_signature[1]) == {
        "seed",
        "n",
        "label",
    }

    z = latents(5, seed=2, latent=8)
    label = np.array([0, 3, 9, 3, 1], np.int32)
    expected = generator([z, label], training=False).numpy()
    np.testing.assert_allclose(
        _generate(loaded, z, label=label), expected, atol=ATOL, rtol=0
    )
    other = _generate(loaded, z, label=(label + 1) % 10)
    assert np.abs(other - expected).max() > 1e-4

    a = _sample(loaded, [3, 0], 5, label=label)
    np.testing.assert_array_equal(a, _sample(loaded, [3, 0], 5, label=label))
    assert a.shape == (5, 14, 14, 1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="one class id"):
        _sample(loaded, [3, 0], 4, label=label)


def test_fixed_batch_signature(gan, tmp_path):
    path = export.export_saved_model(
        gan, tmp_path / "b2", batch_size=2, include_sample=False
    )
    loaded = tf.saved_model.load(str(path))
    assert set(loaded.signatures) == {"generate", "serving_default"}
    (spec,) = (
        loaded.signatures["generate"].structured_input_signature[1].values()
    )
    assert spec.shape.as_list() == [2, LATENT]
