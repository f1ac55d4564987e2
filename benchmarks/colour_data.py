"""Writes folders of real colour images for the colour presets' benchmark.

The colour presets ``dcgan_32`` and ``dcgan_64`` train on a flat folder of
colour images (``--dataset=<folder>``). This script writes such a folder
at a chosen side (32 or 64 pixels) from one of two sources that can be
fetched through package registries, where dataset servers cannot be
reached; nothing is downloaded here.

``--source=emoji``: the 64-pixel emoji PNGs of the npm package
``emoji-datasource-twitter`` (``img/twitter/64/``, 3,786 images in
16.0.0; the graphics are Twemoji, CC-BY 4.0) or
``emoji-datasource-google`` (Noto, Apache 2.0). Each image is
composited onto white by its alpha channel (the package's folder loader
would drop alpha, leaving what the transparent pixels happen to hold),
then resized by area averaging::

    npm pack emoji-datasource-twitter
    tar xzf emoji-datasource-twitter-16.0.0.tgz
    python benchmarks/colour_data.py --source=emoji --package=package \\
        --side=32 --out=colour/emoji32

``--source=photos``: ``--count`` random crops (seeded) of the real colour
photographs bundled with scikit-image (``skimage/data/``: astronaut,
chelsea, coffee, hubble_deep_field, ihc, motorcycle_left,
motorcycle_right, retina, rocket; CC0, public domain or "no known
copyright restrictions" by scikit-image's notes, which state no licence
for the two Middlebury stereo views) and scikit-learn
(``load_sample_images``: china, flower; CC-BY 2.0). The grayscale and
synthetic images of skimage/data are left out. Each crop is a square of
a random side between ``--min_crop`` and ``--max_crop`` of the
photograph's shorter side (and not below ``--side`` where the photograph
allows), from a photograph drawn uniformly, resized by area averaging.
scikit-image is needed by this benchmark only: pass ``--skimage_data``
the ``skimage/data`` folder of an unpacked wheel, or install it (``pip
install scikit-image``)::

    pip download scikit-image --no-deps && unzip scikit_image-*.whl \\
        'skimage/data/*'
    python benchmarks/colour_data.py --source=photos \\
        --skimage_data=skimage/data --count=5000 --side=32 \\
        --out=colour/photos32

With ``--heldout`` above 0 (0.2 by default) the images are split by a
seeded shuffle into ``OUT/train/`` and ``OUT/heldout/``, so that samples
can be scored against images the GAN never saw
(``benchmarks/colour_images.py --data=OUT``); with ``--heldout=0`` they are
written to ``OUT`` itself. A fifth is held out by default so that each
half of the real reference holds a few hundred images for the 64
features of the random-CNN embedding.

Images are read and written with Pillow, which scikit-learn's and
Keras' image utilities use too.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from absl import app, flags

FLAGS = flags.FLAGS

SIDES = (32, 64)
EMOJI_SIZE = 64
"""The emoji packages' image folder read, ``img/<set>/64/``."""
SKIMAGE_PHOTOS = (
    "astronaut.png",
    "chelsea.png",
    "coffee.png",
    "hubble_deep_field.jpg",
    "ihc.png",
    "motorcycle_left.png",
    "motorcycle_right.png",
    "retina.jpg",
    "rocket.jpg",
)
"""skimage/data's colour photographs; the rest are gray or synthetic."""


class DataError(ValueError):
    """A source or output cannot be used: the command exits with a message."""


# --------------------------------------------------------------------------
# Pixels.


def composite_on_white(rgba: np.ndarray) -> np.ndarray:
    """An RGBA image over a white background, as float RGB in [0, 255].

    Args:
        rgba: uint8 array of shape (height, width, 4).

    Returns:
        float32 array of shape (height, width, 3):
        ``rgb * a + 255 * (1 - a)`` with ``a = alpha / 255``.
    """
    rgba = rgba.astype(np.float32)
    alpha = rgba[..., 3:] / 255.0
    return rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)


