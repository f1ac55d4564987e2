"""Helpers shared by the data tests: batches, synthetic images, references."""

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds
from PIL import Image

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


def save_image(path, size, value, mode="RGB"):
    """Writes a constant image file, creating its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fill = value if mode == "L" else (value,) * 3
    Image.new(mode, size, fill).save(path)
