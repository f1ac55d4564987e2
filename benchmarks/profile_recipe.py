"""Where the time of the train command's default run goes.

Two parts, each printing a markdown report for ``docs/``:

    python benchmarks/profile_recipe.py --part=run     # the whole command
    python benchmarks/profile_recipe.py --part=steps   # the training step
    python benchmarks/profile_recipe.py --part=steps --variants=recipe,no_r1

``run`` trains the command's run (``tfgan_lite.train.train``, the default
recipe unless ``--recipe`` overrides settings) under ``cProfile`` and
splits its wall time: the compiled training steps, each callback's hooks
(read from the calls that Keras' ``CallbackList`` makes, so a callback's
own nested calls count once), and the rest (start-up, data, clustering,
the final save and quality report). cProfile adds its overhead to the
Python side only; the steps themselves run in TensorFlow's runtime.

``steps`` times the training step of the recipe and of variants that
each change one setting (``VARIANTS``), built by the library's own
``build(config)`` with the run's state callbacks (the weight average).
Every variant runs one warm-up epoch, then the variants take turns for
``--rounds`` rounds of ``--steps`` timed steps, so that a shared
machine's drift hits them alike; a variant's time is its median round.
"""

from __future__ import annotations

import cProfile
import dataclasses
import os
import pstats
import statistics
import sys
import tempfile

import harness
import keras
from absl import app, flags

_PART = flags.DEFINE_enum("part", "steps", ["run", "steps"], "What to time.")
_RECIPE = flags.DEFINE_list(
    "recipe",
    [],
    "Settings of the run, or the base of every step variant, as "
    "name=value, e.g. epochs=3.",
)
_STEPS = flags.DEFINE_integer("steps", 40, "Timed steps of a round.")
_ROUNDS = flags.DEFINE_integer("rounds", 3, "Rounds of the step variants.")
_VARIANTS = flags.DEFINE_list(
    "variants", [], "Step variants to time (default: all of VARIANTS)."
)

# Name -> (what it changes, settings). Each changes one thing of the
# recipe, so its time against the recipe's is that thing's cost.
VARIANTS = {
    "recipe": ("the dcgan_28 recipe", []),
    "before": (
        "the recipe before 2026-12-06: width 64, R1 in every D update",
        ["width=64", "r1_interval=1"],
    ),
    "no_r1": ("R1 off", ["r1_penalty=0"]),
    "r1_every": ("R1 in every D update", ["r1_interval=1"]),
    "no_clusters": ("a plain GAN (no clusters)", ["clusters=0"]),
    "no_ema": ("no weight average", ["ema=0"]),
    "chunks_8": (
        "8 steps per execution",
        ["steps_per_execution=8", "checkpoint_every=0"],
    ),
    "batch_64": ("batch 64", ["batch_size=64"]),
    "width_64": ("width 64", ["width=64"]),
    "xla": ("XLA", ["jit_compile=true"]),
    "bf16": ("mixed bfloat16", ["precision=mixed_bfloat16"]),
    "plain": (
        "plain GAN.fit: no R1, clusters or weight average",
        ["r1_penalty=0", "clusters=0", "ema=0"],
    ),
}

# Callback hooks, grouped by the file that defines them.
_GROUPS = {
    "callbacks/ema.py": "weight average (update; BatchNorm recalibration)",
    "commands/checkpoints.py": "checkpoints (step and epoch; last.keras)",
    "callbacks/health.py": "training-health checks",
    "keras/src/callbacks/tensorboard.py": "TensorBoard writes",
    "commands/trainer.py": "TensorBoard writes",
    "callbacks/metrics.py": "quality measurements",
    "callbacks/image_grid.py": "sample grids",
}


def _config(overrides):
    from tfgan_lite.train import TrainConfig

    return harness.apply_overrides(TrainConfig(), overrides)


# --------------------------------------------------------------------------
# The whole run.


def profile_run(overrides) -> list[str]:
    """Profiles the command's run; returns the report's lines."""
    from tfgan_lite.train import train

    with tempfile.TemporaryDirectory() as tmp:
        config = _config([*overrides, f"run_dir={tmp}/run"])
        profiler = cProfile.Profile()
        watch = harness.Stopwatch()
        watch.start()
        profiler.runcall(train, config, verbose=0)
        wall, cpu = watch.stop()
    parts, steps = _split(pstats.Stats(profiler))
    rows = [["training steps", f"{parts.pop('steps'):.1f}", str(steps)]]
    for name, seconds in sorted(parts.items(), key=lambda kv: -kv[1]):
        rows.append([name, f"{seconds:.1f}", ""])
    rest = wall - sum(float(r[1]) for r in rows)
    rows.append(
        ["start-up, data, clustering, final save and report", f"{rest:.1f}", ""]
    )
    rows.append(["**the run**", f"**{wall:.1f}**", ""])
    for row in rows:
        row.append(f"{100 * float(row[1].strip('*')) / wall:.0f}%")
    return [
        *harness.report_header("Where the default run's time goes"),
        f"- Settings: {', '.join(overrides) or 'the default recipe'}; "
        f"{config.epochs} epochs; the run's CPU time {cpu:.0f} s",
        f"- Matmul peak: {harness.matmul_peak() / 1e9:.0f} GFLOP/s",
        "",
        *harness.markdown_table(["part", "seconds", "calls", "share"], rows),
    ]


