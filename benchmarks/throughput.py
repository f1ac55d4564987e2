"""Training throughput of tfgan_lite.GAN against hand-written references.

Measures images/second of the DCGAN 28x28 preset (``models.dcgan_28``) on
this machine and prints one markdown report (header, throughput table,
analytic FLOPs, ratio targets) ready to paste into docs/benchmarks.md:

    python benchmarks/throughput.py                 # full run
    python benchmarks/throughput.py --quick         # smoke run
    python benchmarks/throughput.py --rows=a,c,f --epochs=7

Rows:
    a     ``GAN.fit``, alternating updates, default metrics, jit off.
    b     ``GAN.fit``, simultaneous updates.
    c     A minimal keras.io-style ``train_step`` on fresh copies of the
          same networks, with the same optimizers.
    d     Row a with ``jit_compile=True`` (XLA).
    e     Row a under MirroredStrategy on 2 logical CPU devices, run in a
          subprocess of this script (see ``_mirrored_child``), together
          with e0: row a without a strategy in that subprocess.
    f     The same architecture in a plain PyTorch loop, if torch imports,
          with torch.set_num_threads(os.cpu_count()).
    f1    Row f on one thread: torch's OpenMP pool can lose badly to a
          single thread on a small, shared VM, and f alone would hide that.
    data  The ``tfgan_lite.data.digits`` pipeline alone.

Protocol: every row runs one warm-up epoch and then ``--epochs`` timed
epochs, and the rows take turns epoch by epoch (round-robin, starting row
rotated every round) so that slow drift of a shared machine hits them all
alike. Every epoch runs ``--steps + 1`` steps of ``--batch_size`` images;
the clock starts when the first step ends, so iterator start-up (a
``fit`` call makes a new one) is left out, and every row times exactly
``--steps`` identical steps. A row's throughput is the median over its
timed epochs. Nothing is asserted: targets are printed as PASS or MISS.

Modules beside this script: ``harness`` (timing, machine, tables),
``flops`` (the analytic FLOP counts), ``keras_reference`` (row c) and
``torch_reference`` (rows f and f1).
"""

from __future__ import annotations

import dataclasses
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence

import harness
import keras
import tensorflow as tf
import torch_reference
from absl import app, flags
from flops import TrainingFlops, training_flops
from keras_reference import ReferenceGAN

import tfgan_lite

ROWS = ("a", "b", "c", "d", "e", "f", "f1", "data")

FLAGS = flags.FLAGS
flags.DEFINE_integer(
    "epochs", 5, "Timed epochs per row, after one warm-up epoch.", lower_bound=1
)
flags.DEFINE_integer(
    "steps",
    28,
    "Timed steps per epoch (each epoch runs one more, untimed, first). "
    "28 x 64 is one pass over the 1,797 digits.",
    lower_bound=1,
)
flags.DEFINE_integer("batch_size", 64, "Images per step.", lower_bound=2)
flags.DEFINE_list("rows", list(ROWS), f"Rows to run, a subset of {ROWS}.")
flags.DEFINE_bool(
    "quick", False, "Smoke run: 1 timed epoch of 3 steps per row."
)
flags.DEFINE_enum(
    "child",
    None,
    ["mirrored"],
    "Internal: run rows e and e0 in this process and print them as JSON.",
)

LATENT_DIM = 128
WIDTH = 64
IMAGE_SIZE = (28, 28)
LEARNING_RATE = 2e-4
BETA_1 = 0.5
_CHILD_TAG = "CHILD_RESULT "

# Targets from the issue, as (numerator, denominator, minimum ratio).
TARGETS = (("a", "c", 0.97), ("b", "c", 1.15), ("a", "f", 1.2))


# --------------------------------------------------------------------------
# Rows.


@dataclasses.dataclass
class Row:
    """One measured variant.

    Attributes:
        key: "a".."f", "e0", "f1" or "data".
        label: What the row runs.
        flops: Training FLOPs per image, or None for the data row.
        run_epoch: Runs one epoch of ``steps + 1`` steps and returns the
            (wall, CPU) seconds of the last ``steps``. None for rows
            measured elsewhere (the subprocess rows).
        seconds: Wall-clock seconds of each timed epoch.
        cpu_seconds: CPU seconds of this process (all threads) in each
            timed epoch.
        skipped: Why the row did not run, if it did not.
    """

    key: str
    label: str
    flops: int | None
    run_epoch: Callable[[], tuple[float, float]] | None = None
    seconds: list[float] = dataclasses.field(default_factory=list)
    cpu_seconds: list[float] = dataclasses.field(default_factory=list)
    skipped: str | None = None


