"""Model loading and every bad model input: clear errors."""

import types
import zipfile

import keras
import pytest
from export_testutil import LATENT, small_gan

from tfgan_lite import export


@pytest.fixture(scope="module")
def gan_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("gan") / "model.keras"
    small_gan(seed=3).save(path)
    return path


def _image_model():
    x = keras.Input((28, 28, 1))
    y = keras.layers.Conv2D(1, 3, padding="same", activation="tanh")(x)
    return keras.Model(x, y, name="denoiser")


def test_loads_gan_file_with_and_without_ema(gan_file):
    spec = export.load_generator(gan_file)
    assert spec.weights == "ema" and spec.latent_dim == LATENT
    assert spec.sample_shape == (28, 28, 1) and not spec.conditional
    assert spec.source == str(gan_file)
    assert export.load_generator(gan_file, use_ema=False).weights == "generator"


def test_loads_bare_generator_file(tmp_path):
    gan = small_gan(seed=6, ema=False)
    path = tmp_path / "generator.keras"
    gan.generator.save(path)
    spec = export.load_generator(path)
    assert spec.weights == "generator" and spec.latent_dim == LATENT
    assert spec.sample_shape == (28, 28, 1)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"No model file.*model\.keras"):
        export.load_generator(tmp_path / "missing.keras")


@pytest.mark.parametrize("name", ["notes.txt", "model.keras"])
def test_text_file(tmp_path, name):
    path = tmp_path / name
    path.write_text("not a model\n")
    with pytest.raises(ValueError, match="not a Keras v3 model archive"):
        export.load_generator(path)


def test_directory(tmp_path, gan_file):
    with pytest.raises(ValueError, match="is a directory, not a .keras file"):
        export.load_generator(tmp_path)
    with pytest.raises(ValueError, match="It contains model.keras"):
        export.load_generator(gan_file.parent)
    saved = tmp_path / "sm"
    saved.mkdir()
    (saved / "saved_model.pb").write_bytes(b"")
    with pytest.raises(ValueError, match="TensorFlow SavedModel directory"):
        export.load_generator(saved)


def test_zip_that_is_not_a_model(tmp_path):
    path = tmp_path / "fake.keras"
    with zipfile.ZipFile(path, "w") as f:
        f.writestr("hello.txt", "hi")
    with pytest.raises(ValueError, match="Could not load"):
        export.load_generator(path)


def test_image_to_image_model_file(tmp_path):
    path = tmp_path / "denoiser.keras"
    _image_model().save(path)
    with pytest.raises(ValueError, match=r"\(None, 28, 28, 1\).*no latent"):
        export.load_generator(path)


def test_gan_like_object_with_4d_generator_input():
    fake = types.SimpleNamespace(generator=_image_model(), ema_generator=None)
    with pytest.raises(ValueError, match="takes no latent vector"):
        export.resolve_generator(fake)


def test_not_a_model():
    with pytest.raises(TypeError, match="Expected a tfgan_lite.GAN"):
        export.resolve_generator(42)
