"""benchmarks/small_data.py: its split, its figures and a two-step run."""

import math

import numpy as np
import pytest
import small_data as sd
from PIL import Image


def test_the_pool_and_the_held_out_digits_cover_all_once():
    pool, rest = sd.split(1_797, 300)

    assert len(pool) == 300 and len(rest) == 1_497
    np.testing.assert_array_equal(
        np.sort(np.concatenate([pool, rest])), np.arange(1_797)
    )
    # The same seed, the same subsets.
    np.testing.assert_array_equal(pool, sd.split(1_797, 300)[0])


@pytest.mark.parametrize("pool", [0, 1_794])
def test_a_pool_that_leaves_too_few_held_out_is_refused(pool):
    with pytest.raises(ValueError, match="at least 4 held out"):
        sd.split(1_797, pool)


def test_frame_mean_reads_only_the_outer_pixels():
    images = np.full((2, 8, 8, 1), 1.0, np.float32)
    images[:, 3:5, 3:5] = -1.0  # The centre: not part of a 3-pixel frame.
    images[1, 0, :] = 0.0  # 8 of the frame's 2 x 60 pixels.

    assert sd.frame_mean(images) == pytest.approx(1.0 - 8 / 120, abs=1e-7)


def _result(arm, seed, fd):
    return sd.Result(300, arm, seed, fd, 9.0, -0.9, None, 10.0)


def test_summary_rows_give_the_change_from_none():
    rows = sd.summary_rows(
        [
            _result("ada", 0, 6.0),
            _result("none", 0, 10.0),
            _result("none", 1, 14.0),
            _result("ada", 1, 2.4),
        ]
    )

    # none first; ada's mean 4.2 against none's 12: -65%.
    assert [row[:3] for row in rows] == [
        ["300", "none", "0,1"],
        ["300", "ada", "0,1"],
    ]
    assert rows[0][3] == "12.00 ± 2.00" and rows[0][5] == ""
    assert rows[1][3] == "4.20 ± 1.80" and rows[1][5] == "-65%"


def _table(lines, header):
    start = lines.index("| " + " | ".join(header) + " |")
    body = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        body.append([cell.strip() for cell in line.strip("|").split("|")])
    return body


def test_a_two_step_run_reports_every_arm(tmp_path):
    progress = []
    # Loaded before the runs, as run() loads them: the loader's shuffle
    # depends on the global seed, which the runs set.
    source = sd.digits_data(40, 200)
    text = sd.run(
        sizes=(40,),
        seeds=(0,),
        steps=2,
        batch=8,
        width=8,
        held_out=200,
        num_generated=100,
        grids=str(tmp_path),
        log=progress.append,
    )
    lines = text.splitlines()

    summary = _table(lines, sd.SUMMARY_HEADER)
    assert [row[:3] for row in summary] == [["40", arm, "0"] for arm in sd.ARMS]
    runs = _table(lines, sd.RUN_HEADER)
    assert [row[1] for row in runs] == list(sd.ARMS)
    for row in runs:
        fd, score, frame = (float(cell) for cell in row[3:6])
        assert math.isfinite(fd) and fd >= 0
        assert 1.0 <= score <= 10.0
        assert -1.0 <= frame <= 1.0
    # Only ADA has a probability, and two steps leave it in [0, 1].
    assert [row[6] == "" for row in runs] == [True, True, False]
    assert 0.0 <= float(runs[2][6]) <= 1.0
    assert "- Data: the bundled digits, 200 held out" in text
    # The 40 training images themselves, scored as each run's 100 samples.
    [floor] = _table(lines, sd.MEMORISED_HEADER)
    scored = source.reference.compare(
        np.concatenate([source.images[source.pool]] * 3)[:100]
    )
    assert floor == [
        "40",
        f"{scored.generated['fd']:.2f}",
        f"{scored.generated['classifier_score']:.2f}",
    ]
    assert len(progress) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["held_out.png"] + [f"40_{arm}_seed0.png" for arm in sd.ARMS]
    )


def test_the_plot_draws_each_arm_present(tmp_path):
    results = [
        sd.Result(size, arm, seed, 30.0 / (i + 1) + seed, 6.0, -0.6, None, 1.0)
        for i, arm in enumerate(("none", "ada"))
        for size in (100, 300, 1000)
        for seed in (0, 1)
    ]
    plot = tmp_path / "plots" / "small.png"
    sd.write_plot(
        results, plot, real={"fd": 2.4, "classifier_score": 9.1}, title="t"
    )
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(plot) as image:
        image.load()
        assert image.width > image.height > 0  # Two panels side by side.
        colours = {c for _, c in image.convert("RGB").getcolors(1 << 20)}
    # tab10 blue (none) and green (ada) are drawn; orange (diffaugment),
    # absent from the results, is not.
    assert {(31, 119, 180), (44, 160, 44)} <= colours
    assert (255, 127, 14) not in colours
