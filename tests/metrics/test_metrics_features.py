"""Tests for tfgan_lite.metrics.features: extractors and extraction."""

import dataclasses

import h5py
import keras
import numpy as np
import pytest
import tensorflow as tf
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from tfgan_lite._pixels import to_uint8
from tfgan_lite.data import from_arrays, from_folder
from tfgan_lite.metrics import features as F

# The figures stated in digits_classifier()'s docstring, and how far below
# them a test run may land (one or two digits of 360).
STATED_ACCURACY = 0.9944
STATED_ACCURACY_20X20 = 0.9889
MARGIN = 0.006

# Keras' .h5 code calls np.array on h5py objects, which NumPy 2 flags with
# a DeprecationWarning; it is Keras' code, not ours.
KERAS_H5_NUMPY2 = pytest.mark.filterwarnings(
    "ignore:__array__ implementation:DeprecationWarning"
)


def _rng_images(shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype("float32")


@pytest.fixture(scope="module")
def held_out_digits():
    # The split of scripts/train_digits_classifier.py, rebuilt here from
    # scikit-learn and tfgan_lite.data so the test checks the shipped file
    # against data it was not fitted on.
    bunch = load_digits()
    n = len(bunch.target)
    ds = from_arrays(
        bunch.images.astype(np.float32),
        np.arange(n),
        image_size=(28, 28),
        batch_size=n,
        value_range=(0, 16),
    )
    images, index = (t.numpy() for t in next(iter(ds)))
    order = np.argsort(index)
    images, labels = images[order], bunch.target
    _, test = train_test_split(
        np.arange(n), test_size=0.2, stratify=labels, random_state=0
    )
    return images[test], labels[test]


@pytest.fixture(scope="module")
def classifier():
    return F.digits_classifier()


# --------------------------------------------------------------------------
# digits_classifier


def test_digits_classifier_held_out_accuracy(classifier, held_out_digits):
    images, labels = held_out_digits
    assert len(labels) == 360
    p = F.extract_probabilities(classifier, images)
    accuracy = np.mean(p.argmax(axis=1) == labels)
    assert accuracy >= STATED_ACCURACY - MARGIN


def test_digits_classifier_reads_mnist_framed_digits(
    classifier, held_out_digits
):
    images, labels = held_out_digits
    small = tf.image.resize(images, (20, 20), antialias=True).numpy()
    framed = np.pad(
        np.clip(small, -1, 1),
        ((0, 0), (4, 4), (4, 4), (0, 0)),
        "constant",
        constant_values=-1.0,
    )
    p = F.extract_probabilities(classifier, framed)
    accuracy = np.mean(p.argmax(axis=1) == labels)
    assert accuracy >= STATED_ACCURACY_20X20 - MARGIN


def test_digits_classifier_outputs(classifier, held_out_digits):
    images = held_out_digits[0][:50]
    assert classifier.name == "digits_cnn_v1"
    assert classifier.image_size == (28, 28) and classifier.channels == 1
    features, probabilities = F.extract_all(classifier, images)
    assert features.shape == (50, 64) and features.dtype == np.float32
    assert probabilities.shape == (50, 10)
    assert probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert (probabilities >= 0).all()
    # One pass equals the two separate calls, and a fresh load is identical.
    again = F.digits_classifier()
    np.testing.assert_array_equal(F.extract(again, images), features)
    np.testing.assert_array_equal(
        F.extract_probabilities(again, images), probabilities
    )


def test_digits_weights_are_small_and_shipped():
    path = F._DIGITS_WEIGHTS
    assert path.is_file() and path.name.endswith(".weights.h5")
    assert path.stat().st_size < 400_000
    with h5py.File(path, "r") as f:
        # Only the network's weights, no optimizer state.
        assert "optimizer" not in f


# --------------------------------------------------------------------------
# random_embedding


def test_random_embedding_is_a_function_of_the_seed():
    x = _rng_images((6, 28, 28, 1))
    a = F.extract(F.random_embedding(seed=5, dim=32), x)
    keras.utils.set_random_seed(99)  # Global seeds must not matter.
    b = F.extract(F.random_embedding(seed=5, dim=32), x)
    c = F.extract(F.random_embedding(seed=6, dim=32), x)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (6, 32)
    assert np.abs(a - c).max() > 1e-3
    # Distinct images get distinct, finite features of moderate scale.
    assert np.isfinite(a).all() and 0.01 < a.std() < 100
    assert np.abs(a[0] - a[1]).max() > 1e-3


@pytest.mark.parametrize("make", [F.digits_classifier, F.random_embedding])
def test_extractors_ignore_a_mixed_precision_policy(make, held_out_digits):
    # A run under mixed_bfloat16 measures with the same float32 networks.
    images = held_out_digits[0][:64]

    def measure():
        extractor = make()
        if extractor.probabilities is None:
            return [F.extract(extractor, images)]
        return list(F.extract_all(extractor, images))

    want = measure()
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        got = measure()
        assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"
    finally:
        keras.mixed_precision.set_global_policy("float32")
    for w, g in zip(want, got, strict=True):
        assert g.dtype == w.dtype == np.float32
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


def test_random_embedding_name_and_sizes():
    extractor = F.random_embedding(
        seed=2, image_size=(64, 48), channels=3, dim=16
    )
    assert extractor.name == "random_cnn_v1_seed2_64x48x3_d16"
    assert (extractor.image_size, extractor.channels) == ((64, 48), 3)
    assert F.extract(extractor, _rng_images((3, 64, 48, 3))).shape == (3, 16)
    with pytest.raises(ValueError, match="seed"):
        F.random_embedding(seed=-1)
    with pytest.raises(ValueError, match="channels"):
        F.random_embedding(channels=2)


# --------------------------------------------------------------------------
# inception_v3, with random weights saved to a file (nothing downloaded)


@pytest.fixture(scope="module")
def inception_files(tmp_path_factory):
    model = keras.applications.InceptionV3(weights=None, include_top=True)
    folder = tmp_path_factory.mktemp("inception")
    new_format = folder / "inception.weights.h5"
    model.save_weights(new_format)
    # The legacy layout of the file Keras caches in ~/.keras/models/.
    legacy = folder / "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
    from keras.src.legacy.saving import legacy_h5_format

    with h5py.File(legacy, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    reference = keras.Model(model.inputs, model.get_layer("avg_pool").output)
    return new_format, legacy, reference


@KERAS_H5_NUMPY2
@pytest.mark.parametrize("which", [0, 1], ids=["weights_h5", "legacy_h5"])
def test_inception_v3_from_file(inception_files, which):
    reference = inception_files[2]
    extractor = F.inception_v3(inception_files[which])
    assert extractor.name == "inception_v3"
    assert (extractor.image_size, extractor.channels) == ((299, 299), 3)
    gray = _rng_images((2, 28, 28, 1))
    features, probabilities = F.extract_all(extractor, gray)
    assert features.shape == (2, 2048) and probabilities.shape == (2, 1000)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    # The loaded weights, and the documented preprocessing: quantise,
    # resize to 299x299, repeat gray to RGB.
    pixels = tf.cast(to_uint8(gray), tf.float32) / 127.5 - 1.0
    rgb = tf.repeat(
        tf.image.resize(pixels, (299, 299), antialias=True), 3, axis=-1
    )
    expected = reference(tf.clip_by_value(rgb, -1.0, 1.0)).numpy()
    np.testing.assert_allclose(features, expected, rtol=1e-4, atol=1e-4)


def test_inception_v3_missing_file(tmp_path):
    missing = tmp_path / "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
    with pytest.raises(FileNotFoundError) as info:
        F.inception_v3(missing)
    message = str(info.value)
    assert str(missing) in message
    assert "keras.applications.InceptionV3(weights='imagenet')" in message
    assert "~/.keras/models/" in message
    assert "storage.googleapis.com" in message


@KERAS_H5_NUMPY2
def test_inception_v3_wrong_file(tmp_path):
    path = tmp_path / "other.weights.h5"
    F._build_digits_cnn().save_weights(path)
    with pytest.raises(ValueError, match="InceptionV3"):
        F.inception_v3(path)


# --------------------------------------------------------------------------
# extract: inputs, batching and preprocessing


def _pixels(size, channels=1):
    """An extractor whose features are the prepared pixels themselves."""
    h, w = size
    return F.FeatureExtractor(
        name=f"pixels_{h}x{w}x{channels}",
        image_size=size,
        channels=channels,
        features=lambda x: tf.reshape(x, (-1, h * w * channels)),
    )


def test_numpy_dataset_and_iterator_agree(classifier):
    x = _rng_images((70, 28, 28, 1))
    labels = np.arange(70)
    expected = F.extract(classifier, x, batch_size=32)
    inputs = {
        "batched": tf.data.Dataset.from_tensor_slices(x).batch(16),
        "unbatched": tf.data.Dataset.from_tensor_slices(x),
        "with_labels": tf.data.Dataset.from_tensor_slices((x, labels)).batch(9),
        "rank_2": tf.data.Dataset.from_tensor_slices(x[..., 0]),
        "rank_3_batches": tf.data.Dataset.from_tensor_slices(x[..., 0]).batch(
            8
        ),
        "generator": (
            (x[i : i + 25], labels[i : i + 25]) for i in range(0, 70, 25)
        ),
        "tensor": tf.constant(x),
        "rank_3_numpy": x[..., 0],
        "float64": x.astype(np.float64),
    }
    for kind, images in inputs.items():
        got = F.extract(classifier, images, batch_size=32)
        # Batches of another size may take other CPU kernels, whose sums
        # differ in the last bits (seen on AMD EPYC): a tolerance, not ==.
        np.testing.assert_allclose(
            got, expected, rtol=0, atol=1e-5, err_msg=kind
        )


def test_batch_size_does_not_change_features(classifier):
    x = _rng_images((45, 28, 28, 1))
    reference = F.extract(classifier, x, batch_size=256)
    for batch_size in (1, 7, 45):
        got = F.extract(classifier, x, batch_size=batch_size)
        np.testing.assert_allclose(got, reference, rtol=0, atol=1e-5)


def test_quantize_equals_manually_quantised_input(classifier):
    x = _rng_images((20, 28, 28, 1))
    # The mapping of tfgan_lite.data for uint8 pixels.
    on_grid = (tf.cast(to_uint8(x), tf.float32).numpy() - 127.5) / 127.5
    quantised = F.extract(classifier, x)
    np.testing.assert_allclose(
        quantised, F.extract(classifier, on_grid, quantize=False), atol=1e-6
    )
    # uint8 pixels are read as [0, 255], the same grid.
    np.testing.assert_array_equal(
        F.extract(classifier, to_uint8(x).numpy()), quantised
    )
    # Without quantisation the off-grid values give other features.
    assert np.abs(F.extract(classifier, x, quantize=False) - quantised).max()
    # Pixels end up exactly on the grid.
    got = F.extract(_pixels((28, 28)), x)
    np.testing.assert_array_equal(got, on_grid.reshape(20, -1))


def test_resize_and_channels():
    x = _rng_images((4, 28, 28, 1))
    got = F.extract(_pixels((32, 32)), x, quantize=False)
    expected = tf.clip_by_value(
        tf.image.resize(x, (32, 32), method="bilinear", antialias=True),
        -1.0,
        1.0,
    )
    np.testing.assert_allclose(got, tf.reshape(expected, (4, -1)), atol=1e-6)
    # Gray repeated to RGB; RGB to BT.601 luma.
    rgb = F.extract(_pixels((28, 28), channels=3), x, quantize=False)
    np.testing.assert_array_equal(rgb.reshape(4, 28, 28, 3)[..., 2], x[..., 0])
    colour = _rng_images((4, 28, 28, 3))
    luma = F.extract(_pixels((28, 28)), colour, quantize=False)
    np.testing.assert_allclose(
        luma.reshape(colour.shape[:-1]),
        colour @ np.array([0.299, 0.587, 0.114], np.float32),
        atol=1e-6,
    )


def test_samples_match_their_png_files_read_by_the_data_pipeline(tmp_path):
    # Quantisation and the shared preprocessing make a generated sample and
    # the PNG file it is saved to give the same input to the network.
    x = _rng_images((6, 28, 28, 1))
    pixels = to_uint8(x).numpy()
    for i, image in enumerate(pixels):
        tf.io.write_file(str(tmp_path / f"{i}.png"), tf.io.encode_png(image))
    for size in ((28, 28), (32, 32)):
        ds = from_folder(tmp_path, image_size=size, channels=1, batch_size=6)
        files = next(iter(ds)).numpy().reshape(6, -1)
        samples = F.extract(_pixels(size), x)
        # from_folder shuffles the files: match them by their totals.
        np.testing.assert_allclose(
            samples[np.argsort(samples.sum(axis=1))],
            files[np.argsort(files.sum(axis=1))],
            rtol=0,
            atol=1e-6,
        )


def test_values_within_tolerance_are_clipped():
    x = np.full((1, 28, 28, 1), 1.0005, np.float32)
    x[0, 0, 0, 0] = -1.0005
    got = F.extract(_pixels((28, 28)), x, quantize=False)
    assert got.max() == 1.0 and got.min() == -1.0


@pytest.mark.parametrize(
    "images, error, pattern",
    [
        (np.full((3, 8, 8), 2.0, np.float32), ValueError, "max 2.*-1, 1"),
        (np.full((3, 8, 8), -255.0), ValueError, "min -255"),
        (np.full((3, 8, 8), np.nan, np.float32), ValueError, "NaN"),
        (np.zeros((8, 8), np.float32), ValueError, "shape"),
        (np.zeros((2, 8, 8, 4), np.float32), ValueError, "C = 1 or 3"),
        (np.zeros((2, 8, 8), np.int32), TypeError, "int32"),
        (np.zeros((2, 8, 8), bool), TypeError, "bool"),
        (np.zeros((0, 8, 8), np.float32), ValueError, "no images"),
        ([np.zeros((8, 8))], TypeError, "np.stack"),
        (
            tf.data.Dataset.from_tensor_slices(np.zeros((2, 8, 8), np.int64)),
            TypeError,
            "int64",
        ),
        (
            tf.data.Dataset.from_tensor_slices(np.zeros((2, 8), np.float32)),
            ValueError,
            "single images",
        ),
    ],
    ids=[
        "above",
        "pixels",
        "nan",
        "rank",
        "channels",
        "int",
        "bool",
        "empty",
        "list",
        "dataset_dtype",
        "dataset_rank",
    ],
)
def test_bad_images(images, error, pattern):
    with pytest.raises(error, match=pattern):
        F.extract(_pixels((8, 8)), images)


def test_bad_values_in_a_dataset_name_the_images():
    x = np.zeros((10, 8, 8), np.float32)
    x[7, 3, 3] = np.nan
    ds = tf.data.Dataset.from_tensor_slices(x).batch(4)
    with pytest.raises(ValueError, match=r"\[7, 3, 3, 0\]"):
        F.extract(_pixels((8, 8)), ds, batch_size=4)


def test_bad_arguments():
    x = np.zeros((2, 8, 8), np.float32)
    with pytest.raises(ValueError, match="batch_size"):
        F.extract(_pixels((8, 8)), x, batch_size=0)
    with pytest.raises(TypeError, match="quantize"):
        F.extract(_pixels((8, 8)), x, quantize=1)
    with pytest.raises(TypeError, match="FeatureExtractor"):
        F.extract(lambda images: images, x)
    with pytest.raises(ValueError, match="not a classifier"):
        F.extract_probabilities(_pixels((8, 8)), x)


# --------------------------------------------------------------------------
# from_model and the record


def _tiny_model():
    inputs = keras.Input((8, 8, 1))
    maps = keras.layers.Conv2D(2, 3, padding="same", name="maps")(inputs)
    hidden = keras.layers.Dense(5, activation="tanh", name="hidden")(
        keras.layers.Flatten()(maps)
    )
    outputs = keras.layers.Dense(3, activation="softmax", name="out")(hidden)
    return keras.Model(inputs, outputs)


def test_from_model_layer_outputs():
    model = _tiny_model()
    x = _rng_images((6, 8, 8, 1))
    extractor = F.from_model(
        model, name="tiny", layer="hidden", probabilities=True
    )
    assert (extractor.image_size, extractor.channels) == ((8, 8), 1)
    on_grid = tf.cast(to_uint8(x), tf.float32) / 127.5 - 1.0
    hidden = keras.Model(model.inputs, model.get_layer("hidden").output)
    np.testing.assert_allclose(
        F.extract(extractor, x), hidden(on_grid), atol=1e-6
    )
    np.testing.assert_allclose(
        F.extract_probabilities(extractor, x), model(on_grid), atol=1e-6
    )
    # A feature map is flattened to one row per image.
    maps = F.from_model(model, name="tiny_maps", layer="maps")
    assert F.extract(maps, x).shape == (6, 8 * 8 * 2)
    # The whole model, as features and probabilities.
    whole = F.from_model(model, name="tiny_out", probabilities=True)
    features, probabilities = F.extract_all(whole, x)
    np.testing.assert_array_equal(features, probabilities)


def test_from_model_errors():
    model = _tiny_model()
    with pytest.raises(ValueError, match="hidden, out"):
        F.from_model(model, name="tiny", layer="nope")
    with pytest.raises(ValueError, match="do not match"):
        F.from_model(model, name="tiny", image_size=(16, 16))
    with pytest.raises(ValueError, match="name"):
        F.from_model(model, name="")
    with pytest.raises(TypeError, match="name"):
        F.from_model(model, name=None)
    with pytest.raises(ValueError, match="image_size"):
        F.from_model(lambda x: x, name="plain")
    with pytest.raises(TypeError, match="Keras model"):
        F.from_model(
            lambda x: x, name="p", image_size=(8, 8), channels=1, layer="hidden"
        )
    # A model without a softmax is refused as a classifier.
    logits = keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(3)]
    )
    scores = F.from_model(logits, name="logits", probabilities=True)
    with pytest.raises(ValueError, match="softmax"):
        F.extract_probabilities(scores, _rng_images((4, 8, 8, 1)))


def test_from_model_plain_callable():
    extractor = F.from_model(
        lambda x: tf.reduce_mean(x, axis=(1, 2)),
        name="mean_rgb",
        image_size=(4, 4),
        channels=3,
    )
    x = np.full((2, 6, 6, 1), 0.5, np.float32)
    np.testing.assert_allclose(
        F.extract(extractor, x, quantize=False),
        np.full((2, 3), 0.5),
        atol=1e-6,
    )


def test_feature_extractor_record():
    extractor = _pixels((8, 8))
    with pytest.raises(dataclasses.FrozenInstanceError):
        extractor.name = "other"
    assert "features" not in repr(extractor)
    with pytest.raises(ValueError, match="channels"):
        F.FeatureExtractor(
            name="x", image_size=(8, 8), channels=2, features=abs
        )
    with pytest.raises(TypeError, match="callable"):
        F.FeatureExtractor(
            name="x", image_size=(8, 8), channels=1, features=None
        )
    with pytest.raises(TypeError, match="image_size"):
        F.FeatureExtractor(name="x", image_size=8, channels=1, features=abs)
