"""tfgan-sample: PNG grids and files, labels, CycleGAN inputs, plain errors."""

import pathlib
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite
from tfgan_lite import models
from tfgan_lite._pixels import to_uint8
from tfgan_lite.callbacks import cycle_grid, make_grid
from tfgan_lite.callbacks._grid import label_rows
from tfgan_lite.commands import sample as sample_lib

_FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
_CONDITIONAL = str(_FIXTURES / "run_dirs" / "conditional" / "model.keras")
_CYCLEGAN = str(_FIXTURES / "run_dirs" / "cyclegan" / "model.keras")


@pytest.fixture(scope="module")
def gan_file(tmp_path_factory):
    gan = tfgan_lite.GAN(
        *models.dcgan_28(latent_dim=8, width=4), seed=0, ema=True
    )
    gan.compile()
    # EMA weights unlike the generator's, so that --noema shows.
    ema = gan.ema_generator
    ema.set_weights([w + 0.3 for w in ema.get_weights()])
    path = tmp_path_factory.mktemp("gan") / "model.keras"
    gan.save(path)
    return str(path)


_LOADED = {}


@pytest.fixture(autouse=True)
def _load_each_file_once(monkeypatch):
    # Loading a .keras file takes most of a call's time; the command's own
    # loader still reads each file once (and every broken one).
    load = sample_lib._load_model

    def cached(path):
        if path not in _LOADED:
            _LOADED[path] = load(path)
        return _LOADED[path]

    monkeypatch.setattr(sample_lib, "_load_model", cached)


def _png(path):
    return tf.io.decode_png(tf.io.read_file(str(path))).numpy()


def test_a_grid_holds_the_seeded_samples_and_the_seed_repeats(
    gan_file, tmp_path, capsys
):
    out = tmp_path / "grid.png"
    argv = ["s", f"--model={gan_file}", "--grid", "--count=6", "--seed=2"]
    assert sample_lib.main([*argv, f"--out={out}"]) == 0
    assert capsys.readouterr().out == f"Wrote {out}\n"
    gan = sample_lib._load_model(gan_file)
    expected = make_grid(gan.generate(6, seed=2))
    # Each pixel drawn 3 x 3: 28-pixel cells become 84 pixels, >= 80.
    np.testing.assert_array_equal(
        _png(out), expected.repeat(3, axis=0).repeat(3, axis=1)
    )
    # The same seed, the same bytes; --noema samples the raw generator.
    again = tmp_path / "again.png"
    assert sample_lib.main([*argv, f"--out={again}"]) == 0
    assert again.read_bytes() == out.read_bytes()
    raw = tmp_path / "raw.png"
    assert sample_lib.main([*argv, f"--out={raw}", "--noema"]) == 0
    np.testing.assert_array_equal(
        _png(raw)[::3, ::3], make_grid(gan.generate(6, seed=2, use_ema=False))
    )
    assert raw.read_bytes() != out.read_bytes()


def test_single_files_are_the_samples_pixels(gan_file, tmp_path, capsys):
    folder = tmp_path / "out"
    argv = ["s", f"--model={gan_file}", "--count=3", f"--out={folder}"]
    assert sample_lib.main(argv) == 0
    assert capsys.readouterr().out == (
        f"Wrote 3 PNG files to {folder}/ (sample_0000.png ... "
        "sample_0002.png)\n"
    )
    assert sorted(p.name for p in folder.iterdir()) == [
        "sample_0000.png",
        "sample_0001.png",
        "sample_0002.png",
    ]
    samples = sample_lib._load_model(gan_file).generate(3, seed=0)
    for i, image in enumerate(to_uint8(samples).numpy()):
        np.testing.assert_array_equal(
            _png(folder / f"sample_{i:04d}.png"), image
        )


def test_a_conditional_grid_has_a_labelled_row_per_class(tmp_path):
    out = tmp_path / "grid.png"
    argv = ["s", f"--model={_CONDITIONAL}", "--grid", "--labels=3,7"]
    argv.append("--scale=1")
    assert sample_lib.main([*argv, "--count=4", f"--out={out}"]) == 0
    gan = sample_lib._load_model(_CONDITIONAL)
    rows = [gan.generate(2, labels=c, seed=0) for c in (3, 7)]
    grid = make_grid(np.concatenate(rows), rows=2)
    expected = label_rows(grid, [3, 7], cell_height=28, gap=1)
    np.testing.assert_array_equal(_png(out), expected)
    # Files per label: label3_0000.png, label3_0001.png, label7_0000.png.
    folder = tmp_path / "files"
    argv = ["s", f"--model={_CONDITIONAL}", "--labels=3,7", "--count=4"]
    assert sample_lib.main([*argv, f"--out={folder}"]) == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        "label3_0000.png",
        "label3_0001.png",
        "label7_0000.png",
        "label7_0001.png",
    ]
    np.testing.assert_array_equal(
        _png(folder / "label7_0001.png"), to_uint8(rows[1][1]).numpy()
    )


