"""Fuzzing ``data.from_arrays`` with random arrays and arguments.

The property: every call either returns a dataset whose every batch is
float32 of the promised shape, finite and in [-1, 1] (and, when nothing is
resized or converted, holds exactly the caller's images scaled linearly from
`value_range`), or raises a TypeError/ValueError whose message names the
argument at fault. Arrays come in every rank, dtype (bool, ints, uint8
outside the declared range, floats, complex, object), with NaN and inf, and
with zero-size axes.
"""

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tfgan_lite import data

# The example count comes from the Hypothesis profile (tests/conftest.py).
EXAMPLES = settings(deadline=None)

ARGUMENTS = ("images", "value_range", "batch_size", "image_size", "channels")
DTYPES = (
    "bool",
    "int8",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "float16",
    "float32",
    "float64",
    "complex64",
    "object",
)
_SCALES = (1.0, 255.0, 1e4, 1e30, 1e300)

# Each argument is valid 7 times in 8, so that about half the calls build a
# dataset whose batches can be checked, and the rest probe one or two bad
# arguments at a time.
_valid = st.sampled_from([True] * 7 + [False])


def _either(valid, invalid):
    return _valid.flatmap(lambda ok: valid if ok else invalid)


def _shape(draw):
    if draw(_valid):
        shape = [draw(st.integers(1, 4)) for _ in range(3)]
        if draw(st.booleans()):
            shape.append(draw(st.sampled_from([1, 3])))
        return shape, draw(st.sampled_from(DTYPES[1:-2]))
    rank = draw(st.integers(0, 5))
    shape = []
    for axis in range(rank):
        last = axis == rank - 1 and rank >= 4
        sizes = st.sampled_from([1, 3, 4, 0, 2]) if last else st.integers(0, 4)
        shape.append(draw(sizes))
    return shape, draw(st.sampled_from(DTYPES))


@st.composite
def _images(draw):
    """A random array: any rank, dtype and range, maybe with NaN or inf."""
    shape, dtype = _shape(draw)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from(_SCALES))
    low = draw(st.sampled_from([0.0, -1.0]))
    values = np.asarray(rng.uniform(low * scale, scale, size=shape))
    # Values past a dtype's range saturate or overflow to inf: both are
    # inputs worth trying.
    with np.errstate(over="ignore", invalid="ignore"):
        if dtype in ("bool", "object"):
            array = (values > 0).astype(dtype)
        elif np.issubdtype(np.dtype(dtype), np.integer):
            info = np.iinfo(dtype)
            array = np.clip(values, info.min, info.max).astype(dtype)
        else:
            array = values.astype(dtype)
    array = np.asarray(array, dtype)
    if array.size and np.issubdtype(array.dtype, np.inexact):
        if not draw(_valid):
            index = draw(st.integers(0, array.size - 1))
            array.flat[index] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    return array


@st.composite
def _value_range(draw, array):
    real = np.issubdtype(array.dtype, np.number) and not np.issubdtype(
        array.dtype, np.complexfloating
    )
    if real and array.size and np.isfinite(array).all() and draw(_valid):
        # The data's own range, as a caller would declare it.
        low, high = float(array.min()), float(array.max())
        return low, high if high > low else low + 1.0
    return draw(
        st.one_of(
            st.none(),
            st.sampled_from([(0, 1), (-1, 1), (0, 255), (0.0, 1e-46), (1, 0)]),
            st.tuples(st.floats(), st.floats()),
            st.tuples(st.integers(-(10**400), 10**400), st.integers()),
            st.sampled_from(["0,1", (0,), (0, 1, 2), (None, 1), 1.0]),
        )
    )


def _batch_size(num):
    return _either(
        st.integers(1, max(num, 1)),
        st.sampled_from([0, -1, 2.5, True, "4", None, num + 1]),
    )


_image_size = _either(
    st.one_of(st.none(), st.tuples(st.integers(1, 5), st.integers(1, 5))),
    st.sampled_from([(0, 3), (3,), "3x3", 3, (2.0, 2), (True, 2)]),
)
_channels = _either(
    st.sampled_from([None, 1, 3]),
    st.sampled_from([0, 2, 4, True, 1.0, "3"]),
)


def _expected_images(array, value_range):
    """The caller's images scaled to [-1, 1] in float64, shape (N, H, W, C)."""
    x = np.asarray(array, np.float64)
    if x.ndim == 3:
        x = x[..., np.newaxis]
    if value_range is None:
        value_range = (0.0, 255.0)
    low, high = (float(v) for v in value_range)
    return (x - (low + high) / 2) / ((high - low) / 2)


@EXAMPLES
@given(data_=st.data())
def test_from_arrays_gives_unit_range_batches_or_names_the_argument(data_):
    array = data_.draw(_images(), label="images")
    as_list = data_.draw(st.booleans(), label="as_list")
    images = list(array) if as_list and array.ndim else array
    kwargs = {
        "value_range": data_.draw(_value_range(array), label="value_range"),
        "batch_size": data_.draw(
            _batch_size(len(array) if array.ndim else 0), label="batch_size"
        ),
        "image_size": data_.draw(_image_size, label="image_size"),
        "channels": data_.draw(_channels, label="channels"),
    }
    try:
        ds = data.from_arrays(images, **kwargs)
    except (TypeError, ValueError) as e:
        event(f"refused: {type(e).__name__}")
        message = str(e)
        assert any(name in message for name in ARGUMENTS), message
        return
    event("built")
    batches = [batch.numpy() for batch in ds]
    num = array.shape[0]
    assert len(batches) == num // kwargs["batch_size"]
    height, width = kwargs["image_size"] or array.shape[1:3]
    channels = kwargs["channels"] or (1 if array.ndim == 3 else array.shape[3])
    expected = _expected_images(array, kwargs["value_range"])
    untouched = kwargs["image_size"] in (None, array.shape[1:3]) and (
        channels == expected.shape[-1]
    )
    for batch in batches:
        assert batch.dtype == np.float32
        assert batch.shape == (kwargs["batch_size"], height, width, channels)
        assert np.isfinite(batch).all()
        assert batch.min() >= -1.0 and batch.max() <= 1.0
        if untouched:
            # Each output image is one of the inputs, scaled.
            for image in batch:
                gaps = np.abs(expected - image).reshape(num, -1).max(axis=1)
                assert gaps.min() <= 1e-5, gaps
