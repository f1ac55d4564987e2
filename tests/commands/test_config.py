"""TrainConfig and its recipes: one merge, one refusal, one help per flag."""

import dataclasses
import re

import pytest

from tfgan_lite import train as train_lib
from tfgan_lite.commands import config as config_lib
from tfgan_lite.commands import kinds

MODELS = ("dcgan_28", "dcgan_32", "dcgan_64", "mlp_2d", "cyclegan")


def test_the_recipe_table_has_one_complete_preset_per_model():
    assert sorted(train_lib.RECIPES) == sorted(MODELS)
    for model, recipe in train_lib.RECIPES.items():
        assert recipe.model == model
        for field in dataclasses.fields(recipe):
            assert getattr(recipe, field.name) is not None, (model, field)
    # Only the digits recipe clusters.
    clusters = {m: r.clusters for m, r in train_lib.RECIPES.items()}
    assert clusters == {m: 25 if m == "dcgan_28" else 0 for m in MODELS}


@pytest.mark.parametrize("model", MODELS)
def test_python_and_the_command_take_the_same_recipe(model):
    recipe = train_lib.RECIPES[model]
    assert train_lib.TrainConfig(model=model) == recipe
    assert train_lib.TrainConfig.for_model(model) == recipe
    assert train_lib.parse_flags(["train", f"--model={model}"]) == recipe
    # A field the user sets wins, at the recipe's default value too.
    mine = {"seed": 7, "epochs": recipe.epochs, "width": recipe.width + 4}
    flags = [f"--{k}={v}" for k, v in mine.items()]
    expected = dataclasses.replace(recipe, **mine)
    assert train_lib.TrainConfig(model=model, **mine) == expected
    assert train_lib.parse_flags(["train", f"--model={model}", *flags]) == (
        expected
    )


def test_a_recipe_chunk_shrinks_to_the_steps_given_but_not_a_given_chunk():
    assert (
        train_lib.TrainConfig(model="mlp_2d", steps=25).steps_per_execution == 5
    )
    with pytest.raises(ValueError, match=r"--steps \(25\) must be a multiple"):
        train_lib.TrainConfig(model="mlp_2d", steps=25, steps_per_execution=10)


def test_a_config_round_trips_through_its_fields():
    # As config.json holds it, and as dataclasses.replace passes it.
    for recipe in train_lib.RECIPES.values():
        assert train_lib.TrainConfig(**dataclasses.asdict(recipe)) == recipe
    conditional = train_lib.TrainConfig(conditional=True)
    assert conditional.clusters == 25  # Not read; the recipe's value.
    assert dataclasses.replace(conditional, epochs=2).epochs == 2


def _argv(settings):
    return [
        f"--{k}" if v is True else f"--{k}={v}" for k, v in settings.items()
    ]


