"""--strategy, --precision and --jit_compile: the command's devices."""

import dataclasses
import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from mirrored_testutil import mirrored_result

from tfgan_lite.commands import devices
from tfgan_lite.commands._cli import UsageError
from tfgan_lite.commands.config import TrainConfig
from tfgan_lite.commands.train import main, parse_flags
from tfgan_lite.commands.trainer import train


def test_one_device_and_auto_without_gpus_use_the_default_strategy():
    for name in ("one_device", "auto"):
        strategy = devices.make_strategy(name)
        assert strategy is tf.distribute.get_strategy()
        assert strategy.num_replicas_in_sync == 1
        assert devices.describe(strategy) == ""


def test_mirrored_without_gpus_takes_every_logical_cpu():
    # This process has one logical CPU; the two-CPU case runs below.
    strategy = devices.make_strategy("mirrored")
    assert isinstance(strategy, tf.distribute.MirroredStrategy)
    assert strategy.num_replicas_in_sync == 1
    assert devices.describe(strategy) == "mirrored over 1 device (CPU:0)"


def test_tpu_without_a_tpu_is_a_usage_error():
    with pytest.raises(UsageError, match=r"^--strategy=tpu found no TPU"):
        devices.make_strategy("tpu")


@pytest.mark.parametrize(
    "batch, replicas, d_steps, message",
    [
        (
            33,
            2,
            1,
            r"split across 2 replicas; make it a multiple of 2 \(e\.g\."
            r" 34\)",
        ),
        (
            8,
            4,
            3,
            r"Each of the 4 replicas gets 2 of --batch_size 8, which "
            r"--d_steps 3 splits further; use a batch of at least 12\.",
        ),
    ],
)
def test_a_batch_the_replicas_cannot_share_is_refused(
    batch, replicas, d_steps, message
):
    config = TrainConfig(batch_size=batch, d_steps=d_steps)
    with pytest.raises(UsageError, match=message):
        devices.check_batch(config, replicas)
    devices.check_batch(
        dataclasses.replace(config, batch_size=replicas * d_steps * 2),
        replicas,
    )


def test_the_precision_policy_is_set_for_the_block_and_put_back():
    before = keras.mixed_precision.global_policy().name
    with devices.precision_policy("mixed_bfloat16"):
        assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"
    assert keras.mixed_precision.global_policy().name == before
    with pytest.raises(RuntimeError, match="inside"):
        with devices.precision_policy("mixed_float16"):
            raise RuntimeError("inside")
    assert keras.mixed_precision.global_policy().name == before


@pytest.mark.parametrize(
    "flag, message",
    [
        ("--strategy=gpus", "--strategy"),
        ("--precision=float16", "--precision"),
        ("--jit_compile=maybe", "jit_compile"),
    ],
)
def test_bad_device_flags_end_in_a_usage_message(capsys, flag, message):
    assert main(["tfgan-train", flag]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and message in err, err
    assert "Traceback" not in err


def test_the_device_settings_are_flags_with_the_recipe_defaults():
    config = parse_flags(["tfgan-train"])
    assert (config.strategy, config.precision, config.jit_compile) == (
        "auto",
        "float32",
        False,
    )
    config = parse_flags(
        [
            "tfgan-train",
            "--strategy=mirrored",
            "--precision=mixed_bfloat16",
            "--jit_compile",
        ]
    )
    assert (config.strategy, config.precision, config.jit_compile) == (
        "mirrored",
        "mixed_bfloat16",
        True,
    )
    with pytest.raises(TypeError, match="jit_compile"):
        TrainConfig(jit_compile="yes")


def _tiny(tmp_path, **settings) -> TrainConfig:
    tiny = {
        "dataset": "digits",
        "width": 4,
        "clusters": 0,
        "epochs": 1,
        "steps": 3,
        "batch_size": 8,
        "metrics_every": 0,
        "sample_every": 1,
        "run_dir": str(tmp_path / "run"),
    }
    return TrainConfig(**{**tiny, **settings})


def test_mixed_bfloat16_trains_networks_of_that_policy_in_float32_vars(
    tmp_path,
):
    before = keras.mixed_precision.global_policy().name
    gan = train(_tiny(tmp_path, precision="mixed_bfloat16"), verbose=0)
    assert keras.mixed_precision.global_policy().name == before
    policies = {layer.dtype_policy.name for layer in gan.generator.layers}
    assert "mixed_bfloat16" in policies, policies
    assert {v.dtype for v in gan.generator.weights} == {"float32"}
    loaded = keras.saving.load_model(tmp_path / "run" / "model.keras")
    images = np.asarray(loaded.generate(4, seed=0))
    assert images.dtype == np.float32
    assert np.isfinite(images).all() and np.abs(images).max() <= 1.0


def test_a_run_resumes_under_another_strategy_but_not_another_precision(
    tmp_path,
):
    config = _tiny(tmp_path)
    train(config, verbose=0)
    # As a run written before these settings existed: they ran with the
    # defaults, which it resumes with.
    path = os.path.join(config.run_dir, "config.json")
    with open(path, encoding="utf-8") as f:
        record = json.load(f)
    for name in ("strategy", "precision", "jit_compile"):
        del record["config"][name]
    with open(path, "w", encoding="utf-8") as f:
        json.dump(record, f)
    # Checkpoints restore under any strategy, and with or without XLA.
    resumed = train(
        _tiny(tmp_path, strategy="mirrored", jit_compile=True, epochs=2),
        verbose=0,
    )
    assert int(resumed.g_optimizer.iterations.numpy()) == 6
    assert resumed.jit_compile is True
    with open(path, encoding="utf-8") as f:
        saved = json.load(f)
    assert saved["config"]["jit_compile"] is True
    assert saved["config"]["strategy"] == "mirrored"
    assert saved["resolved"]["compile"]["jit_compile"] is True
    assert np.isfinite(resumed.generator.get_weights()[0]).all()
    with pytest.raises(
        UsageError, match=r"precision: 'float32' -> 'mixed_bfloat16'"
    ):
        train(_tiny(tmp_path, precision="mixed_bfloat16", epochs=3))


@pytest.mark.slow
def test_the_command_under_mirrored_on_two_cpus_trains_as_one_device():
    result = mirrored_result("command_mirrored.py", timeout=600)
    assert result["codes"] == [0, 0, 0, 0], result["outputs"]
    assert ", batch 16, learning rate 0.001. " in result["single_line"]
    assert (
        ", batch 16 (8 per replica, mirrored over 2 devices (CPU:0, CPU:1)), "
        "learning rate 0.001. " in result["mirrored_line"]
    ), result["mirrored_line"]
    # The same global batches, noise and seeds: the same weights.
    assert result["weight_error"] < 1e-5, result["weight_error"]
    # Metrics, grids and a resume under the strategy.
    assert result["step"] == 8
    assert result["image_epoch"] == 1
    assert 0 < result["image_fd"] < float("inf")
    assert result["samples"] == [
        "samples_epoch_0000.png",
        "samples_epoch_0001.png",
        "samples_latest.png",
    ]
    assert (
        "Resum" in result["outputs"][3] or "Epoch 2/2" in (result["outputs"][3])
    )
    assert "Epoch 1/2" not in result["outputs"][3]
