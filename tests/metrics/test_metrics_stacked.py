"""Stacked-digit mode counts through the shipped digits classifier."""

import math

import numpy as np
import pytest

from tfgan_lite import data
from tfgan_lite.metrics import features, stacked_modes


def test_real_stacked_digits_give_the_true_histogram():
    images, ids = data.stacked_digits_arrays(600, seed=2)
    result = stacked_modes(images)
    counts = np.bincount(ids, minlength=1000)
    # The classifier misreads well under 1% of digits: at most a few of
    # 600 images change mode.
    assert np.abs(result.counts - counts).sum() <= 2 * 12
    assert abs(result.modes - int((counts > 0).sum())) <= 12


def test_a_collapsed_generator_has_one_mode_and_kl_log_1000():
    images, _ = data.stacked_digits_arrays(1, seed=4)
    result = stacked_modes(np.repeat(images, 50, axis=0))
    assert result.modes == 1
    assert result.reverse_kl == pytest.approx(math.log(1000), rel=1e-9)


def test_bad_input():
    with pytest.raises(ValueError, match=r"\(N, H, W, K\)"):
        stacked_modes(np.zeros((4, 28, 28)))
    embedding = features.random_embedding(seed=0, dim=4)
    with pytest.raises(TypeError, match="not a classifier"):
        stacked_modes(np.zeros((2, 28, 28, 3)), extractor=embedding)
