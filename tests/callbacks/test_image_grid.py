"""Tests for tfgan_lite.callbacks.ImageGrid and make_grid."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing import event_accumulator

from tfgan_lite import ConditionalGAN, CycleGAN, models
from tfgan_lite.callbacks import EMAGenerator, ImageGrid, make_grid
from tfgan_lite.gans.gan import GAN

LATENT = 4
SIDE = 4


def _image_gan(channels=1, seed=0):
    g = keras.Sequential(
        [
            keras.Input((LATENT,)),
            keras.layers.Dense(SIDE * SIDE * channels, activation="tanh"),
            keras.layers.Reshape((SIDE, SIDE, channels)),
        ],
        name="generator",
    )
    d = keras.Sequential(
        [
            keras.Input((SIDE, SIDE, channels)),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ],
        name="discriminator",
    )
    gan = GAN(g, d, seed=seed)
    gan.compile(
        g_optimizer=keras.optimizers.SGD(0.5),
        d_optimizer=keras.optimizers.SGD(0.5),
    )
    return gan


def _images(n=32, channels=1, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, SIDE, SIDE, channels)).astype(np.float32)


def _hand_grid(pixels, rows, cols, gap=0):
    """The grid built one pixel at a time, the way a person would."""
    n, height, width, channels = pixels.shape
    shape = (rows * (height + gap) - gap, cols * (width + gap) - gap, channels)
    grid = np.full(shape, 128, np.uint8)  # The gaps are mid-grey.
    for i in range(rows * cols):
        row, col = i // cols, i % cols
        for y in range(height):
            for x in range(width):
                value = pixels[i, y, x] if i < n else 0  # Empty cells: black.
                grid[row * (height + gap) + y, col * (width + gap) + x] = value
    return grid


def _tensors(run_dir, tag):
    acc = event_accumulator.EventAccumulator(
        str(run_dir), size_guidance={"tensors": 0}
    )
    acc.Reload()
    return acc, acc.Tensors(tag)


def _decode_png(data):
    return tf.io.decode_png(data).numpy()


# -- make_grid ---------------------------------------------------------------


# Cases share one test: each test costs a Keras session reset (~0.5 s).
GRID_LAYOUTS = (
    # n, channels, rows, want_rows, want_cols
    (1, 1, None, 1, 1),
    (5, 1, None, 2, 3),
    (10, 3, None, 3, 4),
    (64, 3, None, 8, 8),
    (7, 1, 2, 2, 4),
    (3, 4, 3, 3, 1),
    (5, 3, 4, 4, 2),  # The last row stays empty.
)


def test_make_grid_matches_hand_built_grid():
    for n, channels, rows, want_rows, want_cols in GRID_LAYOUTS:
        rng = np.random.default_rng(n)
        pixels = rng.integers(1, 256, (n, 3, 2, channels), dtype=np.uint8)
        for gap in (0, 1, 3):
            grid = make_grid(pixels, rows=rows, gap=gap)
            assert grid.dtype == np.uint8
            assert grid.shape == (
                want_rows * (3 + gap) - gap,
                want_cols * (2 + gap) - gap,
                channels,
            )
            np.testing.assert_array_equal(
                grid, _hand_grid(pixels, want_rows, want_cols, gap)
            )


def test_make_grid_default_gap_is_a_sixteenth_of_the_side():
    for side, gap in ((8, 1), (28, 1), (32, 2), (64, 4)):
        pixels = np.zeros((4, side, side, 1), np.uint8)
        grid = make_grid(pixels)
        assert grid.shape == (2 * side + gap, 2 * side + gap, 1)
        # The separating band is grey; the cells are black.
        assert (grid[side : side + gap] == 128).all()
        assert (grid[:side, :side] == 0).all()


def test_make_grid_maps_minus_one_one_to_bytes():
    values = [-1.0, -0.5, 0.0, 0.5, 1.0, 2.0, -3.0, np.nan]
    # (x + 1) * 127.5 rounded to nearest (127.5 rounds to even 128);
    # outside [-1, 1] clips; NaN is black.
    want = [0, 64, 128, 191, 255, 255, 0, 0]
    images = np.array(values, np.float32).reshape(8, 1, 1, 1)
    grid = make_grid(images, rows=1, gap=0)
    np.testing.assert_array_equal(grid.reshape(-1), want)


def test_make_grid_float_images_equal_their_uint8_grid():
    images = _images(6, channels=3, seed=2)
    pixels = np.rint((images.astype(np.float64) + 1) * 127.5).astype(np.uint8)
    np.testing.assert_array_equal(
        make_grid(images), _hand_grid(pixels, 2, 3, gap=1)
    )


def test_make_grid_takes_grayscale_without_channel_axis():
    images = _images(5, channels=1, seed=3)
    np.testing.assert_array_equal(make_grid(images[..., 0]), make_grid(images))
    assert make_grid(images[..., 0]).shape == (2 * SIDE + 1, 3 * SIDE + 2, 1)


BAD_GRID_INPUTS = (
    # images, rows, error, match
    (np.zeros((2, 2, 2, 1), np.int32), None, TypeError, "int32"),
    (np.zeros((2, 2, 2, 1), bool), None, TypeError, "bool"),
    (np.zeros((2, 2)), None, ValueError, r"\(2, 2\)"),
    (np.zeros((0, 2, 2, 1)), None, ValueError, r"\(0, 2, 2, 1\)"),
    (np.zeros((2, 2, 2, 2)), None, ValueError, r"\(2, 2, 2, 2\)"),
    (np.zeros((2, 2, 2, 1)), 0, ValueError, "rows=0"),
    (np.zeros((2, 2, 2, 1)), 3, ValueError, r"images \(2\).*rows=3"),
    (np.zeros((2, 2, 2, 1)), 1.5, TypeError, "rows"),
    (np.zeros((2, 2, 2, 1)), True, TypeError, "rows"),
)


def test_make_grid_rejects_bad_input():
    for images, rows, error, match in BAD_GRID_INPUTS:
        with pytest.raises(error, match=match):
            make_grid(images, rows=rows)


# -- ImageGrid ---------------------------------------------------------------


BAD_ARGUMENTS = (
    # kwargs, error, match
    ({"every_n_epochs": 0}, ValueError, "every_n_epochs=0"),
    ({"every_n_epochs": -2}, ValueError, "every_n_epochs=-2"),
    ({"every_n_epochs": 1.0}, TypeError, "every_n_epochs.*float"),
    ({"every_n_epochs": True}, TypeError, "every_n_epochs.*bool"),
    ({"num_samples": 0}, ValueError, "num_samples=0"),
    ({"seed": -1}, ValueError, "seed=-1"),
    ({"use_ema": 1}, TypeError, "use_ema.*int"),
    ({"log_dir": None}, TypeError, "log_dir.*NoneType"),
    ({"log_dir": ""}, ValueError, "log_dir"),
    ({"png_dir": 3}, TypeError, "png_dir.*int"),
)


def test_image_grid_rejects_bad_arguments(tmp_path):
    for kwargs, error, match in BAD_ARGUMENTS:
        kwargs = {"log_dir": str(tmp_path), **kwargs}
        log_dir = kwargs.pop("log_dir")
        with pytest.raises(error, match=match):
            ImageGrid(log_dir, **kwargs)


class _RecordGenerated(keras.callbacks.Callback):
    """Records gan.generate(n, seed) at every epoch end."""

    def __init__(self, n, seed, use_ema=True):
        super().__init__()
        self.n, self.seed, self.use_ema = n, seed, use_ema
        self.samples = {}

    def on_epoch_end(self, epoch, logs=None):
        self.samples[epoch] = self.model.generate(
            self.n, seed=self.seed, use_ema=self.use_ema
        )


def test_writes_fixed_noise_grids_to_tensorboard_and_png(tmp_path):
    gan = _image_gan(channels=3)
    log_dir, png_dir = tmp_path / "logs", tmp_path / "png"
    record = _RecordGenerated(6, seed=3)
    grid_cb = ImageGrid(
        log_dir, every_n_epochs=2, num_samples=6, seed=3, png_dir=png_dir
    )
    gan.fit(
        _images(32, channels=3),
        batch_size=8,
        epochs=3,
        verbose=0,
        callbacks=[
            record,
            grid_cb,
            keras.callbacks.TensorBoard(log_dir=str(log_dir)),
        ],
    )
    # Keras' TensorBoard keeps its run and 0-based epoch steps; the grids
    # sit beside it in their own run at the same steps.
    _, losses = _tensors(log_dir / "train", "epoch_d_loss")
    assert [e.step for e in losses] == [0, 1, 2]
    acc, images = _tensors(log_dir / "samples", "samples")
    assert acc.SummaryMetadata("samples").plugin_data.plugin_name == "images"
    assert [e.step for e in images] == [0, 2]
    want = {epoch: make_grid(record.samples[epoch]) for epoch in (0, 2)}
    assert want[0].shape == (2 * SIDE + 1, 3 * SIDE + 2, 3)
    # Training moved the generator, so the two grids differ, and each shows
    # exactly the fixed-noise samples of its epoch.
    assert np.abs(want[0].astype(int) - want[2]).max() > 10
    for event in images:
        width, height, png = event.tensor_proto.string_val
        assert (int(width), int(height)) == (3 * SIDE + 2, 2 * SIDE + 1)
        np.testing.assert_array_equal(_decode_png(png), want[event.step])
    assert sorted(os.listdir(png_dir)) == [
        "samples_epoch_0000.png",
        "samples_epoch_0002.png",
        "samples_latest.png",
    ]
    for name, epoch in [
        ("samples_epoch_0000.png", 0),
        ("samples_epoch_0002.png", 2),
        ("samples_latest.png", 2),
    ]:
        data = tf.io.read_file(str(png_dir / name))
        np.testing.assert_array_equal(_decode_png(data), want[epoch])


def test_last_epoch_always_gets_a_grid_of_the_final_model(tmp_path):
    gan = _image_gan()
    record = _RecordGenerated(4, seed=0)
    grid_cb = ImageGrid(
        tmp_path, every_n_epochs=5, num_samples=4, png_dir=tmp_path / "png"
    )
    gan.fit(
        _images(16),
        batch_size=8,
        epochs=3,
        verbose=0,
        callbacks=[record, grid_cb],
    )
    # Epoch 2 is not due (every 5), but it is the last one.
    _, images = _tensors(tmp_path / "samples", "samples")
    assert [e.step for e in images] == [0, 2]
    assert sorted(os.listdir(tmp_path / "png")) == [
        "samples_epoch_0000.png",
        "samples_epoch_0002.png",
        "samples_latest.png",
    ]
    latest = tf.io.read_file(str(tmp_path / "png" / "samples_latest.png"))
    np.testing.assert_array_equal(
        _decode_png(latest), make_grid(record.samples[2])
    )


def test_samples_from_ema_copy_unless_told_not_to(tmp_path):
    gan = _image_gan(channels=1)
    ema_grid = ImageGrid(tmp_path / "ema", num_samples=5, seed=1)
    raw_grid = ImageGrid(tmp_path / "raw", num_samples=5, seed=1, use_ema=False)
    gan.fit(
        _images(16),
        batch_size=8,
        epochs=1,
        verbose=0,
        callbacks=[EMAGenerator(decay=0.9), ema_grid, raw_grid],
    )
    # png_dir=None puts the PNGs in the samples run, next to the events.
    got = {
        name: _decode_png(
            tf.io.read_file(str(tmp_path / name / "samples/samples_latest.png"))
        )
        for name in ("ema", "raw")
    }
    ema = make_grid(gan.generate(5, seed=1, use_ema=True))
    raw = make_grid(gan.generate(5, seed=1, use_ema=False))
    assert ema.shape == raw.shape == (2 * SIDE + 1, 3 * SIDE + 2, 1)
    assert np.abs(ema.astype(int) - raw).max() > 0
    np.testing.assert_array_equal(got["ema"], ema)
    np.testing.assert_array_equal(got["raw"], raw)
    np.testing.assert_array_equal(ema_grid.grid(), ema)


def test_rejects_generator_of_points(tmp_path):
    g, d = models.mlp(latent_dim=3, hidden=4, depth=1)
    gan = GAN(g, d, seed=0)
    gan.compile()
    points = np.zeros((8, 2), np.float32)
    with pytest.raises(ValueError, match=r"images.*shape \(2,\)"):
        gan.fit(points, epochs=1, verbose=0, callbacks=[ImageGrid(tmp_path)])


def test_rejects_models_other_than_gan(tmp_path):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(loss="mse")
    with pytest.raises(TypeError, match="tfgan_lite.GAN.*Sequential"):
        model.fit(
            np.zeros((4, 2)),
            np.zeros((4, 1)),
            verbose=0,
            callbacks=[ImageGrid(tmp_path)],
        )


# -- one row per class ---------------------------------------------------------

CLASSES = 3


def _conditional_gan(seed=0):
    keras.utils.set_random_seed(seed)
    z = keras.Input((LATENT,))
    label = keras.Input((), dtype="int32")
    embedded = keras.layers.Embedding(CLASSES, 3)(label)
    h = keras.layers.Concatenate()([z, embedded])
    h = keras.layers.Dense(SIDE * SIDE, activation="tanh")(h)
    g = keras.Model([z, label], keras.layers.Reshape((SIDE, SIDE, 1))(h))
    image = keras.Input((SIDE, SIDE, 1))
    d_label = keras.Input((), dtype="int32")
    score = keras.layers.Dense(1)(keras.layers.Flatten()(image))
    bias = keras.layers.Embedding(CLASSES, 1)(d_label)
    d = keras.Model([image, d_label], keras.layers.Add()([score, bias]))
    gan = ConditionalGAN(g, d, num_classes=CLASSES, seed=seed)
    gan.compile()
    return gan


def _cell(grid, row, col, gap=1):
    y, x = row * (SIDE + gap), col * (SIDE + gap)
    return grid[y : y + SIDE, x : x + SIDE]


def test_per_class_grid_has_one_row_per_class(tmp_path):
    gan = _conditional_gan()
    callback = ImageGrid(tmp_path, num_samples=7, seed=4)  # 7 // 3 = 2
    callback.set_model(gan)
    grid = callback.grid()
    assert grid.shape == (CLASSES * SIDE + 2, 2 * SIDE + 1, 1)
    rows = []
    for c in range(CLASSES):
        samples = gan.generate(2, labels=c, seed=4).astype(np.float64)
        rows.append(samples)
        pixels = np.clip(np.round((samples + 1) * 127.5), 0, 255)
        for col in range(2):
            np.testing.assert_array_equal(_cell(grid, c, col), pixels[col])
    # The same latent vector down each column, so rows differ by class only.
    z = tf.constant(
        np.random.default_rng(0).normal(size=(1, LATENT)), tf.float32
    )
    by_class = [gan.generator([z, tf.constant([c])]) for c in range(CLASSES)]
    assert not np.allclose(by_class[0], by_class[1])
    assert not np.allclose(rows[0], rows[1])
    # per_class=False keeps the near-square grid of num_samples samples.
    flat = ImageGrid(tmp_path, num_samples=7, seed=4, per_class=False)
    flat.set_model(gan)
    assert flat.grid().shape == (3 * SIDE + 2, 3 * SIDE + 2, 1)


def test_per_class_png_after_fit(tmp_path):
    gan = _conditional_gan(seed=1)
    images = _images(8, seed=1)
    labels = np.arange(8) % CLASSES
    callback = ImageGrid(tmp_path, num_samples=6, per_class=True)
    gan.fit(images, labels, batch_size=4, verbose=0, callbacks=[callback])
    png = tf.io.read_file(str(tmp_path / "samples" / "samples_latest.png"))
    np.testing.assert_array_equal(_decode_png(png), callback.grid())
    assert callback.grid().shape[0] == CLASSES * SIDE + 2


def test_per_class_needs_a_conditional_gan(tmp_path):
    callback = ImageGrid(tmp_path, per_class=True)
    callback.set_model(_image_gan())
    with pytest.raises(TypeError, match="ConditionalGAN"):
        callback.grid()
    with pytest.raises(TypeError, match="ConditionalGAN"):
        callback.on_train_begin()
    with pytest.raises(TypeError, match="per_class"):
        ImageGrid(tmp_path, per_class="yes")


# -- translations of fixed images -------------------------------------------


def _conv1x1(name, w, b):
    """A 1x1 convolution y = w * x + b: a linear generator or patch critic."""
    inputs = keras.Input((SIDE, SIDE, 1))
    layer = keras.layers.Conv2D(
        1,
        1,
        kernel_initializer=keras.initializers.Constant(w),
        bias_initializer=keras.initializers.Constant(b),
    )
    return keras.Model(inputs, layer(inputs), name=name)


def _cyclegan():
    model = CycleGAN(
        _conv1x1("g_xy", 0.8, 0.1),
        _conv1x1("g_yx", -0.6, 0.2),
        _conv1x1("d_x", 0.3, -0.1),
        _conv1x1("d_y", -0.4, 0.05),
        pool_size=0,
        seed=3,
    )
    model.compile(
        g_optimizer=keras.optimizers.SGD(0.5),
        d_optimizer=keras.optimizers.SGD(0.5),
    )
    return model


def _pixels(images):
    """[-1, 1] -> bytes, rounded by hand."""
    return np.clip(
        np.round((np.asarray(images, np.float64) + 1) * 127.5), 0, 255
    )


def test_translation_grid_rows_are_x_g_of_x_and_f_of_g_of_x(tmp_path):
    model = _cyclegan()
    x = _images(5, seed=2) * 0.9
    callback = ImageGrid(tmp_path, images=x, num_samples=64, seed=9)
    callback.set_model(model)
    grid = callback.grid()
    assert callback.num_samples == 5
    assert grid.shape == (3 * SIDE + 2, 5 * SIDE + 4, 1)
    # The linear networks give the translations in closed form too.
    g_of_x = 0.8 * x + 0.1
    f_of_g = -0.6 * g_of_x + 0.2
    np.testing.assert_allclose(model.translate(x), g_of_x, atol=1e-6)
    rows = [x, model.translate(x), model.translate(g_of_x, direction="yx")]
    np.testing.assert_allclose(rows[2], f_of_g, atol=1e-6)
    for r, row in enumerate(rows):
        for col in range(5):
            np.testing.assert_array_equal(
                _cell(grid, r, col), _pixels(row[col])
            )


def test_translation_grid_after_fit_is_the_trained_models(tmp_path):
    model = _cyclegan()
    x = _images(4, seed=3)
    callback = ImageGrid(tmp_path, images=x[:3])
    callback.set_model(model)
    before = callback.grid()
    history = model.fit(
        x, -x, batch_size=2, epochs=2, verbose=0, callbacks=[callback]
    )
    assert len(history.history["g_loss"]) == 2
    png_dir = tmp_path / "samples"
    pngs = [n for n in os.listdir(png_dir) if n.endswith(".png")]
    assert sorted(pngs) == [
        "samples_epoch_0000.png",
        "samples_epoch_0001.png",
        "samples_latest.png",
    ]
    latest = _decode_png(tf.io.read_file(str(png_dir / "samples_latest.png")))
    np.testing.assert_array_equal(latest, callback.grid())
    # Training moved G, so row 2 changed; row 1 holds the fixed inputs.
    second = slice(SIDE + 1, 2 * SIDE + 1)
    assert np.abs(latest[second].astype(int) - before[second]).max() > 0
    np.testing.assert_array_equal(latest[:SIDE], before[:SIDE])


def test_translation_grid_refuses_the_wrong_model_or_images(tmp_path):
    x = _images(2)
    with pytest.raises(TypeError, match="images.*float"):
        ImageGrid(tmp_path, images=np.zeros((2, SIDE, SIDE, 1), np.uint8))
    with pytest.raises(ValueError, match=r"\(N, H, W, C\)"):
        ImageGrid(tmp_path, images=np.zeros((2, SIDE, SIDE), np.float32))
    with pytest.raises(ValueError, match="not both"):
        ImageGrid(tmp_path, images=x, per_class=True)
    on_gan = ImageGrid(tmp_path, images=x)
    on_gan.set_model(_image_gan())
    with pytest.raises(TypeError, match="needs a tfgan_lite.CycleGAN.*GAN"):
        on_gan.on_train_begin()
    without = ImageGrid(tmp_path)
    without.set_model(_cyclegan())
    for call in (without.grid, without.on_train_begin):
        with pytest.raises(TypeError, match=r"images=x"):
            call()
    wrong = ImageGrid(tmp_path, images=np.zeros((2, 2, 2, 1), np.float32))
    wrong.set_model(_cyclegan())
    with pytest.raises(ValueError, match=r"shape \(2, 2, 1\).*\(4, 4, 1\)"):
        wrong.on_train_begin()
