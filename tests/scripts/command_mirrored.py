"""The train command on one device and with ``--strategy=mirrored``.

Run as a script, it prints ``RESULT {json}``; tests/mirrored_testutil.py
calls :func:`compare` in its worker instead, whose TensorFlow has two
logical CPUs (``mirrored_setup``).
"""

import contextlib
import io
import json
import os
import sys
import tempfile

# First: the two logical CPUs, set before anything starts TensorFlow.
from mirrored_setup import tf

# isort: split
import keras
import numpy as np

from tfgan_lite.commands.train import main


def _run(*flags: str) -> tuple[int, str]:
    """The command's exit code and its printed lines."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["tfgan-train", *flags])
    return code, out.getvalue()


def _weights(run_dir: str) -> list[np.ndarray]:
    model = keras.saving.load_model(os.path.join(run_dir, "model.keras"))
    return model.get_weights()


def _new_mirrored_keys() -> None:
    # Each MirroredStrategy numbers its collective ops from the same keys;
    # the worker makes several, so each starts from fresh ones.
    tf.distribute.MirroredStrategy._collective_key_base += 100_000


def compare(root: str | None = None) -> dict:
    """Points on 1 and 2 devices; an image run under mirrored, resumed."""
    root = root or tempfile.mkdtemp()
    points = (
        "--model=mlp_2d",
        "--dataset=ring",
        "--width=8",
        "--epochs=1",
        "--steps=6",
        "--batch_size=16",
        "--steps_per_execution=1",
        "--log_every_steps=0",
    )
    single = os.path.join(root, "single")
    mirrored = os.path.join(root, "mirrored")
    code_1, out_1 = _run(*points, f"--run_dir={single}")
    _new_mirrored_keys()
    code_2, out_2 = _run(
        *points, "--strategy=mirrored", f"--run_dir={mirrored}"
    )
    error = max(
        float(np.abs(a - b).max())
        for a, b in zip(_weights(single), _weights(mirrored), strict=True)
    )
    # An image run: metrics and grids under the strategy, then a resume.
    images = os.path.join(root, "images")
    image_flags = (
        "--dataset=digits",
        "--width=4",
        "--clusters=0",
        "--steps=4",
        "--batch_size=8",
        "--metrics_every=1",
        "--sample_every=1",
        "--strategy=mirrored",
        f"--run_dir={images}",
    )
    _new_mirrored_keys()
    code_3, out_3 = _run(*image_flags, "--epochs=1")
    _new_mirrored_keys()
    code_4, out_4 = _run(*image_flags, "--epochs=2")
    with open(os.path.join(images, "metrics.json"), encoding="utf-8") as f:
        metrics = json.load(f)
    return {
        "codes": [code_1, code_2, code_3, code_4],
        "single_line": out_1.splitlines()[0] if out_1 else "",
        "mirrored_line": out_2.splitlines()[0] if out_2 else "",
        "outputs": [out_1, out_2, out_3, out_4],
        "weight_error": error,
        "image_epoch": metrics["epoch"],
        "image_fd": metrics["metrics"]["fd"]["generated"],
        "samples": sorted(os.listdir(os.path.join(images, "samples"))),
        "step": int(
            keras.saving.load_model(
                os.path.join(images, "model.keras")
            ).g_optimizer.iterations.numpy()
        ),
    }


if __name__ == "__main__":
    print("RESULT " + json.dumps(compare(*sys.argv[1:])))
