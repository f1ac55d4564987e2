"""Input pipelines: scaling, resizing, batching, labels, sources and errors."""

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from PIL import Image
from sklearn.datasets import load_digits

from tfgan_lite import data

# The tfds wheel ships no metadata files, so the default AUTO policy falls back
# to USE_CODE anyway; naming it keeps the tests from depending on that.
MOCK = tfds.testing.MockPolicy.USE_CODE


def batches(ds):
    """All batches of one epoch, as NumPy (tuples when labels are kept)."""
    return [tf.nest.map_structure(lambda t: t.numpy(), b) for b in ds]


def constant_images(values, size=(4, 5), channels=1, dtype=np.uint8):
    """One constant image per value, shape (N, H, W, C)."""
    values = np.asarray(values, dtype)
    return np.broadcast_to(
        values[:, None, None, None], (len(values), *size, channels)
    ).copy()


def numpy_bilinear(image, size):
    """Half-pixel bilinear resize with edge clamping, written independently."""

    def weights(n_in, n_out):
        src = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, None)
        src = np.minimum(src, n_in - 1)
        low = np.floor(src).astype(int)
        high = np.minimum(low + 1, n_in - 1)
        frac = src - low
        matrix = np.zeros((n_out, n_in))
        matrix[np.arange(n_out), low] += 1 - frac
        matrix[np.arange(n_out), high] += frac
        return matrix

    rows = weights(image.shape[0], size[0])
    cols = weights(image.shape[1], size[1])
    return rows @ image @ cols.T


# --------------------------------------------------------------------------
# Scaling, resizing and channels (through from_arrays).


def test_uint8_maps_0_255_onto_minus_one_one():
    images = constant_images([0, 51, 255, 204])
    (batch,) = batches(data.from_arrays(images, batch_size=4))
    got = np.sort(batch.reshape(4, -1).mean(axis=1))
    # x / 127.5 - 1 by hand: 0 -> -1, 51 -> -0.6, 204 -> 0.6, 255 -> 1.
    np.testing.assert_allclose(got, [-1.0, -0.6, 0.6, 1.0], atol=1e-6)
    assert batch.dtype == np.float32


@pytest.mark.parametrize(
    "value_range, values, expected",
    [
        ((0, 255), [0.0, 127.5, 255.0], [-1.0, 0.0, 1.0]),
        ((0, 1), [0.0, 0.25, 1.0], [-1.0, -0.5, 1.0]),
        ((-1, 1), [-1.0, 0.3, 1.0], [-1.0, 0.3, 1.0]),
        ((0, 16), [0.0, 4.0, 16.0], [-1.0, -0.5, 1.0]),
    ],
)
def test_declared_value_range_maps_exactly(value_range, values, expected):
    images = constant_images(values, dtype=np.float32)
    ds = data.from_arrays(images, batch_size=3, value_range=value_range)
    (batch,) = batches(ds)
    got = np.sort(batch.reshape(3, -1), axis=0)
    np.testing.assert_allclose(got[:, 0], expected, rtol=0, atol=1e-7)
    # Every pixel of an image got the same value.
    np.testing.assert_allclose(got.min(axis=1), got.max(axis=1), atol=1e-7)


def test_resize_gives_requested_shape_and_keeps_constants():
    images = constant_images([10, 100, 200, 250], size=(5, 7), channels=3)
    ds = data.from_arrays(images, image_size=(9, 11), batch_size=4)
    (batch,) = batches(ds)
    assert batch.shape == (4, 9, 11, 3)
    expected = np.sort(np.array([10, 100, 200, 250]) / 127.5 - 1)
    got = np.sort(batch.reshape(4, -1), axis=0)
    np.testing.assert_allclose(got[:, 0], expected, atol=1e-6)
    np.testing.assert_allclose(got.min(axis=1), got.max(axis=1), atol=1e-6)


