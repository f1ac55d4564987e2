"""Stacked digits: channels are real digits, ids name their classes."""

import numpy as np
import pytest

from tfgan_lite import data


def _digits_with_labels():
    ds = data.digits(image_size=(28, 28), batch_size=1797, with_labels=True)
    images, labels = (t.numpy() for t in next(iter(ds)))
    return images, labels


def test_each_channel_is_a_bundled_digit_and_the_id_names_its_classes():
    images, ids = data.stacked_digits_arrays(40, seed=3)
    assert images.shape == (40, 28, 28, 3) and images.dtype == np.float32
    assert ids.dtype == np.int64
    digits, labels = _digits_with_labels()
    flat = digits.reshape(len(digits), -1)
    for image, mode in zip(images, ids, strict=True):
        classes = []
        for k in range(3):
            distance = np.abs(flat - image[..., k].reshape(1, -1)).max(axis=1)
            match = int(np.argmin(distance))
            assert distance[match] == 0.0
            classes.append(int(labels[match]))
        assert mode == 100 * classes[0] + 10 * classes[1] + classes[2]


def test_seeded_and_close_to_uniform_over_1000_modes():
    a, ids_a = data.stacked_digits_arrays(20_000, image_size=(8, 8), seed=0)
    b, ids_b = data.stacked_digits_arrays(20_000, image_size=(8, 8), seed=0)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ids_a, ids_b)
    counts = np.bincount(ids_a, minlength=1000)
    # Class frequencies of the bundled digits are within 1% of 1/10, so every
    # mode is drawn about 20 times.
    assert counts.min() > 0 and counts.max() < 50


def test_dataset_batches_with_and_without_ids():
    ds = data.stacked_digits(256, batch_size=32, with_labels=True)
    images, ids = next(iter(ds))
    assert images.shape == (32, 28, 28, 3) and ids.shape == (32,)
    assert (
        -1.0
        <= float(images.numpy().min())
        <= float(images.numpy().max())
        <= 1.0
    )
    assert next(iter(data.stacked_digits(64, batch_size=16))).shape == (
        16,
        28,
        28,
        3,
    )


@pytest.mark.parametrize(
    "kwargs,error,message",
    [
        (dict(n=0), ValueError, "n=0"),
        (dict(n=10, seed=-1), ValueError, "seed=-1"),
        (dict(n=10, image_size=(0, 8)), ValueError, r"image_size\[0\]"),
        (dict(n=10, batch_size=11), ValueError, "at most 10"),
        (dict(n=10, with_labels=1), TypeError, "with_labels"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.stacked_digits(**kwargs)
