"""The augmentation operations against numpy formulas."""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_lite.augment import ops


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    return rng.uniform(-1, 1, (3, 6, 5, 3)).astype("float32")


def test_brightness_adds_a_shift_per_sample(images):
    delta = np.array([0.5, -0.25, 0.0], "float32")
    got = ops.brightness(images, delta).numpy()
    np.testing.assert_allclose(got, images + delta[:, None, None, None])


def test_saturation_scales_the_distance_from_the_pixel_mean(images):
    factor = np.array([0.0, 1.5, 2.0], "float32")
    mean = images.mean(axis=3, keepdims=True)
    want = mean + factor[:, None, None, None] * (images - mean)
    got = ops.saturation(images, factor).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    # Factor 0 leaves every channel of a pixel equal: gray.
    np.testing.assert_allclose(got[0].std(axis=-1), 0.0, atol=1e-6)


def test_saturation_leaves_grayscale_images_exactly(images):
    gray = images[..., :1]
    got = ops.saturation(gray, np.array([0.0, 0.5, 2.0], "float32"))
    np.testing.assert_array_equal(got.numpy(), gray)


def test_contrast_scales_the_distance_from_the_image_mean(images):
    factor = np.array([0.5, 1.0, 1.5], "float32")
    mean = images.mean(axis=(1, 2, 3), keepdims=True)
    want = mean + factor[:, None, None, None] * (images - mean)
    got = ops.contrast(images, factor).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def _numpy_translate(images, dy, dx):
    out = np.zeros_like(images)
    _, h, w, _ = images.shape
    for i in range(len(images)):
        for y in range(h):
            for x in range(w):
                sy, sx = y - dy[i], x - dx[i]
                if 0 <= sy < h and 0 <= sx < w:
                    out[i, y, x] = images[i, sy, sx]
    return out


def test_translate_moves_pixels_and_fills_with_zero(images):
    dy, dx = np.array([1, -2, 0]), np.array([-1, 0, 3])
    got = ops.translate(images, dy, dx).numpy()
    np.testing.assert_array_equal(got, _numpy_translate(images, dy, dx))
    # The uncovered rows and columns are 0.
    assert np.all(got[0, 0] == 0) and np.all(got[1, -2:] == 0)
    assert np.all(got[2, :, :3] == 0)
    np.testing.assert_array_equal(got[2, :, 3:], images[2, :, :2])


def test_translate_with_reflect_mirrors_the_edge_as_numpy_pad(images):
    dy, dx = np.array([1, -2, 0]), np.array([-1, 0, 3])
    got = ops.translate(images, dy, dx, fill="reflect").numpy()
    _, h, w, _ = images.shape
    for i in range(len(images)):
        # Pad by 4 with numpy's "reflect" (edge not repeated), then crop
        # the window the shift moves into view.
        padded = np.pad(images[i], ((4, 4), (4, 4), (0, 0)), mode="reflect")
        want = padded[4 - dy[i] : 4 - dy[i] + h, 4 - dx[i] : 4 - dx[i] + w]
        np.testing.assert_array_equal(got[i], want)
    # Row 0 of image 0 (moved down 1, left 1) is its old row 1, mirrored in.
    np.testing.assert_array_equal(got[0, 0, :-1], images[0, 1, 1:])


def test_translate_refuses_another_fill(images):
    with pytest.raises(ValueError, match="zeros, reflect.*'wrap'"):
        ops.translate(images, [0, 0, 0], [0, 0, 0], fill="wrap")


def test_cutout_zeroes_a_square_clipped_by_the_image(images):
    got = ops.cutout(images, np.array([3, 0, 5]), np.array([2, 4, 0]), (2, 3))
    got = got.numpy()
    want = images.copy()
    # Rows center - 1 .. center, columns center - 1 .. center + 1.
    want[0, 2:4, 1:4] = 0
    want[1, 0:1, 3:5] = 0
    want[2, 4:6, 0:2] = 0
    np.testing.assert_array_equal(got, want)


def test_gradients_reach_the_images(images):
    x = tf.constant(images)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = ops.translate(x, [1, 0, -1], [0, 2, 1])
        y = ops.cutout(y, [2, 2, 2], [2, 2, 2], (3, 3))
        y = ops.saturation(ops.brightness(y, [0.1] * 3), [1.5] * 3)
        y = ops.contrast(y, [0.7] * 3)
        loss = tf.reduce_sum(y * tf.constant(images))
    grad = tape.gradient(loss, x).numpy()
    assert np.all(np.isfinite(grad))
    assert np.abs(grad).max() > 0.1
    # Pixels that were cut out or moved off the image get no gradient.
    assert np.count_nonzero(grad == 0) > 0


