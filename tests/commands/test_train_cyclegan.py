"""The training command with --model=cyclegan: two domains, cycle grids."""

import json
import os
import re

import keras
import numpy as np
import pytest
from PIL import Image
from tensorboard.backend.event_processing import event_accumulator

from tfgan_lite import CycleGAN
from tfgan_lite import train as train_lib

SIDE = 16  # make_grid puts a 1-pixel gap between 16x16 cells.
TINY = {
    "epochs": 1,
    "steps": 2,
    "batch_size": 4,
    "width": 4,
    "blocks": 1,
    "image_size": SIDE,
    "pool_size": 4,
}


def _config(run_dir, **kwargs):
    return train_lib.TrainConfig.for_model(
        "cyclegan", run_dir=str(run_dir), **{**TINY, **kwargs}
    )


def _resolved(run_dir):
    with open(os.path.join(run_dir, "config.json")) as f:
        return json.load(f)["resolved"]


def _png_size(path):
    with Image.open(path) as image:
        return image.height, image.width


@pytest.mark.slow
def test_digits_pair_run_writes_cycle_grids_and_resumes(tmp_path):
    run = tmp_path / "run"
    train_lib.train(_config(run), verbose=0)
    # A later rerun with more epochs continues the same run.
    model = train_lib.train(_config(run, epochs=3), verbose=0)
    assert int(model.g_optimizer.iterations) == 3 * TINY["steps"]
    assert int(model.d_optimizer.iterations) == 3 * TINY["steps"]

    resolved = _resolved(run)
    assert resolved["x_shape"] == resolved["y_shape"] == [SIDE, SIDE, 1]
    assert resolved["compile"]["loss"] == "least_squares"
    assert resolved["compile"]["cycle_weight"] == 10.0
    assert resolved["compile"]["identity_weight"] == 0.0
    # Rows x, G(x), F(G(x)) of eight inputs; epochs 0 (due) and 2 (last).
    pngs = sorted(os.listdir(run / "samples"))
    assert pngs == [
        "samples_epoch_0000.png",
        "samples_epoch_0002.png",
        "samples_latest.png",
    ]
    cells = 3 * SIDE + 2, 8 * SIDE + 7
    assert _png_size(run / "samples" / "samples_latest.png") == cells
    acc = event_accumulator.EventAccumulator(
        str(run / "logs" / "samples"), size_guidance={"tensors": 0}
    )
    acc.Reload()
    assert [e.step for e in acc.Tensors("samples")] == [0, 2]

    loaded = keras.saving.load_model(run / "model.keras")
    assert isinstance(loaded, CycleGAN)
    assert loaded.pool_size == TINY["pool_size"]
    x = np.linspace(-1, 1, 2 * SIDE * SIDE, dtype="float32")
    x = x.reshape(2, SIDE, SIDE, 1)
    np.testing.assert_allclose(
        loaded.translate(x), model.translate(x), rtol=1e-5, atol=1e-6
    )
    assert os.path.exists(run / "checkpoints" / "last.keras")


@pytest.mark.slow
def test_two_folders_with_unet_generators(tmp_path):
    for domain, value in (("a", 30), ("b", 220)):
        os.makedirs(tmp_path / domain)
        for i in range(4):
            pixels = np.full((20, 24, 3), value + i, np.uint8)
            Image.fromarray(pixels).save(tmp_path / domain / f"{i}.png")
    run = tmp_path / "run"
    dataset = f"{tmp_path / 'a'},{tmp_path / 'b'}"
    model = train_lib.train(
        _config(run, dataset=dataset, generator="unet", steps=1, export=True),
        verbose=0,
    )
    assert model.g_xy.get_layer("skip0") is not None
    assert _resolved(run)["x_shape"] == [SIDE, SIDE, 3]
    assert os.path.exists(run / "model.keras")
    # --export writes G (X -> Y) as SavedModel and LiteRT.
    assert (run / "export" / "generator_xy_float32.tflite").is_file()
    assert (run / "export" / "saved_model_xy" / "saved_model.pb").is_file()


def test_the_command_line_takes_the_cyclegan_recipe():
    config = train_lib.parse_flags(["train", "--model=cyclegan"])
    assert config == train_lib.TrainConfig.for_model("cyclegan")
    assert config.dataset == "digits_invert"
    assert (config.generator, config.loss) == ("resnet", "least_squares")
    assert (config.cycle_weight, config.identity_weight) == (10.0, 0.0)
    assert (config.pool_size, config.lr) == (50, 2e-4)
    mine = train_lib.parse_flags(
        ["train", "--model=cyclegan", "--identity_weight=5", "--width=16"]
    )
    assert (mine.identity_weight, mine.width) == (5.0, 16)


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--model=cyclegan", "--dataset=ring"], "needs two image domains"),
        (["--model=cyclegan", "--dataset=digits"], "needs two image domains"),
        (["--dataset=digits_invert"], "go with --model=cyclegan"),
        (
            ["--model=cyclegan", "--latent_dim=8", "--r1_penalty=1"],
            "--latent_dim, --r1_penalty does not apply to --model=cyclegan",
        ),
        (["--blocks=3"], "--blocks does not apply to --model=dcgan_28"),
        (["--model=mlp_2d", "--dataset=ring", "--pool_size=2"], "--pool_s"),
        (["--model=cyclegan", "--image_size=20"], "multiple of 8"),
        (["--model=cyclegan", "--generator=vgg"], "--generator must be"),
        (["--model=cyclegan", "--dataset=a,b,c"], "give two folders"),
        (["--model=cyclegan", "--dataset=nope_a,nope_b"], "nope_a"),
    ],
)
def test_main_refuses_wrong_combinations(tmp_path, capsys, argv, message):
    code = train_lib.main(["train", f"--run_dir={tmp_path / 'run'}", *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert re.search(message, err), err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2
