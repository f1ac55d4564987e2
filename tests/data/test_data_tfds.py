"""TensorFlow Datasets sources, mocked offline."""

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from data_testutil import MOCK, batches

from tfgan_lite import data


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


# --------------------------------------------------------- no network


def _refuse_connections(monkeypatch):
    """Makes every connection attempt fail at once, and records it."""
    import socket

    tried = []

    def refuse(address, timeout=None, *args, **kwargs):
        tried.append((address, timeout))
        raise OSError("Network is unreachable")

    monkeypatch.setattr(socket, "create_connection", refuse)
    return tried


def test_unprepared_dataset_offline_fails_fast_with_the_way_out(
    tmp_path, monkeypatch
):
    import time

    from tfgan_lite.data import tfds as tfds_source

    tried = _refuse_connections(monkeypatch)
    start = time.perf_counter()
    with pytest.raises(ConnectionError) as info:
        data.from_tfds("mnist", data_dir=tmp_path, batch_size=4)
    elapsed = time.perf_counter() - start

    message = str(info.value)
    assert "'mnist'" in message and str(tmp_path) in message
    assert "tfds.load('mnist')" in message  # how to prepare it elsewhere
    assert "--dataset digits" in message and "folder" in message
    # tfds' mirror and MNIST's own host were both tried, with the timeout.
    hosts = {address[0] for address, _ in tried}
    assert hosts == {"storage.googleapis.com"}  # MNIST's source is there too
    assert all(t == tfds_source.PROBE_TIMEOUT_SECONDS for _, t in tried)
    assert elapsed < 30
    # Nothing was written into the data directory.
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_unprepared_cifar10_tries_its_source_host_too(tmp_path, monkeypatch):
    tried = _refuse_connections(monkeypatch)

    with pytest.raises(ConnectionError, match="www.cs.toronto.edu"):
        data.from_tfds("cifar10", data_dir=tmp_path, batch_size=4)

    assert {address for address, _ in tried} == {
        ("storage.googleapis.com", 443),
        ("www.cs.toronto.edu", 443),
    }


def test_unprepared_dataset_without_download_names_the_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=False") as info:
        data.from_tfds(
            "fashion_mnist", data_dir=tmp_path, batch_size=4, download=False
        )
    assert str(tmp_path) in str(info.value)


def test_prepared_data_is_read_without_probing_the_network(monkeypatch):
    tried = _refuse_connections(monkeypatch)

    with tfds.testing.mock_data(num_examples=8, policy=MOCK):
        ds = data.from_tfds("mnist", batch_size=4)
        (images,) = batches(ds)[:1]

    assert images.shape == (4, 28, 28, 1)
    assert tried == []
