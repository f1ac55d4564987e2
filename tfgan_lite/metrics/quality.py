"""Sample quality of a set of generated images against real ones.

One function, :func:`compare`, computes every image metric of the package
from one feature extractor and reports each figure beside what real data
scores on the same scale, so that a number reads as "how close to real":

* The real images are split in two halves, A and B (a seeded shuffle).
* Generated figures use as many generated images as half A holds and are
  measured against half B: FD(generated, B), KID(generated, B),
  precision/recall and density/coverage of generated against B, and the
  classifier score of the generated half-set.
* Real references are measured the same way with half A in place of the
  generated images: FD(A, B), the classifier score of A, and so on.

Comparing like with like matters because FD and the classifier score both
depend on the sample size; ``fd_ratio`` = FD(generated, B) / FD(A, B) is 1
for a generator as close to B as real data is, and the classifier score
ratio is 1 when generated digits are as confidently and evenly classified as
real ones.

Example:
    >>> import numpy as np
    >>> from tfgan_lite.metrics import features, quality
    >>> rng = np.random.default_rng(0)
    >>> real = rng.uniform(-1, 1, (200, 8, 8, 1)).astype("float32")
    >>> fake = rng.uniform(-1, 1, (100, 8, 8, 1)).astype("float32")
    >>> extractor = features.random_embedding(seed=0, image_size=(8, 8),
    ...                                       dim=8)
    >>> report = quality.compare(real, fake, extractor=extractor)
    >>> report.extractor == extractor.name, sorted(report.generated)[:3]
    (True, ['coverage', 'density', 'fd'])
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from tfgan_lite._validation import check_int
from tfgan_lite.metrics import features as features_lib
from tfgan_lite.metrics.classifier_score import classifier_score
from tfgan_lite.metrics.frechet import frechet_distance
from tfgan_lite.metrics.kernel import kernel_distance
from tfgan_lite.metrics.precision_recall import (
    density_coverage,
    precision_recall,
)

__all__ = [
    "KID_NOTE",
    "LOWER_IS_BETTER",
    "METRICS",
    "QualityReport",
    "Reference",
    "as_dict",
    "compare",
    "format_table",
    "negative_kid",
    "real_reference_split",
]

# Metric names, in the order reports list them.
METRICS = (
    "fd",
    "kid",
    "classifier_score",
    "precision",
    "recall",
    "density",
    "coverage",
)
# Figures that are better when lower; the others are better when higher.
LOWER_IS_BETTER = ("fd", "kid")
# KID is an unbiased estimate of MMD^2, which is 0 for equal distributions:
# estimates from two sets that are nearly alike scatter around 0, below it
# too, and a biased estimator (which cannot go below 0) would overstate it.
KID_NOTE = (
    "KID < 0 reads as 0: it is an unbiased estimate, which falls below 0 "
    "by chance when the two sets are alike."
)


class QualityReport(NamedTuple):
    """Generated and real figures on one extractor's scale.

    Attributes:
        extractor: Name of the feature extractor; figures with other names
            are on another scale and must not be compared.
        num_generated: Generated images measured.
        num_real: Real images in each half (A and B).
        generated: Metric name -> figure for the generated images.
        real: Metric name -> the same figure for real half A.
    """

    extractor: str
    num_generated: int
    num_real: int
    generated: dict[str, float]
    real: dict[str, float]

    def ratio(self, metric: str) -> float:
        """generated / real for one metric (inf when the real one is 0)."""
        real = self.real[metric]
        if real == 0:
            return float("inf") if self.generated[metric] else 1.0
        return self.generated[metric] / real

    def rows(self) -> list[tuple[str, float, float, float]]:
        """``(metric, generated, real, generated / real)`` in METRICS order."""
        return [
            (m, self.generated[m], self.real[m], self.ratio(m))
            for m in METRICS
            if m in self.generated
        ]


def real_reference_split(
    num_real: int, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the two real halves A and B (a seeded permutation).

    Raises:
        ValueError: If there are fewer than 4 real images.
    """
    num_real = check_int(num_real, "num_real", minimum=4)
    order = np.random.default_rng(seed).permutation(num_real)
    half = num_real // 2
    return order[:half], order[half : 2 * half]


