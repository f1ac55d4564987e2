"""Export of a trained ConditionalGAN: the label is the second input."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_lite import ConditionalGAN, export, models


@pytest.fixture(scope="module")
def saved_gan(tmp_path_factory):
    g, d = models.conditional_dcgan_28(num_classes=3, latent_dim=4, width=4)
    gan = ConditionalGAN(g, d, num_classes=3, seed=1)
    # Moving statistics that follow the last batch, so that inference
    # after two steps behaves like a trained network's: the N(0, 0.02)
    # initial weights of this narrow generator shrink the signal through
    # its layers, which the initial unit moving variances do not undo.
    for layer in g.get_layer("generator_body").layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = 0.0
    gan.compile()
    x = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1))
    gan.fit(x.astype("float32"), np.arange(8) % 3, batch_size=4, verbose=0)
    path = tmp_path_factory.mktemp("cgan") / "model.keras"
    gan.save(path)
    return gan, path


@pytest.fixture(scope="module")
def exported(saved_gan, tmp_path_factory):
    _, path = saved_gan
    out = tmp_path_factory.mktemp("exported")
    report = export.run_export(
        export.ExportConfig(
            model=str(path),
            out_dir=out,
            num_verify=4,
            latency_runs=1,
            verbose=False,
        )
    )
    return report, out


def test_report_covers_the_conditional_generator(exported):
    report, _ = exported
    assert report.passed
    assert report.generator["conditional"]
    assert report.generator["num_classes"] == 3
    tflite = report.file("generator_float32.tflite")
    assert sorted(i["name"] for i in tflite.inputs) == ["label", "z"]
    # Parity was measured against the Keras generator, not skipped.
    assert 0.0 <= tflite.max_abs_error <= tflite.parity_tolerance


def test_saved_model_signatures_take_the_label(saved_gan, exported):
    gan, _ = saved_gan
    _, out = exported
    loaded = tf.saved_model.load(str(out / "saved_model"))
    labels = np.array([0, 1, 2, 1], np.int32)
    z = np.random.default_rng(2).normal(size=(4, 4)).astype("float32")
    images = loaded.signatures["generate"](z=z, label=labels)["images"]
    expected = gan.generator([z, labels], training=False).numpy()
    np.testing.assert_allclose(images.numpy(), expected, atol=1e-5)
    # sample(seed=[s, 0]) draws the latents of generate(n, seed=s).
    sampled = loaded.signatures["sample"](
        seed=tf.constant([5, 0], tf.int64), n=tf.constant(4), label=labels
    )["images"]
    np.testing.assert_allclose(
        sampled.numpy(), gan.generate(4, labels=labels, seed=5), atol=1e-5
    )
    # The label matters (relative to the untrained net's small outputs).
    other = loaded.signatures["generate"](z=z, label=(labels + 1) % 3)
    change = np.abs(other["images"].numpy() - images.numpy()).max()
    assert change > 0.01 * np.abs(images.numpy()).max()


def test_litert_file_takes_the_label(saved_gan, exported):
    gan, _ = saved_gan
    _, out = exported
    interpreter = export.load_interpreter(out / "generator_float32.tflite")
    z = np.random.default_rng(3).normal(size=(2, 4)).astype("float32")
    labels = np.array([2, 0], np.int32)
    got = export.run_generate(interpreter, z, label=labels)
    expected = gan.generator([z, labels], training=False).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-4)


def test_loaded_generator_is_conditional(saved_gan):
    _, path = saved_gan
    spec = export.load_generator(path)
    assert spec.conditional and spec.num_classes == 3
    assert spec.latent_dim == 4
    with pytest.raises(ValueError, match="conditional"):
        spec(np.zeros((1, 4), "float32"))
    assert isinstance(keras.models.load_model(path), ConditionalGAN)
