"""load() and the public surface of tfgan_lite.data."""

import numpy as np
import pytest
import tensorflow_datasets as tfds
from data_testutil import MOCK, batches, save_image

from tfgan_lite import data


def test_load_dispatches_by_name_and_path(tmp_path):
    assert next(iter(data.load("digits", batch_size=8))).shape == (8, 28, 28, 1)
    ring = data.load("ring", n=300, batch_size=100, std=0.0)
    (first,) = batches(ring.take(1))
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-6)
    assert len(batches(data.load("grid", n=250, batch_size=100))) == 2
    for i in range(2):
        save_image(tmp_path / f"{i}.png", (3, 3), 0)
    assert batches(data.load(tmp_path, batch_size=2, image_size=(3, 3)))[
        0
    ].shape == (2, 3, 3, 3)
    with tfds.testing.mock_data(num_examples=4, policy=MOCK):
        assert len(batches(data.load("fashion_mnist", batch_size=2))) == 2


def test_load_unknown_name():
    with pytest.raises(
        ValueError,
        match="'mnsit' is neither a supported dataset nor an existing "
        "folder. Supported names: digits, mnist, fashion_mnist, cifar10, "
        r"celeb_a, cycle_gan/<pair>, ring, grid .*folder of images",
    ):
        data.load("mnsit")
    with pytest.raises(TypeError, match="unexpected keyword"):
        data.load("digits", split="train")


def test_public_names_are_documented():
    for name in data.__all__:
        obj = getattr(data, name)
        if callable(obj):
            doc = obj.__doc__
            assert doc and "Returns:" in doc, name
            # "Examples:" is the section the API reference renders as code.
            assert "Examples:" in doc, name
