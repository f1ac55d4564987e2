"""LiteRT export: builtin ops only, parity, quantized variants, batch."""

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter
from export_testutil import LATENT, conditional_generator, latents

from tfgan_lite import export

VARIANTS = ("float32", "float16", "int8", "int8_full")


@pytest.fixture(scope="module")
def files(full_export):
    out, _ = full_export
    return {v: out / export.tflite_filename(v) for v in VARIANTS}


@pytest.fixture(scope="module")
def outputs(files):
    z = latents(16, seed=9)
    return z, {
        v: export.run_generate(export.load_interpreter(p), z)
        for v, p in files.items()
    }


@pytest.mark.parametrize("variant", VARIANTS)
def test_loads_in_litert_with_builtin_ops_only(files, variant):
    content = files[variant].read_bytes()
    ops = export.list_operators(content)
    assert ops and all(op.builtin for op in ops)
    assert not any("flex" in op.name.lower() for op in ops)
    assert b"Flex" not in content
    export.check_builtin_only(content)
    # The stock interpreter, no Flex delegate: it would fail on Flex ops.
    interpreter = Interpreter(model_path=str(files[variant]))
    interpreter.allocate_tensors()
    assert interpreter.get_signature_list() == {
        "generate": {"inputs": ["z"], "outputs": ["images"]}
    }
    (z,) = interpreter.get_input_details()
    assert list(z["shape"]) == [1, LATENT] and z["dtype"] == np.float32
    (images,) = interpreter.get_output_details()
    assert list(images["shape"]) == [1, 28, 28, 1]
    assert images["dtype"] == np.float32


def test_float32_matches_keras(gan, outputs):
    z, out = outputs
    expected = gan.ema_generator(z, training=False).numpy()
    np.testing.assert_allclose(out["float32"], expected, atol=1e-5, rtol=0)


def test_float16_is_close_and_half_size(files, outputs):
    _, out = outputs
    np.testing.assert_allclose(out["float16"], out["float32"], atol=1e-2)
    ratio = files["float16"].stat().st_size / files["float32"].stat().st_size
    assert 0.4 < ratio <= 0.55


@pytest.mark.parametrize("variant", ["int8", "int8_full"])
def test_int8_variants_are_smaller_and_close(files, outputs, variant):
    _, out = outputs
    ratio = files[variant].stat().st_size / files["float32"].stat().st_size
    # Per-channel scales weigh more in a tiny model; the benchmark's
    # width-64 model reaches about 0.27.
    assert ratio <= 0.45
    error = np.abs(out[variant] - out["float32"]).max()
    assert 0 < error < 0.25
    assert export.psnr(out[variant], out["float32"], peak=2.0) > 20


def test_int8_full_computes_in_int8_with_float_interface(files):
    ops = export.list_operators(files["int8_full"].read_bytes())
    names = [op.name for op in ops]
    assert names[0] == "QUANTIZE" and names[-1] == "DEQUANTIZE"
    heavy = [
        op for op in ops if op.name in ("FULLY_CONNECTED", "TRANSPOSE_CONV")
    ]
    assert heavy
    for op in heavy:
        assert "float32" not in op.input_types + op.output_types, op
    dynamic = export.list_operators(files["int8"].read_bytes())
    fc = next(op for op in dynamic if op.name == "FULLY_CONNECTED")
    assert "int8" in fc.input_types and fc.output_types == ("float32",)


def test_fixed_batch_size_and_padding(gan):
    contents = export.convert_generator(gan, batch_size=4)
    interpreter = export.load_interpreter(contents["float32"])
    (z_details,) = interpreter.get_input_details()
    assert list(z_details["shape"]) == [4, LATENT]
    z = latents(6, seed=2)  # 4 + 2 padded rows
    out = export.run_generate(interpreter, z)
    expected = gan.ema_generator(z, training=False).numpy()
    np.testing.assert_allclose(out, expected, atol=1e-5, rtol=0)


@pytest.fixture(scope="module")
def uint8_contents(gan):
    """The float32 and int8_full files with the uint8 tail, converted once."""
    return export.convert_generator(
        gan,
        variants=("float32", "int8_full"),
        uint8=True,
        calibration_samples=4,
    )


def test_uint8_litert_output(gan, uint8_contents):
    interpreter = export.load_interpreter(uint8_contents["float32"])
    assert interpreter.get_output_details()[0]["dtype"] == np.uint8
    z = latents(8, seed=5)
    out = export.run_generate(interpreter, z)
    expected = export.to_uint8_numpy(gan.ema_generator(z).numpy())
    np.testing.assert_allclose(out, expected, atol=1, rtol=0)
    assert np.mean(out != expected) < 1e-3


def test_uint8_tail_is_builtin_and_maps_nan_to_black(uint8_contents):
    # convert_generator refuses non-builtin ops itself; the tail must also
    # survive full-integer quantization, and NaN must reach the app as 0.
    assert sorted(uint8_contents) == ["float32", "int8_full"]
    for content in uint8_contents.values():
        export.check_builtin_only(content)
    interpreter = export.load_interpreter(uint8_contents["float32"])
    z = latents(2, seed=6)
    z[0] = np.nan
    out = export.run_generate(interpreter, z)
    assert out.dtype == np.uint8
    assert (out[0] == 0).all() and out[1].max() > 0


def test_conditional_litert_has_label_input():
    generator = conditional_generator()
    contents = export.convert_generator(
        generator, variants=("float32", "int8_full"), calibration_samples=8
    )
    interpreter = export.load_interpreter(contents["float32"])
    runner = interpreter.get_signature_runner("generate")
    details = runner.get_input_details()
    assert details["label"]["dtype"] == np.int32
    assert list(details["label"]["shape"]) == [1]
    z = latents(4, seed=1, latent=8)
    label = np.array([2, 5, 7, 0], np.int32)
    out = export.run_generate(interpreter, z, label=label)
    expected = generator([z, label], training=False).numpy()
    np.testing.assert_allclose(out, expected, atol=1e-5, rtol=0)
    full = export.load_interpreter(contents["int8_full"])
    assert export.run_generate(full, z, label=label).shape == expected.shape


def test_calibration_is_required_for_int8_full(gan, full_export):
    out, _ = full_export
    for data in (None, []):
        with pytest.raises(ValueError, match="representative dataset"):
            export.convert_saved_model(
                out / "saved_model",
                variant="int8_full",
                representative_dataset=data,
            )
    spec = export.resolve_generator(gan)
    with pytest.raises(ValueError, match="num_samples=0"):
        export.representative_inputs(spec, num_samples=0)
    with pytest.raises(ValueError, match="int8_full"):
        export.convert_generator(
            gan, variants=("int8_full",), calibration_samples=0
        )
    data = export.representative_inputs(spec, num_samples=5, batch_size=2)
    assert [d["z"].shape for d in data] == [(2, LATENT)] * 3


def test_unknown_variant_lists_known_ones(gan):
    with pytest.raises(ValueError, match="float16, int8, int8_full"):
        export.convert_generator(gan, variants=("float32", "int4"))


def test_conditional_run_export(tmp_path):
    report = export.run_export(
        export.ExportConfig(
            model=conditional_generator(),
            out_dir=tmp_path / "cond",
            num_verify=4,
            latency_runs=1,
            verbose=False,
        )
    )
    assert report.passed and report.generator["conditional"]
    assert report.generator["num_classes"] == 10
    names = [i["name"] for i in report.file("generator_float32.tflite").inputs]
    assert names == ["label", "z"]