def test_resize_matches_bilinear_by_hand():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (1, 6, 5)).astype(np.uint8)
    (batch,) = batches(
        data.from_arrays(image, image_size=(15, 13), batch_size=1)
    )
    expected = numpy_bilinear(image[0] / 127.5 - 1, (15, 13))
    np.testing.assert_allclose(batch[0, :, :, 0], expected, atol=1e-5)


def test_grayscale_becomes_rgb_by_repeating():
    images = np.random.default_rng(1).integers(0, 256, (2, 6, 6), np.uint8)
    (batch,) = batches(data.from_arrays(images, channels=3, batch_size=2))
    assert batch.shape == (2, 6, 6, 3)
    np.testing.assert_allclose(batch[..., 0], batch[..., 1], atol=0)
    np.testing.assert_allclose(batch[..., 0], batch[..., 2], atol=0)
    got = np.sort(batch[..., 0].reshape(2, -1), axis=1)
    want = np.sort(images.reshape(2, -1) / 127.5 - 1, axis=1)
    # Shuffling may swap the two images: compare as a set.
    got = got[np.argsort(got.sum(axis=1))]
    want = want[np.argsort(want.sum(axis=1))]
    np.testing.assert_allclose(got, want, atol=1e-6)


def test_rgb_becomes_grayscale_with_luma_weights():
    rgb = np.zeros((1, 3, 3, 3), np.uint8)
    rgb[..., 0] = 255  # pure red
    (batch,) = batches(data.from_arrays(rgb, channels=1, batch_size=1))
    assert batch.shape == (1, 3, 3, 1)
    # 0.299 * 1 + 0.587 * (-1) + 0.114 * (-1) on the [-1, 1] values.
    np.testing.assert_allclose(batch, -0.402, atol=1e-6)
    white = np.full((1, 3, 3, 3), 255, np.uint8)
    (batch,) = batches(data.from_arrays(white, channels=1, batch_size=1))
    np.testing.assert_allclose(batch, 1.0, atol=1e-6)


# --------------------------------------------------------------------------
# Batching, shuffling, labels.


def test_drop_remainder_gives_only_full_batches():
    images = constant_images(np.arange(10) * 20)
    ds = data.from_arrays(images, batch_size=4)
    for _ in range(2):  # Both epochs, the second one from the cache.
        shapes = [b.shape for b in batches(ds)]
        assert shapes == [(4, 4, 5, 1), (4, 4, 5, 1)]


def _order(ds):
    return np.concatenate([b[:, 0, 0, 0] for b in batches(ds)])


def test_same_seed_same_order_other_seed_other_order():
    images = constant_images(np.arange(64) * 4)
    first = _order(data.from_arrays(images, batch_size=8, seed=3))
    again = _order(data.from_arrays(images, batch_size=8, seed=3))
    other = _order(data.from_arrays(images, batch_size=8, seed=4))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    # A shuffle, not a resample: every image exactly once per epoch.
    np.testing.assert_allclose(np.sort(first), np.sort(other), atol=0)
    np.testing.assert_allclose(
        np.sort(first), np.arange(64) * 4 / 127.5 - 1, atol=1e-6
    )


def test_each_epoch_is_reshuffled():
    ds = data.from_arrays(constant_images(np.arange(64) * 4), batch_size=8)
    assert not np.array_equal(_order(ds), _order(ds))


def test_labels_stay_aligned_after_shuffle_resize_and_channels():
    n = 40
    labels = np.arange(n)
    images = constant_images(labels * 6, size=(5, 5))  # value encodes label
    ds = data.from_arrays(
        images, labels, image_size=(7, 3), channels=3, batch_size=8, seed=5
    )
    seen = []
    for images_batch, labels_batch in batches(ds):
        assert images_batch.shape == (8, 7, 3, 3)
        decoded = (images_batch.reshape(8, -1).mean(axis=1) + 1) * 127.5 / 6
        np.testing.assert_allclose(decoded, labels_batch, atol=1e-3)
        seen.extend(labels_batch.tolist())
    assert sorted(seen) == list(range(n))
    assert seen != list(range(n))  # it really was shuffled


