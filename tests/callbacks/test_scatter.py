"""Scatter pictures of 2-D samples: the drawing and the callback."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite
from tfgan_lite import data, models
from tfgan_lite.callbacks import scatter
from tfgan_lite.data.mixtures import RING_STD


def _is_dark(pixel) -> bool:
    # Every channel dark: the sample dots, not the red center marks.
    return int(np.max(pixel)) < 150


def test_render_scatter_draws_points_and_nothing_else():
    # Size 101 over [-1, 1]: 50 pixels per unit, x right, y up.
    image = scatter.render_scatter(
        np.array([[0.5, -0.5], [3.0, 3.0]]),  # the second is off canvas
        np.array([[-0.5, 0.5]]),
        std=0.02,
        extent=1.0,
        size=101,
    )

    assert image.shape == (101, 101, 3) and image.dtype == np.uint8
    assert _is_dark(image[75, 75])  # row (1 + 0.5) * 50, col (1 + 0.5) * 50
    assert _is_dark(image[76, 74])  # dots are 3x3 pixels (dot=1)
    assert (image[5, 95] == 255).all()  # nowhere near a point or center
    assert (image[75, 25] == 255).all()  # mirror image of the point
    # The center (row 25, col 25) gets a red cross inside a grey circle of
    # radius max(3 * 0.02 * 50, 4) = 4 pixels.
    assert tuple(image[25, 25]) == scatter._CENTER
    assert tuple(image[25, 29]) == scatter._CIRCLE
    dark = np.argwhere(np.max(image, axis=-1) < 150)
    assert (np.abs(dark - [75, 75]) <= 1).all()


def test_render_scatter_draws_real_points_light():
    image = scatter.render_scatter(
        np.zeros((0, 2)),
        np.zeros((0, 2)),
        std=0.05,
        extent=1.0,
        size=101,
        real=np.array([[0.0, 0.0]]),
    )

    assert tuple(image[50, 50]) == scatter._REAL
    assert (np.delete(image.reshape(-1, 3), 50 * 101 + 50, 0) == 255).all()


def _decode(path):
    return tf.io.decode_png(tf.io.read_file(str(path))).numpy()


def _ring_gan():
    keras.utils.set_random_seed(0)
    g, d = models.mlp_2d(latent_dim=4, hidden=8, depth=1)
    gan = tfgan_lite.GAN(g, d, seed=0)
    gan.compile()
    return gan


def test_callback_writes_due_epochs_and_always_the_last(tmp_path):
    points, centers = data.ring(256, seed=0)
    gan = _ring_gan()
    callback = scatter.PointScatter(
        points,
        tmp_path,
        centers=centers,
        std=RING_STD,
        every_n_epochs=2,
        num_samples=50,
        size=40,
    )

    gan.fit(
        data.mixture_dataset(points, batch_size=64),
        epochs=4,
        verbose=0,
        callbacks=[callback],
    )

    run = tmp_path / "samples"
    written = sorted(p.name for p in run.glob("scatter_*.png"))
    # Epochs 0 and 2 are due; 3 is the last.
    assert written == [
        "scatter_epoch_0000.png",
        "scatter_epoch_0002.png",
        "scatter_epoch_0003.png",
        "scatter_latest.png",
    ]
    latest = _decode(run / "scatter_latest.png")
    np.testing.assert_array_equal(latest, _decode(run / written[2]))
    # Full view and zoom side by side, and the picture is the fixed-seed
    # draw of the final weights.
    assert latest.shape == (40, 84, 3)
    np.testing.assert_array_equal(latest, callback.picture())
    assert not list(run.glob("*.tmp"))


def test_callback_picture_shows_the_samples_it_draws(tmp_path):
    points, _ = data.grid(500, seed=0)
    gan = _ring_gan()
    callback = scatter.PointScatter(
        points, tmp_path, extent=6.0, num_samples=20, size=121, seed=3
    )
    callback.set_model(gan)

    image = callback.picture()

    samples = gan.generate(20, seed=3)
    expected = scatter.render_scatter(
        samples, np.zeros((0, 2)), std=1.0, extent=6.0, real=points, size=121
    )
    np.testing.assert_array_equal(image, expected)
    # The untrained generator puts its samples near the origin, inside
    # the view: some pixels have the sample color.
    assert (image == scatter._POINT).all(axis=-1).sum() >= 9


def test_extent_defaults_to_the_real_points_with_a_margin(tmp_path):
    points = np.array([[0.5, -2.0], [1.0, 1.0]], np.float32)

    callback = scatter.PointScatter(points, tmp_path)

    assert callback.extent == pytest.approx(2.2)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"real": np.zeros((3, 3))}, ValueError, r"shape \(N, 2\)"),
        ({"real": np.zeros((0, 2))}, ValueError, "at least one point"),
        ({"centers": np.zeros((2, 2))}, ValueError, "`std` is needed"),
        ({"centers": np.zeros((2, 2)), "std": -1.0}, ValueError, "std"),
        ({"every_n_epochs": 0}, ValueError, "every_n_epochs"),
        ({"num_samples": 2.5}, TypeError, "num_samples"),
        ({"extent": 0.0}, ValueError, "extent"),
    ],
)
def test_bad_arguments_are_named(tmp_path, kwargs, error, match):
    args = {"real": np.zeros((4, 2)), "log_dir": tmp_path, **kwargs}
    with pytest.raises(error, match=match):
        scatter.PointScatter(**args)


def test_render_refuses_bad_points_and_skips_non_finite():
    with pytest.raises(ValueError, match="`samples` must be an array"):
        scatter.render_scatter(
            np.zeros(4), np.zeros((0, 2)), std=1.0, extent=1.0
        )
    with pytest.raises(ValueError, match="at least one"):
        scatter.scatter_figure(
            np.zeros((1, 2)), np.zeros((0, 2)), std=1.0, extent=1.0
        )
    image = scatter.render_scatter(
        np.array([[np.nan, 0.0], [np.inf, 1.0]]),
        np.zeros((0, 2)),
        std=1.0,
        extent=1.0,
        size=9,
    )
    assert (image == 255).all()


def test_callback_refuses_image_generators(tmp_path):
    g, d = models.dcgan_28(latent_dim=4, width=2)
    gan = tfgan_lite.GAN(g, d)
    callback = scatter.PointScatter(np.zeros((4, 2)), tmp_path)
    callback.set_model(gan)

    with pytest.raises(ValueError, match="Use ImageGrid"):
        callback.picture()
