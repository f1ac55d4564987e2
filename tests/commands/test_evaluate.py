"""python -m tfgan_lite.evaluate: tables, JSON, 2-D modes, plain errors."""

import dataclasses
import json
import os
import subprocess
import sys
import types

import keras
import numpy as np
import pytest
from run_testutil import finished_run, noise_folder

import tfgan_lite
from tfgan_lite import evaluate as evaluate_lib
from tfgan_lite import metrics, models
from tfgan_lite.commands import evaluate as command
from tfgan_lite.train import train


@pytest.fixture(scope="module")
def image_model(tmp_path_factory):
    gan = tfgan_lite.GAN(*models.dcgan_28(latent_dim=8, width=4), seed=0)
    gan.compile()
    path = tmp_path_factory.mktemp("image") / "model.keras"
    gan.save(path)
    return str(path)


@pytest.fixture(scope="module")
def points_model(tmp_path_factory):
    gan = tfgan_lite.GAN(*models.mlp_2d(latent_dim=4, hidden=8), seed=0)
    gan.compile()
    path = tmp_path_factory.mktemp("points") / "model.keras"
    gan.save(path)
    return str(path)


def test_image_report_names_the_extractor_and_matches_the_library(
    image_model,
):
    config = evaluate_lib.EvaluateConfig(model=image_model, num_real=200)
    result = evaluate_lib.evaluate(config)
    assert result["extractor"] == metrics.DIGITS_CLASSIFIER_NAME
    assert result["num_real_per_half"] == 100
    # The same figures, computed by hand through the library: the first
    # images in the data order of seed 0, which needs the global seed set.
    keras.utils.set_random_seed(0)
    real = next(
        iter(tfgan_lite.data.digits(image_size=(28, 28), batch_size=200))
    ).numpy()
    reference = metrics.Reference(real, extractor=metrics.digits_classifier())
    gan = keras.saving.load_model(image_model)
    expected = reference.compare(gan.generate(100, seed=0))
    for metric, row in result["metrics"].items():
        assert row["generated"] == pytest.approx(
            expected.generated[metric], rel=1e-5, abs=1e-9
        )
        assert row["real"] == pytest.approx(expected.real[metric], rel=1e-5)
    # An untrained generator is far from real digits.
    assert result["metrics"]["fd"]["ratio"] > 5


