"""Model loading and every bad input: clear errors, nothing half-written."""

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


def _config(tmp_path, **kwargs):
    kwargs.setdefault("model", small_gan(seed=4))
    kwargs.setdefault("out_dir", tmp_path / "out")
    return export.ExportConfig(verbose=False, latency_runs=1, **kwargs)


# -- loading ---------------------------------------------------------------


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


# -- configuration -----------------------------------------------------------


def test_unknown_quantization_lists_known(tmp_path):
    with pytest.raises(ValueError, match="float32, float16, int8, int8_full"):
        _config(tmp_path, quantize=("int4",))


def test_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="saved_model, tflite"):
        _config(tmp_path, formats=("onnx",))


def test_quantize_needs_tflite(tmp_path):
    with pytest.raises(ValueError, match="has no 'tflite'"):
        _config(tmp_path, formats=("saved_model",), quantize=("float16",))


def test_int8_full_without_calibration(tmp_path):
    with pytest.raises(ValueError, match="calibration_samples=0"):
        _config(tmp_path, quantize=("int8_full",), calibration_samples=0)
    # Without int8_full, no calibration is needed.
    _config(tmp_path, quantize=("int8",), calibration_samples=0)


def test_bad_types(tmp_path):
    with pytest.raises(TypeError, match="uint8"):
        _config(tmp_path, uint8="yes")
    with pytest.raises(TypeError, match="batch_size"):
        _config(tmp_path, batch_size=1.5)
    with pytest.raises(ValueError, match="batch_size"):
        _config(tmp_path, batch_size=0)


def test_config_normalizes_names(tmp_path):
    config = _config(tmp_path, formats="tflite", quantize=" Int8 ,float32,")
    assert config.formats == ("tflite",)
    assert config.variants == ("float32", "int8")
    assert config.planned_paths() == [
        "generator_float32.tflite",
        "generator_int8.tflite",
        "export_report.json",
    ]


# -- output directory ------------------------------------------------------


def test_non_empty_out_dir_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.png").write_bytes(b"x")
    with pytest.raises(FileExistsError, match=r"already holds files \(mine"):
        export.run_export(_config(tmp_path, formats=("tflite",)))
    assert sorted(p.name for p in out.iterdir()) == ["mine.png"]


def test_overwrite_replaces_only_export_files(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.png").write_bytes(b"x")
    (out / "generator_float32.tflite").write_bytes(b"stale")
    (out / "saved_model").mkdir()
    (out / "saved_model" / "saved_model.pb").write_bytes(b"stale")
    (out / "saved_model" / "leftover.txt").write_bytes(b"stale")
    export.run_export(_config(tmp_path, overwrite=True, num_verify=2))
    assert sorted(p.name for p in out.iterdir()) == [
        "export_report.json",
        "generator_float32.tflite",
        "mine.png",
        "saved_model",
    ]
    assert (out / "mine.png").read_bytes() == b"x"
    assert (out / "generator_float32.tflite").read_bytes()[4:8] == b"TFL3"
    assert not (out / "saved_model" / "leftover.txt").exists()


def test_overwrite_never_deletes_a_foreign_saved_model_dir(tmp_path):
    out = tmp_path / "out"
    (out / "saved_model").mkdir(parents=True)
    (out / "saved_model" / "photo.jpg").write_bytes(b"x")
    with pytest.raises(FileExistsError, match="is not a SavedModel"):
        export.run_export(_config(tmp_path, overwrite=True))
    assert (out / "saved_model" / "photo.jpg").exists()


def test_out_is_a_file(tmp_path):
    (tmp_path / "out").write_text("x")
    with pytest.raises(NotADirectoryError, match="expected a directory"):
        export.run_export(_config(tmp_path))


def test_bad_model_leaves_no_out_dir(tmp_path):
    with pytest.raises(FileNotFoundError):
        export.run_export(_config(tmp_path, model=tmp_path / "no.keras"))
    assert not (tmp_path / "out").exists()


def test_public_names_are_documented():
    assert export.__all__
    for name in export.__all__:
        obj = getattr(export, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), name