class Reference:
    """A real image set, ready to measure generated images against.

    The real features are computed once, here, along with the real
    figures of half A against half B; :meth:`compare` then only extracts
    the generated images' features. A training callback keeps one.

    Args:
        real_images: Real images in [-1, 1] (or uint8), any form that
            :func:`features.extract` accepts; at least 4, split into
            halves A and B. A few thousand give stable figures.
        extractor: The feature extractor; a classifier adds the classifier
            score.
        neighbours: k of the precision/recall and density/coverage balls;
            below the half size.
        splits: Splits of the classifier score (Salimans et al. 2016 use
            10).
        batch_size: Images per extractor call.
        seed: Seed of the real split and of KID's subsets.

    Raises:
        TypeError, ValueError: For images the extractor cannot take (see
            :func:`features.extract`), fewer than 4 real images, or
            ``neighbours`` not below the half size.
    """

    def __init__(
        self,
        real_images: Any,
        *,
        extractor: features_lib.FeatureExtractor,
        neighbours: int = 5,
        splits: int = 10,
        batch_size: int = 256,
        seed: int = 0,
    ):
        self.neighbours = check_int(neighbours, "neighbours", minimum=1)
        self.splits = check_int(splits, "splits", minimum=1)
        self.batch_size = check_int(batch_size, "batch_size", minimum=1)
        self.seed = check_int(seed, "seed", minimum=0)
        self.extractor = extractor
        real, probs = self._features(real_images)
        half_a, half_b = real_reference_split(len(real), seed=self.seed)
        if self.neighbours >= len(half_a):
            raise ValueError(
                f"`neighbours` must be below the {len(half_a)} images of "
                f"each real half, got neighbours={self.neighbours}. Pass "
                "more real images or fewer neighbours."
            )
        self._half_b = real[half_b]
        # All the real images given; an odd one out is in neither half.
        self.num_images = len(real)
        self.num_real = len(half_a)
        self.real = self._figures(
            real[half_a], None if probs is None else probs[half_a]
        )

    def _features(self, images) -> tuple[np.ndarray, np.ndarray | None]:
        if self.extractor.probabilities is not None:
            return features_lib.extract_all(
                self.extractor, images, batch_size=self.batch_size
            )
        features = features_lib.extract(
            self.extractor, images, batch_size=self.batch_size
        )
        return features, None

    def _figures(
        self, candidate: np.ndarray, probs: np.ndarray | None
    ) -> dict[str, float]:
        reference = self._half_b
        figures = {
            "fd": frechet_distance(candidate, reference),
            "kid": kernel_distance(
                candidate,
                reference,
                subset_size=min(1000, len(candidate), len(reference)),
                seed=self.seed,
            ).mean,
        }
        if probs is not None:
            figures["classifier_score"] = classifier_score(
                probs, splits=min(self.splits, len(probs))
            ).mean
        pr = precision_recall(reference, candidate, k=self.neighbours)
        dc = density_coverage(reference, candidate, k=self.neighbours)
        figures.update(
            precision=pr.precision,
            recall=pr.recall,
            density=dc.density,
            coverage=dc.coverage,
        )
        return {k: float(v) for k, v in figures.items()}

    def compare(self, generated_images: Any) -> QualityReport:
        """Measures generated images; the first ``num_real`` are used.

        Raises:
            TypeError, ValueError: For images the extractor cannot take.
        """
        fake, probs = self._features(generated_images)
        fake = fake[: self.num_real]
        if probs is not None:
            probs = probs[: self.num_real]
        return QualityReport(
            extractor=self.extractor.name,
            num_generated=len(fake),
            num_real=self.num_real,
            generated=self._figures(fake, probs),
            real=self.real,
        )


def compare(
    real_images: Any,
    generated_images: Any,
    *,
    extractor: features_lib.FeatureExtractor,
    neighbours: int = 5,
    splits: int = 10,
    batch_size: int = 256,
    seed: int = 0,
) -> QualityReport:
    """Measures generated images against real ones, beside real itself.

    The same as ``Reference(real_images, ...).compare(generated_images)``;
    see :class:`Reference` for the arguments.

    Returns:
        A :class:`QualityReport`.
    """
    reference = Reference(
        real_images,
        extractor=extractor,
        neighbours=neighbours,
        splits=splits,
        batch_size=batch_size,
        seed=seed,
    )
    return reference.compare(generated_images)


def format_table(report: QualityReport | dict[str, Any]) -> str:
    """A report (or its :func:`as_dict` form) as a markdown table.

    The first line names the feature extractor, so the figures are never
    read without their scale.
    """
    data = as_dict(report) if isinstance(report, QualityReport) else report
    lines = [
        f"Feature extractor: {data['extractor']} ({data['num_generated']} "
        f"generated vs {data['num_real_per_half']} real images per half)",
        "",
        "| metric | generated | real | generated / real | better |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for metric, row in data["metrics"].items():
        better = "lower" if metric in LOWER_IS_BETTER else "higher"
        lines.append(
            f"| {metric} | {row['generated']:.4g} | {row['real']:.4g} | "
            f"{row['ratio']:.3g} | {better} |"
        )
    if negative_kid(data):
        lines += ["", KID_NOTE]
    return "\n".join(lines)


def negative_kid(report: QualityReport | dict[str, Any]) -> bool:
    """Whether a report's generated or real KID is below 0 (see KID_NOTE)."""
    data = as_dict(report) if isinstance(report, QualityReport) else report
    kid = data["metrics"].get("kid", {})
    return kid.get("generated", 0.0) < 0 or kid.get("real", 0.0) < 0


def as_dict(report: QualityReport) -> dict[str, Any]:
    """The report as plain JSON-ready data, ratios included."""
    return {
        "extractor": report.extractor,
        "num_generated": report.num_generated,
        "num_real_per_half": report.num_real,
        "metrics": {
            m: {"generated": g, "real": r, "ratio": q}
            for m, g, r, q in report.rows()
        },
    }
