"""Fixtures shared by the feature extractor tests, built once per session."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from tfgan_lite.data import from_arrays
from tfgan_lite.metrics import features as F


@pytest.fixture(scope="session")
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


@pytest.fixture(scope="session")
def classifier():
    # Read-only in every test: one load serves them all.
    return F.digits_classifier()
