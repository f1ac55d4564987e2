"""GAN.compile(augment=...): what the discriminator sees, and what is saved."""

import keras
import numpy as np
import pytest
from mirrored_testutil import mirrored_result

from tfgan_lite import ConditionalGAN, augment, models
from tfgan_lite.gans.base import state_variables
from tfgan_lite.gans.gan import GAN


def _networks():
    g = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8 * 8 * 3, activation="tanh"),
            keras.layers.Reshape((8, 8, 3)),
        ]
    )
    d = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            keras.layers.Conv2D(4, 3, strides=2),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ]
    )
    return g, d


def _gan(**compile_kwargs):
    # The same initial weights in every model of a test.
    keras.utils.set_random_seed(0)
    gan = GAN(*_networks(), seed=3)
    gan.compile(
        keras.optimizers.SGD(0.1),
        keras.optimizers.SGD(0.1),
        **compile_kwargs,
    )
    return gan


def _images(n=16):
    rng = np.random.default_rng(0)
    return rng.uniform(-1, 1, (n, 8, 8, 3)).astype("float32")


def _weights(gan):
    return [v.numpy() for v in state_variables(gan)]


def _networks_weights(gan):
    return [
        v.numpy() for v in gan.generator.weights + gan.discriminator.weights
    ]


def test_p_zero_is_no_augmentation_and_diffaugment_changes_the_step():
    plain = _gan(r1_penalty=1.0)
    gated = _gan(r1_penalty=1.0, augment=augment.Augment(probability=0.0))
    augmented = _gan(r1_penalty=1.0, augment="diffaugment")
    h1 = plain.fit(_images(), batch_size=8, verbose=0).history
    h2 = gated.fit(_images(), batch_size=8, verbose=0).history
    h3 = augmented.fit(_images(), batch_size=8, verbose=0).history
    for a, b in zip(
        _networks_weights(plain), _networks_weights(gated), strict=True
    ):
        np.testing.assert_array_equal(a, b)
    assert h1["d_loss"] == h2["d_loss"] and h2["augment_p"] == [0.0]
    assert h3["augment_p"] == [1.0]
    # The generator's gradient flows through the augmentation.
    assert 0 < h3["g_grad_norm"][0] < 1e3
    d_plain = plain.discriminator.get_weights()[0]
    d_augmented = augmented.discriminator.get_weights()[0]
    assert np.abs(d_plain - d_augmented).max() > 1e-4


def test_ada_moves_p_by_one_adjustment_per_update():
    ada = augment.AdaptiveAugment(probability=0.5, interval=1, ramp_images=80)
    gan = _gan(augment=ada, jit_compile=True)
    history = gan.fit(_images(8), batch_size=8, verbose=0).history
    # One update of 8 reals: p moves by 8 / 80 one way or the other.
    p = float(ada.probability.numpy())
    np.testing.assert_allclose(abs(p - 0.5), 0.1, rtol=1e-6)
    np.testing.assert_allclose(history["augment_p"], [p], rtol=1e-6)


def test_evaluate_and_generate_see_no_augmentation():
    gan = _gan(augment="diffaugment")
    before = gan.augment.get_weights()
    logs = gan.evaluate(_images(8), batch_size=8, verbose=0)
    gan.generate(4, seed=0)
    # No draw: the stream did not move.
    for a, b in zip(before, gan.augment.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    plain = _gan().evaluate(_images(8), batch_size=8, verbose=0)
    np.testing.assert_allclose(logs, plain, rtol=1e-6)


def test_p_is_state_saved_and_restored_by_keras_files(tmp_path):
    gan = _gan(augment="ada")
    gan.fit(_images(), batch_size=8, verbose=0)
    gan.augment.probability.assign(0.37)
    names = [v.path for v in state_variables(gan)]
    assert any(p.endswith("probability") for p in names), names
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.augment, augment.AdaptiveAugment)
    np.testing.assert_allclose(loaded.augment.probability.numpy(), 0.37)
    for a, b in zip(_weights(gan), _weights(loaded), strict=True):
        np.testing.assert_array_equal(a, b)
    # The loaded stream continues where the saved one was: same draws.
    np.testing.assert_array_equal(
        gan.augment(_images(4)).numpy(), loaded.augment(_images(4)).numpy()
    )


def test_compile_config_round_trip_and_recompile():
    gan = _gan(augment="ada")
    config = gan.get_compile_config()["augment"]
    assert config["class_name"] == "AdaptiveAugment"
    assert config["config"]["seed"] == gan.seed
    copy = GAN(*_networks(), seed=3)
    copy.compile_from_config(gan.get_compile_config())
    assert copy.augment.get_config() == gan.augment.get_config()
    count = len(gan.weights)
    gan.compile(augment="diffaugment")
    # The ADA layer's 5 weights leave the model, DiffAugment's 2 join.
    assert len(gan.weights) == count - 3
    gan.compile()
    assert gan.augment is None and "augment_p" not in gan._metric_names()


def test_compile_refuses_bad_augmentation():
    with pytest.raises(ValueError, match="'none', 'diffaugment', 'ada'"):
        _gan(augment="flip")
    g, d = models.mlp(latent_dim=4)
    points = GAN(g, d, seed=0)
    with pytest.raises(ValueError, match="needs a GAN of images"):
        points.compile(augment="diffaugment")


def _labelled_networks(classes=3):
    """8x8 gray images; D returns [logit, class logits] (AC-GAN)."""
    z, label = keras.Input((4,)), keras.Input((), dtype="int32")
    code = keras.layers.Flatten()(keras.layers.Embedding(classes, 4)(label))
    x = keras.layers.Dense(64, activation="tanh")(
        keras.layers.Concatenate()([z, code])
    )
    g = keras.Model([z, label], keras.layers.Reshape((8, 8, 1))(x))
    image, label = keras.Input((8, 8, 1)), keras.Input((), dtype="int32")
    code = keras.layers.Flatten()(keras.layers.Embedding(classes, 4)(label))
    h = keras.layers.Concatenate()([keras.layers.Flatten()(image), code])
    h = keras.layers.Dense(8, activation="relu")(h)
    d = keras.Model(
        [image, label], [keras.layers.Dense(1)(h), keras.layers.Dense(3)(h)]
    )
    return g, d


def test_a_labelled_subclass_augments_images_and_keeps_labels():
    # ConditionalGAN with a class head: the labels' path (shared with
    # ClusteredGAN) and an auxiliary discriminator pass.
    gan = ConditionalGAN(*_labelled_networks(), num_classes=3, seed=0)
    gan.compile(augment="ada", r1_penalty=1.0)
    images = np.zeros((8, 8, 8, 1), "float32")
    history = gan.fit(images, np.arange(8) % 3, batch_size=8, verbose=0)
    history = history.history
    assert history["augment_p"] == [0.0]
    assert np.isfinite(history["d_loss"][0] + history["class_loss"][0])
    # Two draws in the D step and two in the G step, reals and fakes; each
    # takes two values of the stream, the geometric transforms' apart.
    state = gan.augment.get_weights()[1]
    assert int(state[1]) == 2**41 + 8


@pytest.mark.slow
def test_mirrored_strategy_matches_single_device():
    result = mirrored_result("augment_mirrored.py")
    assert result["replicas"] == 2
    assert result["weight_error"] < 1e-5, result
    for name in ("d_loss", "g_loss", "r1_penalty", "augment_p"):
        assert result["mirrored"][name] == pytest.approx(
            result["single"][name], rel=1e-5, abs=1e-6
        )
