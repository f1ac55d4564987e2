"""Corrupt and awkward data inputs: what each one gives, exactly.

The policy for image folders: a file that cannot be decoded is skipped with
one UserWarning giving the count and naming each file; the good images load
unchanged; a folder where nothing decodes is a ValueError naming the files.
"""

import io
import warnings

import numpy as np
import pytest
from PIL import Image

from tfgan_lite import data


def _batches(ds):
    return [b.numpy() for b in ds]


def _png(path, pixels, mode):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(pixels, np.uint8), mode).save(path)


def _encoded(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 20, 30)).save(buffer, fmt)
    return buffer.getvalue()


def _good_images(folder):
    """Three constant 4x4 PNGs: gray 0, RGB 255; returns their [-1, 1]."""
    _png(folder / "a_gray.png", np.zeros((4, 4)), "L")
    _png(folder / "b_rgb.png", np.full((4, 4, 3), 255), "RGB")
    return np.array([-1.0, 1.0])


def _corrupt_files(folder):
    png, jpeg = _encoded("PNG"), _encoded("JPEG")
    bad = {
        "truncated.png": png[: len(png) // 2],
        "truncated.jpg": jpeg[: len(jpeg) // 2],
        "text.png": b"this is not an image\n",
        "empty.jpeg": b"",
    }
    for name, content in bad.items():
        (folder / name).write_bytes(content)
    return sorted(str(folder / name) for name in bad)


def test_corrupt_files_are_skipped_with_a_warning_naming_each(tmp_path):
    expected = _good_images(tmp_path)
    bad = _corrupt_files(tmp_path)
    with pytest.warns(UserWarning, match=r"Skipping 4 of 6 image files") as w:
        ds = data.from_folder(
            tmp_path, image_size=(4, 4), channels=1, batch_size=2
        )
    (message,) = [str(r.message) for r in w if "Skipping" in str(r.message)]
    for path in bad:
        assert path in message
    assert "a_gray.png" not in message and "b_rgb.png" not in message
    (batch,) = _batches(ds)
    flat = batch.reshape(2, -1)
    # The good images, exactly: each stays constant at its own value.
    np.testing.assert_array_equal(np.sort(flat[:, 0]), expected)
    np.testing.assert_array_equal(flat, np.broadcast_to(flat[:, :1], (2, 16)))


def test_a_folder_of_only_corrupt_files_names_them(tmp_path):
    bad = _corrupt_files(tmp_path)
    with pytest.raises(ValueError, match="no image that can be decoded") as e:
        data.from_folder(tmp_path, batch_size=1)
    assert "all 4 image files" in str(e.value)
    for path in bad:
        assert path in str(e.value)


def test_skipped_files_count_against_the_batch(tmp_path):
    _good_images(tmp_path)
    _corrupt_files(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(ValueError, match="larger than the 2 examples"):
            data.from_folder(tmp_path, batch_size=3)


def test_an_empty_folder_is_refused(tmp_path):
    with pytest.raises(ValueError, match="holds no images") as e:
        data.from_folder(tmp_path)
    assert str(tmp_path) in str(e.value)


def test_a_folder_of_only_non_image_files_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "data.csv").write_text("1,2\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "model.keras").write_bytes(b"\0\1")
    with pytest.raises(ValueError, match="holds no images") as e:
        data.from_folder(tmp_path)
    assert str(tmp_path) in str(e.value)


@pytest.mark.parametrize(
    "images", [np.zeros((0, 4, 4, 1), np.uint8), np.zeros((0,)), []]
)
def test_an_empty_array_is_refused(images):
    with pytest.raises(ValueError, match="`images`"):
        data.from_arrays(images, value_range=(0, 1))


def test_mixed_sizes_and_channel_counts_in_one_folder(tmp_path):
    # Gray, RGB and RGBA of three sizes; alpha is dropped, gray repeated.
    _png(tmp_path / "gray.png", np.full((3, 5), 255), "L")
    _png(tmp_path / "rgb.png", np.tile([255, 0, 0], (6, 4, 1)), "RGB")
    rgba = np.tile([0, 0, 255, 7], (4, 7, 1))
    _png(tmp_path / "rgba.png", rgba, "RGBA")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Nothing is skipped.
        ds = data.from_folder(
            tmp_path, image_size=(2, 2), channels=3, batch_size=3
        )
    (batch,) = _batches(ds)
    assert batch.shape == (3, 2, 2, 3)
    colours = sorted(tuple(image[0, 0]) for image in batch)
    assert colours == [(-1.0, -1.0, 1.0), (1.0, -1.0, -1.0), (1.0, 1.0, 1.0)]
    # Constant images stay constant through the resize.
    corner = np.broadcast_to(batch[:, :1, :1, :], batch.shape)
    np.testing.assert_array_equal(batch, corner)


def test_mixed_sizes_in_an_array_list_are_refused_naming_both():
    images = [np.zeros((4, 4, 1), np.uint8), np.zeros((5, 4, 1), np.uint8)]
    with pytest.raises(ValueError, match=r"images\[0\].*images\[1\]"):
        data.from_arrays(images, batch_size=1)


def test_mixed_channel_counts_in_an_array_list_are_refused():
    images = [np.zeros((4, 4, 1), np.uint8), np.zeros((4, 4, 3), np.uint8)]
    with pytest.raises(ValueError, match=r"mixed sizes or channel counts"):
        data.from_arrays(images, batch_size=1)