def _split(stats: pstats.Stats) -> tuple[dict[str, float], int]:
    """Seconds of the train function and of each callback group."""
    parts: dict[str, float] = {"steps": 0.0}
    calls = 0
    for (path, _, name), (
        _,
        count,
        _,
        cumulative,
        callers,
    ) in stats.stats.items():
        path = path.replace(os.sep, "/")
        if name == "function" and path.endswith("tensorflow/trainer.py"):
            parts["steps"] += cumulative
            calls += count
            continue
        if not name.startswith("on_"):
            continue
        group = next((g for k, g in _GROUPS.items() if path.endswith(k)), None)
        if group is None:
            continue
        for caller, edge in callers.items():
            if caller[0].endswith("callback_list.py"):
                parts[group] = parts.get(group, 0.0) + edge[3]
    return parts, calls


# --------------------------------------------------------------------------
# The step.


class _Timer(keras.callbacks.Callback):
    """Wall and CPU time from the second chunk's start to the last's end.

    The epoch-end hooks (the weight average's BatchNorm recalibration) are
    left out: they are the run's cost, not the step's. Having a batch-end
    hook, this callback makes Keras wait for each chunk before calling
    the callbacks, as the command's own batch-end checks do.
    """

    def on_train_batch_begin(self, batch, logs=None):
        # With steps_per_execution=s, Keras calls this at steps 0, s, 2s.
        if batch and not hasattr(self, "watch"):
            self.watch = harness.Stopwatch()
            self.watch.start()

    def on_train_batch_end(self, batch, logs=None):
        if batch + 1 == self.params["steps"]:
            self.result = self.watch.stop()


def time_steps(names, steps: int, rounds: int, base=()) -> list[str]:
    """Times each variant's step, each on top of ``base`` settings."""
    from tfgan_lite.train import build

    runners = {}
    for name in names:
        config = _config([*base, *VARIANTS[name][1]])
        chunk = config.steps_per_execution
        # One untimed chunk, then the timed ones.
        epoch = chunk * (1 + -(-steps // chunk))
        config = dataclasses.replace(config, steps=epoch, epochs=1)
        keras.utils.set_random_seed(0)
        built = build(config)
        data = built.make_dataset().repeat()
        runners[name] = (built, iter(()), data, config)
    times = {name: [] for name in names}
    for r in range(rounds + 1):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            built, _, data, config = runners[name]
            timer = _Timer()
            built.model.fit(
                data,
                epochs=1,
                steps_per_epoch=config.steps,
                callbacks=[*built.callbacks.state, timer],
                verbose=0,
            )
            if r:  # Round 0 warms up: tracing, first allocations.
                wall, _ = timer.result
                timed = config.steps - config.steps_per_execution
                times[name].append(wall / timed)
    reference = statistics.median(times[names[0]])
    rows = []
    for name in names:
        config = runners[name][3]
        per_step = statistics.median(times[name])
        rows.append(
            [
                VARIANTS[name][0],
                ", ".join(VARIANTS[name][1]) or "(none)",
                f"{1000 * per_step:.1f}",
                f"{config.batch_size / per_step:.0f}",
                f"{per_step / reference:.2f}",
            ]
        )
    return [
        *harness.report_header("The default recipe's training step"),
        f"- Base settings: {', '.join(base) or 'the default recipe'}",
        f"- {rounds} rounds of {steps} timed steps per variant, medians",
        f"- Matmul peak: {harness.matmul_peak() / 1e9:.0f} GFLOP/s",
        "",
        *harness.markdown_table(
            ["variant", "settings", "ms/step", "images/s", "time / recipe"],
            rows,
        ),
    ]


def main(argv):
    del argv
    if _PART.value == "run":
        lines = profile_run(_RECIPE.value or [])
    else:
        names = _VARIANTS.value or list(VARIANTS)
        unknown = sorted(set(names) - set(VARIANTS))
        if unknown:
            sys.exit(f"Unknown --variants {unknown}; known: {list(VARIANTS)}")
        if names[0] != "recipe":
            names = ["recipe", *[n for n in names if n != "recipe"]]
        lines = time_steps(
            names, _STEPS.value, _ROUNDS.value, _RECIPE.value or ()
        )
    print("\n".join(lines))


if __name__ == "__main__":
    app.run(main)
