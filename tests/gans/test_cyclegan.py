"""Tests for tfgan_lite.CycleGAN: a golden step, pools, resume, errors."""

import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_lite import models
from tfgan_lite.gans.cyclegan import CycleGAN

SIDE = 8


def _conv1x1(name, shape=(2, 2, 1), *, w=0.5, b=0.1):
    """A 1x1 convolution y = w * x + b: a linear generator or patch critic."""
    inputs = keras.Input(shape)
    layer = keras.layers.Conv2D(
        1,
        1,
        kernel_initializer=keras.initializers.Constant(w),
        bias_initializer=keras.initializers.Constant(b),
    )
    return keras.Model(inputs, layer(inputs), name=name)


def _linear_cyclegan(**kwargs):
    return CycleGAN(
        _conv1x1("g_xy", w=0.8, b=0.1),
        _conv1x1("g_yx", w=-0.6, b=0.2),
        _conv1x1("d_x", w=0.3, b=-0.1),
        _conv1x1("d_y", w=-0.4, b=0.05),
        seed=3,
        **kwargs,
    )


def _tiny(seed=5, pool_size=3):
    g_xy, d_y = models.resnet_cyclegan((SIDE, SIDE, 1), width=2, blocks=0)
    g_yx, d_x = models.resnet_cyclegan((SIDE, SIDE, 1), width=2, blocks=0)
    return CycleGAN(g_xy, g_yx, d_x, d_y, pool_size=pool_size, seed=seed)


def _images(n, seed, side=SIDE):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, side, side, 1)).astype(np.float32)


# -- one golden step ---------------------------------------------------------


def _reference_losses(theta, x, y, cycle_weight, identity_weight):
    """g_loss and d_loss of the linear model, in float64 numpy.

    theta = (a, c, a2, c2, p, q, r, s): G(x) = a x + c, F(y) = a2 y + c2,
    D_X(v) = p v + q, D_Y(v) = r v + s. Least squares with the library's
    1/2 factors; the pools are still filling, so D sees the newest fakes.
    """
    a, c, a2, c2, p, q, r, s = theta
    fake_y, fake_x = a * x + c, a2 * y + c2
    cycle = np.mean(np.abs(x - (a2 * fake_y + c2))) + np.mean(
        np.abs(y - (a * fake_x + c))
    )
    identity = np.mean(np.abs(x - (a2 * x + c2))) + np.mean(
        np.abs(y - (a * y + c))
    )
    g_loss = (
        0.5 * np.mean((r * fake_y + s - 1) ** 2)
        + 0.5 * np.mean((p * fake_x + q - 1) ** 2)
        + cycle_weight * cycle
        + identity_weight * identity
    )
    d_loss = (
        0.5 * np.mean((p * x + q - 1) ** 2)
        + 0.5 * np.mean((p * fake_x + q) ** 2)
        + 0.5 * np.mean((r * y + s - 1) ** 2)
        + 0.5 * np.mean((r * fake_y + s) ** 2)
    )
    return g_loss, d_loss


def _numeric_grad(fn, theta, indices, eps=1e-6):
    grad = np.zeros(len(indices))
    for k, i in enumerate(indices):
        up, down = theta.copy(), theta.copy()
        up[i] += eps
        down[i] -= eps
        grad[k] = (fn(up) - fn(down)) / (2 * eps)
    return grad


@pytest.mark.parametrize("identity_weight", [0.0, 5.0])
def test_one_step_matches_hand_computed_sgd(identity_weight):
    model = _linear_cyclegan(pool_size=4)
    lr = 0.05
    model.compile(
        keras.optimizers.SGD(lr),
        keras.optimizers.SGD(lr),
        cycle_weight=10.0,
        identity_weight=identity_weight,
        jit_compile=False,
    )
    x = _images(2, 0, side=2).astype(np.float64)
    y = _images(2, 1, side=2).astype(np.float64)
    theta = np.array([0.8, 0.1, -0.6, 0.2, 0.3, -0.1, -0.4, 0.05])

    def g(t):
        return _reference_losses(t, x, y, 10.0, identity_weight)[0]

    def d(t):
        return _reference_losses(t, x, y, 10.0, identity_weight)[1]

    g_grad = _numeric_grad(g, theta, range(4))
    d_grad = _numeric_grad(d, theta, range(4, 8))
    logs = model.train_on_batch(
        x.astype(np.float32), y.astype(np.float32), return_dict=True
    )
    got = np.array(
        [
            float(np.ravel(v)[0])
            for net in (model.g_xy, model.g_yx, model.d_x, model.d_y)
            for v in net.get_weights()
        ]
    )
    expected = theta - lr * np.concatenate([g_grad, d_grad])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    g_loss, d_loss = _reference_losses(theta, x, y, 10.0, identity_weight)
    np.testing.assert_allclose(logs["g_loss"], g_loss, rtol=1e-5)
    np.testing.assert_allclose(logs["d_loss"], d_loss, rtol=1e-5)
    np.testing.assert_allclose(
        logs["g_grad_norm"], np.linalg.norm(g_grad), rtol=1e-4
    )
    np.testing.assert_allclose(
        logs["d_grad_norm"], np.linalg.norm(d_grad), rtol=1e-4
    )
    assert ("identity_loss" in logs) == bool(identity_weight)