def test_main_prints_a_table_or_json(image_model, capsys):
    argv = ["evaluate", f"--model={image_model}", "--num_real=200"]
    assert evaluate_lib.main(argv) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[:3] == [
        "Generated: 100 samples of the raw generator, seed 0.",
        "Real: the first 200 images of digits in the data order of seed 0, "
        "halved with seed 0.",
        "Feature extractor: digits_cnn_v1 (100 generated vs 100 real images "
        "per half)",
    ]
    assert "| classifier_score |" in out
    assert evaluate_lib.main([*argv, "--json", "--extractor=random"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["extractor"].startswith("random_cnn_v1")
    assert "classifier_score" not in data["metrics"]


def test_ring_modes_are_the_library_figures(points_model, capsys):
    argv = ["evaluate", f"--model={points_model}", "--dataset=ring"]
    assert evaluate_lib.main(argv) == 0
    out = capsys.readouterr().out
    assert "| modes captured |" in out and "of 8 |" in out
    config = evaluate_lib.EvaluateConfig(model=points_model, dataset="ring")
    result = evaluate_lib.evaluate(config)
    gan = keras.saving.load_model(points_model)
    expected = metrics.mixture_modes(
        gan.generate(2500, seed=0), metrics.ring_centers(), std=0.01
    )
    assert result["modes"] == expected.modes
    assert result["high_quality"] == pytest.approx(expected.high_quality)
    assert result["num_samples"] == 2500


@pytest.mark.parametrize(
    "flags,code,message",
    [
        (["--model=/nonexistent/model.keras"], 2, "No model file"),
        (["--model=."], 2, "not a Keras v3 model archive"),
        (["--extractor=vgg"], 2, "--extractor must be one of"),
        (["--num_real=3"], 2, "--num_real must be an int >= 8"),
        (["--extractor=inception"], 2, "needs --inception_weights"),
        (["--no_such_flag=1"], 2, "no_such_flag"),
    ],
)
def test_mistakes_end_in_one_line_and_an_exit_code(
    flags, code, message, capsys
):
    assert evaluate_lib.main(["evaluate", *flags]) == code
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_data_that_does_not_fit_the_model_fails_plainly(
    image_model, points_model, tmp_path, capsys
):
    # A dataset that does not fit the model is a usage error: exit 2.
    assert (
        evaluate_lib.main(["e", f"--model={image_model}", "--dataset=grid"])
        == 2
    )
    assert "2-D points" in capsys.readouterr().err
    assert evaluate_lib.main(["e", f"--model={points_model}"]) == 2
    assert "needs images" in capsys.readouterr().err
    not_a_model = tmp_path / "model.keras"
    not_a_model.write_bytes(b"not a zip")
    assert evaluate_lib.main(["e", f"--model={not_a_model}"]) == 1
    assert "Could not load" in capsys.readouterr().err


def test_help_lists_every_flag(capsys):
    assert evaluate_lib.main(["evaluate", "--help"]) == 0
    out = capsys.readouterr().out
    for name in ("model", "dataset", "extractor", "num_real", "seed"):
        assert f"--{name}:" in out
    assert "--[no]json:" in out


@pytest.fixture(scope="module")
def measured_run(tmp_path_factory):
    """A tiny digits run that measured itself at its end (metrics.json)."""
    run = finished_run(
        tmp_path_factory.mktemp("measured") / "run",
        epochs=1,
        steps=2,
        metrics_every=1,
        clusters=0,
        seed=3,
    )
    with open(run / "metrics.json") as f:
        return run, json.load(f)


def test_a_run_evaluates_to_its_own_metrics_json(measured_run):
    # The defaults measure a run's model as the run did: the same real
    # images (its training data in its order), seed and EMA generator.
    run, saved = measured_run
    config = evaluate_lib.EvaluateConfig(model=str(run / "model.keras"))
    result = evaluate_lib.evaluate(config)
    assert (result["generator"], result["seed"]) == ("ema", 3)
    assert result["real_images"].startswith("the run's own measurement")
    assert result["num_generated"] == saved["num_generated"]
    assert result["num_real_per_half"] == saved["num_real_per_half"]
    assert result["metrics"].keys() == saved["metrics"].keys()
    for name, row in saved["metrics"].items():
        for key in ("generated", "real"):
            np.testing.assert_allclose(
                result["metrics"][name][key], row[key], rtol=1e-6, atol=1e-9
            )
    # Other flags measure other real images, and the output says why.
    plan = command._plan(
        evaluate_lib.EvaluateConfig(
            model=str(run / "model.keras"), seed=4, num_real=200
        )
    )
    assert (plan.dataset, plan.seed, plan.num_real, plan.run) == (
        "digits",
        4,
        200,
        None,
    )
    assert command._real_words(plan, 200) == (
        "the first 200 images of digits in the data order of seed 4, not "
        "the run's own measurement images: --num_real and --seed set off "
        "the run's"
    )


def _report(kid_generated, kid_real):
    return metrics.QualityReport(
        extractor="digits_cnn_v1",
        num_generated=896,
        num_real=896,
        generated={"fd": 3.139, "kid": kid_generated, "coverage": 0.5},
        real={"fd": 0.8, "kid": kid_real, "coverage": 0.97},
    )


def test_write_run_metrics_writes_the_report_and_sums_it_up(tmp_path):
    measure = types.SimpleNamespace(
        history=[(0, _report(0.5, 0.01)), (29, _report(0.0123, -0.0004))],
        use_ema=True,
        seed=0,
        model=types.SimpleNamespace(ema_generator=object()),
        reference=types.SimpleNamespace(num_images=1792),
    )
    path = str(tmp_path / "metrics.json")
    lines = command.write_run_metrics(measure, path)
    assert lines == [
        "Quality after 30 epochs (digits_cnn_v1 features; 896 samples by "
        "the EMA generator vs 896 real images):",
        "  FD 3.14 (real vs real 0.80), KID 0.0123 (real vs real -0.0004), "
        "coverage 0.50 (real 0.97)",
        "  " + metrics.quality.KID_NOTE,
        f"Full report: {path}",
    ]
    with open(path) as f:
        data = json.load(f)
    assert data["epoch"] == 29 and data["generator"] == "ema"
    assert data["real_images"] == (
        "the run's own measurement images: the first 1792 training images "
        "in the run's data order (seed 0)"
    )
    assert data["metrics"]["kid"] == {
        "generated": 0.0123,
        "real": -0.0004,
        "ratio": pytest.approx(0.0123 / -0.0004),
    }
    assert os.listdir(tmp_path) == ["metrics.json"]
    # Without an EMA generator, and with a KID above 0: no footnote.
    measure.model.ema_generator = None
    measure.history = measure.history[:1]
    lines = command.write_run_metrics(measure, path)
    assert lines[0].startswith("Quality after 1 epoch (digits_cnn_v1 ")
    assert "by the raw generator" in lines[0]
    assert len(lines) == 3
    with pytest.raises(ValueError, match="no report yet"):
        command.write_run_metrics(types.SimpleNamespace(history=[]), path)


def test_a_negative_kid_is_explained_in_the_table():
    table = metrics.quality.format_table(_report(-0.1103, 0.002))
    assert table.splitlines()[-1] == metrics.quality.KID_NOTE
    assert metrics.quality.KID_NOTE not in metrics.quality.format_table(
        _report(0.1, 0.002)
    )


def test_usage_errors_come_before_tensorflow_loads():
    # Run in a fresh interpreter: a usage mistake is reported (exit 2, one
    # line, no traceback) without importing TensorFlow, and --help too.
    code = (
        "import sys\n"
        "from tfgan_lite.commands import evaluate\n"
        "codes = [evaluate.main(['e', '--num_real=3']),\n"
        "         evaluate.main(['e', '--model=missing.keras']),\n"
        "         evaluate.main(['e', '--help'])]\n"
        "print(codes, 'tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.splitlines()[-1] == "[2, 2, 0] False False"
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        "error: --num_real must be an int >= 8, got --num_real=3.",
        "error: No model file at 'missing.keras'. " + command._MODEL_HINT,
    ]


def _pixel_keys(images):
    """Each image's 8-bit pixels, as bytes: [-1, 1] floats, rounded back."""
    return {
        np.round((np.asarray(image) + 1) * 127.5).astype(np.uint8).tobytes()
        for image in images
    }


def test_a_folder_run_measures_held_back_images_and_evaluates_to_them(
    tmp_path, monkeypatch, capsys
):
    from PIL import Image

    from tfgan_lite.commands import datasets
    from tfgan_lite.commands.config import TrainConfig

    folder = noise_folder(tmp_path / "pictures", 40)
    # Held back from 40 images instead of 2,000, to stay fast.
    monkeypatch.setattr(datasets, "HOLD_BACK_SHARE", 0.5)
    monkeypatch.setattr(datasets, "HOLD_BACK_MIN", 4)
    run = tmp_path / "run"
    config = TrainConfig(
        dataset=str(folder),
        run_dir=str(run),
        epochs=1,
        steps=2,
        batch_size=4,
        width=8,
        metrics_every=1,
        clusters=0,
        seed=2,
    )
    train(config, verbose=2)
    out = capsys.readouterr().out.splitlines()
    head = out.index(
        "Quality after 1 epoch (random_cnn_v1_seed0_28x28x1_d9 features; 10 "
        "samples by the EMA generator vs 10 real images):"
    )
    assert out[head + 1].startswith("  FD ")
    assert out[head + 2] == (
        "  against 20 images held back from training (20 of the folder's 40 "
        "trained on)"
    )
    with open(run / "metrics.json") as f:
        saved = json.load(f)
    with open(run / "config.json") as f:
        resolved = json.load(f)["resolved"]
    held = datasets.split_held_back([f"{i:02d}.png" for i in range(40)])
    assert len(held) == 20
    record = {"images": 20, "of": 40, "share": 0.5}
    assert {k: saved["held_back"][k] for k in record} == record
    assert resolved["held_back"] == saved["held_back"]
    # 20 real images: halves of 10, so 9 random-CNN features.
    assert saved["extractor"] == "random_cnn_v1_seed0_28x28x1_d9"
    assert saved["num_real_per_half"] == 10
    assert saved["real_images"] == (
        f"the run's own measurement images: 20 images of {folder} held "
        "back from training (50% of its 40 images, chosen by a hash of each "
        "file's path)"
    )
    # The held-back images are exactly the held files' pixels, and the
    # training pipeline yields the other 20 and none of them.
    own = _pixel_keys(
        np.asarray(Image.open(folder / name), np.float32)[..., None] / 127.5 - 1
        for name in sorted(held)
    )
    assert _pixel_keys(datasets.held_back_images(config)) == own
    trained = _pixel_keys(
        image for batch in datasets.images(config) for image in batch.numpy()
    )
    assert len(trained) == 20 and not trained & own
    # The split does not follow --metrics_every, which a resumed run may
    # change.
    unmeasured = dataclasses.replace(config, metrics_every=0)
    assert datasets.held_back(unmeasured) == datasets.held_back(config)
    # tfgan-evaluate measures the same held-back images to the same figures.
    result = evaluate_lib.evaluate(
        evaluate_lib.EvaluateConfig(model=str(run / "model.keras"))
    )
    assert result["real_images"] == saved["real_images"]
    assert result["extractor"] == saved["extractor"]
    for name, row in saved["metrics"].items():
        for key in ("generated", "real"):
            np.testing.assert_allclose(
                result["metrics"][name][key], row[key], rtol=1e-6, atol=1e-9
            )


def test_a_small_folder_is_measured_against_its_training_images(tmp_path):
    from tfgan_lite.commands.config import TrainConfig

    (tmp_path / "a.png").write_bytes(b"")
    config = TrainConfig(dataset=str(tmp_path), seed=5)
    words, line = command.run_real_words(config, 32)
    why = "the folder is too small to hold some back (fewer than 2,000 images)"
    assert words == (
        f"the run's own measurement images: the first 32 training images of "
        f"{tmp_path} in the run's data order (seed 5); {why}"
    )
    assert line == f"  against the training images: {why}"
    named = TrainConfig(dataset="cifar10", model="dcgan_32")
    assert (
        command.run_real_words(named, 8)[1] == "  against the training images"
    )
