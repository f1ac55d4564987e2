"""How well ClusteredGAN's clusters follow a labelled dataset's classes.

``ClusteredGAN`` conditions both players on k-means clusters of the
training images, found without labels. The closer the clusters follow the
classes, the fewer samples fall between classes. This script clusters
images the way ``ClusteredGAN.adapt`` does (the library's own features and
k-means) for each kind of ``--features``, and reports the purity: the
share of images in their cluster's most common class (1.0 when every
cluster is one class).

    python benchmarks/cluster_purity.py --data=path/to/class_folders
    python benchmarks/cluster_purity.py --data=digits --seeds=0,1,2

``--data`` is a folder with one subfolder of 28x28 images per class (as
``benchmarks/npm_images.py`` writes them), or ``digits`` for the bundled
8x8 digits at 28x28. ``--images`` takes that many, drawn with
``numpy.random.default_rng(0).permutation``; the labels only score the
clusters. Nothing is asserted; the report is markdown, ready for
docs/experiments.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

# TensorFlow's C++ start-up lines are not the report's.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from absl import app, flags  # noqa: E402

FLAGS = flags.FLAGS


def purity(assignment: np.ndarray, labels: np.ndarray) -> float:
    """Share of samples in their cluster's most common class."""
    assignment = np.asarray(assignment)
    labels = np.asarray(labels)
    if assignment.shape != labels.shape or assignment.ndim != 1:
        raise ValueError(
            "purity takes one cluster and one label per sample, got shapes "
            f"{assignment.shape} and {labels.shape}."
        )
    majority = sum(
        np.bincount(labels[assignment == c]).max()
        for c in np.unique(assignment)
    )
    return float(majority / len(labels))


def load(data: str, images: int) -> tuple[np.ndarray, np.ndarray]:
    """(images (N, 28, 28, 1) in [-1, 1], labels (N,)) of --data."""
    if data == "digits":
        from tfgan_lite import data as data_lib

        # One batch of all 1,797 digits.
        batch = data_lib.digits(batch_size=1797, with_labels=True)
        x, y = (t.numpy() for t in next(iter(batch)))
    else:
        import heldout_images

        try:
            x, y = heldout_images.load_labelled_folder(data)
        except (heldout_images.DataError, OSError) as error:
            raise app.UsageError(str(error)) from None
    if images:
        if images > len(x):
            raise app.UsageError(
                f"--images={images}, but --data holds {len(x)}; ask for "
                "at most that many, or 0 for all."
            )
        order = np.random.default_rng(0).permutation(len(x))[:images]
        x, y = x[order], y[order]
    return x, y


def run(
    images: np.ndarray,
    labels: np.ndarray,
    *,
    clusters: int,
    seeds: Sequence[int],
    features: Sequence[str],
) -> str:
    """The purity table: one row per kind of features, one column per seed."""
    from tfgan_lite.gans import _cluster_features, _kmeans

    header = "| features | " + " | ".join(f"seed {s}" for s in seeds) + " |"
    lines = [header, "| --- |" + " ---: |" * len(seeds)]
    for kind in features:
        vectors = _cluster_features.features(kind, images).numpy()
        values = [
            purity(_kmeans.kmeans(vectors, clusters, seed=s)[1], labels)
            for s in seeds
        ]
        lines.append(
            f"| {kind} | " + " | ".join(f"{v:.3f}" for v in values) + " |"
        )
    return "\n".join(lines)


def define_flags() -> None:
    flags.DEFINE_string(
        "data", "digits", "Folder of class subfolders, or digits."
    )
    flags.DEFINE_integer(
        "images", 0, "Images drawn from --data; 0 takes all.", lower_bound=0
    )
    flags.DEFINE_integer("clusters", 25, "k of k-means.", lower_bound=2)
    flags.DEFINE_list("seeds", ["0", "1"], "Seeds of k-means.")
    flags.DEFINE_list("features", ["pixels", "hog"], "Kinds of features.")


def main(argv: Sequence[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    # The names without TensorFlow: a usage error comes back at once.
    from tfgan_lite.commands.names import CLUSTER_FEATURES as FEATURES

    unknown = set(FLAGS.features) - set(FEATURES)
    if unknown or not FLAGS.features:
        raise app.UsageError(
            f"--features takes {' and/or '.join(FEATURES)}, got "
            f"{','.join(FLAGS.features)!r}."
        )
    try:
        seeds = [int(s) for s in FLAGS.seeds]
    except ValueError:
        seeds = []
    if not seeds or min(seeds) < 0:
        raise app.UsageError(
            f"--seeds takes whole numbers >= 0, got {','.join(FLAGS.seeds)!r}."
        )
    x, y = load(FLAGS.data, FLAGS.images)
    if len(x) < FLAGS.clusters:
        raise app.UsageError(
            f"--clusters={FLAGS.clusters} needs at least as many images; "
            f"--data gave {len(x)}."
        )
    import harness

    lines = harness.report_header("Cluster purity")
    lines += [
        f"- Data: {len(x)} images of {len(np.unique(y))} classes from "
        f"{FLAGS.data}; {FLAGS.clusters} clusters.",
        "",
        run(
            x, y, clusters=FLAGS.clusters, seeds=seeds, features=FLAGS.features
        ),
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    define_flags()
    app.run(main)
