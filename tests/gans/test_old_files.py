"""Model files written by earlier versions load under the current classes."""

import os

import keras
import numpy as np
import pytest

from tfgan_lite import ClusteredGAN, ConditionalGAN, CycleGAN

RUN_DIRS = os.path.join(
    os.path.dirname(os.path.dirname(__file__)), "fixtures", "run_dirs"
)


@pytest.mark.parametrize(
    "folder, cls, own_settings, g_updates",
    [
        ("clustered", ClusteredGAN, {"d_steps", "top_k", "r1_penalty"}, 12),
        ("conditional", ConditionalGAN, {"d_steps", "aux_weight"}, 12),
        ("cyclegan", CycleGAN, {"cycle_weight", "identity_weight"}, 3),
    ],
)
def test_an_earlier_model_file_loads_compiled(
    folder, cls, own_settings, g_updates, tmp_path
):
    path = os.path.join(RUN_DIRS, folder, "model.keras")
    model = keras.saving.load_model(path)
    assert type(model) is cls
    assert model.compiled and model.loss_pair is not None
    config = model.get_compile_config()
    assert own_settings <= set(config)
    assert {"g_optimizer", "d_optimizer", "loss", "jit_compile"} <= set(config)
    # The optimizer state was restored too: the run's updates are counted.
    assert int(model.g_optimizer.iterations.numpy()) == g_updates
    # Saved again under the current code, it reloads to the same state.
    again = tmp_path / "again.keras"
    model.save(again)
    reloaded = keras.saving.load_model(again)
    assert type(reloaded) is cls
    assert reloaded.get_compile_config() == config
    assert reloaded.get_config().keys() == model.get_config().keys()
    for a, b in zip(reloaded.weights, model.weights, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_an_earlier_clustered_file_keeps_its_pixel_clusters():
    # Written before the features were a choice, it clustered pixels.
    path = os.path.join(RUN_DIRS, "clustered", "model.keras")
    model = keras.saving.load_model(path)
    assert model.features == "pixels"
    assert model.cluster_centers.shape == (model.num_clusters, 14 * 14)


def test_an_earlier_cyclegan_file_has_g_as_its_generator():
    path = os.path.join(RUN_DIRS, "cyclegan", "model.keras")
    model = keras.saving.load_model(path)
    assert model.generator is model.g_xy
    assert model.generator_for("xy") is model.g_xy
    assert model.generator_for("yx") is model.g_yx
