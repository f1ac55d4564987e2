"""Tests for tfgan_lite.metrics.features._batches: checks, preprocessing."""

import numpy as np
import pytest
import tensorflow as tf
from features_testutil import pixels, rng_images

from tfgan_lite._pixels import to_uint8
from tfgan_lite.data import from_folder
from tfgan_lite.metrics import features as F


def test_resize_and_channels():
    x = rng_images((4, 28, 28, 1))
    got = F.extract(pixels((32, 32)), x, quantize=False)
    expected = tf.clip_by_value(
        tf.image.resize(x, (32, 32), method="bilinear", antialias=True),
        -1.0,
        1.0,
    )
    np.testing.assert_allclose(got, tf.reshape(expected, (4, -1)), atol=1e-6)
    # Gray repeated to RGB; RGB to BT.601 luma.
    rgb = F.extract(pixels((28, 28), channels=3), x, quantize=False)
    np.testing.assert_array_equal(rgb.reshape(4, 28, 28, 3)[..., 2], x[..., 0])
    colour = rng_images((4, 28, 28, 3))
    luma = F.extract(pixels((28, 28)), colour, quantize=False)
    np.testing.assert_allclose(
        luma.reshape(colour.shape[:-1]),
        colour @ np.array([0.299, 0.587, 0.114], np.float32),
        atol=1e-6,
    )


def test_samples_match_their_png_files_read_by_the_data_pipeline(tmp_path):
    # Quantisation and the shared preprocessing make a generated sample and
    # the PNG file it is saved to give the same input to the network.
    x = rng_images((6, 28, 28, 1))
    png_pixels = to_uint8(x).numpy()
    for i, image in enumerate(png_pixels):
        tf.io.write_file(str(tmp_path / f"{i}.png"), tf.io.encode_png(image))
    for size in ((28, 28), (32, 32)):
        ds = from_folder(tmp_path, image_size=size, channels=1, batch_size=6)
        files = next(iter(ds)).numpy().reshape(6, -1)
        samples = F.extract(pixels(size), x)
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
    got = F.extract(pixels((28, 28)), x, quantize=False)
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
        F.extract(pixels((8, 8)), images)


def test_bad_values_in_a_dataset_name_the_images():
    x = np.zeros((10, 8, 8), np.float32)
    x[7, 3, 3] = np.nan
    ds = tf.data.Dataset.from_tensor_slices(x).batch(4)
    with pytest.raises(ValueError, match=r"\[7, 3, 3, 0\]"):
        F.extract(pixels((8, 8)), ds, batch_size=4)
