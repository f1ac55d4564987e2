"""Training throughput of tfgan_lite.GAN against hand-written references.

Measures images/second of the DCGAN 28x28 preset (``models.dcgan_28``) on
this machine and prints one markdown report (header, throughput table,
analytic FLOPs, ratio targets) ready to paste into README.md or BUILD.md:

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
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

import keras
import numpy as np
import tensorflow as tf
from absl import app, flags

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
PEAK_N = 2048
PEAK_REPEATS = 10
_CHILD_TAG = "CHILD_RESULT "

# Targets from the issue, as (numerator, denominator, minimum ratio).
TARGETS = (("a", "c", 0.97), ("b", "c", 1.15), ("a", "f", 1.2))


# --------------------------------------------------------------------------
# Analytic FLOPs.


@dataclasses.dataclass(frozen=True)
class LayerCost:
    """Forward cost of one layer for one image.

    Attributes:
        name: The Keras layer name.
        kind: The layer class name.
        output: Output shape without the batch axis.
        flops: Multiply-add FLOPs (2 per multiply-accumulate).
        elementwise: Elementwise operations (bias, batch norm, activation),
            counted as one per output element per operation; kept out of
            ``flops``.
    """

    name: str
    kind: str
    output: tuple[int, ...]
    flops: int
    elementwise: int


def _has_activation(layer: keras.layers.Layer) -> bool:
    activation = getattr(layer, "activation", None)
    return activation is not None and activation.__name__ != "linear"


def layer_costs(model: keras.Model) -> list[LayerCost]:
    """Counts the forward FLOPs per image of each layer of a Functional model.

    Rules, per image (2 FLOPs per multiply-accumulate):
        Dense: 2 * in * out (per position for inputs of rank > 2).
        Conv2D: 2 * H_out * W_out * K_h * K_w * C_in * C_out.
        Conv2DTranspose: 2 * H_in * W_in * K_h * K_w * C_in * C_out (every
            input pixel scatters one K_h x K_w x C_out patch).
    Bias, batch normalization and activations are counted apart, as one
    elementwise operation per output element each.

    Args:
        model: A built Functional model whose layers are each called once.

    Returns:
        One ``LayerCost`` per layer, input layers left out.

    Raises:
        ValueError: For a layer with weights that no rule covers.
    """
    costs = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        in_shape = tuple(layer.input.shape[1:])
        out_shape = tuple(layer.output.shape[1:])
        out_elements = math.prod(out_shape)
        flops = 0
        elementwise = 0
        if isinstance(layer, keras.layers.Dense):
            positions = math.prod(in_shape[:-1])
            flops = 2 * positions * in_shape[-1] * layer.units
        elif isinstance(layer, keras.layers.Conv2DTranspose):
            kh, kw = layer.kernel_size
            h_in, w_in, c_in = in_shape
            flops = 2 * h_in * w_in * kh * kw * c_in * layer.filters
        elif isinstance(layer, keras.layers.Conv2D):
            kh, kw = layer.kernel_size
            h_out, w_out, _ = out_shape
            c_in = in_shape[-1] // layer.groups
            flops = 2 * h_out * w_out * kh * kw * c_in * layer.filters
        elif isinstance(
            layer,
            keras.layers.BatchNormalization
            | keras.layers.ReLU
            | keras.layers.LeakyReLU
            | keras.layers.Activation,
        ):
            elementwise = out_elements
        elif isinstance(layer, keras.layers.Reshape | keras.layers.Flatten):
            pass  # Free: a view of the same buffer.
        elif layer.weights:
            raise ValueError(
                f"No FLOPs rule for layer {layer.name!r} of type "
                f"{type(layer).__name__}."
            )
        else:
            elementwise = out_elements
        if getattr(layer, "use_bias", False):
            elementwise += out_elements
        if _has_activation(layer) and not isinstance(
            layer, keras.layers.Activation
        ):
            elementwise += out_elements  # A fused activation argument.
        costs.append(
            LayerCost(
                layer.name, type(layer).__name__, out_shape, flops, elementwise
            )
        )
    return costs


@dataclasses.dataclass(frozen=True)
class TrainingFlops:
    """FLOPs per real image of one training step, by update scheme.

    Attributes:
        g: Generator forward FLOPs per image.
        d: Discriminator forward FLOPs per image.
        g_first: FLOPs of the generator's first costed layer.
        d_first: FLOPs of the discriminator's first costed layer.
    """

    g: int
    d: int
    g_first: int
    d_first: int

    def alternating(self, exact: bool = False) -> int:
        """One D update then one G update, each with its own forward pass.

        Convention: the backward pass of a network whose weights are
        updated costs 2x its forward (input grads + weight grads, 1x each);
        a network that is only back-propagated through (D in the G step)
        costs 1x (input grads only; weight grads of D are not asked for,
        and TF prunes them from the graph). With ``exact`` the input grads
        of each network's first layer are also dropped where nothing needs
        them (D's input in the D step: real data and a G output off the D
        tape's path to D's weights; G's input z).

        Args:
            exact: Drop the unneeded first-layer input grads.

        Returns:
            FLOPs per real image: D step g + 2d + 4d, G step g + d + d + 2g,
            in all 4g + 8d.
        """
        d_step = self.g + 2 * self.d + 4 * self.d
        g_step = self.g + self.d + self.d + 2 * self.g
        if exact:
            d_step -= 2 * self.d_first
            g_step -= self.g_first
        return d_step + g_step

    def simultaneous(self, exact: bool = False) -> int:
        """One shared forward pass, then both players' gradients.

        Same convention as ``alternating``. ``GAN`` scores real and fake
        in separate D calls, so the D loss is back-propagated through D on
        real and fake (2 x 2d) and the G loss through D on fake only
        (input grads, d) and through G (2g).

        Args:
            exact: Drop the unneeded first-layer input grads.

        Returns:
            FLOPs per real image: g + 2d + 4d + d + 2g = 3g + 7d.
        """
        total = self.g + 6 * self.d + self.d + 2 * self.g
        if exact:
            total -= 2 * self.d_first + self.g_first
        return total


def training_flops(generator: keras.Model, discriminator: keras.Model):
    """Returns (TrainingFlops, generator costs, discriminator costs)."""
    g_costs = layer_costs(generator)
    d_costs = layer_costs(discriminator)

    def first(costs):
        return next(c.flops for c in costs if c.flops)

    counts = TrainingFlops(
        g=sum(c.flops for c in g_costs),
        d=sum(c.flops for c in d_costs),
        g_first=first(g_costs),
        d_first=first(d_costs),
    )
    return counts, g_costs, d_costs


# --------------------------------------------------------------------------
# Machine.


def matmul_peak(n: int = PEAK_N, repeats: int = PEAK_REPEATS) -> float:
    """Best float32 tf.matmul rate of an n x n product, in FLOP/s."""
    a = tf.random.normal((n, n))
    b = tf.random.normal((n, n))
    float(tf.matmul(a, b)[0, 0])  # Warm-up: oneDNN builds its primitive.
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        c = tf.matmul(a, b)
        float(c[0, 0])  # Eager CPU ops are synchronous; this is a guard.
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return None


def _torch_version() -> str | None:
    try:
        import torch
    except ImportError:
        return None
    return torch.__version__


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


class _Stopwatch:
    """Wall-clock and process CPU time between ``start`` and ``stop``.

    CPU time is reported next to wall time because other processes share
    a small machine: time spent descheduled inflates wall time but not
    CPU time (spin-waiting thread pools inflate CPU time instead).
    """

    def start(self) -> None:
        self._wall = time.perf_counter()
        self._cpu = time.process_time()

    def stop(self) -> tuple[float, float]:
        return (
            time.perf_counter() - self._wall,
            time.process_time() - self._cpu,
        )


class _EpochTimer(keras.callbacks.Callback):
    """Times an epoch from the start of its second step to its end.

    Only ``on_train_batch_begin`` is overridden: a batch-end hook would
    make Keras convert every step's logs in the loop (see
    ``CallbackList._configure_async_dispatch``), which the rows without
    this callback would not pay.
    """

    def __init__(self):
        super().__init__()
        self.watch = _Stopwatch()
        self.result = None

    def on_train_batch_begin(self, batch, logs=None):
        if batch == 1:
            self.watch.start()

    def on_epoch_end(self, epoch, logs=None):
        # Keras has read the metrics back by now, so the steps are done.
        self.result = self.watch.stop()


def _keras_runner(
    model: keras.Model, dataset: tf.data.Dataset, steps: int
) -> Callable[[], tuple[float, float]]:
    def run_epoch() -> tuple[float, float]:
        timer = _EpochTimer()
        model.fit(
            dataset,
            epochs=1,
            steps_per_epoch=steps + 1,
            verbose=0,
            callbacks=[timer],
        )
        return timer.result

    return run_epoch


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


class ReferenceGAN(keras.Model):
    """The keras.io-style DCGAN step, written out with nothing else.

    Differences from the keras.io example that keep the work equal to
    ``GAN``: the generator runs with ``training=True`` in both updates
    (batch statistics, as ``GAN`` does), labels are not noised, real is
    labelled 1, and the losses are the non-saturating pair.
    """

    def __init__(self, generator, discriminator, latent_dim, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.bce = keras.losses.BinaryCrossentropy(from_logits=True)

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def train_step(self, real):
        batch = tf.shape(real)[0]
        z = tf.random.normal((batch, self.latent_dim))
        fake = self.generator(z, training=True)
        images = tf.concat([real, fake], axis=0)
        labels = tf.concat([tf.ones((batch, 1)), tf.zeros((batch, 1))], 0)
        with tf.GradientTape() as tape:
            logits = self.discriminator(images, training=True)
            d_loss = self.bce(labels, logits)
        d_vars = self.discriminator.trainable_weights
        grads = tape.gradient(d_loss, d_vars)
        self.d_optimizer.apply_gradients(zip(grads, d_vars, strict=True))

        z = tf.random.normal((batch, self.latent_dim))
        with tf.GradientTape() as tape:
            fake = self.generator(z, training=True)
            logits = self.discriminator(fake, training=True)
            g_loss = self.bce(tf.ones((batch, 1)), logits)
        g_vars = self.generator.trainable_weights
        grads = tape.gradient(g_loss, g_vars)
        self.g_optimizer.apply_gradients(zip(grads, g_vars, strict=True))

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {m.name: m.result() for m in self.metrics}


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
        watch = _Stopwatch()
        watch.start()
        for _ in range(steps):
            next(iterator)
        return watch.stop()

    return run_epoch


# -- PyTorch ---------------------------------------------------------------


def _torch_network(model: keras.Model):
    """Builds a torch.nn.Sequential with the layer sizes of a Keras model.

    Channels-last Keras layers map to channels-first torch layers with the
    same kernels, strides, widths and biases; "same" padding with an even
    kernel K and stride 2 becomes padding (K - 2) / 2, which gives the
    same output sizes. Batch norm keeps Keras' epsilon and momentum.
    """
    import torch.nn as nn

    modules = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        in_shape = tuple(layer.input.shape[1:])
        if isinstance(layer, keras.layers.Dense):
            modules.append(
                nn.Linear(in_shape[-1], layer.units, bias=layer.use_bias)
            )
        elif isinstance(
            layer, keras.layers.Conv2D | keras.layers.Conv2DTranspose
        ):
            kernel, stride = layer.kernel_size[0], layer.strides[0]
            if layer.padding != "same" or (kernel - stride) % 2:
                raise ValueError(f"Cannot map {layer.name} to torch.")
            cls = (
                nn.ConvTranspose2d
                if isinstance(layer, keras.layers.Conv2DTranspose)
                else nn.Conv2d
            )
            modules.append(
                cls(
                    in_shape[-1],
                    layer.filters,
                    kernel,
                    stride,
                    padding=(kernel - stride) // 2,
                    bias=layer.use_bias,
                )
            )
        elif isinstance(layer, keras.layers.Reshape):
            h, w, c = layer.target_shape
            modules.append(nn.Unflatten(1, (c, h, w)))
        elif isinstance(layer, keras.layers.BatchNormalization):
            modules.append(
                nn.BatchNorm2d(
                    in_shape[-1],
                    eps=layer.epsilon,
                    momentum=1.0 - layer.momentum,
                )
            )
        elif isinstance(layer, keras.layers.ReLU):
            modules.append(nn.ReLU())
        elif isinstance(layer, keras.layers.LeakyReLU):
            modules.append(nn.LeakyReLU(layer.negative_slope))
        elif isinstance(layer, keras.layers.Flatten):
            modules.append(nn.Flatten())
        else:
            raise ValueError(
                f"No torch mapping for {layer.name} ({type(layer).__name__})."
            )
        if _has_activation(layer):
            if layer.activation.__name__ != "tanh":
                raise ValueError(f"Cannot map activation of {layer.name}.")
            modules.append(nn.Tanh())
    network = nn.Sequential(*modules)
    for module in network.modules():
        # The DCGAN paper's N(0, 0.02) init, as in the Keras models.
        if isinstance(module, nn.Linear | nn.Conv2d | nn.ConvTranspose2d):
            nn.init.normal_(module.weight, 0.0, 0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
    return network


def _torch_runner(
    batches: Sequence[np.ndarray], steps: int, threads: int
) -> Callable[[], tuple[float, float]]:
    """A plain PyTorch alternating loop on the same networks and batches.

    Args:
        batches: Real NHWC batches, cycled through.
        steps: Timed steps per epoch.
        threads: torch intra-op threads, set at the start of every epoch
            (rows f and f1 share the process and take turns).

    Returns:
        A function that runs one epoch and returns its timed (wall, CPU)
        seconds.
    """
    import torch
    import torch.nn.functional as F

    torch.manual_seed(0)
    keras_g, keras_d = tfgan_lite.models.dcgan_28(
        latent_dim=LATENT_DIM, width=WIDTH
    )
    generator = _torch_network(keras_g).train()
    discriminator = _torch_network(keras_d).train()
    # Keras' Adam epsilon (1e-7) rather than torch's (1e-8).
    g_opt = torch.optim.Adam(
        generator.parameters(), LEARNING_RATE, betas=(BETA_1, 0.999), eps=1e-7
    )
    d_opt = torch.optim.Adam(
        discriminator.parameters(),
        LEARNING_RATE,
        betas=(BETA_1, 0.999),
        eps=1e-7,
    )
    # NCHW copies made once: the row times the training loop, not a loader.
    real_batches = [
        torch.from_numpy(np.ascontiguousarray(b.transpose(0, 3, 1, 2)))
        for b in batches
    ]
    n = real_batches[0].shape[0]
    labels = torch.cat([torch.ones(n, 1), torch.zeros(n, 1)])
    ones = torch.ones(n, 1)
    totals = {"d_loss": torch.zeros(()), "g_loss": torch.zeros(())}

    def step(real):
        with torch.no_grad():
            fake = generator(torch.randn(n, LATENT_DIM))
        logits = discriminator(torch.cat([real, fake]))
        d_loss = F.binary_cross_entropy_with_logits(logits, labels)
        d_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        d_opt.step()

        # D's weight grads are not needed for the G update; TF prunes them,
        # so torch skips them too.
        discriminator.requires_grad_(False)
        fake = generator(torch.randn(n, LATENT_DIM))
        g_loss = F.binary_cross_entropy_with_logits(discriminator(fake), ones)
        g_opt.zero_grad(set_to_none=True)
        g_loss.backward()
        g_opt.step()
        discriminator.requires_grad_(True)
        totals["d_loss"] += d_loss.detach()
        totals["g_loss"] += g_loss.detach()

    def run_epoch() -> tuple[float, float]:
        torch.set_num_threads(threads)
        step(real_batches[0])
        watch = _Stopwatch()
        watch.start()
        for i in range(1, steps + 1):
            step(real_batches[i % len(real_batches)])
        float(totals["d_loss"])  # The epoch's metrics read-back.
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
        "e": _keras_runner(mirrored, dataset, steps),
        "e0": _keras_runner(_gan(), dataset, steps),
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
    ram = _ram_gib()
    torch_version = _torch_version() or "not installed"
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    gpus = tf.config.list_physical_devices("GPU")
    return [
        f"## tfgan_lite training throughput: DCGAN 28x28, batch {batch_size}",
        "",
        f"- Date: {now}",
        f"- Machine: {_cpu_model()}, {os.cpu_count()} logical cores, "
        + (f"{ram:.1f} GiB RAM, " if ram else "")
        + (f"{len(gpus)} GPU(s) (unused)" if gpus else "no GPU"),
        f"- Versions: Python {platform.python_version()}, TensorFlow "
        f"{tf.__version__}, Keras {keras.__version__}, PyTorch "
        f"{torch_version}, tfgan_lite {tfgan_lite.__version__}",
        f"- Command: `{shlex.join(sys.orig_argv)}`",
        "- Load average (1 min) at start, end: "
        + ", ".join(f"{x:.2f}" for x in loads),
        f"- Protocol: per row 1 warm-up + {epochs} timed epochs, rows "
        f"interleaved epoch by epoch; an epoch is 1 untimed + {steps} "
        f"timed steps of {batch_size} images; images/s is the median over "
        "the timed epochs, min-max beside it.",
        f"- float32 matmul peak: tf.matmul {PEAK_N}x{PEAK_N}, best of "
        f"{PEAK_REPEATS}: "
        + ", ".join(f"{p / 1e9:.1f}" for p in peaks)
        + f" GFLOP/s (start, end of run); % of peak uses the best, "
        f"{max(peaks) / 1e9:.1f} GFLOP/s.",
        "",
    ]


def _throughput_table(
    rows: Sequence[Row], steps: int, batch_size: int, peak: float
) -> list[str]:
    lines = [
        "| row | variant | images/s | min-max | ms/step | CPU ms/step | "
        "MFLOP/image | GFLOP/s | % of peak |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        if row.skipped or not row.seconds:
            lines.append(
                f"| {row.key} | {row.label} | skipped: "
                f"{row.skipped or 'no data'} | | | | | | |"
            )
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
        lines.append(
            f"| {row.key} | {row.label} | {_fmt_int(rate)} | "
            f"{_fmt_int(min(rates))}-{_fmt_int(max(rates))} | {ms:.1f} | "
            f"{cpu_ms:.1f} | {flops} | {achieved} | {share} |"
        )
    return lines + [""]


def _flops_section(counts: TrainingFlops, g_costs, d_costs) -> list[str]:
    lines = [
        "### Analytic FLOPs per image",
        "",
        "2 FLOPs per multiply-accumulate. Dense 2*in*out; Conv2D "
        "2*H_out*W_out*K*K*C_in*C_out; Conv2DTranspose "
        "2*H_in*W_in*K*K*C_in*C_out. Bias, batch norm and activations are "
        "not in the totals; they are listed as elementwise ops (one per "
        "output element each).",
        "",
        "| network | layer | type | output | MFLOP fwd | elementwise |",
        "| --- | --- | --- | --- | ---: | ---: |",
    ]
    for network, costs in (("G", g_costs), ("D", d_costs)):
        for c in costs:
            shape = "x".join(str(s) for s in c.output)
            lines.append(
                f"| {network} | {c.name} | {c.kind} | {shape} | "
                f"{c.flops / 1e6:.3f} | {_fmt_int(c.elementwise)} |"
            )
        total = sum(c.flops for c in costs)
        elementwise = sum(c.elementwise for c in costs)
        lines.append(
            f"| {network} | **forward total** | | | **{total / 1e6:.3f}** | "
            f"{_fmt_int(elementwise)} ({100 * elementwise / total:.2f}% of "
            "FLOPs) |"
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
        "| update | per step | MFLOP/image | exact MFLOP/image |",
        "| --- | --- | ---: | ---: |",
        "| alternating | D step: G fwd + D fwd (real+fake) + D bwd 2x; "
        f"G step: G fwd + D fwd + D bwd 1x + G bwd 2x = 4G + 8D | "
        f"{alt / 1e6:.1f} | {alt_x / 1e6:.1f} |",
        "| simultaneous | G fwd + D fwd (real+fake) + D bwd 2x (D loss) + "
        f"D bwd 1x on fake + G bwd 2x (G loss) = 3G + 7D | {sim / 1e6:.1f} "
        f"| {sim_x / 1e6:.1f} |",
        f"| saving of simultaneous | (G + D) / (4G + 8D) | "
        f"{100 * (1 - sim / alt):.1f}% | {100 * (1 - sim_x / alt_x):.1f}% |",
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
        "| ratio | images/s ratio | per-round | CPU | target | result |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for num, den, target in TARGETS:
        have = all(
            k in rows and rows[k].seconds and not rows[k].skipped
            for k in (num, den)
        )
        if not have:
            lines.append(
                f"| ({num}) / ({den}) | n/a | | | >= {target} | not run |"
            )
            continue
        a, b = rows[num], rows[den]
        # Throughput ratio = inverse ratio of seconds for the same work.
        ratio = statistics.median(b.seconds) / statistics.median(a.seconds)
        paired = [tb / ta for ta, tb in zip(a.seconds, b.seconds, strict=True)]
        cpu = statistics.median(b.cpu_seconds) / statistics.median(
            a.cpu_seconds
        )
        result = "PASS" if ratio >= target else "MISS"
        lines.append(
            f"| ({num}) / ({den}) | {ratio:.3f} | "
            f"{statistics.median(paired):.3f} "
            f"[{min(paired):.2f}-{max(paired):.2f}] | {cpu:.3f} | "
            f">= {target} | {result} |"
        )
    return lines + [""]


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
                _keras_runner(gan, dataset, steps),
            )
        )
    if "b" in keys:
        gan = _gan("simultaneous")
        rows.append(
            Row(
                "b",
                "GAN.fit simultaneous",
                sim,
                _keras_runner(gan, dataset, steps),
            )
        )
    if "c" in keys:
        rows.append(
            Row(
                "c",
                "keras.io-style reference train_step",
                alt,
                _keras_runner(_reference(), dataset, steps),
            )
        )
    if "d" in keys:
        rows.append(
            Row(
                "d",
                "GAN.fit alternating, jit_compile=True",
                alt,
                _keras_runner(_gan(jit_compile=True), dataset, steps),
            )
        )
    if "e" in keys:
        rows.append(Row("e", "GAN.fit alternating, MirroredStrategy", alt))
        rows.append(
            Row("e0", "(a) without a strategy, in (e)'s subprocess", alt)
        )
    version = _torch_version()
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
            row.run_epoch = _torch_runner(batches, steps, threads)
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
    peaks = [matmul_peak()]
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
    peaks.append(matmul_peak())
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
