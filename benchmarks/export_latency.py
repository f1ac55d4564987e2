"""Sampling latency and file size of exported generators (not a test).

    python benchmarks/export_latency.py [--runs 30] [--train_epochs 10]
    python benchmarks/export_latency.py --model RUN/model.keras

Exports the dcgan_28 preset (latent 128, width 64; random weights unless
--train_epochs or --model is given) with ``tfgan_lite.export`` and prints
a markdown table: batch-1 and batch-64 latency (median of --runs timed
calls after --warmup untimed ones) of the Keras generator called
directly, Keras ``predict``, the SavedModel ``generate`` signature and the
LiteRT float32 / float16 / int8 / int8_full files, with file sizes and
errors against the float32 LiteRT file. Targets are reported, never
asserted.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import ai_edge_litert  # noqa: E402
import harness  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from absl import app, flags, logging  # noqa: E402

import tfgan_lite  # noqa: E402
from tfgan_lite import export  # noqa: E402
from tfgan_lite.export import measures  # noqa: E402

_RUNS = flags.DEFINE_integer("runs", 30, "Timed runs per measurement.")
_WARMUP = flags.DEFINE_integer("warmup", 5, "Untimed runs before timing.")
_THREADS = flags.DEFINE_integer(
    "num_threads",
    None,
    "LiteRT interpreter threads; default: all usable cores, as TF uses.",
)
_MODEL = flags.DEFINE_string(
    "model",
    None,
    "A trained GAN or generator .keras file; default: dcgan_28 preset "
    "with random weights.",
)
_TRAIN_EPOCHS = flags.DEFINE_integer(
    "train_epochs",
    0,
    "Train the dcgan_28 preset this many epochs on scikit-learn's bundled "
    "digits first (offline), so quantization errors are those of a "
    "trained generator; 0 keeps random weights.",
)
_LATENT = 128
_BATCHES = (1, 64)
_VARIANTS = ("float32", "float16", "int8", "int8_full")


def _median_ms(fn) -> float:
    return measures.median_latency_ms(
        fn, runs=_RUNS.value, warmup=_WARMUP.value
    )


def _digits() -> np.ndarray:
    """scikit-learn's 8x8 digits resized to 28x28, in [-1, 1]."""
    from sklearn.datasets import load_digits

    images = load_digits().images.astype("float32")[..., None] / 16.0
    images = tf.image.resize(images, (28, 28), method="bilinear").numpy()
    return (images * 2.0 - 1.0).clip(-1.0, 1.0)


def _generator() -> tuple[export.GeneratorSpec, str]:
    if _MODEL.value:
        return export.load_generator(_MODEL.value), _MODEL.value
    keras.utils.set_random_seed(0)
    generator, discriminator = tfgan_lite.models.dcgan_28(
        latent_dim=_LATENT, width=64
    )
    what = "dcgan_28(latent_dim=128, width=64)"
    if not _TRAIN_EPOCHS.value:
        return export.resolve_generator(generator), f"{what}, random weights"
    gan = tfgan_lite.GAN(generator, discriminator, seed=0)
    gan.compile(loss="non_saturating")
    gan.fit(_digits(), batch_size=64, epochs=_TRAIN_EPOCHS.value, verbose=0)
    what += f", trained {_TRAIN_EPOCHS.value} epochs on sklearn digits"
    return export.resolve_generator(gan), what


def _keras_latency(model, z) -> dict[str, dict[int, float]]:
    direct = {
        b: _median_ms(lambda b=b: model(z[b], training=False)) for b in _BATCHES
    }
    predict = {
        b: _median_ms(lambda b=b: model.predict(z[b], batch_size=b, verbose=0))
        for b in _BATCHES
    }
    return {"Keras generator(z)": direct, "Keras predict(z)": predict}


def _export_latency(spec, z, tmp: Path, threads: int):
    """Exports every format; returns (latency rows, report)."""
    out = tmp / "export"
    report = export.run_export(
        export.ExportConfig(
            model=spec,
            out_dir=out,
            quantize=_VARIANTS[1:],
            latency_runs=_RUNS.value,
            latency_warmup=_WARMUP.value,
            num_threads=threads,
            verbose=False,
        )
    )
    generate = tf.saved_model.load(str(out / "saved_model")).signatures[
        "generate"
    ]
    latency = {
        "SavedModel generate": {
            b: _median_ms(lambda b=b: generate(z=tf.constant(z[b])))
            for b in _BATCHES
        }
    }
    # LiteRT files have a fixed batch size: convert again for batch 64.
    files = {1: {v: out / export.tflite_filename(v) for v in _VARIANTS}}
    files[64] = {}
    big = export.convert_generator(spec, variants=_VARIANTS, batch_size=64)
    for variant, content in big.items():
        files[64][variant] = tmp / f"b64_{variant}.tflite"
        files[64][variant].write_bytes(content)
    for variant in _VARIANTS:
        row = {}
        for b in _BATCHES:
            interpreter = export.load_interpreter(
                files[b][variant], num_threads=threads
            )
            runner = interpreter.get_signature_runner("generate")
            row[b] = _median_ms(lambda r=runner, b=b: r(z=z[b]))
        latency[f"LiteRT {variant}"] = row
    return latency, report