def test_streaming_path_when_over_cache_limit(tmp_path, monkeypatch):
    # Observable difference: a cached folder survives deleting its files.
    for i in range(4):
        Image.new("L", (4, 4), 60 * i).save(tmp_path / f"{i}.png")
    cached = data.from_folder(tmp_path, image_size=(4, 4), batch_size=2)
    monkeypatch.setattr(data, "CACHE_LIMIT_BYTES", 0)
    streamed = data.from_folder(tmp_path, image_size=(4, 4), batch_size=2)
    assert len(batches(cached)) == 2
    assert len(batches(streamed)) == 2
    for path in tmp_path.glob("*.png"):
        path.unlink()
    assert len(batches(cached)) == 2
    with pytest.raises(tf.errors.NotFoundError):
        batches(streamed)


# --------------------------------------------------------------------------
# digits.


def test_digits_batches_range_and_mean_image():
    sklearn_images = load_digits().images  # (1797, 8, 8), values 0..16
    assert len(sklearn_images) == 1797
    ds = data.digits(batch_size=64)
    assert len(batches(ds)) == 1797 // 64  # 28, the last 5 dropped

    # 599 divides 1797, so one epoch holds every image exactly once.
    all_images = np.concatenate(batches(data.digits(batch_size=599)))
    assert all_images.shape == (1797, 28, 28, 1)
    assert all_images.min() >= -1.0 and all_images.max() <= 1.0
    np.testing.assert_allclose(all_images.min(), -1.0, atol=1e-6)
    np.testing.assert_allclose(all_images.max(), 1.0, atol=1e-2)
    # Scaling and resizing are linear, so the mean image commutes with them.
    expected = numpy_bilinear(sklearn_images.mean(axis=0) / 8.0 - 1, (28, 28))
    np.testing.assert_allclose(
        all_images.mean(axis=0)[..., 0], expected, atol=1e-4
    )


def test_digits_labels_and_rgb():
    ds = data.digits(
        image_size=(16, 16), channels=3, batch_size=599, with_labels=True
    )
    parts = batches(ds)
    images = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    assert images.shape == (1797, 16, 16, 3)
    np.testing.assert_array_equal(
        np.bincount(labels), np.bincount(load_digits().target)
    )


# --------------------------------------------------------------------------
# 2-D mixtures.


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


# --------------------------------------------------------------------------
# TensorFlow Datasets, mocked offline.


def _raw_tfds(name, split, n):
    ds = tfds.load(name, split=split)
    return [tf.nest.map_structure(np.asarray, ex) for ex in ds.take(n)]


def _match(batch_images, expected):
    """Index into `expected` of each image of the batch (must be exact)."""
    flat = expected.reshape(len(expected), -1)
    index = []
    for image in batch_images:
        i = int(np.abs(flat - image.reshape(-1)).max(axis=1).argmin())
        np.testing.assert_allclose(image, expected[i], atol=1e-6)
        index.append(i)
    return np.array(index)


def test_mnist_from_tfds_scales_and_keeps_labels():
    with tfds.testing.mock_data(num_examples=12, policy=MOCK):
        raw = _raw_tfds("mnist", "train", 12)
        ds = data.from_tfds("mnist", batch_size=12, with_labels=True)
        ((images, labels),) = batches(ds)
    assert images.shape == (12, 28, 28, 1) and images.dtype == np.float32
    expected = np.stack([ex["image"] for ex in raw]) / 127.5 - 1
    index = _match(images, expected)
    assert sorted(index) == list(range(12))  # a permutation
    np.testing.assert_array_equal(labels, [raw[i]["label"] for i in index])