def _adam() -> keras.optimizers.Optimizer:
    return keras.optimizers.Adam(learning_rate=LEARNING_RATE, beta_1=BETA_1)


def _dataset(batch_size: int) -> tf.data.Dataset:
    # Repeated, so that steps + 1 may exceed the 28 batches of one pass.
    return tfgan_lite.data.digits(
        image_size=IMAGE_SIZE, batch_size=batch_size, seed=0
    ).repeat()


def _gan(
    update: str = "alternating", jit_compile: bool | None = None
) -> tfgan_lite.GAN:
    generator, discriminator = tfgan_lite.models.dcgan_28(
        latent_dim=LATENT_DIM, width=WIDTH
    )
    gan = tfgan_lite.GAN(generator, discriminator, seed=0)
    # jit_compile is passed only when asked, so row a runs compile's default.
    extra = {} if jit_compile is None else {"jit_compile": jit_compile}
    gan.compile(_adam(), _adam(), "non_saturating", update=update, **extra)
    return gan


def _reference() -> ReferenceGAN:
    generator, discriminator = tfgan_lite.models.dcgan_28(
        latent_dim=LATENT_DIM, width=WIDTH
    )
    model = ReferenceGAN(generator, discriminator, LATENT_DIM)
    model.compile(_adam(), _adam())
    return model


def _data_runner(
    dataset: tf.data.Dataset, steps: int
) -> Callable[[], tuple[float, float]]:
    def run_epoch() -> tuple[float, float]:
        # A fresh iterator per epoch, as fit makes; its first batch (which
        # waits for the shuffle buffer) is untimed, as for the other rows.
        iterator = iter(dataset)
        next(iterator)
        watch = harness.Stopwatch()
        watch.start()
        for _ in range(steps):
            next(iterator)
        return watch.stop()

    return run_epoch


# -- MirroredStrategy, in a subprocess ---------------------------------------


def _mirrored_child(steps: int, epochs: int, batch_size: int) -> None:
    """Runs row e and its baseline here; prints their times as JSON.

    The logical device split must happen before TensorFlow initialises its
    devices, and it would stay for the whole process; running the row in a
    child keeps every other row on the unsplit CPU. The child also runs
    row a without a strategy, interleaved with e, so that e has a baseline
    measured under the same split and at the same time.
    """
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2
    )
    keras.utils.set_random_seed(0)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        mirrored = _gan()
    dataset = _dataset(batch_size)
    runners = {
        "e": harness.fit_epoch_runner(mirrored, dataset, steps),
        "e0": harness.fit_epoch_runner(_gan(), dataset, steps),
    }
    times = {key: [] for key in runners}
    for round_index in range(1 + epochs):
        order = list(runners) if round_index % 2 else list(runners)[::-1]
        for key in order:
            result = runners[key]()
            if round_index:  # Round 0 is the warm-up.
                times[key].append(result)
    print(
        _CHILD_TAG
        + json.dumps(
            {
                "times": times,
                "replicas": strategy.num_replicas_in_sync,
                "jit_compile": bool(mirrored.jit_compile),
            }
        ),
        flush=True,
    )


def _run_mirrored(
    rows: Sequence[Row], steps: int, epochs: int, batch_size: int
) -> None:
    """Runs the child of ``_mirrored_child`` and fills rows e and e0."""
    command = [
        sys.executable,
        os.path.abspath(__file__),
        "--child=mirrored",
        f"--steps={steps}",
        f"--epochs={epochs}",
        f"--batch_size={batch_size}",
    ]
    # The child's stderr (TF logs) passes through; stdout carries the result.
    proc = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(_CHILD_TAG)]
    if proc.returncode or not lines:
        for row in rows:
            row.skipped = f"subprocess failed (exit {proc.returncode})"
        return
    result = json.loads(lines[-1][len(_CHILD_TAG) :])
    for row in rows:
        times = result["times"][row.key]
        row.seconds = [wall for wall, _ in times]
        row.cpu_seconds = [cpu for _, cpu in times]
        if row.key == "e":
            row.label += (
                f", {result['replicas']} replicas, jit "
                f"{'on' if result['jit_compile'] else 'off'}"
            )


# --------------------------------------------------------------------------
# Report.


def _fmt_int(value: float) -> str:
    return f"{value:,.0f}"