def _print_table(latency, report, machine, threads: int, what: str) -> None:
    entries = {f.variant: f for f in report.files if f.format == "tflite"}
    saved = next(f for f in report.files if f.format == "saved_model")
    base = entries["float32"].size_bytes
    now = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    print("# tfgan_lite export latency\n")
    print(f"- date: {now}")
    print(
        f"- machine: {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['system']}"
    )
    print(f"- command: `{harness.command_line()}`")
    print(
        f"- versions: tensorflow {tf.__version__}, keras "
        f"{keras.__version__}, ai-edge-litert "
        f"{getattr(ai_edge_litert, '__version__', '?')}"
    )
    print(f"- model: {what}")
    print(
        f"- latency: median of {_RUNS.value} runs after {_WARMUP.value} "
        f"warm-up, ms; LiteRT with {threads} thread(s)"
    )
    print(
        "- errors: vs the float32 LiteRT file on 16 N(0,1) latents, "
        "PSNR peak-to-peak 2.0\n"
    )
    cells = []
    for name, row in latency.items():
        size = ratio = err = db = "-"
        if name == "SavedModel generate":
            size = f"{saved.size_bytes} (dir)"
        if name.startswith("LiteRT"):
            f = entries[name.split()[1]]
            size, ratio = str(f.size_bytes), f"{f.size_bytes / base:.3f}"
            if f.variant == "float32":
                err = f"{f.max_abs_error:.2g} (vs Keras)"
            else:
                err = f"{f.max_abs_error_vs_float32:.3g}"
                db = f"{f.psnr_db_vs_float32:.1f}"
        cells.append(
            [name, f"{row[1]:.3f}", f"{row[64]:.3f}", size, ratio, err, db]
        )
    header = (
        "path",
        "batch 1 (ms)",
        "batch 64 (ms)",
        "size (bytes)",
        "size / float32",
        "max abs err",
        "PSNR (dB)",
    )
    print("\n".join(harness.markdown_table(header, cells, align="lrrrrrr")))

    speedup = latency["Keras predict(z)"][1] / latency["LiteRT float32"][1]
    f16 = entries["float16"].size_bytes / base
    i8 = entries["int8"]
    i8_ratio = i8.size_bytes / base
    i8_ok = i8_ratio <= 0.30 and i8.psnr_db_vs_float32 >= 30
    print("\nTargets (reported, not asserted):\n")
    print(
        f"- LiteRT float32 batch-1 vs Keras predict: {speedup:.1f}x faster "
        f"(target >= 10x: {'met' if speedup >= 10 else 'NOT met'})"
    )
    print(
        f"- float16 size / float32: {f16:.3f} (target <= 0.55: "
        f"{'met' if f16 <= 0.55 else 'NOT met'})"
    )
    print(
        f"- int8 (dynamic range) size / float32: {i8_ratio:.3f}, PSNR vs "
        f"float32 {i8.psnr_db_vs_float32:.1f} dB (target <= 0.30 and "
        f">= 30 dB: {'met' if i8_ok else 'NOT met'})"
    )
    if "random weights" in what:
        print(
            "- note: random DCGAN weights give near-constant images, so "
            "PSNRs are optimistic; use --train_epochs or --model for the "
            "error of a trained generator."
        )


def main(argv: list[str]) -> None:
    del argv
    # app.run turns on INFO logs; TF's SavedModel writer is chatty there.
    logging.set_verbosity(logging.WARNING)
    machine = harness.machine_description()
    threads = _THREADS.value or machine["cores"]
    spec, what = _generator()
    rng = np.random.default_rng(0)
    z = {
        b: rng.standard_normal((b, spec.latent_dim)).astype("f4")
        for b in _BATCHES
    }
    latency = _keras_latency(spec.model, z)
    with tempfile.TemporaryDirectory(prefix="tfgan_bench_") as tmp:
        rows, report = _export_latency(spec, z, Path(tmp), threads)
    latency.update(rows)
    _print_table(latency, report, machine, threads, what)


if __name__ == "__main__":
    app.run(main)