def resize_area(image: np.ndarray, side: int) -> np.ndarray:
    """Resizes a float (height, width, channels) image to side x side.

    Each output pixel is the mean of the input area it covers (Pillow's
    box filter, run in float32 so that nothing is rounded before the end).
    """
    from PIL import Image

    if image.shape[:2] == (side, side):
        return image.astype(np.float32)
    channels = [
        np.asarray(
            # A 2-D float32 array becomes a mode "F" (float) image.
            Image.fromarray(
                np.ascontiguousarray(image[..., c], np.float32)
            ).resize((side, side), Image.Resampling.BOX)
        )
        for c in range(image.shape[-1])
    ]
    return np.stack(channels, axis=-1)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Rounds float pixels in [0, 255] to uint8."""
    return np.round(image).clip(0, 255).astype(np.uint8)


def read_rgba(path: Path) -> np.ndarray:
    """An image file as uint8 RGBA (opaque where the file has no alpha)."""
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGBA"))


def read_rgb(path: Path) -> np.ndarray:
    """An image file as uint8 RGB."""
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


# --------------------------------------------------------------------------
# Sources.


def emoji_files(package: Path, image_set: str | None = None) -> list[Path]:
    """The 64-pixel emoji PNGs of an unpacked emoji-datasource package.

    Args:
        package: The unpacked package folder (holding ``img/``).
        image_set: The folder under ``img/`` (``twitter``, ``google``);
            None takes the only one there is.

    Returns:
        The PNG files of ``img/<set>/64/``, sorted by name.

    Raises:
        DataError: If the folder holds no such images, or several sets
            and ``image_set`` is None.
    """
    root = Path(package) / "img"
    sets = sorted(p.parent.name for p in root.glob(f"*/{EMOJI_SIZE}"))
    if image_set is None:
        if len(sets) != 1:
            raise DataError(
                f"{package} must hold one img/<set>/{EMOJI_SIZE}/ folder "
                f"(found {sets or 'none'}): pass the folder unpacked from "
                "emoji-datasource-twitter or -google (npm pack <name>, then "
                "tar xzf), and --set where it holds several."
            )
        image_set = sets[0]
    files = sorted((root / image_set / str(EMOJI_SIZE)).glob("*.png"))
    if not files:
        raise DataError(
            f"{root / image_set / str(EMOJI_SIZE)} holds no PNG files; "
            f"sets found: {sets or 'none'}."
        )
    return files


def emoji_images(files: Sequence[Path], side: int) -> np.ndarray:
    """Emoji files composited onto white and resized: uint8 (n, s, s, 3)."""
    return np.stack(
        [
            to_uint8(resize_area(composite_on_white(read_rgba(f)), side))
            for f in files
        ]
    )


def installed_skimage_data() -> Path | None:
    """The installed scikit-image's data folder, or None without it."""
    import importlib.util

    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def photographs(skimage_data: Path | None) -> dict[str, np.ndarray]:
    """The colour photographs, name -> uint8 RGB array.

    Args:
        skimage_data: A ``skimage/data`` folder; None reads the installed
            scikit-image's.

    Raises:
        DataError: If the folder is missing or lacks a photograph.
    """
    from sklearn.datasets import load_sample_images

    folder = skimage_data or installed_skimage_data()
    if folder is None:
        raise DataError(
            "--source=photos needs scikit-image's data folder: pass "
            "--skimage_data=path/to/skimage/data (pip download scikit-image "
            "--no-deps, then unzip) or pip install scikit-image."
        )
    missing = [n for n in SKIMAGE_PHOTOS if not (Path(folder) / n).is_file()]
    if missing:
        raise DataError(
            f"{folder} is not scikit-image's data folder: it lacks "
            f"{', '.join(missing)}."
        )
    photos = {Path(n).stem: read_rgb(Path(folder) / n) for n in SKIMAGE_PHOTOS}
    bunch = load_sample_images()
    for path, image in zip(bunch.filenames, bunch.images, strict=True):
        photos[Path(path).stem] = np.asarray(image, np.uint8)
    return photos


def crop_sides(
    shorter: int, side: int, min_crop: float, max_crop: float
) -> tuple[int, int]:
    """The smallest and largest crop of a photograph, in pixels.

    ``min_crop`` and ``max_crop`` of the shorter side, with the smallest
    raised to ``side`` where the largest allows (upsampling blurs).
    """
    high = max(1, int(max_crop * shorter))
    low = max(1, int(min_crop * shorter), min(side, high))
    return low, high


def photo_crops(
    photos: dict[str, np.ndarray],
    *,
    count: int,
    side: int,
    seed: int,
    min_crop: float = 0.125,
    max_crop: float = 1 / 3,
) -> tuple[np.ndarray, list[str]]:
    """Random square crops of the photographs, resized to side x side.

    Args:
        photos: Name -> uint8 RGB photograph; each crop draws one
            uniformly.
        count: Crops to make.
        side: Their side in pixels.
        seed: Seed of every draw: the same seed gives the same crops.
        min_crop, max_crop: Crop sides as fractions of the photograph's
            shorter side (see :func:`crop_sides`).

    Returns:
        uint8 crops of shape (count, side, side, 3) and, for each, the
        name of its photograph.
    """
    rng = np.random.default_rng(seed)
    names = sorted(photos)
    crops, sources = [], []
    for _ in range(count):
        name = names[rng.integers(len(names))]
        photo = photos[name]
        height, width = photo.shape[:2]
        low, high = crop_sides(min(height, width), side, min_crop, max_crop)
        size = int(rng.integers(low, high + 1))
        top = int(rng.integers(height - size + 1))
        left = int(rng.integers(width - size + 1))
        crop = photo[top : top + size, left : left + size].astype(np.float32)
        crops.append(to_uint8(resize_area(crop, side)))
        sources.append(name)
    return np.stack(crops), sources


# --------------------------------------------------------------------------
# Output.