def test_cifar10_from_tfds_grayscale_and_resize():
    with tfds.testing.mock_data(num_examples=6, policy=MOCK):
        raw = _raw_tfds("cifar10", "test", 6)
        (gray,) = batches(
            data.from_tfds("cifar10", split="test", channels=1, batch_size=6)
        )
        small = batches(
            data.from_tfds("cifar10", image_size=(16, 16), batch_size=4)
        )
    rgb = np.stack([ex["image"] for ex in raw]) / 127.5 - 1
    by_hand = rgb @ np.array([0.299, 0.587, 0.114])
    _match(gray, by_hand[..., None])
    assert [b.shape for b in small] == [(4, 16, 16, 3)]
    assert all(-1 <= b.min() and b.max() <= 1 for b in small)


def test_celeb_a_center_crop():
    with tfds.testing.mock_data(num_examples=2, policy=MOCK):
        raw = _raw_tfds("celeb_a", "train", 2)
        (cropped,) = batches(
            data.from_tfds("celeb_a", image_size=(140, 140), batch_size=2)
        )
        (default,) = batches(data.from_tfds("celeb_a", batch_size=2))
    assert raw[0]["image"].shape == (218, 178, 3)
    # 218x178 -> rows 39..178, columns 19..158.
    faces = np.stack([ex["image"][39:179, 19:159] for ex in raw]) / 127.5 - 1
    _match(cropped, faces)
    assert default.shape == (2, 64, 64, 3)


def test_cycle_gan_pair_offline():
    with tfds.testing.mock_data(num_examples=6, policy=MOCK):
        domain_a, domain_b = data.cycle_gan_pair(
            "horse2zebra", image_size=(32, 32), batch_size=3, with_labels=True
        )
        parts_a, parts_b = batches(domain_a), batches(domain_b)
        single = batches(
            data.from_tfds("cycle_gan/horse2zebra", split="testB", batch_size=2)
        )
    # The mock draws random image sizes (5..49 pixels): all were resized.
    assert [p[0].shape for p in parts_a + parts_b] == [(3, 32, 32, 3)] * 4
    assert all(p[1].shape == (3,) for p in parts_a)
    assert [b.shape for b in single] == [(2, 256, 256, 3)] * 3
    # The mock serves the same examples to both domains; their orders
    # differ because domain B is shuffled with seed + 1.
    order_a = np.concatenate([p[0][:, 0, 0, 0] for p in parts_a])
    order_b = np.concatenate([p[0][:, 0, 0, 0] for p in parts_b])
    np.testing.assert_allclose(np.sort(order_a), np.sort(order_b), atol=0)
    assert not np.array_equal(order_a, order_b)


def test_cycle_gan_names_match_tfds():
    configs = tfds.builder_cls("cycle_gan").BUILDER_CONFIGS
    assert sorted(data.CYCLE_GAN_PAIRS) == sorted(c.name for c in configs)


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda: data.from_tfds("imagenet"),
            "Unknown dataset 'imagenet'. Supported: mnist, fashion_mnist, "
            "cifar10, celeb_a, and cycle_gan/<pair>",
        ),
        (lambda: data.from_tfds("cycle_gan/cats2dogs"), "horse2zebra"),
        (
            lambda: data.from_tfds("cycle_gan/horse2zebra"),
            "splits trainA, trainB, testA, testB",
        ),
        (
            lambda: data.cycle_gan_pair("horse2zebra", split="trainA"),
            "split='train' or split='test'",
        ),
        (lambda: data.cycle_gan_pair("zebra2horse"), "Unknown dataset"),
        (
            lambda: data.from_tfds("celeb_a", with_labels=True),
            "40 binary attributes",
        ),
        (lambda: data.from_tfds("mnist", batch_size=11), "at most 10"),
        (lambda: data.from_tfds("mnist", channels=2), "1 .grayscale. or 3"),
    ],
)
def test_tfds_errors(call, match):
    with tfds.testing.mock_data(num_examples=10, policy=MOCK):
        with pytest.raises(ValueError, match=match):
            call()


# --------------------------------------------------------------------------
# Folders.


