"""The pure parts of benchmarks/mode_collapse.py, and one tiny run."""

import dataclasses

import harness
import mode_collapse as mc
import numpy as np
import pytest
import stacked

from tfgan_lite.callbacks import scatter
from tfgan_lite.train import TrainConfig

_MODES = {"ring": 8, "grid": 25}


def test_published_table_is_well_formed():
    for row in mc.PUBLISHED:
        assert row.problem in mc.PROBLEMS
        assert 0 < row.modes <= _MODES[row.problem]
        assert 0 < row.high_quality <= 100
    keys = [(p.method, p.problem) for p in mc.PUBLISHED]
    assert len(keys) == len(set(keys))
    table = {
        (p.method, p.problem): (p.modes, p.high_quality) for p in mc.PUBLISHED
    }
    assert table == {
        ("GAN", "ring"): (6.3, 98.2),
        ("GAN", "grid"): (17.3, 94.8),
        ("PacGAN4", "ring"): (7.8, 95.9),
        ("PacGAN4", "grid"): (24.8, 93.6),
        ("VEEGAN", "grid"): (24.6, 40.0),
    }


def test_published_rows_fit_the_results_table():
    rows = mc.published_rows("grid")

    assert [r[0] for r in rows] == [
        "GAN (PacGAN, Table 1)",
        "PacGAN4 (PacGAN, Table 1)",
        "VEEGAN (VEEGAN, Table 1)",
    ]
    assert all(len(r) == len(mc.TABLE_HEADER) for r in rows)
    assert rows[0][2:4] == ["17.3", "94.8"]
    assert rows[0][4:] == ["", "", ""]


def _is_dark(pixel) -> bool:
    # Every channel dark: the sample dots, not the red center marks.
    return int(np.max(pixel)) < 150


def test_render_figure_puts_the_zoom_beside_the_full_view():
    problem = mc._problems()["grid"]
    first = problem.centers[0]

    image = mc.render_figure(first[None], problem, size=61)

    assert image.shape == (61, 61 + 4 + 61, 3)
    assert tuple(image[30, 63]) == scatter._GAP
    # The zoom is centered on the first center: its sample sits in the
    # middle of the right panel, under the center's cross, dark around it.
    zoom = image[:, 65:]
    assert _is_dark(zoom[28, 28]) and _is_dark(zoom[32, 32])
    assert (zoom[2, 2] == 255).all()
    # In the full view (-5.5..5.5), (-4, -4) is at column 8, row 52; the
    # cross covers that row and column, the dot the diagonal next to it.
    assert _is_dark(image[51, 9])


def test_write_png_round_trips(tmp_path):
    import tensorflow as tf

    image = np.zeros((4, 5, 3), np.uint8)
    image[1, 2] = (10, 20, 30)
    path = str(tmp_path / "sub" / "x.png")

    mc.write_png(image, path)

    decoded = tf.io.decode_png(tf.io.read_file(path)).numpy()
    np.testing.assert_array_equal(decoded, image)


def test_overrides_and_variants():
    config = harness.apply_overrides(
        mc.RECIPE, ["r1_penalty=1", "ema=0.99", "steps=1000"]
    )

    assert (config.r1_penalty, config.ema, config.steps) == (1.0, 0.99, 1000)
    with pytest.raises(ValueError, match="name=value"):
        harness.apply_overrides(mc.RECIPE, ["nope=1"])
    with pytest.raises(ValueError, match="name=value"):
        harness.apply_overrides(mc.RECIPE, ["ema"])
    table = mc.variants(config)
    assert set(table) == set(mc.VARIANTS)
    plain = table["plain"].config
    total = harness.total_steps
    assert total(plain) * plain.batch_size == total(config) * config.batch_size
    assert (plain.width, plain.latent_dim, plain.lr) == (64, 64, 2e-4)
    assert table["default"] == harness.Variant(config)
    assert table["pack4"] == harness.Variant(config, {"pack": 4})
    assert table["mbstd"] == harness.Variant(config, {"minibatch_stddev": True})
    # The recipe is the train command's.
    recipe = TrainConfig(model="mlp_2d")
    assert total(mc.RECIPE) == total(recipe) == 45_000
    assert dataclasses.replace(mc.RECIPE, epochs=45, steps=1000) == recipe


def test_plain_seconds_parse_per_problem():
    from absl import app

    assert mc._parse_seconds(["ring:118", "grid: 199.5"]) == {
        "ring": 118.0,
        "grid": 199.5,
    }
    assert mc._parse_seconds([]) == {}
    with pytest.raises(app.UsageError, match="problem:seconds"):
        mc._parse_seconds(["120"])


def _cells(report, name):
    rows = [line for line in report if line.startswith(f"| {name} |")]
    assert len(rows) == 1
    return [c.strip() for c in rows[0].strip("|").split("|")]


def test_quick_run_on_the_ring_reports_rows_and_a_picture(tmp_path):
    recipe = harness.with_steps(
        dataclasses.replace(mc.RECIPE, width=16, batch_size=64), 5
    )

    report = mc.run_benchmark(
        ["ring"], ["default", "plain"], recipe, [0], plot_dir=str(tmp_path)
    )

    default = _cells(report, "default")
    assert default[1] == "1"
    assert 0 <= float(default[2]) <= 8
    assert 0 <= float(default[3]) <= 100
    assert default[5] == "5"
    # plain has default's time, but never more points than default saw.
    assert 1 <= int(_cells(report, "plain")[5]) <= 5
    assert any(line.startswith("| GAN (PacGAN") for line in report)
    picture = tmp_path / "mode_collapse_ring.png"
    assert picture.read_bytes().startswith(b"\x89PNG")


def test_stacked_variants_see_as_many_images_and_cite_table_2():
    recipe = harness.with_steps(stacked.RECIPE, 300)

    table = stacked.variants(recipe)

    assert set(table) == set(mc.VARIANTS)
    plain = table["plain"].config
    total = harness.total_steps
    assert total(plain) * plain.batch_size == total(recipe) * recipe.batch_size
    assert (plain.lr, plain.r1_penalty, plain.batch_size) == (2e-4, 0.0, 64)
    assert table["pack4"] == harness.Variant(recipe, {"pack": 4})
    # The default is the train command's recipe.
    config = TrainConfig()
    assert (recipe.batch_size, recipe.lr, recipe.r1_penalty, recipe.width) == (
        config.batch_size,
        config.lr,
        config.r1_penalty,
        config.width,
    )
    rows = stacked.published_rows()
    assert [r[0] for r in rows] == [
        "DCGAN (PacGAN, Table 2)",
        "PacDCGAN2-4 (PacGAN, Table 2)",
    ]
    assert rows[0][2:4] == ["99", "3.40"]
    assert all(len(r) == len(stacked.TABLE_HEADER) for r in rows)


def test_quick_stacked_run_reports_modes_kl_and_a_grid(tmp_path):
    recipe = harness.with_steps(
        dataclasses.replace(
            stacked.RECIPE, width=8, latent_dim=8, batch_size=8
        ),
        4,
    )

    report = mc.run_benchmark(
        ["stacked"],
        ["default"],
        mc.RECIPE,
        [0],
        stacked_recipe=recipe,
        stacked_samples=300,
        plot_dir=str(tmp_path),
    )

    cells = _cells(report, "default")
    modes, kl = int(float(cells[2])), float(cells[3])
    assert 1 <= modes <= 300
    # A histogram over m of 1,000 modes has KL to uniform at least
    # log(1000 / m), with equality for an even spread.
    assert np.log(1000 / modes) - 1e-3 <= kl <= np.log(1000) + 1e-3
    assert cells[4] == "4"
    assert not any(line.startswith("- default: G ") for line in report)
    real = _cells(report, "real stacked digits (300)")
    # 300 real images over 1,000 modes: about 260 distinct (the expected
    # count is 1000 * (1 - 0.999**300) = 259), each seen about once.
    assert 230 <= int(real[2]) <= 290
    assert np.log(1000 / int(real[2])) - 1e-3 <= float(real[3]) <= 1.5
    grid = tmp_path / "mode_collapse_stacked.png"
    assert grid.read_bytes().startswith(b"\x89PNG")
