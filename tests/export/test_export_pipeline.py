"""run_export and the output directory: refusals, overwrite, no debris."""

import json

import pytest
from export_testutil import quick_config, small_gan

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
    (out / "generator_int8.tflite").write_bytes(b"another model's")
    (out / "saved_model").mkdir()
    (out / "saved_model" / "saved_model.pb").write_bytes(b"stale")
    (out / "saved_model" / "leftover.txt").write_bytes(b"stale")
    report = export.run_export(
        quick_config(tmp_path, overwrite=True, num_verify=2)
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "export_report.json",
        "generator_float32.tflite",
        "generator_int8.tflite",
        "mine.png",
        "saved_model",
    ]
    assert (out / "mine.png").read_bytes() == b"x"
    assert (out / "generator_float32.tflite").read_bytes()[4:8] == b"TFL3"
    assert not (out / "saved_model" / "leftover.txt").exists()
    # A file this export did not write is named, not passed off as checked.
    assert report.not_covered == ["generator_int8.tflite"]
    assert "not checked): generator_int8.tflite" in report.to_text()


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


def test_successive_exports_of_one_model_add_up(tmp_path):
    # The README's sequence: LiteRT files first, then other formats into
    # the same folder, without --overwrite; one report covers all.
    model = tmp_path / "model.keras"
    small_gan(seed=4).save(model)
    first = export.run_export(
        quick_config(tmp_path, model=model, formats="tflite", num_verify=2)
    )
    second = export.run_export(
        quick_config(tmp_path, model=model, formats="saved_model", num_verify=2)
    )
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "export_report.json",
        "generator_float32.tflite",
        "saved_model",
    ]
    assert [f.path for f in second.files] == [
        "saved_model",
        "generator_float32.tflite",
    ]
    assert second.file("saved_model").exported == second.created
    kept = second.file("generator_float32.tflite")
    assert kept == first.file("generator_float32.tflite")
    assert kept.exported == first.created
    assert "Kept from an earlier export" in second.to_text()
    saved = json.loads((out / "export_report.json").read_text())
    assert [f["path"] for f in saved["files"]] == [f.path for f in second.files]
    assert saved["not_covered"] == []
    # Other settings (uint8 pixels) are not the same export: refused.
    with pytest.raises(FileExistsError, match="not an earlier export"):
        export.run_export(
            quick_config(tmp_path, model=model, formats="tflite", uint8=True)
        )