def test_row_labels_are_drawn_in_digits():
    grid = make_grid(np.zeros((2, 10, 10, 1), np.float32), rows=2, gap=1)
    labelled = label_rows(grid, [1, 0], cell_height=10, gap=1)
    strip = labelled[:, : labelled.shape[1] - grid.shape[1], 0] // 255
    # "1" (rows 2-6 of the top cell) and "0" (rows 13-17), 3 x 5 pixels.
    np.testing.assert_array_equal(
        strip[2:7, 1:4],
        [[0, 1, 0], [1, 1, 0], [0, 1, 0], [0, 1, 0], [1, 1, 1]],
    )
    np.testing.assert_array_equal(
        strip[13:18, 1:4],
        [[1, 1, 1], [1, 0, 1], [1, 0, 1], [1, 0, 1], [1, 1, 1]],
    )
    assert strip.sum() == 8 + 12
    np.testing.assert_array_equal(labelled[:, strip.shape[1] :], grid)


def test_a_cyclegan_translates_the_images_given(tmp_path, capsys):
    assert sample_lib.main(["s", f"--model={_CYCLEGAN}", "--grid"]) == 2
    assert "pass --images=FILE" in capsys.readouterr().err
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (3, 16, 16, 1)).astype(np.float32)
    np.save(tmp_path / "x.npy", images)
    out = tmp_path / "cycle.png"
    argv = ["s", f"--model={_CYCLEGAN}", f"--images={tmp_path / 'x.npy'}"]
    assert sample_lib.main([*argv, "--grid", f"--out={out}"]) == 0
    model = sample_lib._load_model(_CYCLEGAN)
    # 16-pixel images: 5 x 5 pixels each, for cells of 80.
    expected = cycle_grid(model, images).repeat(5, axis=0).repeat(5, axis=1)
    np.testing.assert_array_equal(_png(out), expected)
    # --scale=2: each pixel 2 x 2.
    assert sample_lib.main([*argv, "--grid", "--scale=2", f"--out={out}"]) == 0
    np.testing.assert_array_equal(
        _png(out), expected[::5, ::5].repeat(2, axis=0).repeat(2, axis=1)
    )


@pytest.mark.parametrize(
    "flags,code,message",
    [
        (["--model=missing.keras"], 2, "No model file at 'missing.keras'"),
        (["--labels=3"], 2, "takes no labels. Drop --labels."),
        (["--labels=x"], 2, "--labels must be 'all' or comma-separated"),
        (["--count=0"], 2, "--count must be a positive int, got --count=0"),
        (["--scale=-1"], 2, "--scale must be"),
        (["--grid", "--out=grid.jpg"], 2, "--out must end in .png"),
    ],
)
def test_mistakes_end_in_one_line_and_exit_2(
    gan_file, flags, code, message, capsys
):
    assert sample_lib.main(["s", f"--model={gan_file}", *flags]) == code
    err = capsys.readouterr().err
    assert err.startswith("tfgan-sample: error: ") and message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_labels_beyond_the_classes_and_corrupt_files(tmp_path, capsys):
    argv = ["s", f"--model={_CONDITIONAL}", "--labels=2,10", "--grid"]
    assert sample_lib.main([*argv, f"--out={tmp_path / 'g.png'}"]) == 2
    assert "has 10 classes (ids 0 to 9); got 10." in capsys.readouterr().err
    broken = tmp_path / "model.keras"
    broken.write_bytes(b"not a zip")
    assert sample_lib.main(["s", f"--model={broken}"]) == 1
    assert "Could not load" in capsys.readouterr().err


def test_usage_errors_come_before_tensorflow_loads():
    code = (
        "import sys\n"
        "from tfgan_lite.commands import sample\n"
        "codes = [sample.main(['s', '--labels=a']),\n"
        "         sample.main(['s', '--model=missing.keras']),\n"
        "         sample.main(['s', '--help'])]\n"
        "print(codes, 'tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.splitlines()[-1] == "[2, 2, 0] False False"
    assert "usage: tfgan-sample" in done.stdout
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 2
