"""Measures how well InfoGAN's categorical code separates the digits.

    python scripts/measure_infogan.py --seconds 180

Trains ``InfoGAN`` (``models.infogan_dcgan``, one 10-valued categorical
code and two continuous codes) on the bundled 8x8 digits at 28x28, without
labels, for a fixed wall-time budget. Then, for each code value c, it
generates ``--samples`` images with the code fixed to c
(``InfoGAN.latents(n, category=c)``), classifies them with the shipped
digits classifier (``metrics.features.digits_classifier()``), and reports
the share of those images in their most common digit class (the value's
purity), the mean over the 10 values, and how many distinct digit classes
the 10 values map to (10 is a one-to-one code; chance purity is about 10%
for a code that ignores the digit).

Prints a markdown report: date, machine, versions, command, then the table.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

import keras  # noqa: E402
import numpy as np  # noqa: E402
from measure_conditional import train_for  # noqa: E402

from benchmarks.harness import report_header  # noqa: E402
from tfgan_lite import InfoGAN, data  # noqa: E402
from tfgan_lite.metrics import features  # noqa: E402
from tfgan_lite.models.infogan import infogan_dcgan  # noqa: E402

NUM_VALUES = 10


def code_purity(gan: InfoGAN, samples: int, seed: int) -> list[tuple]:
    """Per code value: (most common digit, its share of the samples)."""
    extractor = features.digits_classifier()
    rows = []
    for c in range(NUM_VALUES):
        z = gan.latents(samples, category=c, seed=seed + c)
        images = gan.generator(z, training=False)
        probs = features.extract_probabilities(extractor, images)
        counts = np.bincount(np.argmax(probs, axis=1), minlength=10)
        rows.append((int(np.argmax(counts)), counts.max() / samples))
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--info_weight", type=float, default=1.0)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    dataset = data.digits(image_size=(28, 28), batch_size=32, seed=args.seed)
    g, d = infogan_dcgan(
        noise_dim=62, categorical=(NUM_VALUES,), continuous=2, width=32
    )
    gan = InfoGAN(g, d, categorical=(NUM_VALUES,), continuous=2, seed=0)
    history, seconds = train_for(
        gan, dataset, args.seconds, info_weight=args.info_weight
    )
    rows = code_purity(gan, args.samples, args.seed)
    purities = np.array([p for _, p in rows])
    distinct = len({digit for digit, _ in rows})

    lines = report_header("InfoGAN on the digits: categorical-code purity")
    lines += [
        "- Model: infogan_dcgan, noise 62, one 10-valued code, 2 continuous "
        f"codes, width 32, batch 32, Adam(4e-4, 0.5), R1 1.0, info_weight "
        f"{args.info_weight}",
        f"- Training: {len(history.epoch)} epochs, "
        f"{int(gan.g_optimizer.iterations)} generator steps, {seconds:.0f} s",
        f"- {args.samples} samples per code value, classified by "
        "digits_classifier(); purity = share in the most common class",
        "",
        "| code value | "
        + " | ".join(str(c) for c in range(NUM_VALUES))
        + " | mean |",
        "|---" * (NUM_VALUES + 2) + "|",
        "| most common digit | "
        + " | ".join(str(digit) for digit, _ in rows)
        + f" | {distinct} distinct |",
        "| purity | "
        + " | ".join(f"{p:.0%}" for p in purities)
        + f" | {purities.mean():.1%} |",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