def test_pools_fill_with_the_first_generated_images():
    model = _linear_cyclegan(pool_size=3)
    model.compile(jit_compile=False)
    x, y = _images(2, 0, side=2), _images(2, 1, side=2)
    # G and F before the step made the fakes that enter the pools.
    fake_y = model.g_xy(x).numpy()
    fake_x = model.g_yx(y).numpy()
    model.train_on_batch(x, y)
    assert int(model.pool_x.count.numpy()) == 2
    np.testing.assert_allclose(model.pool_x.images.numpy()[:2], fake_x)
    np.testing.assert_allclose(model.pool_y.images.numpy()[:2], fake_y)
    np.testing.assert_array_equal(model.pool_y.images.numpy()[2], 0.0)


# -- saving and resuming -------------------------------------------------------


def _state(model):
    nets = (model.g_xy, model.g_yx, model.d_x, model.d_y)
    weights = [w for n in nets for w in n.get_weights()]
    pools = [model.pool_x.images.numpy(), model.pool_y.images.numpy()]
    return weights + pools + [model.pool_noise_state.numpy()]


def test_resume_from_a_saved_file_equals_an_uninterrupted_run(tmp_path):
    x, y = _images(8, 0, side=2), _images(8, 1, side=2)
    settings = dict(jit_compile=False, identity_weight=1.0)
    straight = _linear_cyclegan(pool_size=3)
    straight.compile(**settings)
    straight.fit(x, y, batch_size=2, shuffle=False, epochs=1, verbose=0)

    first = _linear_cyclegan(pool_size=3)
    first.compile(**settings)
    first.fit(x[:4], y[:4], batch_size=2, shuffle=False, verbose=0)
    first.save(tmp_path / "half.keras")
    resumed = keras.saving.load_model(tmp_path / "half.keras")
    # Two steps of batch 2 filled the 3 slots and made one draw: the
    # second half runs on a full pool, drawing from the restored stream.
    assert int(resumed.pool_x.count.numpy()) == 3
    resumed.fit(x[4:], y[4:], batch_size=2, shuffle=False, verbose=0)
    for got, want in zip(_state(resumed), _state(straight), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    assert int(resumed.g_optimizer.iterations.numpy()) == 4
    # The pools did swap images after the reload: the run is not trivial.
    assert not np.allclose(_state(first)[-3], _state(resumed)[-3])


def test_save_load_round_trip_keeps_outputs_config_and_compile(tmp_path):
    model = _tiny(seed=9, pool_size=2)
    # Eager: one step of four small networks traces slower than it runs.
    model.compile(loss="hinge", cycle_weight=7.0, run_eagerly=True)
    model.fit(_images(2, 0), _images(2, 1), batch_size=2, verbose=0)
    model.save(tmp_path / "cyclegan.keras")
    loaded = keras.saving.load_model(tmp_path / "cyclegan.keras")
    x = _images(3, 4)
    for direction in ("xy", "yx"):
        np.testing.assert_array_equal(
            loaded.translate(x, direction=direction),
            model.translate(x, direction=direction),
        )
    np.testing.assert_array_equal(loaded(x), model(x))
    assert loaded.loss_pair.name == "hinge"
    assert loaded.cycle_weight == 7.0
    assert (loaded.pool_size, loaded.seed) == (2, 9)
    for a, b in zip(
        loaded.d_optimizer.variables, model.d_optimizer.variables, strict=True
    ):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    clone = CycleGAN.from_config(model.get_config())
    assert clone.get_config()["pool_size"] == 2
    assert clone.g_xy.output_shape == model.g_xy.output_shape


def test_evaluate_reports_losses_without_touching_the_pools():
    model = _tiny(pool_size=2)
    model.compile(run_eagerly=True)
    logs = model.evaluate(
        _images(2, 0), _images(2, 1), batch_size=2, verbose=0, return_dict=True
    )
    assert set(logs) == {"g_loss", "d_loss", "cycle_loss"}
    assert int(model.pool_x.count.numpy()) == 0


# -- bad input -----------------------------------------------------------------


def _nets(shape_x=(SIDE, SIDE, 1), shape_y=(SIDE, SIDE, 1)):
    g_xy, d_y = models.resnet_cyclegan(
        shape_x, width=2, blocks=0, out_channels=shape_y[-1]
    )
    g_yx, d_x = models.resnet_cyclegan(
        shape_y, width=2, blocks=0, out_channels=shape_x[-1]
    )
    return g_xy, g_yx, d_x, d_y


def test_networks_that_do_not_fit_together_are_refused():
    g_xy, g_yx, d_x, d_y = _nets()
    with pytest.raises(ValueError, match="d_y's input"):
        CycleGAN(g_xy, g_yx, d_x, models.patchgan_discriminator((8, 8, 3)))
    with pytest.raises(ValueError, match="g_yx's output"):
        CycleGAN(
            g_xy,
            models.resnet_generator((8, 8, 1), out_channels=3),
            d_x,
            d_y,
        )
    with pytest.raises(TypeError, match="`d_x` must be a keras.Model"):
        CycleGAN(g_xy, g_yx, "d_x", d_y)


def test_a_pool_needs_static_image_shapes():
    def any_size():
        inputs = keras.Input((None, None, 1))
        return keras.Model(inputs, keras.layers.Conv2D(1, 1)(inputs))

    with pytest.raises(ValueError, match="pool_size=50 stores"):
        CycleGAN(any_size(), any_size(), any_size(), any_size())
    model = CycleGAN(
        any_size(), any_size(), any_size(), any_size(), pool_size=0
    )
    assert model.pool_size == 0
    # A fixed shape anywhere (here D_X's input) is enough for the pool.
    _, _, d_x, d_y = _nets()
    model = CycleGAN(any_size(), any_size(), d_x, d_y, pool_size=2)
    assert model.x_shape == (SIDE, SIDE, 1)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"pool_size": -1}, ValueError, "`pool_size` must be a non-negative"),
        ({"pool_size": 2.0}, TypeError, "`pool_size` must be"),
        ({"seed": -3}, ValueError, "`seed` must be a non-negative"),
    ],
)
def test_bad_constructor_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        CycleGAN(*_nets(), **kwargs)