def _header(
    steps: int, epochs: int, batch_size: int, peaks, loads
) -> list[str]:
    torch_version = harness.package_version("torch") or "not installed"
    return [
        *harness.report_header(
            f"tfgan_lite training throughput: DCGAN 28x28, batch {batch_size}",
            extra_versions=[("PyTorch", torch_version)],
        ),
        "- Load average (1 min) at start, end: "
        + ", ".join(f"{x:.2f}" for x in loads),
        f"- Protocol: per row 1 warm-up + {epochs} timed epochs, rows "
        f"interleaved epoch by epoch; an epoch is 1 untimed + {steps} "
        f"timed steps of {batch_size} images; images/s is the median over "
        "the timed epochs, min-max beside it.",
        f"- float32 matmul peak: tf.matmul {harness.PEAK_N}x{harness.PEAK_N}, "
        f"best of {harness.PEAK_REPEATS}: "
        + ", ".join(f"{p / 1e9:.1f}" for p in peaks)
        + f" GFLOP/s (start, end of run); % of peak uses the best, "
        f"{max(peaks) / 1e9:.1f} GFLOP/s.",
        "",
    ]


def _throughput_table(
    rows: Sequence[Row], steps: int, batch_size: int, peak: float
) -> list[str]:
    header = (
        "row",
        "variant",
        "images/s",
        "min-max",
        "ms/step",
        "CPU ms/step",
        "MFLOP/image",
        "GFLOP/s",
        "% of peak",
    )
    cells = []
    for row in rows:
        if row.skipped or not row.seconds:
            reason = f"skipped: {row.skipped or 'no data'}"
            cells.append([row.key, row.label, reason] + [""] * 6)
            continue
        rates = [steps * batch_size / s for s in row.seconds]
        rate = statistics.median(rates)
        ms = 1e3 * batch_size / rate
        cpu_ms = 1e3 * statistics.median(row.cpu_seconds) / steps
        if row.flops is None:
            flops = achieved = share = "-"
        else:
            flops = f"{row.flops / 1e6:.1f}"
            achieved = f"{rate * row.flops / 1e9:.1f}"
            share = f"{100 * rate * row.flops / peak:.1f}%"
        cells.append(
            [
                row.key,
                row.label,
                _fmt_int(rate),
                f"{_fmt_int(min(rates))}-{_fmt_int(max(rates))}",
                f"{ms:.1f}",
                f"{cpu_ms:.1f}",
                flops,
                achieved,
                share,
            ]
        )
    return harness.markdown_table(header, cells, align="llrrrrrrr") + [""]


def _flops_section(counts: TrainingFlops, g_costs, d_costs) -> list[str]:
    layers = []
    for network, costs in (("G", g_costs), ("D", d_costs)):
        for c in costs:
            shape = "x".join(str(s) for s in c.output)
            layers.append(
                [
                    network,
                    c.name,
                    c.kind,
                    shape,
                    f"{c.flops / 1e6:.3f}",
                    _fmt_int(c.elementwise),
                ]
            )
        total = sum(c.flops for c in costs)
        elementwise = sum(c.elementwise for c in costs)
        layers.append(
            [
                network,
                "**forward total**",
                "",
                "",
                f"**{total / 1e6:.3f}**",
                f"{_fmt_int(elementwise)} ({100 * elementwise / total:.2f}% "
                "of FLOPs)",
            ]
        )
    lines = [
        "### Analytic FLOPs per image",
        "",
        "2 FLOPs per multiply-accumulate. Dense 2*in*out; Conv2D "
        "2*H_out*W_out*K*K*C_in*C_out; Conv2DTranspose "
        "2*H_in*W_in*K*K*C_in*C_out. Bias, batch norm and activations are "
        "not in the totals; they are listed as elementwise ops (one per "
        "output element each).",
        "",
    ]
    lines += harness.markdown_table(
        ("network", "layer", "type", "output", "MFLOP fwd", "elementwise"),
        layers,
        align="llllrr",
    )
    alt, sim = counts.alternating(), counts.simultaneous()
    alt_x, sim_x = counts.alternating(True), counts.simultaneous(True)
    g, d = counts.g / 1e6, counts.d / 1e6
    lines += [
        "",
        f"Training step per real image, with G = {g:.2f} and D = {d:.2f} "
        "MFLOP forward. Convention: backward through a network whose "
        "weights are updated = 2x its forward (input grads + weight grads); "
        "backward through D in the G step = 1x (input grads only: D's "
        "weight grads are not requested, and TF prunes them). 'Exact' also "
        "drops the first-layer input grads that nothing needs (D's input "
        "in the D step, G's input z).",
        "",
    ]
    lines += harness.markdown_table(
        ("update", "per step", "MFLOP/image", "exact MFLOP/image"),
        [
            [
                "alternating",
                "D step: G fwd + D fwd (real+fake) + D bwd 2x; G step: "
                "G fwd + D fwd + D bwd 1x + G bwd 2x = 4G + 8D",
                f"{alt / 1e6:.1f}",
                f"{alt_x / 1e6:.1f}",
            ],
            [
                "simultaneous",
                "G fwd + D fwd (real+fake) + D bwd 2x (D loss) + D bwd 1x "
                "on fake + G bwd 2x (G loss) = 3G + 7D",
                f"{sim / 1e6:.1f}",
                f"{sim_x / 1e6:.1f}",
            ],
            [
                "saving of simultaneous",
                "(G + D) / (4G + 8D)",
                f"{100 * (1 - sim / alt):.1f}%",
                f"{100 * (1 - sim_x / alt_x):.1f}%",
            ],
        ],
        align="llrr",
    )
    lines += [
        "",
        "The issue's estimate of the saving was about 16%. By these counts "
        f"a compute-bound (b)/(c) is at most {alt / sim:.3f}.",
        "",
    ]
    return lines