def split(n: int, heldout: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the training and held-out images (a seeded shuffle).

    ``round(n * heldout)`` images are held out; both parts are sorted.
    """
    order = np.random.default_rng(seed).permutation(n)
    count = int(round(n * heldout))
    return np.sort(order[count:]), np.sort(order[:count])


def write_images(
    images: np.ndarray,
    names: Sequence[str],
    out: Path,
    *,
    heldout: float,
    seed: int,
) -> dict[str, int]:
    """Writes uint8 RGB images as PNG files, split or flat.

    Args:
        images: uint8 array of shape (n, side, side, 3).
        names: A file stem per image, unique.
        out: The output folder; it must not exist or be empty.
        heldout: Share held out in ``out/heldout/``, the rest in
            ``out/train/``; 0 writes every image to ``out``.
        seed: Seed of the split.

    Returns:
        Folder -> images written there.

    Raises:
        DataError: If ``out`` holds files already.
    """
    from PIL import Image

    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise DataError(f"--out {out} is not empty; pass a new folder.")
    if heldout:
        train, held = split(len(images), heldout, seed)
        parts = {out / "train": train, out / "heldout": held}
    else:
        parts = {out: np.arange(len(images))}
    counts = {}
    for folder, indices in parts.items():
        folder.mkdir(parents=True, exist_ok=True)
        for i in indices:
            Image.fromarray(images[i]).save(folder / f"{names[i]}.png")
        counts[str(folder)] = len(indices)
    return counts


def run(
    source: str,
    out: str,
    *,
    side: int,
    heldout: float,
    seed: int,
    package: str | None = None,
    image_set: str | None = None,
    skimage_data: str | None = None,
    count: int = 5_000,
    min_crop: float = 0.125,
    max_crop: float = 1 / 3,
) -> dict[str, int]:
    """Reads a source and writes its images; returns the counts written.

    Raises:
        DataError: If the source cannot be read or ``out`` is not empty.
    """
    if Path(out).exists() and any(Path(out).iterdir()):
        raise DataError(f"--out {out} is not empty; pass a new folder.")
    if source == "emoji":
        if not package:
            raise DataError(
                "--source=emoji needs --package, the folder unpacked from "
                "emoji-datasource-twitter (npm pack, then tar xzf)."
            )
        files = emoji_files(Path(package), image_set)
        images = emoji_images(files, side)
        names = [f.stem for f in files]
    else:
        photos = photographs(Path(skimage_data) if skimage_data else None)
        images, sources = photo_crops(
            photos,
            count=count,
            side=side,
            seed=seed,
            min_crop=min_crop,
            max_crop=max_crop,
        )
        names = [f"{i:05d}_{name}" for i, name in enumerate(sources)]
    return write_images(images, names, Path(out), heldout=heldout, seed=seed)


def define_flags() -> None:
    flags.DEFINE_enum("source", None, ["emoji", "photos"], "Image source.")
    flags.DEFINE_string("out", None, "Output folder, new or empty.")
    flags.DEFINE_integer("side", 32, "Image side in pixels: 32 or 64.")
    flags.DEFINE_float(
        "heldout",
        0.2,
        "Share written to OUT/heldout/ (the rest to OUT/train/); 0 writes "
        "one flat folder.",
        lower_bound=0.0,
        upper_bound=0.5,
    )
    flags.DEFINE_integer("seed", 0, "Seed of the crops and the split.")
    flags.DEFINE_string(
        "package", None, "emoji: the unpacked emoji-datasource package."
    )
    flags.DEFINE_string(
        "set", None, "emoji: the folder under img/; None: the only one."
    )
    flags.DEFINE_string(
        "skimage_data",
        None,
        "photos: scikit-image's data folder; None: the installed one's.",
    )
    flags.DEFINE_integer(
        "count", 5_000, "photos: crops to write.", lower_bound=1
    )
    flags.DEFINE_float(
        "min_crop", 0.125, "photos: smallest crop / shorter side."
    )
    flags.DEFINE_float(
        "max_crop", 1 / 3, "photos: largest crop / shorter side."
    )


def main(argv: Sequence[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    if FLAGS.source is None or not FLAGS.out:
        raise app.UsageError("--source (emoji or photos) and --out are needed.")
    if FLAGS.side not in SIDES:
        raise app.UsageError(f"--side must be 32 or 64, got {FLAGS.side}.")
    if not 0 < FLAGS.min_crop <= FLAGS.max_crop <= 1:
        raise app.UsageError(
            "--min_crop and --max_crop must satisfy 0 < min_crop <= "
            f"max_crop <= 1, got {FLAGS.min_crop} and {FLAGS.max_crop}."
        )
    try:
        counts = run(
            FLAGS.source,
            FLAGS.out,
            side=FLAGS.side,
            heldout=FLAGS.heldout,
            seed=FLAGS.seed,
            package=FLAGS.package,
            image_set=FLAGS.set,
            skimage_data=FLAGS.skimage_data,
            count=FLAGS.count,
            min_crop=FLAGS.min_crop,
            max_crop=FLAGS.max_crop,
        )
    except DataError as error:
        raise app.UsageError(str(error)) from None
    for folder, n in counts.items():
        print(f"{n} images in {folder}")


if __name__ == "__main__":
    define_flags()
    app.run(main)
