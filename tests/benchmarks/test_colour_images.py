"""Tests for benchmarks/colour_data.py and benchmarks/colour_images.py."""

import subprocess
import sys
from pathlib import Path

import colour_data as cd
import numpy as np
import pytest
from PIL import Image


def _write_emoji(package: Path, n: int, seed: int = 0) -> np.ndarray:
    """Writes n random 64x64 RGBA PNGs in the emoji packages' layout."""
    folder = package / "img" / "x" / "64"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    rgba = rng.integers(0, 256, (n, 64, 64, 4), dtype=np.uint8)
    rgba[0, ..., 3] = 0  # Fully transparent: white.
    rgba[1, ..., 3] = 255  # Opaque: its own colours.
    for i, image in enumerate(rgba):
        Image.fromarray(image, "RGBA").save(folder / f"{i:04d}.png")
    return rgba


def _on_white(rgba: np.ndarray) -> np.ndarray:
    a = rgba[..., 3:].astype(np.float64) / 255
    return rgba[..., :3] * a + 255 * (1 - a)


def test_emoji_are_composited_on_white_and_area_resized(tmp_path):
    rgba = _write_emoji(tmp_path, 3)
    files = cd.emoji_files(tmp_path)
    assert [f.name for f in files] == ["0000.png", "0001.png", "0002.png"]
    full = cd.emoji_images(files, 64)
    expected = _on_white(rgba)
    np.testing.assert_allclose(full, expected, atol=0.5 + 1e-3)
    np.testing.assert_array_equal(full[0], 255)
    np.testing.assert_array_equal(full[1], rgba[1, ..., :3])
    # Area: each pixel of the half-size image is a 2x2 block's mean.
    half = cd.emoji_images(files, 32)
    blocks = expected.reshape(3, 32, 2, 32, 2, 3).mean(axis=(2, 4))
    assert half.shape == (3, 32, 32, 3) and half.dtype == np.uint8
    np.testing.assert_allclose(half, blocks, atol=0.5 + 1e-3)


def test_emoji_folder_without_images_is_refused(tmp_path):
    with pytest.raises(cd.DataError, match="img/<set>/64"):
        cd.emoji_files(tmp_path)


def test_split_sizes_and_folders(tmp_path):
    images = np.zeros((10, 4, 4, 3), np.uint8)
    names = [f"im{i}" for i in range(10)]
    counts = cd.write_images(
        images, names, tmp_path / "split", heldout=0.2, seed=1
    )
    train = {p.stem for p in (tmp_path / "split" / "train").iterdir()}
    held = {p.stem for p in (tmp_path / "split" / "heldout").iterdir()}
    assert (len(train), len(held)) == (8, 2)
    assert train | held == set(names) and not train & held
    assert sorted(counts.values()) == [2, 8]
    # The split follows the seed alone.
    train_idx, held_idx = cd.split(10, 0.2, seed=1)
    assert held == {names[i] for i in held_idx}
    assert len(train_idx) == 8
    cd.write_images(images, names, tmp_path / "flat", heldout=0, seed=1)
    assert len(list((tmp_path / "flat").glob("*.png"))) == 10
    with pytest.raises(cd.DataError, match="not empty"):
        cd.write_images(images, names, tmp_path / "flat", heldout=0, seed=1)


def test_photo_crops_are_deterministic_by_seed():
    rng = np.random.default_rng(0)
    photos = {
        "a": rng.integers(0, 256, (120, 200, 3), dtype=np.uint8),
        "b": rng.integers(0, 256, (300, 150, 3), dtype=np.uint8),
    }
    first, names = cd.photo_crops(photos, count=6, side=8, seed=3)
    again, names_again = cd.photo_crops(photos, count=6, side=8, seed=3)
    other, _ = cd.photo_crops(photos, count=6, side=8, seed=4)
    assert first.shape == (6, 8, 8, 3) and first.dtype == np.uint8
    np.testing.assert_array_equal(first, again)
    assert names == names_again and set(names) <= {"a", "b"}
    assert not np.array_equal(first, other)


def test_crop_sides_keep_the_side_where_the_photo_allows():
    # 1/8 to 1/3 of 600 pixels: 75 to 200.
    assert cd.crop_sides(600, 32, 0.125, 1 / 3) == (75, 200)
    # 1/8 of 300 is 37, below 64: raised to 64, within 1/3 (100).
    assert cd.crop_sides(300, 64, 0.125, 1 / 3) == (64, 100)
    # 1/3 of 150 is 50, below 64: the largest crop wins.
    assert cd.crop_sides(150, 64, 0.125, 1 / 3) == (50, 50)


@pytest.mark.parametrize("side", [32, 64])
def test_bare_networks_make_and_score_images_of_the_side(side):
    import colour_images as ci

    generator, discriminator = ci.bare_networks(side)
    z = np.zeros((2, generator.input_shape[-1]), np.float32)
    images = generator(z)
    assert tuple(images.shape) == (2, side, side, 3)
    assert tuple(discriminator(images).shape) == (2, 1)


def test_bad_flag_ends_in_a_message_without_a_traceback(tmp_path):
    script = Path(cd.__file__)
    result = subprocess.run(
        [
            sys.executable,
            str(script),
            "--source=emoji",
            f"--out={tmp_path / 'out'}",
            "--side=48",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "--side must be 32 or 64" in result.stderr
    assert "Traceback" not in result.stderr
