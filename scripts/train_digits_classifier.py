"""Trains the digit classifier that ``metrics.digits_classifier()`` loads.

    python scripts/train_digits_classifier.py \\
        --out tfgan_lite/metrics/assets/digits_cnn_v1.weights.h5

The data are scikit-learn's 1,797 8x8 digits, made exactly as
``tfgan_lite.data.digits(image_size=(28, 28))`` makes them (28x28x1, in
[-1, 1]). 80% of them, split with ``train_test_split(test_size=0.2,
stratify=labels, random_state=0)``, train the network of
``tfgan_lite.metrics.features.digits._build_digits_cnn``; the other 20%
measure it.

The classifier also judges GAN samples and other digit datasets, whose
digits are thinner and smaller in the frame (MNIST centres each digit in a
20x20 box inside 28x28; the 8x8 digits fill theirs). Each epoch therefore
sees freshly augmented copies: scaled by 0.65-1.05 about the centre,
shifted by up to 2.5 pixels, rotated by up to 12 degrees, and, at random,
sharpened (thinner or thicker strokes) and blurred. The script prints the
held-out accuracy of the digits as they are and of the digits shrunk to a
centred 20x20 box (MNIST framing).

Seeds are fixed and ``tf.config.experimental.enable_op_determinism()`` is
on, so a rerun on the same machine and versions writes the same weights.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from scipy import ndimage  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from tfgan_lite.data import from_arrays  # noqa: E402
from tfgan_lite.metrics.features.digits import _build_digits_cnn  # noqa: E402

IMAGE_SIZE = (28, 28)
TEST_FRACTION = 0.2
SPLIT_SEED = 0


def digits_28x28() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 digits as ``data.digits(image_size=(28, 28))`` makes them.

    Returns:
        ``(images, labels)``: float32 (1797, 28, 28, 1) in [-1, 1] and int64
        (1797,), in scikit-learn's order.
    """
    bunch = load_digits()
    n = len(bunch.target)
    # The same call as data.digits(), with each image's index as its label
    # so that the shuffled batch can be put back in order.
    ds = from_arrays(
        bunch.images.astype(np.float32),
        np.arange(n),
        image_size=IMAGE_SIZE,
        batch_size=n,
        value_range=(0, 16),
    )
    images, index = (t.numpy() for t in next(iter(ds)))
    order = np.argsort(index)
    return images[order], bunch.target[index[order]].astype(np.int64)


def split(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The fixed stratified train/test indices."""
    return train_test_split(
        np.arange(len(labels)),
        test_size=TEST_FRACTION,
        stratify=labels,
        random_state=SPLIT_SEED,
    )


def mnist_framed(images: np.ndarray) -> np.ndarray:
    """Shrinks 28x28 digits to a centred 20x20 box padded with background."""
    small = tf.image.resize(images, (20, 20), antialias=True).numpy()
    return np.pad(
        np.clip(small, -1.0, 1.0),
        ((0, 0), (4, 4), (4, 4), (0, 0)),
        constant_values=-1.0,
    )


def augment(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random scale, rotation, shift, stroke width and blur per image."""
    n, height, width, _ = images.shape
    center = np.array([(height - 1) / 2.0, (width - 1) / 2.0])
    scale = rng.uniform(0.65, 1.05, n)
    angle = np.deg2rad(rng.uniform(-12.0, 12.0, n))
    shift = rng.uniform(-2.5, 2.5, (n, 2))
    # Ink in [0, 1]: stretching [low, high] onto [0, 1] thins the strokes
    # (a high `low`) or thickens them (a low `high`) and sharpens edges.
    sharpen = rng.random(n) < 0.6
    low = rng.uniform(0.05, 0.5, n)
    high = low + rng.uniform(0.2, 0.5, n)
    sigma = np.where(rng.random(n) < 0.4, rng.uniform(0.3, 1.0, n), 0.0)
    out = np.empty_like(images)
    for i in range(n):
        cos, sin = math.cos(angle[i]), math.sin(angle[i])
        # affine_transform maps output to input coordinates: undo the
        # rotation and scale about the centre, then the shift.
        matrix = np.array([[cos, sin], [-sin, cos]]) / scale[i]
        offset = center - matrix @ (center + shift[i])
        ink = (images[i, :, :, 0] + 1.0) / 2.0
        ink = ndimage.affine_transform(
            ink, matrix, offset, order=1, mode="constant", cval=0.0
        )
        if sharpen[i]:
            ink = np.clip((ink - low[i]) / (min(high[i], 1.0) - low[i]), 0, 1)
        if sigma[i]:
            ink = ndimage.gaussian_filter(ink, sigma[i])
        out[i, :, :, 0] = ink * 2.0 - 1.0
    return out


def accuracy(model: keras.Model, images: np.ndarray, labels) -> float:
    probabilities = model.predict(images, batch_size=256, verbose=0)
    return float(np.mean(np.argmax(probabilities, axis=1) == labels))


def train(
    out: str,
    *,
    epochs: int = 60,
    batch_size: int = 64,
    learning_rate: float = 2e-3,
    seed: int = 0,
) -> dict[str, float]:
    """Trains the classifier, writes its weights to `out`, returns accuracies.

    Args:
        out: Path of the weights file; must end in ``.weights.h5``.
        epochs: Passes over freshly augmented training digits.
        batch_size: Digits per step.
        learning_rate: Peak AdamW step size, cosine-decayed to 0.
        seed: Seed of the augmentation, the shuffles, dropout and the
            initial weights.

    Returns:
        Held-out accuracies: ``"test"`` (the digits as they are) and
        ``"test_20x20"`` (shrunk to a centred 20x20 box).
    """
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    images, labels = digits_28x28()
    train_index, test_index = split(labels)
    x_train, y_train = images[train_index], labels[train_index]
    x_test, y_test = images[test_index], labels[test_index]

    model = _build_digits_cnn()
    steps = epochs * math.ceil(len(x_train) / batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, steps)
    model.compile(
        optimizer=keras.optimizers.AdamW(schedule, weight_decay=1e-4),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    for epoch in range(epochs):
        order = rng.permutation(len(x_train))
        history = model.fit(
            augment(x_train[order], rng),
            y_train[order],
            batch_size=batch_size,
            epochs=1,
            shuffle=False,
            verbose=0,
        )
        if (epoch + 1) % 10 == 0 or epoch + 1 == epochs:
            print(
                f"epoch {epoch + 1}/{epochs}: loss "
                f"{history.history['loss'][-1]:.4f}, train accuracy "
                f"{history.history['accuracy'][-1]:.4f}, "
                f"{time.perf_counter() - start:.0f} s",
                flush=True,
            )
    results = {
        "test": accuracy(model, x_test, y_test),
        "test_20x20": accuracy(model, mnist_framed(x_test), y_test),
    }
    print(
        f"held-out accuracy ({len(y_test)} digits): {results['test']:.4f}; "
        f"shrunk to a centred 20x20 box: {results['test_20x20']:.4f}"
    )
    # A fresh, uncompiled copy: the file holds the network's weights only,
    # no optimizer state.
    clean = _build_digits_cnn()
    clean.set_weights(model.get_weights())
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    clean.save_weights(out)
    print(f"wrote {out} ({os.path.getsize(out)} bytes)")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", required=True, help="weights file, ending in .weights.h5"
    )
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.out.endswith(".weights.h5"):
        parser.error("--out must end in .weights.h5 (Keras' weights format)")
    train(
        args.out,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        seed=args.seed,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
