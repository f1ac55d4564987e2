"""Tests for benchmarks/heldout_images.py on the bundled digits as files."""

import subprocess
import sys
from pathlib import Path

import heldout_images as hd
import numpy as np
import pytest
import tensorflow as tf
from absl import app, flags
from sklearn.datasets import load_digits

_SCRIPT = Path(hd.__file__)


def _write_digits(root: Path, n: int) -> np.ndarray:
    """Writes n bundled 8x8 digits as PNGs in class subfolders."""
    bunch = load_digits()
    images = np.round(bunch.images[:n] * (255 / 16)).astype(np.uint8)
    for i, (image, label) in enumerate(
        zip(images, bunch.target[:n], strict=True)
    ):
        folder = root / str(label)
        folder.mkdir(parents=True, exist_ok=True)
        png = tf.io.encode_png(image[..., None])
        tf.io.write_file(str(folder / f"{i:04d}.png"), png)
    return bunch.target[:n]


@pytest.fixture(scope="module")
def digits_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("digits")
    labels = _write_digits(root, 600)
    return root, labels


def test_loads_every_image_with_its_class(digits_folder):
    root, labels = digits_folder
    images, got = hd.load_labelled_folder(str(root))
    assert images.shape == (600, 28, 28, 1)
    assert -1.0 <= images.min() < -0.99 and 0.99 < images.max() <= 1.0
    # Every image once, labelled by its subfolder.
    np.testing.assert_array_equal(np.bincount(got), np.bincount(labels))


def test_halves_are_disjoint_and_equal():
    a, b = hd.split_halves(601, seed=3)
    assert len(a) == len(b) == 300
    assert not set(a) & set(b)
    np.testing.assert_array_equal(a, hd.split_halves(601, seed=3)[0])


def test_part_a_takes_the_asked_images_and_b_the_rest():
    a, b = hd.split(1000, 400, seed=1)
    assert len(a) == 400 and len(b) == 600
    assert sorted(np.concatenate([a, b])) == list(range(1000))
    with pytest.raises(hd.DataError, match="at most 900"):
        hd.split(1000, 950, seed=1)


def test_recipe_config_is_the_commands_unless_changed(tmp_path):
    from tfgan_lite.train import TrainConfig

    default = TrainConfig(dataset=str(tmp_path), run_dir=str(tmp_path))
    got = hd.recipe_config(tmp_path, tmp_path, steps=0, seed=0, recipe=())
    assert got == default
    got = hd.recipe_config(
        tmp_path, tmp_path, steps=40, seed=2, recipe=["clusters=0"]
    )
    assert (got.epochs, got.steps, got.clusters, got.seed) == (10, 4, 0, 2)


def test_the_bare_networks_are_keras_io_sized():
    g, d = hd.bare_networks()
    assert g.output_shape == (None, 28, 28, 1)
    assert d.output_shape == (None, 1)
    # keras.io's MNIST GAN: Dense 128 -> 7x7x128 (6,272 + bias), two
    # 4x4x128x128 transposed convolutions, a 7x7x128 output convolution.
    dense = 128 * 6272 + 6272
    up = 2 * (4 * 4 * 128 * 128 + 128)
    out = 7 * 7 * 128 + 1
    assert g.count_params() == dense + up + out


def test_class_entropy_matches_hand_values():
    got = hd.class_entropy(
        np.array([[1.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0, 0], [0.25] * 4])
    )
    np.testing.assert_allclose(got, [0.0, np.log(2), np.log(4)], rtol=1e-12)


class _TwoClusterGAN:
    """Assigns by the first pixel's sign; draws a cluster's fixed samples."""

    num_clusters = 2

    def assign(self, images):
        return tf.constant((images[:, 0, 0, 0] > 0).astype(np.int32))

    def cluster_prior(self):
        return np.array([0.75, 0.25])

    def generate(self, n, *, labels, seed):
        # Cluster 0 draws ambiguous samples (0.5), cluster 1 sure ones (1.0).
        assert len(labels) == n
        value = np.where(np.asarray(labels) == 0, 0.5, 1.0)
        return np.broadcast_to(value[:, None, None, None], (n, 2, 2, 1))


def _classify(images):
    """Two classes; pixel v -> probabilities (v, 1 - v) clipped to [0, 1]."""
    v = np.clip(np.abs(images[:, 1, 1, 0]), 0.0, 1.0)
    return np.stack([v, 1.0 - v], axis=1)


