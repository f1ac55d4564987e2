"""The report helpers of benchmarks/harness.py."""

import math

import harness
import numpy as np
import pytest


def test_markdown_table_aligns_columns_and_keeps_empty_cells():
    lines = harness.markdown_table(
        ("row", "images/s", "note"),
        [["a", "1,024", ""], ["f", "", "skipped"]],
        align="lrl",
    )

    assert lines == [
        "| row | images/s | note |",
        "| --- | ---: | --- |",
        "| a | 1,024 | |",
        "| f | | skipped |",
    ]


@pytest.mark.parametrize(
    "rows, align, message",
    [
        ([["a", "b"]], "lx", "`align` must hold"),
        ([["a", "b"]], "l", "`align` must hold"),
        ([["a"]], None, "Each row must have 2 cells"),
    ],
)
def test_markdown_table_refuses_mismatched_shapes(rows, align, message):
    with pytest.raises(ValueError, match=message):
        harness.markdown_table(("x", "y"), rows, align=align)


def test_machine_description_extends_the_package_one():
    from tfgan_lite.export import measures

    machine = harness.machine_description()

    assert {k: machine[k] for k in ("cpu", "cores", "system")} == (
        measures.machine_description()
    )
    assert machine["logical_cores"] >= machine["cores"] >= 1
    assert machine["gpus"] >= 0


def test_format_mean_se_by_hand():
    # mean 2.5; sample std sqrt(5/3) = 1.29099; se = 1.29099 / 2 = 0.645497.
    assert harness.format_mean_se([1, 2, 3, 4]) == "2.5 ± 0.6"
    assert harness.format_mean_se([1, 2, 3, 4], digits=3) == "2.500 ± 0.645"
    # mean 2, std sqrt(2), se sqrt(2) / sqrt(2) = 1; the NaN is counted.
    assert harness.format_mean_se([math.nan, 1.0, 3.0]) == "2.0 ± 1.0 (1 NaN)"
    assert harness.format_mean_se([25, 25, 25]) == "25.0 ± 0.0"
    assert harness.format_mean_se([7]) == "7.0"
    assert harness.format_mean_se([math.nan]) == "NaN"


def test_mean_se_matches_numpy():
    values = [0.91, 0.97, 0.95, 0.99, 0.96]
    mean, se = harness.mean_se(values)
    np.testing.assert_allclose(mean, np.mean(values))
    np.testing.assert_allclose(se, np.std(values, ddof=1) / np.sqrt(5))


def test_command_line_names_the_interpreter_without_its_path():
    line = harness.command_line(
        ["/opt/env/bin/python3.11", "benchmarks/x.py", "--tag=a b"]
    )
    assert line == "python3.11 benchmarks/x.py '--tag=a b'"
