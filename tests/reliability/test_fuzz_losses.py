"""Fuzzing every loss pair of ``losses.get`` with random logits.

The property, per family and per player:

* Finite logits (any float dtype, any shapes, the two sides' shapes
  unrelated, values up to +-1e4) give a finite float32 scalar in the range
  the docstring states. The relativistic pairing loss pairs the two sides
  logit by logit: sides of different sizes are refused with a ValueError.
* An empty side is refused with a ValueError that names it: the mean of no
  logits is NaN, which would pass silently into training.
* A NaN logit gives a NaN loss, for every family: a diverged discriminator
  is never hidden behind a finite number, and ``callbacks.TrainingHealth``
  stops on it.
* An infinite logit gives whatever the formula's limit is (+-inf, a finite
  value, or NaN for inf - inf in the Wasserstein and relativistic
  differences), but never an exception.
* Logits that are not floating-point (ints, uint8, bool, complex) raise a
  TypeError that names the argument.
"""

import math

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from tfgan_lite import losses

# The example count comes from the Hypothesis profile (tests/conftest.py).
EXAMPLES = settings(deadline=None)

PLAYERS = ("generator", "discriminator")
FLOAT_DTYPES = ("float16", "float32", "float64", "bfloat16")
# Documented lower bounds of each loss (Returns: sections); None: any real.
_LOWER = {
    "minimax": (None, 0.0),
    "non_saturating": (0.0, 0.0),
    "wasserstein": (None, None),
    "hinge": (None, 0.0),
    "least_squares": (0.0, 0.0),
    "relativistic_average": (0.0, 0.0),
    "relativistic_pairing": (0.0, 0.0),
}
# The minimax generator loss is E[log(1 - D(G(z)))] <= 0.
_UPPER = {"minimax": (0.0, None)}

_shapes = st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple)
_finite = st.one_of(
    st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False),
    st.sampled_from([-1e4, 1e4, 0.0, -0.0, 1e-30]),
)
_special = st.sampled_from([math.nan, math.inf, -math.inf])


@st.composite
def _logits(draw, special: bool = False):
    """(tensor, values as float64 after the dtype cast) of random shape."""
    shape = draw(_shapes)
    size = int(np.prod(shape))
    values = draw(st.lists(_finite, min_size=size, max_size=size))
    array = np.array(values, np.float64).reshape(shape)
    if special and size:
        index = draw(st.integers(0, size - 1))
        array.flat[index] = draw(_special)
    dtype = draw(st.sampled_from(FLOAT_DTYPES))
    tensor = tf.cast(tf.constant(array, tf.float64), dtype)
    return tensor, tf.cast(tensor, tf.float64).numpy()


def _call(pair, player, real, fake):
    if player == "discriminator":
        return pair.discriminator(real, fake)
    if pair.generator_needs_real:
        return pair.generator(fake, real)
    return pair.generator(fake)


def _reads_real(pair, player):
    return player == "discriminator" or pair.generator_needs_real


def _unpaired(pair, player, real, fake):
    """Whether the pairing loss is given sides of different sizes."""
    return (
        pair.name == "relativistic_pairing"
        and _reads_real(pair, player)
        and np.size(real) != np.size(fake)
    )


def _empty_names(pair, player, real, fake):
    names = ["fake_logits"] * (np.size(fake) == 0)
    if _reads_real(pair, player) and np.size(real) == 0:
        names.append("real_logits")
    return names


@pytest.mark.parametrize("family", losses.names())
@EXAMPLES
@given(real=_logits(), fake=_logits())
def test_finite_logits_give_a_finite_loss_in_range(family, real, fake):
    pair = losses.get(family)
    (real, real_values), (fake, fake_values) = real, fake
    for index, player in enumerate(PLAYERS):
        empty = _empty_names(pair, player, real_values, fake_values)
        if empty:
            with pytest.raises(ValueError, match="must hold at least one") as e:
                _call(pair, player, real, fake)
            assert any(f"`{name}`" in str(e.value) for name in empty)
            continue
        if _unpaired(pair, player, real_values, fake_values):
            with pytest.raises(ValueError, match="need as many logits"):
                _call(pair, player, real, fake)
            continue
        loss = _call(pair, player, real, fake)
        assert loss.dtype == tf.float32 and loss.shape == ()
        value = float(loss)
        assert math.isfinite(value), (family, player, value)
        low = _LOWER[family][index]
        high = _UPPER.get(family, (None, None))[index]
        # float32 rounding of the sums can step a hair past a bound of 0.
        assert low is None or value >= low - 1e-6, (player, value)
        assert high is None or value <= high + 1e-6, (player, value)


@pytest.mark.parametrize("family", losses.names())
@EXAMPLES
@given(real=_logits(special=True), fake=_logits(special=True))
def test_non_finite_logits_never_raise_and_nan_stays_nan(family, real, fake):
    pair = losses.get(family)
    (real, real_values), (fake, fake_values) = real, fake
    for player in PLAYERS:
        if _empty_names(pair, player, real_values, fake_values):
            continue  # The empty case is the finite test's.
        if _unpaired(pair, player, real_values, fake_values):
            continue  # So is the pairing loss's size check.
        loss = _call(pair, player, real, fake)
        assert loss.dtype == tf.float32 and loss.shape == ()
        read = [fake_values]
        if _reads_real(pair, player):
            read.append(real_values)
        if any(np.isnan(values).any() for values in read):
            assert math.isnan(float(loss)), (family, player, float(loss))


_NOT_FLOAT = ("int8", "int32", "int64", "uint8", "bool", "complex64")


@EXAMPLES
@given(
    family=st.sampled_from(losses.names()),
    shape=_shapes,
    dtype=st.sampled_from(_NOT_FLOAT),
    bad_side=st.sampled_from(["real_logits", "fake_logits"]),
)
def test_non_float_logits_raise_a_type_error_naming_them(
    family, shape, dtype, bad_side
):
    pair = losses.get(family)
    good = tf.zeros((2,), tf.float32)
    bad = tf.zeros(shape, dtype)
    real, fake = (bad, good) if bad_side == "real_logits" else (good, bad)
    for player in PLAYERS:
        if bad_side == "real_logits" and not _reads_real(pair, player):
            continue
        with pytest.raises(TypeError, match=f"`{bad_side}`.*{dtype}"):
            _call(pair, player, real, fake)
