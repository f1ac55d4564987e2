"""from_arrays: bad arrays and arguments, lists of images."""

import numpy as np
import pytest
from data_testutil import batches

from tfgan_lite import data

GOOD = np.zeros((10, 4, 4, 1), np.uint8)


def _with_nan():
    images = np.zeros((10, 4, 4, 1), np.float32)
    images[2, 1, 3, 0] = np.nan
    images[5, 0, 0, 0] = np.inf
    return images


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            dict(images=np.zeros((10, 4), np.uint8)),
            ValueError,
            r"\(N, H, W\) or \(N, H, W, C\), got shape \(10, 4\) \(rank 2\)",
        ),
        (
            dict(images=np.zeros((2, 3, 4, 4, 1), np.uint8)),
            ValueError,
            "rank 5",
        ),
        (
            dict(images=np.zeros((10, 4, 4, 4), np.uint8)),
            ValueError,
            "4 channels. Drop the alpha channel",
        ),
        (
            dict(images=np.full((10, 4, 4), "a")),
            TypeError,
            "must hold numbers, got dtype <U1",
        ),
        (dict(images=np.zeros((10, 4, 4), bool)), TypeError, "numbers"),
        (
            dict(images=np.zeros((10, 4, 4), np.float32)),
            ValueError,
            "dtype float32, so its value range cannot be known: pass "
            r"value_range=\(0, 1\)",
        ),
        (
            dict(images=_with_nan(), value_range=(0, 1)),
            ValueError,
            r"2 non-finite values \(NaN or inf\); the first is "
            r"images\[2, 1, 3, 0\]",
        ),
        (
            dict(images=_with_nan()[..., 0], value_range=(0, 1)),
            ValueError,
            r"the first is images\[2, 1, 3\]\.",
        ),
        (
            dict(images=np.full((10, 4, 4), 17, np.uint8), value_range=(0, 16)),
            ValueError,
            r"160 values outside value_range=\(0.0, 16.0\)",
        ),
        (
            dict(
                images=np.full((10, 4, 4), 0.5, np.float32), value_range=(-1, 0)
            ),
            ValueError,
            "outside value_range",
        ),
        (
            dict(images=[np.zeros((4, 4)), np.zeros((5, 4))]),
            ValueError,
            r"images\[1\] has shape \(5, 4\) \(mixed sizes or channel counts\)",
        ),
        (
            dict(images=[np.zeros((4, 4, 3)), np.zeros((4, 4, 1))]),
            ValueError,
            "mixed sizes or channel counts",
        ),
        (
            dict(images=GOOD, labels=np.arange(9)),
            ValueError,
            r"expected length 10, got shape \(9,\)",
        ),
        (
            dict(images=GOOD, labels=np.array(["cat"] * 10)),
            TypeError,
            "`labels` must be numeric",
        ),
        (
            dict(images=GOOD, batch_size=11),
            ValueError,
            "batch_size=11 is larger than the 10 examples.*at most 10",
        ),
        (dict(images=GOOD[:0]), ValueError, "empty"),
        (dict(images=GOOD, value_range=(1, 0)), ValueError, "low < high"),
        (dict(images=GOOD, channels=2), ValueError, "1 .grayscale. or 3"),
        (dict(images=GOOD, image_size=64), TypeError, r"\(height, width\)"),
        (dict(images=GOOD, image_size=(0, 4)), ValueError, "image_size"),
        (dict(images=GOOD, batch_size=True), TypeError, "positive int"),
        (dict(images=GOOD, seed=-1), ValueError, "non-negative"),
        (
            dict(images=GOOD, seed=1.5),
            TypeError,
            "`seed` must be a non-negative int",
        ),
    ],
)
def test_from_arrays_errors(kwargs, error, match):
    kwargs.setdefault("batch_size", 2)
    with pytest.raises(error, match=match):
        data.from_arrays(**kwargs)


def test_from_arrays_accepts_list_of_same_shaped_images():
    images = [np.full((3, 3), v, np.uint8) for v in (0, 255)]
    (batch,) = batches(data.from_arrays(images, batch_size=2))
    assert batch.shape == (2, 3, 3, 1)
    np.testing.assert_allclose(np.sort(batch[:, 0, 0, 0]), [-1, 1], atol=0)


@pytest.mark.parametrize(
    "value_range", [(0.0, 1e-46), (0.0, 1e39), (0, 10**400)]
)
def test_value_ranges_that_float32_cannot_hold_are_refused(value_range):
    # Each used to scale to NaN silently (0/0 or inf - inf in float32), or
    # to raise OverflowError.
    images = np.zeros((2, 3, 3, 1), np.float64)
    with pytest.raises(ValueError, match="`value_range` must be finite"):
        data.from_arrays(images, value_range=value_range, batch_size=1)


def test_images_of_zero_height_or_width_are_refused():
    # These used to fail inside tf.data, or blame `image_size`.
    for shape in ((2, 0, 3, 1), (2, 3, 0)):
        with pytest.raises(ValueError, match="positive height and width"):
            data.from_arrays(np.zeros(shape, np.uint8), batch_size=1)
