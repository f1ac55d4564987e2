"""The report helpers of benchmarks/harness.py."""

import harness
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
