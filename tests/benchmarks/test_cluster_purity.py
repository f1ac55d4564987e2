"""Tests for benchmarks/cluster_purity.py."""

import subprocess
import sys
from pathlib import Path

import cluster_purity as cp
import numpy as np
import pytest

_SCRIPT = Path(cp.__file__)


def test_purity_counts_each_clusters_most_common_class():
    # Cluster 0: two of class 3; cluster 1: one 3 and two 4s; cluster 2:
    # one 5. Majorities 2 + 2 + 1 of 6 samples.
    assignment = np.array([0, 0, 1, 1, 1, 2])
    labels = np.array([3, 3, 3, 4, 4, 5])
    assert cp.purity(assignment, labels) == pytest.approx(5 / 6)
    assert cp.purity(labels, labels) == 1.0
    with pytest.raises(ValueError, match=r"shapes \(6,\) and \(5,\)"):
        cp.purity(assignment, labels[:5])


def test_gradient_histograms_find_classes_of_shape_that_pixels_miss():
    # Three stripe orientations (the classes) on three grey levels: the
    # pixels' distances are led by the grey level, the gradients' are not.
    rng = np.random.default_rng(0)
    y, x = np.mgrid[:28, :28].astype("float32")
    waves = np.stack([np.sin(y), np.sin(x), np.sin((x + y) / np.sqrt(2))])
    labels = rng.integers(0, 3, 60)
    levels = rng.choice([-0.6, 0.0, 0.6], 60)
    images = levels[:, None, None] + 0.2 * waves[labels]
    table = cp.run(
        images[..., None].astype("float32"),
        labels,
        clusters=3,
        seeds=[0],
        features=["pixels", "hog"],
    )
    rows = dict(
        (cells[1].strip(), float(cells[2]))
        for cells in (line.split("|") for line in table.splitlines()[2:])
    )
    assert rows["hog"] == 1.0
    assert rows["pixels"] < 0.8


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--features=edges"], "--features takes pixels and/or hog"),
        (["--seeds=a"], "--seeds takes whole numbers"),
        (["--data=no/such/folder"], "does not exist"),
    ],
)
def test_a_bad_flag_ends_in_a_message_not_a_traceback(argv, message):
    done = subprocess.run(
        [sys.executable, str(_SCRIPT), *argv],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr
