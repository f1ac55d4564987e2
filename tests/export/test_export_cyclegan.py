"""Export of a CycleGAN's generators: image-to-image SavedModel and LiteRT."""

import json

import flatbuffers
import keras
import numpy as np
import pytest
import tensorflow as tf
from ai_edge_litert import schema_py_generated as schema
from export_testutil import quick_config, small_gan

from tfgan_lite import CycleGAN, export, models
from tfgan_lite.export import cli, verify

SHAPE = (16, 16, 1)
VARIANTS = ("float32", "float16", "int8", "int8_full")
NUM_VERIFY = 4


def _tiny_cyclegan(seed=0):
    keras.utils.set_random_seed(seed)
    nets = [
        models.get("resnet_cyclegan", image_shape=SHAPE, width=4, blocks=1)
        for _ in range(2)
    ]
    (g_xy, d_y), (g_yx, d_x) = nets
    return CycleGAN(g_xy, g_yx, d_x, d_y, pool_size=0, seed=seed)


def _x_images(n=12, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, *SHAPE), np.uint8)


def _expected_uint8(x):
    """The [-1, 1] -> uint8 mapping, written out in numpy."""
    return np.clip(np.round((x.astype(np.float64) + 1) * 127.5), 0, 255)


@pytest.fixture(scope="module")
def cyclegan(tmp_path_factory):
    model = _tiny_cyclegan()
    path = tmp_path_factory.mktemp("cyclegan") / "model.keras"
    model.save(path)
    return model, path


@pytest.fixture(scope="module")
def exported(cyclegan, tmp_path_factory):
    """Both directions, every variant, through the command line."""
    _, path = cyclegan
    root = tmp_path_factory.mktemp("cyclegan_export")
    images = root / "x.npy"
    np.save(images, _x_images())
    out = root / "out"
    status = cli.main(
        [
            "--model",
            str(path),
            "--out",
            str(out),
            "--direction",
            "both",
            "--quantize",
            "float16,int8,int8_full",
            "--calibration_images",
            str(images),
            "--calibration_samples",
            "8",
            "--num_verify",
            str(NUM_VERIFY),
            "--latency_runs",
            "1",
        ]
    )
    assert status == 0
    return out, json.loads((out / "export_report.json").read_text())


def test_report_lists_every_file_with_its_limits(exported):
    out, report = exported
    names = [
        f"generator_{d}_{v}.tflite" for d in ("xy", "yx") for v in VARIANTS
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*names, "saved_model_xy", "saved_model_yx", "export_report.json"]
    )
    assert report["passed"] is True
    assert report["output"] == "float+uint8"
    assert report["generator"]["directions"] == {
        d: {"input_shape": [16, 16, 1], "output_shape": [16, 16, 1]}
        for d in ("xy", "yx")
    }
    assert report["verification"]["num_images"] == NUM_VERIFY
    assert "given images of X" in report["verification"]["calibration"]
    for entry in report["files"]:
        assert entry["passed"] is True
        if entry["variant"] == "float32":
            assert entry["parity_tolerance"] == 1e-5
            assert 0 <= entry["max_abs_error"] <= 1e-5
            assert entry["uint8_parity_tolerance"] == 1.0
            assert 0 <= entry["uint8_max_abs_error"] <= 1.0
            assert entry["min_snr_db_vs_float32"] is None
        else:
            assert entry["parity_tolerance"] is None
            assert entry["min_snr_db_vs_float32"] == 5.0
            assert entry["snr_db_vs_float32"] >= 10.0
            assert entry["max_abs_error_vs_float32"] > 0


@pytest.mark.parametrize("direction", ["xy", "yx"])
def test_saved_model_translates_like_keras(cyclegan, exported, direction):
    model, _ = cyclegan
    out, _ = exported
    loaded = tf.saved_model.load(str(out / f"saved_model_{direction}"))
    translate = loaded.signatures["translate"]
    x = np.random.default_rng(1).uniform(-1, 1, (3, *SHAPE))
    result = translate(images=tf.constant(x, tf.float32))
    expected = model.translate(x, direction=direction)
    translated = result["translated"].numpy()
    np.testing.assert_allclose(translated, expected, atol=1e-5, rtol=0)
    assert translated.std() > 0.05  # Not a constant image.
    pixels = result["translated_uint8"].numpy()
    assert pixels.dtype == np.uint8
    np.testing.assert_array_equal(pixels, _expected_uint8(translated))


def test_litert_files_have_the_translate_signature(cyclegan, exported):
    model, _ = cyclegan
    out, _ = exported
    x = np.random.default_rng(2).uniform(-1, 1, (3, *SHAPE)).astype("f4")
    expected = model.translate(x)
    for variant in VARIANTS:
        content = (out / f"generator_xy_{variant}.tflite").read_bytes()
        export.check_builtin_only(content)
        interpreter = export.load_interpreter(content)
        assert interpreter.get_signature_list() == {
            "translate": {
                "inputs": ["images"],
                "outputs": ["translated", "translated_uint8"],
            }
        }
        got = export.run_translate(interpreter, x)
        assert got["translated"].shape == (3, *SHAPE)
        assert got["translated_uint8"].dtype == np.uint8
        # Each file's uint8 output is its own float output, mapped.
        levels = np.abs(
            got["translated_uint8"] - _expected_uint8(got["translated"])
        )
        assert levels.max() <= 1
    float32 = export.load_interpreter(out / "generator_xy_float32.tflite")
    got = export.run_translate(float32, x)["translated"]
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0)
    ops = export.list_operators(
        (out / "generator_xy_int8_full.tflite").read_bytes()
    )
    assert ops[0].name == "QUANTIZE"
    assert "DEQUANTIZE" in [op.name for op in ops]
    transposed = [op for op in ops if op.name == "TRANSPOSE_CONV"]
    assert len(transposed) == 2
    for op in transposed:
        assert "float32" not in op.input_types + op.output_types, op


def test_calibration_inputs_real_or_noise(cyclegan):
    model, _ = cyclegan
    spec = export.resolve_generator(model)
    x = np.arange(3 * 256, dtype=np.float32).reshape(3, *SHAPE) / 1000
    data = export.representative_inputs(
        spec, num_samples=5, batch_size=2, images=x
    )
    got = np.concatenate([d["images"] for d in data])
    # Three batches of two: the images again from the start.
    np.testing.assert_array_equal(got, x[[0, 1, 2, 0, 1, 2]])
    data = export.representative_inputs(spec, num_samples=3, seed=7)
    noise = np.random.default_rng(7).uniform(-1, 1, (3, *SHAPE))
    got = np.concatenate([d["images"] for d in data])
    np.testing.assert_array_equal(got, noise.astype(np.float32))


def test_generators_per_direction(cyclegan):
    model, _ = cyclegan
    (default,) = export.load_generators(model)
    assert default.direction == "xy" and default.model is model.g_xy
    xy, yx = export.load_generators(model, direction="both")
    assert (xy.direction, yx.direction) == ("xy", "yx")
    assert yx.model is model.g_yx
    x = np.random.default_rng(3).uniform(-1, 1, (2, *SHAPE)).astype("f4")
    np.testing.assert_array_equal(xy.inputs_from_x(x), x)
    np.testing.assert_allclose(
        yx.inputs_from_x(x), model.translate(x), atol=1e-6
    )