def _targets_section(rows: dict[str, Row]) -> list[str]:
    """Target ratios, judged on the ratio of median throughputs.

    Two more estimates of the same ratio show how far the machine's noise
    reaches: the median of per-round ratios (the two rows' epochs of one
    round ran within seconds of each other) with their range, and the
    ratio of median CPU time per step.
    """
    lines = [
        "### Targets (reported, not asserted)",
        "",
        "Judged on the ratio of the median images/s. Per-round: median "
        "[min-max] of the ratio within each round (both rows' epochs ran "
        "seconds apart). CPU: ratio of median process CPU time per step. "
        "Where the three disagree about a target, the difference is within "
        "this machine's noise.",
        "",
    ]
    cells = []
    for num, den, target in TARGETS:
        name = f"({num}) / ({den})"
        have = all(
            k in rows and rows[k].seconds and not rows[k].skipped
            for k in (num, den)
        )
        if not have:
            cells.append([name, "n/a", "", "", f">= {target}", "not run"])
            continue
        a, b = rows[num], rows[den]
        # Throughput ratio = inverse ratio of seconds for the same work.
        ratio = statistics.median(b.seconds) / statistics.median(a.seconds)
        paired = [tb / ta for ta, tb in zip(a.seconds, b.seconds, strict=True)]
        cpu = statistics.median(b.cpu_seconds) / statistics.median(
            a.cpu_seconds
        )
        result = "PASS" if ratio >= target else "MISS"
        cells.append(
            [
                name,
                f"{ratio:.3f}",
                f"{statistics.median(paired):.3f} "
                f"[{min(paired):.2f}-{max(paired):.2f}]",
                f"{cpu:.3f}",
                f">= {target}",
                result,
            ]
        )
    header = ("ratio", "images/s ratio", "per-round", "CPU", "target", "result")
    table = harness.markdown_table(header, cells, align="lrrrrl")
    return lines + table + [""]


def _notes() -> list[str]:
    return [
        "Notes:",
        "",
        "- All rows but (e) and (e0) run in one process on the unsplit CPU. "
        "(e) runs in a subprocess of this script after them, because the "
        "2-logical-device split must precede TF's device set-up and would "
        "otherwise apply to every row; (e0) is (a) run in that subprocess, "
        "interleaved with (e), as its same-conditions baseline. The two "
        "logical CPUs share one thread pool, so (e) measures the cost of "
        "the replica machinery (per-replica half batches, all-reduce), not "
        "a speed-up.",
        "- (c) is a keras.io-style train_step (two tapes, two Adams, two "
        "Mean trackers) on fresh networks from the same preset; G runs with "
        "training=True in both updates, like GAN.",
        "- (f) copies the layer sizes from the Keras preset; D's weight "
        "grads are switched off during the G update, as TF prunes them; "
        "real batches are the digits pipeline's, pre-converted to NCHW "
        "tensors. (f1) is (f) on one thread; the (a)/(f) target uses (f), "
        "the configuration asked for. torch's OpenMP threads meet at a "
        "barrier after every op, so (f) slows down far more than TF's "
        "thread pool when another process takes a core: read (f) against "
        "(f1) and the load average.",
        "- The data row iterates the digits pipeline from Python, which "
        "is slower than fit's in-graph iteration: a lower bound.",
        "- jit off is the default: compile's jit_compile='auto' resolves to "
        "False on CPU-only machines.",
    ]


# --------------------------------------------------------------------------
# Main.


