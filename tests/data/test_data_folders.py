"""from_folder: formats, sizes, class subfolders and errors."""

import numpy as np
import pytest
from data_testutil import batches, save_image

from tfgan_lite import data


def test_from_folder_mixed_sizes_formats_and_channels(tmp_path):
    save_image(tmp_path / "a.png", (10, 12), 0)
    save_image(tmp_path / "b.PNG", (20, 16), 255, mode="L")
    save_image(tmp_path / "deep" / "er" / "c.bmp", (7, 9), 51)
    save_image(tmp_path / "d.gif", (5, 5), 102, mode="L")
    save_image(tmp_path / "e.jpeg", (16, 16), 204)
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
        save_image(tmp_path / "cats" / f"{i}.png", (6 + i, 6), 0)
        save_image(tmp_path / "dogs" / "inside" / f"{i}.jpg", (9, 4 + i), 255)
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
    save_image(loose / "a.png", (4, 4), 0)
    save_image(loose / "cls" / "b.png", (4, 4), 0)
    with pytest.raises(ValueError, match="one subfolder per class"):
        data.from_folder(loose, batch_size=1, with_labels=True)
    with pytest.raises(ValueError, match="at most 2"):
        data.from_folder(loose, batch_size=3)


def test_keep_leaves_files_out_by_their_relative_path(tmp_path):
    for i, name in enumerate(["a.png", "sub/b.png", "sub/c.png"]):
        save_image(tmp_path / name, (4, 4), 100 * i)
    assert data.folders.image_files(tmp_path) == [
        "a.png",
        "sub/b.png",
        "sub/c.png",
    ]
    ds = data.from_folder(
        tmp_path,
        image_size=(4, 4),
        channels=1,
        batch_size=1,
        keep=lambda path: path != "sub/b.png",
    )
    means = sorted(float(b.mean()) for b in batches(ds))
    np.testing.assert_allclose(means, [-1, 200 / 127.5 - 1], atol=1e-6)
    with pytest.raises(ValueError, match="left out every image"):
        data.from_folder(tmp_path, batch_size=1, keep=lambda path: False)
    with pytest.raises(TypeError, match="`keep` must be None or a callable"):
        data.from_folder(tmp_path, batch_size=1, keep="a.png")
