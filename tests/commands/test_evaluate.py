"""python -m tfgan_lite.evaluate: tables, JSON, 2-D modes, plain errors."""

import json

import keras
import pytest

import tfgan_lite
from tfgan_lite import evaluate as evaluate_lib
from tfgan_lite import metrics, models


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
    # The same figures, computed by hand through the library.
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
    assert out.startswith("Feature extractor: digits_cnn_v1")
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
