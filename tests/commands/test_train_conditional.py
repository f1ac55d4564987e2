"""The training command with --conditional: a ConditionalGAN on labels."""

import json
import os
import re

import keras
import numpy as np
import pytest
import tensorflow_datasets as tfds
from PIL import Image

from tfgan_lite import ConditionalGAN
from tfgan_lite import train as train_lib

TINY = {"steps": 2, "batch_size": 8, "latent_dim": 8, "width": 4}
SIDE = 28  # dcgan_28; make_grid puts a 1-pixel gap between 28x28 cells.


def _config(run_dir, **kwargs):
    return train_lib.TrainConfig(
        conditional=True,
        run_dir=str(run_dir),
        sample_every=1,
        metrics_every=0,
        **{"epochs": 1, **TINY, **kwargs},
    )


def _resolved(run_dir):
    with open(os.path.join(run_dir, "config.json")) as f:
        return json.load(f)["resolved"]


def _grid_size(run_dir, epoch):
    png = os.path.join(run_dir, "samples", f"samples_epoch_{epoch:04d}.png")
    with Image.open(png) as image:
        return image.height, image.width


def _cells(n):
    return n * SIDE + (n - 1)


def _class_folders(root, names, per_class=4):
    os.makedirs(root)
    for i, name in enumerate(names):
        os.makedirs(root / name)
        for j in range(per_class):
            pixels = np.full((12, 10, 3), 40 * i + j, np.uint8)
            Image.fromarray(pixels).save(root / name / f"{j}.png")
    return root


def test_digits_run_has_a_row_per_class_and_resumes(tmp_path):
    run = tmp_path / "run"
    train_lib.train(_config(run), verbose=0)
    resolved = _resolved(run)
    assert resolved["num_classes"] == 10
    assert resolved["class_names"] == [str(d) for d in range(10)]
    assert _grid_size(run, 0) == (_cells(10), _cells(8))

    # More epochs on the same run directory continue from epoch 1.
    gan = train_lib.train(_config(run, epochs=2), verbose=0)
    assert int(gan.g_optimizer.iterations) == 2 * TINY["steps"]
    assert _grid_size(run, 1) == (_cells(10), _cells(8))
    loaded = keras.saving.load_model(run / "model.keras")
    assert isinstance(loaded, ConditionalGAN)
    assert loaded.num_classes == 10
    np.testing.assert_allclose(
        loaded.generate(4, labels=[0, 3, 5, 9], seed=1),
        gan.generate(4, labels=[0, 3, 5, 9], seed=1),
        rtol=1e-5,
        atol=1e-6,
    )


def test_folder_classes_follow_sorted_subfolder_names(tmp_path):
    data = _class_folders(tmp_path / "data", ["cat", "ant", "bee"])
    run = tmp_path / "run"
    train_lib.train(
        _config(run, dataset=str(data), batch_size=4, steps=1), verbose=0
    )
    resolved = _resolved(run)
    assert resolved["class_names"] == ["ant", "bee", "cat"]
    assert resolved["num_classes"] == 3
    assert _grid_size(run, 0) == (_cells(3), _cells(8))
    assert keras.saving.load_model(run / "model.keras").num_classes == 3


def test_tfds_classes_come_from_the_dataset_info(tmp_path):
    run = tmp_path / "run"
    with tfds.testing.mock_data(num_examples=16):
        train_lib.train(_config(run, dataset="fashion_mnist", steps=1))
    resolved = _resolved(run)
    assert resolved["num_classes"] == 10
    assert resolved["class_names"][0] == "T-shirt/top"


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--dataset=ring"], "--conditional needs images with class labels"),
        (["--dataset=celeb_a"], "--dataset celeb_a has none"),
        (
            ["--model=mlp_2d", "--dataset=grid"],
            "--conditional does not apply to --model=mlp_2d",
        ),
        (["--model=cyclegan"], "--conditional does not apply to --model=cy"),
    ],
)
def test_main_refuses_conditional_without_labels(
    tmp_path, capsys, argv, message
):
    code = train_lib.main(
        ["train", "--conditional", f"--run_dir={tmp_path}", *argv]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert re.search(message, err), err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "classes,message",
    [
        ([], "reads class labels from subfolders.*has no subfolders"),
        (["only"], "at least two classes.*has 1 \\(only\\)"),
    ],
)
def test_main_refuses_a_folder_without_two_classes(
    tmp_path, capsys, classes, message
):
    data = _class_folders(tmp_path / "data", classes)
    if not classes:
        Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(data / "a.png")
    code = train_lib.main(
        [
            "train",
            "--conditional",
            f"--dataset={data}",
            f"--run_dir={tmp_path / 'run'}",
            "--batch_size=1",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert re.search(message, err), err
    assert len(err.strip().splitlines()) <= 2