def _save(path, size, value, mode="RGB"):
    path.parent.mkdir(parents=True, exist_ok=True)
    fill = value if mode == "L" else (value,) * 3
    Image.new(mode, size, fill).save(path)


def test_from_folder_mixed_sizes_formats_and_channels(tmp_path):
    _save(tmp_path / "a.png", (10, 12), 0)
    _save(tmp_path / "b.PNG", (20, 16), 255, mode="L")
    _save(tmp_path / "deep" / "er" / "c.bmp", (7, 9), 51)
    _save(tmp_path / "d.gif", (5, 5), 102, mode="L")
    _save(tmp_path / "e.jpeg", (16, 16), 204)
    (tmp_path / "notes.txt").write_text("not an image")
    ds = data.from_folder(tmp_path, image_size=(8, 6), channels=3, batch_size=5)
    (batch,) = batches(ds)
    assert batch.shape == (5, 8, 6, 3)
    # Constant images stay constant through the resize; JPEG is lossy.
    means = np.sort(batch.reshape(5, -1).mean(axis=1))
    expected = np.array([0, 51, 102, 204, 255]) / 127.5 - 1
    np.testing.assert_allclose(means, expected, atol=0.02)
    gray = data.from_folder(
        tmp_path, image_size=(4, 4), channels=1, batch_size=2
    )
    assert [b.shape for b in batches(gray)] == [(2, 4, 4, 1)] * 2


def test_from_folder_class_subfolders_give_labels(tmp_path):
    for i in range(3):
        _save(tmp_path / "cats" / f"{i}.png", (6 + i, 6), 0)
        _save(tmp_path / "dogs" / "inside" / f"{i}.jpg", (9, 4 + i), 255)
    ds = data.from_folder(
        tmp_path, image_size=(5, 5), batch_size=3, with_labels=True, seed=1
    )
    assert ds.class_names == ["cats", "dogs"]
    labels = []
    for images, batch_labels in batches(ds):
        means = images.reshape(3, -1).mean(axis=1)
        np.testing.assert_allclose(means, 2.0 * batch_labels - 1, atol=0.02)
        labels.extend(batch_labels.tolist())
    assert sorted(labels) == [0, 0, 0, 1, 1, 1]
    # Without labels the same folder is just images.
    (plain,) = batches(data.from_folder(tmp_path, batch_size=6))
    assert plain.shape == (6, 64, 64, 3)


def test_from_folder_errors(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError, match="nowhere.*does not exist"):
        data.from_folder(missing)
    (tmp_path / "file.png").write_bytes(b"")
    with pytest.raises(NotADirectoryError, match="is a file, not a folder"):
        data.from_folder(tmp_path / "file.png")
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "sub" / "readme.txt").write_text("x")
    with pytest.raises(ValueError, match="empty.*holds no images"):
        data.from_folder(empty)
    loose = tmp_path / "loose"
    _save(loose / "a.png", (4, 4), 0)
    _save(loose / "cls" / "b.png", (4, 4), 0)
    with pytest.raises(ValueError, match="one subfolder per class"):
        data.from_folder(loose, batch_size=1, with_labels=True)
    with pytest.raises(ValueError, match="at most 2"):
        data.from_folder(loose, batch_size=3)


# --------------------------------------------------------------------------
# Bad arrays and arguments.

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
        (dict(images=GOOD, seed=1.5), TypeError, "`seed` must be an int"),
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


# --------------------------------------------------------------------------
# load() and the public surface.


def test_load_dispatches_by_name_and_path(tmp_path):
    assert next(iter(data.load("digits", batch_size=8))).shape == (8, 28, 28, 1)
    ring = data.load("ring", n=300, batch_size=100, std=0.0)
    (first,) = batches(ring.take(1))
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-6)
    assert len(batches(data.load("grid", n=250, batch_size=100))) == 2
    for i in range(2):
        _save(tmp_path / f"{i}.png", (3, 3), 0)
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
            assert doc and "Returns:" in doc and "Example:" in doc, name