def _corrupt_transpose_conv(content: bytes) -> bytes:
    """The file with the weights of its transposed convolutions negated."""
    tree = schema.ModelT.InitFromPackedBuf(bytearray(content), 0)
    graph = tree.subgraphs[0]
    codes = [
        max(c.builtinCode, c.deprecatedBuiltinCode) for c in tree.operatorCodes
    ]
    for op in graph.operators:
        if codes[op.opcodeIndex] == schema.BuiltinOperator.TRANSPOSE_CONV:
            # TRANSPOSE_CONV's inputs: output shape, weights, input, bias.
            buffer = tree.buffers[graph.tensors[op.inputs[1]].buffer]
            # int8 weights stored as bytes: 255 - b is -w - 1.
            buffer.data = 255 - buffer.data
    builder = flatbuffers.Builder(len(content))
    builder.Finish(tree.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def test_broken_int8_conversion_is_reported_as_failing(
    cyclegan, exported, tmp_path
):
    model, _ = cyclegan
    out, _ = exported
    config = quick_config(tmp_path, model=model, num_verify=NUM_VERIFY)
    spec = export.resolve_generator(model)
    verifier = verify.Verifier(spec, config)
    good = verifier.tflite(out / "generator_xy_float32.tflite", out, "float32")
    broken = tmp_path / "generator_xy_int8.tflite"
    broken.write_bytes(
        _corrupt_transpose_conv((out / "generator_xy_int8.tflite").read_bytes())
    )
    entry = verifier.tflite(broken, tmp_path, "int8")
    assert good.passed and not entry.passed
    # Low contrast: PSNR alone would not have flagged it.
    assert entry.snr_db_vs_float32 < 0.0 < 15.0 < entry.psnr_db_vs_float32
    # The Interpreter and CompiledModel runs both see the broken file.
    problem, compiled_problem = entry.problems()
    assert "broken conversion" in problem
    assert compiled_problem.startswith("CompiledModel SNR vs float32 -")
    report = verifier.new_report(tmp_path)
    report.files += [good, entry]
    assert "| FAILED: SNR -" in report.to_text()
    assert "dB vs float32 < 5 dB floor (int8 is quantized" in report.to_text()
    with pytest.raises(export.ParityError, match="generator_xy_int8.tflite"):
        verify.check_parity(report, tmp_path / "report.json")


def test_file_report_limits_by_hand():
    def entry(**fields):
        base = dict(
            path="f",
            format="tflite",
            variant="int8",
            size_bytes=1,
            max_abs_error=0.2,
            psnr_db=20.0,
            latency_ms=1.0,
            latency_batch_size=1,
            inputs=[],
            outputs=[],
        )
        return export.FileReport(**{**base, **fields})

    assert entry().passed  # No limit held.
    assert entry(snr_db_vs_float32=5.0, min_snr_db_vs_float32=5.0).passed
    low = entry(snr_db_vs_float32=4.9, min_snr_db_vs_float32=5.0)
    assert not low.passed
    nan = entry(snr_db_vs_float32=float("nan"), min_snr_db_vs_float32=5.0)
    assert not nan.passed
    pixels = entry(
        variant="float32",
        max_abs_error=0.0,
        parity_tolerance=1e-5,
        uint8_max_abs_error=2.0,
        uint8_parity_tolerance=1.0,
    )
    assert pixels.problems() == ["uint8 max abs error 2 > 1"]


def test_direction_needs_a_cyclegan(tmp_path, capsys):
    with pytest.raises(ValueError, match="CycleGAN models only"):
        export.run_export(quick_config(tmp_path, direction="xy"))
    with pytest.raises(ValueError, match="CycleGAN"):
        export.run_export(
            quick_config(tmp_path, calibration_images=_x_images(2))
        )
    path = tmp_path / "gan.keras"
    small_gan(seed=3).save(path)
    status = cli.main(
        [
            "--model",
            str(path),
            "--out",
            str(tmp_path / "o"),
            "--direction",
            "yx",
        ]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert "CycleGAN models only" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_bad_direction_and_images(cyclegan, tmp_path, capsys):
    model, path = cyclegan
    with pytest.raises(ValueError, match="direction"):
        export.ExportConfig(model=model, out_dir=tmp_path, direction="zx")
    with pytest.raises(ValueError, match="directions xy, yx"):
        export.resolve_generator(model, direction="both")
    status = cli.main(
        ["--model", str(path), "--out", str(tmp_path / "o"), "--direction", "x"]
    )
    err = capsys.readouterr().err
    assert status == 2 and "direction" in err and "Traceback" not in err
    with pytest.raises(ValueError, match=r"shape \(N, 16, 16, 1\)"):
        export.run_export(
            quick_config(
                tmp_path, model=model, calibration_images=np.zeros((2, 8, 8, 1))
            )
        )
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        export.run_export(
            quick_config(
                tmp_path,
                model=model,
                calibration_images=np.full((2, *SHAPE), 3.0),
            )
        )
    with pytest.raises(ValueError, match="not a .npy file"):
        export.run_export(
            quick_config(tmp_path, model=model, calibration_images="x.png")
        )
    with pytest.raises(TypeError, match="calibration_images"):
        quick_config(tmp_path, model=model, calibration_images=[1, 2])