@pytest.mark.parametrize(
    "base, refused, kind, message",
    [
        (
            {},
            {"blocks": 3},
            "clustered",
            r"^--blocks does not apply to --model=dcgan_28 \(a setting of "
            r"--model=cyclegan\)\.$",
        ),
        ({"clusters": 0}, {"pool_size": 2}, "gan", "^--pool_size does not"),
        (
            {"clusters": 0},
            {"cluster_features": "pixels"},
            "gan",
            "^--cluster_features applies to --clusters of 2 or more",
        ),
        (
            {"conditional": True},
            {"cluster_features": "hog"},
            "conditional",
            "^--cluster_features applies to --clusters; a conditional GAN",
        ),
        (
            {"model": "mlp_2d"},
            {"cluster_features": "pixels"},
            "points",
            "^--cluster_features applies to the dcgan presets with",
        ),
        (
            {"conditional": True},
            {"clusters": 10},
            "conditional",
            "^--clusters and --conditional exclude each other",
        ),
        (
            {"conditional": True},
            {"generator": "unet"},
            "conditional",
            "^--generator does not apply to --model=dcgan_28",
        ),
        (
            {"model": "mlp_2d"},
            {"clusters": 5},
            "points",
            "^--clusters applies to the dcgan presets",
        ),
        (
            {"model": "mlp_2d"},
            {"conditional": True},
            "points",
            "^--conditional does not apply to --model=mlp_2d",
        ),
        (
            {"model": "cyclegan"},
            {"latent_dim": 8, "ema": 0.9},
            "cyclegan",
            r"^--latent_dim, --ema does not apply to --model=cyclegan \(a "
            r"setting of the GAN presets\)\.$",
        ),
        (
            {"model": "cyclegan"},
            {"clusters": 5},
            "cyclegan",
            "^--clusters does not apply to --model=cyclegan",
        ),
        # Given at the recipe's own value: refused all the same, since a
        # flag the run ignores would be silently lost.
        (
            {"conditional": True},
            {"clusters": 25},
            "conditional",
            "^--clusters and --conditional exclude each other",
        ),
        (
            {},
            {"generator": "resnet"},
            "clustered",
            "^--generator does not apply to --model=dcgan_28",
        ),
        (
            {"model": "cyclegan"},
            {"ema": 0.999},
            "cyclegan",
            "^--ema does not apply to --model=cyclegan",
        ),
        (
            {"model": "cyclegan"},
            {"augment": "diffaugment"},
            "cyclegan",
            r"^--augment does not apply to --model=cyclegan \(a setting of "
            r"the dcgan presets, whose discriminators see images\)\.$",
        ),
        (
            {"model": "mlp_2d"},
            {"augment": "none"},
            "points",
            r"^--augment transforms images; --model mlp_2d trains on 2-D "
            r"points\. Drop --augment\.$",
        ),
    ],
)
def test_a_setting_its_kind_does_not_read_is_refused(
    tmp_path, capsys, base, refused, kind, message
):
    assert kinds.kind_of(train_lib.TrainConfig(**base)).name == kind
    assert not set(refused) & kinds.KINDS[kind].reads
    # The Python call and the command refuse it in the same place.
    with pytest.raises(ValueError, match=message):
        train_lib.TrainConfig(**base, **refused)
    argv = ["train", f"--run_dir={tmp_path}", *_argv({**base, **refused})]
    assert train_lib.main(argv) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert re.search(message, lines[0].removeprefix("error: ")), err
    assert len(lines) <= 2 and "Traceback" not in err


def test_augment_is_auto_in_the_image_recipes_and_read_by_image_gans():
    # auto on the image presets (ADA for small folders), off elsewhere.
    assert {
        name: r.augment
        for name, r in train_lib.RECIPES.items()
        if r.augment != "none"
    } == {"dcgan_28": "auto", "dcgan_32": "auto", "dcgan_64": "auto"}
    for base in ({}, {"clusters": 0}, {"conditional": True}):
        config = train_lib.TrainConfig(**base, augment="ada")
        assert config.augment == "ada"
        assert "augment" in kinds.kind_of(config).reads
    with pytest.raises(ValueError, match="--augment.*'diffaugment'"):
        train_lib.TrainConfig(augment="diffaug")


def test_each_kind_reads_its_own_settings():
    assert kinds.kind_of(train_lib.TrainConfig()).name == "clustered"
    assert kinds.kind_of(train_lib.TrainConfig(clusters=0)).name == "gan"
    conditional = train_lib.TrainConfig(conditional=True)
    assert kinds.kind_of(conditional).name == "conditional"
    points = train_lib.TrainConfig(model="mlp_2d")
    assert kinds.kind_of(points).name == "points"
    assert kinds.kind_of(train_lib.TrainConfig(model="cyclegan")).name == (
        "cyclegan"
    )
    table = kinds.KINDS
    assert "clusters" not in table["conditional"].reads
    assert "clusters" not in table["points"].reads
    assert "cluster_features" in table["clustered"].reads
    for name in ("gan", "conditional", "points", "cyclegan"):
        assert "cluster_features" not in table[name].reads
    assert "generator" in table["cyclegan"].reads
    assert "latent_dim" not in table["cyclegan"].reads


def test_each_flag_has_its_help_written_once(capsys):
    helps = config_lib.helps()
    fields = [f.name for f in dataclasses.fields(train_lib.TrainConfig)]
    assert list(helps) == fields and all(helps.values())
    assert train_lib.main(["train", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for name, text in helps.items():
        assert f"--{name}: {' '.join(text.split())}" in out.replace(
            "--[no]", "--"
        ), name
