"""Measures class-conditional sampling of ConditionalGAN on the digits.

    python scripts/measure_conditional.py --seconds 200

Trains ``models.conditional_dcgan_28`` (projection discriminator) on the
bundled 8x8 digits at 28x28 with their labels for a fixed wall-time budget,
then asks for ``--samples`` images of each class c and reports, per class,
the fraction that the shipped digits classifier
(``metrics.features.digits_classifier()``) labels c. Chance is 10%.

Prints a markdown report: date, machine, versions, command, then the table.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks.harness import TimeLimit, report_header  # noqa: E402
from tfgan_lite import ConditionalGAN, data, models  # noqa: E402
from tfgan_lite.metrics import features  # noqa: E402

NUM_CLASSES = 10


def class_rates(gan, samples: int, seed: int) -> np.ndarray:
    """Per class c: share of samples asked as c that the classifier calls c."""
    extractor = features.digits_classifier()
    rates = []
    for c in range(NUM_CLASSES):
        images = gan.generate(samples, labels=c, seed=seed + c)
        probs = features.extract_probabilities(extractor, images)
        rates.append(float(np.mean(np.argmax(probs, axis=1) == c)))
    return np.array(rates)


def train_for(gan, dataset, seconds: float, **compile_kwargs):
    """Compiles (Adam(4e-4, 0.5) for both, R1 1.0) and fits for `seconds`.

    Returns:
        (the fit history, the wall time in seconds).
    """
    gan.compile(
        keras.optimizers.Adam(4e-4, beta_1=0.5),
        keras.optimizers.Adam(4e-4, beta_1=0.5),
        r1_penalty=1.0,
        **compile_kwargs,
    )
    start = time.perf_counter()
    history = gan.fit(
        dataset, epochs=1000, verbose=0, callbacks=[TimeLimit(seconds)]
    )
    return history, time.perf_counter() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=200.0)
    parser.add_argument("--conditioning", default="projection")
    parser.add_argument("--aux_weight", type=float, default=0.0)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    dataset = data.digits(
        with_labels=True, image_size=(28, 28), batch_size=32, seed=args.seed
    )
    g, d = models.conditional_dcgan_28(
        num_classes=NUM_CLASSES,
        latent_dim=64,
        width=32,
        conditioning=args.conditioning,
        aux_classifier=args.aux_weight > 0,
    )
    gan = ConditionalGAN(g, d, num_classes=NUM_CLASSES, seed=args.seed)
    history, seconds = train_for(
        gan, dataset, args.seconds, aux_weight=args.aux_weight
    )
    rates = class_rates(gan, args.samples, args.seed)

    lines = report_header("ConditionalGAN on the digits: class fidelity")
    lines += [
        f"- Model: conditional_dcgan_28, conditioning={args.conditioning}, "
        f"aux_weight={args.aux_weight}, width 32, latent 64, batch 32, "
        "Adam(4e-4, 0.5), R1 1.0",
        f"- Training: {len(history.epoch)} epochs, "
        f"{int(gan.g_optimizer.iterations)} generator steps, {seconds:.0f} s",
        f"- {args.samples} samples per class; chance is 10%",
        "",
        "| class | "
        + " | ".join(str(c) for c in range(NUM_CLASSES))
        + " | mean |",
        "|---" * (NUM_CLASSES + 2) + "|",
        "| classified as requested | "
        + " | ".join(f"{r:.0%}" for r in rates)
        + f" | {rates.mean():.1%} |",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