def test_bad_compile_arguments_and_calls():
    model = CycleGAN(*_nets(), pool_size=0)
    x = _images(2, 0)
    with pytest.raises(ValueError, match="before CycleGAN.compile"):
        model.fit(x, x, verbose=0)
    with pytest.raises(ValueError, match="`cycle_weight` must be"):
        model.compile(cycle_weight=-1.0)
    with pytest.raises(ValueError, match="Unknown GAN loss"):
        model.compile(loss="l2")
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="same object"):
        model.compile(opt, opt)
    with pytest.raises(TypeError, match=r"\['d_steps'\]. Besides its own"):
        model.compile(d_steps=2)
    model.compile(jit_compile=False)
    assert model.get_compile_config()["jit_compile"] is False
    with pytest.raises(ValueError, match="batches \\(x, y\\)"):
        model.fit(x, batch_size=2, verbose=0)
    with pytest.raises(TypeError, match="floating-point images"):
        model.fit(x, (x > 0).astype(np.int32), batch_size=2, verbose=0)
    with pytest.raises(ValueError, match="`direction` must be one of"):
        model.translate(x, direction="xx")


def test_fit_on_a_dataset_prints_no_shuffle_warning():
    # The shared base passes shuffle=False for a Dataset, which Keras
    # cannot shuffle, as GAN.fit does (tests/gans/test_gan.py).
    model = _linear_cyclegan(pool_size=2)
    model.compile()
    x, y = _images(4, 0, side=2), _images(4, 1, side=2)
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(data, epochs=1, verbose=0)
    assert not [w for w in caught if "shuffle" in str(w.message)]
    with pytest.warns(UserWarning, match="shuffle=True"):
        model.fit(data, epochs=1, verbose=0, shuffle=True)