def _numpy_warp(images, matrix, fill):
    """Bilinear sampling of a padded copy, one pixel at a time."""
    n, h, w, _ = images.shape
    pad = 2 * max(h, w)
    mode = {"reflect": "reflect", "zeros": "constant"}[fill]
    out = np.zeros_like(images)
    center = np.array([(h - 1) / 2, (w - 1) / 2])
    for i in range(n):
        padded = np.pad(images[i], ((pad, pad), (pad, pad), (0, 0)), mode)
        for y in range(h):
            for x in range(w):
                sy, sx = center + matrix[i] @ (np.array([y, x]) - center)
                sy, sx = sy + pad, sx + pad
                y0, x0 = int(np.floor(sy)), int(np.floor(sx))
                fy, fx = sy - y0, sx - x0
                out[i, y, x] = (
                    (1 - fy) * (1 - fx) * padded[y0, x0]
                    + (1 - fy) * fx * padded[y0, x0 + 1]
                    + fy * (1 - fx) * padded[y0 + 1, x0]
                    + fy * fx * padded[y0 + 1, x0 + 1]
                )
    return out


def _turn(angle, scale=1.0):
    c, s = np.cos(angle), np.sin(angle)
    return scale * np.array([[c, -s], [s, c]], "float32")


@pytest.mark.parametrize("fill", ["reflect", "zeros"])
def test_warp_is_bilinear_sampling_of_the_padded_image(images, fill):
    # A turn, a zoom out (reads beyond the edge), an anisotropic shear.
    matrix = np.stack(
        [_turn(0.7), _turn(-2.0, 1.4), np.array([[0.8, 0.3], [-0.1, 1.2]])]
    ).astype("float32")
    got = ops.warp(images, matrix, fill=fill).numpy()
    np.testing.assert_allclose(
        got, _numpy_warp(images, matrix, fill), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("fill", ["reflect", "zeros"])
def test_warp_identity_and_half_turn_are_exact(images, fill):
    identity = np.tile(np.eye(2, dtype="float32"), (3, 1, 1))
    np.testing.assert_array_equal(
        ops.warp(images, identity, fill=fill).numpy(), images
    )
    np.testing.assert_allclose(
        ops.warp(images, -identity, fill=fill).numpy(),
        images[:, ::-1, ::-1],
        atol=1e-6,
    )


def test_warp_reflect_reads_only_the_image_s_own_values():
    # Zoomed out by 2 and turned: most outputs read beyond the edge, which
    # a mirror fills with the image's values, never the 0 of "zeros".
    images = np.full((2, 7, 9, 1), -1.0, "float32")
    matrix = np.stack([_turn(0.5, 2.0), _turn(2.5, 2.0)])
    np.testing.assert_allclose(
        ops.warp(images, matrix).numpy(), -1.0, atol=1e-6
    )
    zeros = ops.warp(images, matrix, fill="zeros").numpy()
    assert (zeros > -0.5).mean() > 0.3


def test_warp_gradient_is_the_adjoint_of_the_resampling(images):
    # warp is linear in the images: <warp(x), v> = <x, grad of it>.
    matrix = np.stack([_turn(0.3, 0.9), _turn(1.9), _turn(-0.4, 1.3)])
    v = np.random.default_rng(5).normal(size=images.shape).astype("float32")
    x = tf.constant(images)
    with tf.GradientTape() as tape:
        tape.watch(x)
        inner = tf.reduce_sum(ops.warp(x, matrix) * v)
    grad = tape.gradient(inner, x).numpy()
    np.testing.assert_allclose(np.sum(images * grad), inner.numpy(), rtol=1e-4)
    # The mirror reads every output from the image: weights sum to 1.
    ones = tf.constant(np.ones_like(images))
    with tf.GradientTape() as tape:
        tape.watch(ones)
        total = tf.reduce_sum(ops.warp(ones, matrix))
    np.testing.assert_allclose(
        tape.gradient(total, ones).numpy().sum(), images.size, rtol=1e-5
    )


def test_warp_refuses_a_bad_fill_side_or_matrix_shape(images):
    identity = np.tile(np.eye(2, dtype="float32"), (3, 1, 1))
    with pytest.raises(ValueError, match="zeros, reflect.*'wrap'"):
        ops.warp(images, identity, fill="wrap")
    with pytest.raises(ValueError, match="at least 2 pixels.*\\(3, 1, 5, 3\\)"):
        ops.warp(images[:, :1], identity)
    with pytest.raises(ValueError, match=r"\(3, 2, 2\); got \(2, 2, 2\)"):
        ops.warp(images, identity[:2])
    with pytest.raises(ValueError, match=r"got \(3, 4\)"):
        ops.warp(images, identity.reshape(3, 4))
