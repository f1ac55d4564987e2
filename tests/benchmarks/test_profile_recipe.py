"""Tests for benchmarks/profile_recipe.py on a run of a few steps."""

import profile_recipe


def test_every_variant_changes_settings_the_command_reads():
    from tfgan_lite.commands.config import TrainConfig

    recipe = TrainConfig()
    for name, (_, settings) in profile_recipe.VARIANTS.items():
        config = profile_recipe._config(settings)
        if name == "recipe":
            assert config == recipe
        else:
            assert config != recipe, name


def test_the_run_split_counts_each_step_once_and_adds_up():
    lines = profile_recipe.profile_run(
        [
            "width=4",
            "clusters=0",
            "epochs=2",
            "steps=5",
            "batch_size=8",
            "metrics_every=0",
        ]
    )
    rows = {
        cells[1].strip(): cells[2:]
        for cells in (line.split("|") for line in lines if line.count("|") > 4)
    }
    seconds, calls, _ = (c.strip() for c in rows["training steps"][:3])
    assert calls == "10", rows  # One call of the train function a step.
    total = float(rows["**the run**"][0].strip("* "))
    parts = [
        float(v[0])
        for k, v in rows.items()
        if k not in ("part", "---", "**the run**")
    ]
    assert 0 < float(seconds) < total
    assert abs(sum(parts) - total) < 0.2 * len(parts)