def test_cluster_breakdown_counts_purity_and_entropy_by_hand():
    # Cluster 0 (first pixel <= 0): labels 0, 0, 1, sure images (v = 1).
    # Cluster 1: labels 1, 1, images with v = 0.5 (ln 2 nats each).
    images = np.zeros((5, 2, 2, 1), np.float32)
    images[:3, 0, 0, 0], images[3:, 0, 0, 0] = -1.0, 1.0
    images[:3, 1, 1, 0], images[3:, 1, 1, 0] = 1.0, 0.5
    labels = np.array([0, 0, 1, 1, 1])
    rows = hd.cluster_breakdown(
        _TwoClusterGAN(), _classify, images, labels, per_cluster=4, seed=0
    )
    assert [(r.cluster, r.count) for r in rows] == [(0, 3), (1, 2)]
    np.testing.assert_allclose(
        [[r.prior, r.purity, r.real_entropy, r.sample_entropy] for r in rows],
        [[0.75, 2 / 3, 0.0, np.log(2)], [0.25, 1.0, np.log(2), 0.0]],
        atol=1e-12,
    )
    lines = hd.cluster_table(rows)
    # Weighted: real 0.25 ln 2 = 0.173; samples 0.75 ln 2 = 0.520.
    assert "real 0.173, samples 0.520" in "\n".join(lines)
    # Sorted by purity: cluster 1 (1.00) first.
    body = [line for line in lines if line.startswith("| ")][2:]
    assert body[0].startswith("| 1 ") and body[1].startswith("| 0 ")


def test_a_small_run_reports_every_row(digits_folder):
    root, _ = digits_folder
    text = hd.run(
        str(root),
        steps=3,
        batch=16,
        classifier_epochs=3,
        seed=0,
        num_generated=160,
    )
    main_table = text.split("Per cluster")[0]
    rows = {
        line.split("|")[1].strip(): line
        for line in main_table.splitlines()
        if line.startswith("| ") and not line.startswith(("| row", "| ---"))
    }
    assert set(rows) == {
        "recipe",
        "recipe-live",
        "bare",
        "real: part A1 vs A2, absolute",
    }
    accuracy = float(text.split("correct on part A")[0].split()[-1][:-1])
    assert 20.0 < accuracy <= 100.0  # Chance is 10%.
    for name in ("recipe", "recipe-live", "bare"):
        cells = [c.strip() for c in rows[name].split("|")[2:-1]]
        values = [float(c) for c in cells]
        assert all(np.isfinite(values)) and values[1] > 0  # FD / real
        assert values[-1] >= 0  # seconds
    # The folder default clusters its images: a row per cluster, whose
    # priors sum to 1.
    per_cluster = text.split("Per cluster")[1]
    priors = [
        float(line.split("|")[2])
        for line in per_cluster.splitlines()
        if line.startswith("| ") and line.split("|")[1].strip().isdigit()
    ]
    assert 2 <= len(priors) <= 25
    assert sum(priors) == pytest.approx(1.0, abs=0.01)
    # The recipe's 3 steps of 32 images: the bare GAN's 6 steps of 16.
    assert "each GAN saw 96 images (6 steps of 16 for the bare GAN)" in text


def _flags(argv):
    values = flags.FlagValues()
    hd.define_flags(values)
    values([_SCRIPT.name, *argv])
    return values


@pytest.mark.parametrize(
    "argv, message",
    [
        ([], "--data must be a folder"),
        (["--data=/no/such/folder"], "--data must be a folder"),
        (["--data={root}", "--rows=recipe,other"], "--rows takes recipe"),
        (["--data={root}", "--rows=bare"], "--steps is needed"),
    ],
)
def test_bad_flags_are_named_before_a_run(digits_folder, argv, message):
    root, _ = digits_folder
    values = _flags([f.format(root=root) for f in argv])
    with pytest.raises(app.UsageError, match=message):
        hd.check_flags(values)


def test_a_bound_is_checked_as_the_flags_are_read(digits_folder):
    root, _ = digits_folder
    with pytest.raises(flags.IllegalFlagValueError, match="seed"):
        _flags([f"--data={root}", "--seed=-1"])
    hd.check_flags(_flags([f"--data={root}", "--rows=bare", "--steps=3"]))


def test_a_folder_without_classes_ends_in_a_message(digits_folder, tmp_path):
    # The script's own start, through to the data: the error of a folder
    # that cannot be read reaches stderr as a message, not a traceback.
    root, _ = digits_folder
    flat = tmp_path / "flat"
    flat.mkdir()
    for path in sorted((root / "3").iterdir())[:3]:
        (flat / path.name).write_bytes(path.read_bytes())
    done = subprocess.run(
        [sys.executable, str(_SCRIPT), f"--data={flat}"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0
    assert "one subfolder per class" in done.stderr
    assert "Traceback" not in done.stderr
