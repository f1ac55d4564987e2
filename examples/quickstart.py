"""Trains a DCGAN on scikit-learn's bundled 8x8 digits, offline, on a CPU.

    python examples/quickstart.py --epochs 10 --out runs/quickstart

Writes ``model.keras`` and ``samples.png`` (an 8x8 grid of generated digits)
to the output folder.
"""

import argparse
import os

import keras
import numpy as np
import tensorflow as tf
from sklearn.datasets import load_digits

import tfgan_lite


def digit_images(size: int = 28) -> np.ndarray:
    """The 1,797 scikit-learn digits, resized to size x size, in [-1, 1]."""
    images = load_digits().images.astype("float32")[..., None] / 16.0
    images = tf.image.resize(images, (size, size), method="bilinear")
    return (images.numpy() * 2.0 - 1.0).clip(-1.0, 1.0)


def save_grid(images: np.ndarray, path: str, rows: int = 8) -> None:
    """Writes a rows x rows grid of [-1, 1] images to a PNG file."""
    n, h, w, c = images.shape
    grid = images[: rows * rows].reshape(rows, rows, h, w, c)
    grid = grid.transpose(0, 2, 1, 3, 4).reshape(rows * h, rows * w, c)
    keras.utils.save_img(path, (grid + 1.0) * 127.5, scale=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--out", default="runs/quickstart")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    keras.utils.set_random_seed(0)
    images = digit_images()
    generator, discriminator = tfgan_lite.models.dcgan_28(
        latent_dim=64, width=32
    )
    gan = tfgan_lite.GAN(generator, discriminator, seed=0)
    gan.compile(loss="non_saturating")
    gan.fit(images, batch_size=args.batch_size, epochs=args.epochs)

    gan.save(os.path.join(args.out, "model.keras"))
    save_grid(gan.generate(64, seed=0), os.path.join(args.out, "samples.png"))
    print(f"Wrote {args.out}/model.keras and {args.out}/samples.png")


if __name__ == "__main__":
    main()