def _build_rows(
    keys: Sequence[str], steps: int, batch_size: int, counts: TrainingFlops
) -> list[Row]:
    alt = counts.alternating()
    sim = counts.simultaneous()
    dataset = _dataset(batch_size)
    rows = []
    if "a" in keys:
        gan = _gan()
        jit = "on" if gan.jit_compile else "off"
        rows.append(
            Row(
                "a",
                f"GAN.fit alternating (jit {jit})",
                alt,
                harness.fit_epoch_runner(gan, dataset, steps),
            )
        )
    if "b" in keys:
        gan = _gan("simultaneous")
        rows.append(
            Row(
                "b",
                "GAN.fit simultaneous",
                sim,
                harness.fit_epoch_runner(gan, dataset, steps),
            )
        )
    if "c" in keys:
        rows.append(
            Row(
                "c",
                "keras.io-style reference train_step",
                alt,
                harness.fit_epoch_runner(_reference(), dataset, steps),
            )
        )
    if "d" in keys:
        rows.append(
            Row(
                "d",
                "GAN.fit alternating, jit_compile=True",
                alt,
                harness.fit_epoch_runner(
                    _gan(jit_compile=True), dataset, steps
                ),
            )
        )
    if "e" in keys:
        rows.append(Row("e", "GAN.fit alternating, MirroredStrategy", alt))
        rows.append(
            Row("e0", "(a) without a strategy, in (e)'s subprocess", alt)
        )
    version = harness.package_version("torch")
    batches = None
    for key, threads in (("f", os.cpu_count() or 1), ("f1", 1)):
        if key not in keys:
            continue
        plural = "s" if threads > 1 else ""
        row = Row(key, f"PyTorch {version} loop, {threads} thread{plural}", alt)
        if version is None:
            row.label = "PyTorch loop"
            row.skipped = "PyTorch not installed"
        else:
            if batches is None:
                one_pass = tfgan_lite.data.digits(
                    image_size=IMAGE_SIZE, batch_size=batch_size, seed=0
                )
                batches = [b.numpy() for b in one_pass]
            row.run_epoch = torch_reference.torch_runner(
                *tfgan_lite.models.dcgan_28(latent_dim=LATENT_DIM, width=WIDTH),
                batches,
                steps,
                threads,
                learning_rate=LEARNING_RATE,
                beta_1=BETA_1,
            )
        rows.append(row)
    if "data" in keys:
        rows.append(
            Row(
                "data",
                "digits pipeline alone (Python iteration)",
                None,
                _data_runner(dataset, steps),
            )
        )
    return rows


def main(argv: Sequence[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    steps, epochs = FLAGS.steps, FLAGS.epochs
    if FLAGS.quick:
        steps, epochs = 3, 1
    batch_size = FLAGS.batch_size
    if FLAGS.child == "mirrored":
        _mirrored_child(steps, epochs, batch_size)
        return
    keys = [k.strip() for k in FLAGS.rows]
    unknown = sorted(set(keys) - set(ROWS))
    if unknown:
        raise app.UsageError(f"Unknown rows {unknown}; choose from {ROWS}.")

    loads = [os.getloadavg()[0]]
    peaks = [harness.matmul_peak()]
    keras.utils.set_random_seed(0)
    counts, g_costs, d_costs = training_flops(
        *tfgan_lite.models.dcgan_28(latent_dim=LATENT_DIM, width=WIDTH)
    )
    rows = _build_rows(keys, steps, batch_size, counts)
    local = [r for r in rows if r.run_epoch is not None]
    for round_index in range(1 + epochs):
        # Rotate the order so that no row always runs right after another.
        shift = round_index % max(len(local), 1)
        for row in local[shift:] + local[:shift]:
            wall, cpu = row.run_epoch()
            if round_index:  # Round 0 is the warm-up.
                row.seconds.append(wall)
                row.cpu_seconds.append(cpu)
        print(f"round {round_index}/{epochs} done", file=sys.stderr, flush=True)
    child_rows = [r for r in rows if r.key in ("e", "e0")]
    if child_rows:
        _run_mirrored(child_rows, steps, epochs, batch_size)
    peaks.append(harness.matmul_peak())
    loads.append(os.getloadavg()[0])

    by_key = {r.key: r for r in rows}
    report = (
        _header(steps, epochs, batch_size, peaks, loads)
        + _throughput_table(rows, steps, batch_size, max(peaks))
        + _flops_section(counts, g_costs, d_costs)
        + _targets_section(by_key)
        + _notes()
    )
    print("\n".join(report), flush=True)


if __name__ == "__main__":
    app.run(main)
