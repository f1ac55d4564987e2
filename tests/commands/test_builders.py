"""The real images a run measures its quality against."""

from __future__ import annotations

import numpy as np

from tfgan_lite.commands import builders
from tfgan_lite.commands.config import TrainConfig
from tfgan_lite.commands.datasets import FirstRead


def _first(num: int, pass_batches: int | None) -> FirstRead:
    samples = np.arange(num, dtype=np.float32).reshape(num, 1, 1, 1)
    return FirstRead(samples=samples, first_pass=(), pass_batches=pass_batches)


def test_metrics_images_stop_at_the_end_of_one_pass():
    # 1,797 digits in batches of 32: a pass is 56 batches, 1,792 images.
    config = TrainConfig(batch_size=32)
    images = builders.metrics_images(config, _first(2_000, pass_batches=56))
    assert len(images) == 56 * 32
    np.testing.assert_array_equal(images.ravel(), np.arange(56 * 32))


def test_metrics_images_of_a_long_pass_are_the_first_two_thousand():
    config = TrainConfig(batch_size=32)
    # The read stopped before the pass ended: its length is unknown.
    images = builders.metrics_images(config, _first(2_500, pass_batches=None))
    assert len(images) == builders.METRICS_SAMPLES == 2_000
    np.testing.assert_array_equal(images.ravel(), np.arange(2_000))
