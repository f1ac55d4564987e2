"""Truncated and corrupt model files: each a clear error naming the file.

The policy: a model file that exists but cannot be read (a ``.keras``
archive, a run's backup, a SavedModel, a ``.tflite`` file) raises
``CorruptFileError``, a ValueError whose message names the file and says
what to do; the commands exit with status 1 and print it on one paragraph,
without a traceback. Every file here is written whole, then cut by the test.
"""

import os
import re
import zipfile

import numpy as np
import pytest

import tfgan_lite
from tfgan_lite import _files
from tfgan_lite import evaluate as evaluate_lib
from tfgan_lite import train as train_lib
from tfgan_lite.export import cli as export_cli
from tfgan_lite.export import litert
from tfgan_lite.export import saved_model as saved_model_lib


def _cut(path, keep=0.5):
    """Truncates a file to a fraction of its bytes, as a failed copy does."""
    content = path.read_bytes()
    path.write_bytes(content[: int(len(content) * keep)])


@pytest.fixture(scope="module")
def gan_file(points_gan_file):
    return points_gan_file


@pytest.fixture(scope="module")
def exported(tmp_path_factory, gan_file):
    """A SavedModel directory and the bytes of its float32 LiteRT file."""
    out = tmp_path_factory.mktemp("export")
    spec = tfgan_lite.export.load_generator(gan_file)
    saved = saved_model_lib.export_saved_model(spec, out / "saved_model")
    content = litert.convert_generator(spec, variants=["float32"])
    return saved, content["float32"]


def _copy(source, target):
    target.write_bytes(source.read_bytes())
    return target


@pytest.fixture
def truncated_keras(tmp_path, gan_file):
    path = _copy(gan_file, tmp_path / "model.keras")
    _cut(path)
    return path


def _assert_names(error_text, path, *words):
    assert str(path) in error_text, error_text
    for word in words:
        assert word in error_text, error_text


def test_truncated_keras_file_is_named_with_what_to_do(truncated_keras):
    with pytest.raises(_files.CorruptFileError) as info:
        tfgan_lite.export.load_generator(truncated_keras)
    _assert_names(str(info.value), truncated_keras, "truncated", "again")
    assert info.value.path == str(truncated_keras)
    # Library callers that catch bad inputs keep catching it.
    assert isinstance(info.value, ValueError)


def test_keras_archive_with_a_damaged_member_fails_its_checksum(
    tmp_path, gan_file
):
    path = _copy(gan_file, tmp_path / "model.keras")
    with zipfile.ZipFile(path) as archive:
        member = max(archive.infolist(), key=lambda m: m.compress_size)
    content = bytearray(path.read_bytes())
    # A run of bytes inside the largest member's data, headers left whole.
    start = member.header_offset + 100
    content[start : start + 16] = bytes(16)
    path.write_bytes(bytes(content))
    with pytest.raises(_files.CorruptFileError) as info:
        tfgan_lite.export.load_generator(path)
    _assert_names(str(info.value), path, member.filename)


def test_evaluate_exits_1_naming_a_truncated_model(truncated_keras, capsys):
    code = evaluate_lib.main(["evaluate", f"--model={truncated_keras}"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: ") and "Traceback" not in err
    _assert_names(err, truncated_keras, "truncated", "checkpoints/last.keras")


def test_export_exits_1_naming_a_truncated_model(
    truncated_keras, tmp_path, capsys
):
    out = tmp_path / "out"
    code = export_cli.main(["--model", str(truncated_keras), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("tfgan-export: error: ") and "Traceback" not in err
    _assert_names(err, truncated_keras, "truncated")
    assert not out.exists()


def test_train_exits_1_naming_a_truncated_backup(tmp_path, capsys):
    """Every file of the backup a run resumes from (RUN_DIR/backup) cut.

    Through the command only: a first run writes the backup, the test cuts
    each of its files in half, and running the command again must stop
    with status 1, naming the folder and how to start over.
    """
    run_dir = tmp_path / "run"
    argv = [
        "train",
        "--model=mlp_2d",
        "--dataset=ring",
        "--steps=2",
        "--batch_size=8",
        "--width=8",
        f"--run_dir={run_dir}",
    ]
    assert train_lib.main([*argv, "--epochs=1"]) == 0
    capsys.readouterr()
    backup = run_dir / "backup"
    files = [p for p in backup.rglob("*") if p.is_file()]
    assert files
    for path in files:
        _cut(path)
    code = train_lib.main([*argv, "--epochs=2"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert err.startswith("error: ") and "Traceback" not in err
    assert str(backup) in err and re.search("(?i)delete|remove", err), err


@pytest.mark.parametrize("keep", [0.5, 0.0])
def test_truncated_tflite_is_named_with_what_to_do(tmp_path, exported, keep):
    path = tmp_path / "generator_float32.tflite"
    path.write_bytes(exported[1])
    _cut(path, keep)
    with pytest.raises(_files.CorruptFileError) as info:
        litert.load_interpreter(path)
    _assert_names(str(info.value), path, "LiteRT", "tfgan-export")
    # The whole file still loads.
    path.write_bytes(exported[1])
    interpreter = litert.load_interpreter(path)
    z = np.zeros((1, 4), np.float32)
    assert litert.run_generate(interpreter, z).shape == (1, 2)


def test_missing_tflite_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="No LiteRT file"):
        litert.load_interpreter(tmp_path / "missing.tflite")


def _saved_copy(source, target):
    for root, _, names in os.walk(source):
        for name in names:
            src = os.path.join(root, name)
            dst = target / os.path.relpath(src, source)
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(open(src, "rb").read())
    return target


def test_saved_model_with_a_truncated_graph(tmp_path, exported):
    saved = _saved_copy(exported[0], tmp_path / "saved_model")
    _cut(saved / "saved_model.pb")
    with pytest.raises(_files.CorruptFileError) as info:
        saved_model_lib.load_saved_model(saved)
    _assert_names(str(info.value), saved, "truncated", "tfgan-export")
    # Conversion reads the same directory and names it the same way.
    with pytest.raises(_files.CorruptFileError, match="saved_model"):
        litert.convert_saved_model(saved, variant="float32")


@pytest.mark.parametrize("change", ["missing", "truncated"])
def test_saved_model_with_a_bad_variables_file(tmp_path, exported, change):
    saved = _saved_copy(exported[0], tmp_path / "saved_model")
    (data,) = (saved / "variables").glob("variables.data-*")
    if change == "missing":
        data.unlink()
    else:
        _cut(data)
    with pytest.raises(_files.CorruptFileError) as info:
        saved_model_lib.load_saved_model(saved)
    _assert_names(str(info.value), saved, "truncated", "tfgan-export")
    if change == "missing":
        assert data.name in str(info.value)


def test_directory_without_a_graph_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="saved_model.pb"):
        saved_model_lib.load_saved_model(tmp_path)
