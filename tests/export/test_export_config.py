"""ExportConfig: checks on construction, normalized names and numbers."""

import numpy as np
import pytest
from export_testutil import quick_config


def test_unknown_quantization_lists_known(tmp_path):
    with pytest.raises(ValueError, match="float32, float16, int8, int8_full"):
        quick_config(tmp_path, quantize=("int4",))


def test_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="saved_model, tflite"):
        quick_config(tmp_path, formats=("onnx",))


def test_quantize_needs_tflite(tmp_path):
    with pytest.raises(ValueError, match="has no 'tflite'"):
        quick_config(tmp_path, formats=("saved_model",), quantize=("float16",))


def test_int8_full_without_calibration(tmp_path):
    with pytest.raises(ValueError, match="calibration_samples=0"):
        quick_config(tmp_path, quantize=("int8_full",), calibration_samples=0)
    # Without int8_full, no calibration is needed.
    quick_config(tmp_path, quantize=("int8",), calibration_samples=0)


def test_bad_types(tmp_path):
    with pytest.raises(TypeError, match="uint8"):
        quick_config(tmp_path, uint8="yes")
    with pytest.raises(TypeError, match="batch_size"):
        quick_config(tmp_path, batch_size=1.5)
    with pytest.raises(ValueError, match="batch_size"):
        quick_config(tmp_path, batch_size=0)


def test_config_normalizes_names(tmp_path):
    config = quick_config(
        tmp_path, formats="tflite", quantize=" Int8 ,float32,"
    )
    assert config.formats == ("tflite",)
    assert config.variants == ("float32", "int8")
    assert config.planned_paths() == [
        "generator_float32.tflite",
        "generator_int8.tflite",
        "export_report.json",
    ]


def test_numbers_become_python_types(tmp_path):
    # numpy ints from a config file must not reach the JSON report.
    config = quick_config(tmp_path, num_verify=np.int64(3), parity_tolerance=0)
    assert config.num_verify == 3 and type(config.num_verify) is int
    assert type(config.parity_tolerance) is float


@pytest.mark.parametrize("tolerance", [-1e-6, float("nan"), True, "1e-5"])
def test_bad_parity_tolerance(tmp_path, tolerance):
    with pytest.raises((TypeError, ValueError), match="parity_tolerance"):
        quick_config(tmp_path, parity_tolerance=tolerance)
