"""run_export and the output directory: refusals, overwrite, no debris."""

import pytest
from export_testutil import quick_config

from tfgan_lite import export


def test_non_empty_out_dir_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.png").write_bytes(b"x")
    with pytest.raises(FileExistsError, match=r"already holds files \(mine"):
        export.run_export(quick_config(tmp_path, formats=("tflite",)))
    assert sorted(p.name for p in out.iterdir()) == ["mine.png"]


def test_overwrite_replaces_only_export_files(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.png").write_bytes(b"x")
    (out / "generator_float32.tflite").write_bytes(b"stale")
    (out / "saved_model").mkdir()
    (out / "saved_model" / "saved_model.pb").write_bytes(b"stale")
    (out / "saved_model" / "leftover.txt").write_bytes(b"stale")
    export.run_export(quick_config(tmp_path, overwrite=True, num_verify=2))
    assert sorted(p.name for p in out.iterdir()) == [
        "export_report.json",
        "generator_float32.tflite",
        "mine.png",
        "saved_model",
    ]
    assert (out / "mine.png").read_bytes() == b"x"
    assert (out / "generator_float32.tflite").read_bytes()[4:8] == b"TFL3"
    assert not (out / "saved_model" / "leftover.txt").exists()


def test_overwrite_never_deletes_a_foreign_saved_model_dir(tmp_path):
    out = tmp_path / "out"
    (out / "saved_model").mkdir(parents=True)
    (out / "saved_model" / "photo.jpg").write_bytes(b"x")
    with pytest.raises(FileExistsError, match="is not a SavedModel"):
        export.run_export(quick_config(tmp_path, overwrite=True))
    assert (out / "saved_model" / "photo.jpg").exists()


def test_out_is_a_file(tmp_path):
    (tmp_path / "out").write_text("x")
    with pytest.raises(NotADirectoryError, match="expected a directory"):
        export.run_export(quick_config(tmp_path))


def test_bad_model_leaves_no_out_dir(tmp_path):
    with pytest.raises(FileNotFoundError):
        export.run_export(quick_config(tmp_path, model=tmp_path / "no.keras"))
    assert not (tmp_path / "out").exists()
