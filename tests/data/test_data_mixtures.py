"""2-D mixtures: ring, grid and mixture_dataset."""

import numpy as np
import pytest
from data_testutil import batches

from tfgan_lite import data


def _nearest(points, centers):
    distances = np.linalg.norm(points[:, None] - centers[None], axis=-1)
    return distances.argmin(axis=1)


def test_ring_centers_spread_and_coverage():
    n, std = 16_000, 0.01
    points, centers = data.ring(n, std=std, seed=0)
    assert points.shape == (n, 2) and points.dtype == np.float32
    k = np.arange(8)
    by_hand = np.stack(
        [np.cos(2 * np.pi * k / 8), np.sin(2 * np.pi * k / 8)], axis=1
    )
    np.testing.assert_allclose(centers, by_hand, atol=1e-7)
    mode = _nearest(points, centers)
    residual = points - centers[mode]
    np.testing.assert_allclose(residual.std(), std, rtol=0.1)
    np.testing.assert_allclose(residual.mean(axis=0), 0, atol=std / 10)
    counts = np.bincount(mode, minlength=8)
    np.testing.assert_allclose(counts, n / 8, rtol=0.1)  # uniform modes


def test_ring_radius_and_modes():
    points, centers = data.ring(1000, modes=3, radius=2.5, std=0.0, seed=1)
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 2.5, rtol=1e-6)
    np.testing.assert_allclose(
        centers[1], [-1.25, 2.5 * np.sqrt(3) / 2], atol=1e-6
    )
    # With std=0 every point is exactly a center.
    np.testing.assert_allclose(
        points, centers[_nearest(points, centers)], atol=1e-6
    )


def test_grid_centers_spread_and_coverage():
    n, std = 25_000, 0.05
    points, centers = data.grid(n, std=std, seed=2)
    axis = [-4, -2, 0, 2, 4]
    by_hand = np.array([(x, y) for x in axis for y in axis], np.float32)
    np.testing.assert_allclose(centers, by_hand, atol=0)
    mode = _nearest(points, centers)
    residual = points - centers[mode]
    np.testing.assert_allclose(residual.std(), std, rtol=0.1)
    counts = np.bincount(mode, minlength=25)
    assert counts.min() > 0
    np.testing.assert_allclose(counts, n / 25, rtol=0.15)


def test_mixtures_are_seeded():
    np.testing.assert_array_equal(
        data.ring(50, seed=7)[0], data.ring(50, seed=7)[0]
    )
    assert not np.array_equal(
        data.grid(50, seed=7)[0], data.grid(50, seed=8)[0]
    )


def test_mixture_dataset_batches_every_point_once():
    points, _ = data.grid(100, seed=0)
    parts = batches(data.mixture_dataset(points, batch_size=32, seed=1))
    assert [p.shape for p in parts] == [(32, 2)] * 3
    got = np.concatenate(parts)
    # 96 of the 100 points, each at most once.
    assert len(np.unique(got, axis=0)) == 96
    assert np.isin(got.view("f4,f4"), points.view("f4,f4")).all()


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: data.ring(0), ValueError, "`n` must be a positive int"),
        (lambda: data.ring(10, std=-1.0), ValueError, "`std`"),
        (lambda: data.grid(10, spacing=0), ValueError, "`spacing`"),
        (
            lambda: data.mixture_dataset(np.zeros(5), batch_size=2),
            ValueError,
            r"shape \(n, d\)",
        ),
        (
            lambda: data.mixture_dataset(np.full((5, 2), np.nan), batch_size=2),
            ValueError,
            r"10 non-finite values; the first is points\[0, 0\]",
        ),
        (
            lambda: data.mixture_dataset(np.zeros((5, 2)), batch_size=6),
            ValueError,
            "at most 5",
        ),
    ],
)
def test_mixture_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
