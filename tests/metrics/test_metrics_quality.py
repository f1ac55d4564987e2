"""Generated figures beside real ones: the shared report of the metrics."""

import json

import numpy as np
import pytest

from tfgan_lite.metrics import features, quality

SIDE = 8


def _real(n=120, seed=0):
    # Smooth blobs: structured enough for features to tell real from noise.
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:SIDE, 0:SIDE]
    cy, cx = rng.uniform(2, 6, (2, n, 1, 1))
    blob = np.exp(-((ys - cy) ** 2 + (xs - cx) ** 2) / 4.0)
    return (2 * blob - 1)[..., None].astype(np.float32)


@pytest.fixture(scope="module")
def extractor():
    return features.random_embedding(seed=0, image_size=(SIDE, SIDE), dim=16)


def test_real_half_a_scores_exactly_like_the_reference(extractor):
    real = _real()
    reference = quality.Reference(real, extractor=extractor, seed=3)
    half_a, half_b = quality.real_reference_split(len(real), seed=3)
    assert len(half_a) == len(half_b) == 60
    assert not set(half_a) & set(half_b)
    report = reference.compare(real[half_a])
    assert report.extractor == extractor.name
    assert report.num_generated == report.num_real == 60
    assert report.generated == pytest.approx(report.real, rel=1e-6)
    assert report.ratio("fd") == pytest.approx(1.0, rel=1e-6)


def test_noise_scores_far_worse_than_real(extractor):
    real = _real()
    noise = np.random.default_rng(1).uniform(-1, 1, real.shape)
    report = quality.compare(
        real, noise.astype(np.float32), extractor=extractor
    )
    assert report.ratio("fd") > 10
    assert report.generated["precision"] < 0.2
    assert report.generated["coverage"] < 0.2
    assert "classifier_score" not in report.generated


def test_only_one_real_half_of_generated_images_is_used(extractor):
    real = _real()
    fake = _real(300, seed=5)
    reference = quality.Reference(real, extractor=extractor)
    assert reference.compare(fake).generated == pytest.approx(
        reference.compare(fake[:60]).generated
    )


def test_classifier_adds_the_classifier_score():
    rng = np.random.default_rng(2)
    # 64 features need at least 65 images in each real half.
    real = rng.uniform(-1, 1, (140, 28, 28)).astype(np.float32)
    report = quality.compare(
        real, real[::-1], extractor=features.digits_classifier(), splits=2
    )
    for figures in (report.generated, report.real):
        assert 1.0 <= figures["classifier_score"] <= 10.0


def test_table_and_json_name_the_extractor(extractor):
    real = _real()
    report = quality.compare(real, _real(seed=9), extractor=extractor)
    table = quality.format_table(report)
    assert extractor.name in table.splitlines()[0]
    for metric in ("fd", "kid", "precision", "recall", "density", "coverage"):
        assert f"| {metric} |" in table
    data = json.loads(json.dumps(quality.as_dict(report)))
    assert data["extractor"] == extractor.name
    fd = data["metrics"]["fd"]
    assert fd["ratio"] == pytest.approx(fd["generated"] / fd["real"])


@pytest.mark.parametrize(
    "kwargs,error,message",
    [
        (dict(real_images=np.zeros((3, SIDE, SIDE))), ValueError, "num_real"),
        (dict(neighbours=60), ValueError, "below the 60 images"),
        (dict(neighbours=0), ValueError, "neighbours=0"),
        (dict(real_images=np.full((10, SIDE, SIDE), 5.0)), ValueError, "-1"),
    ],
)
def test_bad_input(extractor, kwargs, error, message):
    arguments = {"real_images": _real(), "extractor": extractor, **kwargs}
    with pytest.raises(error, match=message):
        quality.Reference(**arguments)
