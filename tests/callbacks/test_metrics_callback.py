"""MetricsCallback: when it measures, what it writes, which generator."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing import event_accumulator

import tfgan_lite
from tfgan_lite import callbacks
from tfgan_lite.metrics import features

SIDE = 8


def _gan(ema=False):
    generator = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(SIDE * SIDE, activation="tanh"),
            keras.layers.Reshape((SIDE, SIDE, 1)),
        ]
    )
    discriminator = keras.Sequential(
        [
            keras.Input((SIDE, SIDE, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ]
    )
    gan = tfgan_lite.GAN(generator, discriminator, seed=0, ema=ema)
    gan.compile()
    return gan


def _real(n=64):
    rng = np.random.default_rng(0)
    return rng.uniform(-1, 1, (n, SIDE, SIDE, 1)).astype(np.float32)


def _extractor():
    return features.random_embedding(seed=0, image_size=(SIDE, SIDE), dim=8)


def test_measures_on_schedule_and_at_the_last_epoch(tmp_path):
    real = _real()
    measure = callbacks.MetricsCallback(
        real,
        extractor=_extractor(),
        log_dir=tmp_path,
        every_n_epochs=2,
        num_samples=40,
    )
    _gan().fit(real, batch_size=32, epochs=4, verbose=0, callbacks=[measure])
    # Epochs 0 and 2 by the period, 3 because it is the last.
    assert [epoch for epoch, _ in measure.history] == [0, 2, 3]
    acc = event_accumulator.EventAccumulator(
        str(tmp_path / "metrics"), size_guidance={"tensors": 0}
    )
    acc.Reload()
    name = _extractor().name
    fd = acc.Tensors(f"{name}/fd")
    assert [e.step for e in fd] == [0, 2, 3]
    last = measure.history[-1][1]
    assert float(tf.make_ndarray(fd[-1].tensor_proto)) == pytest.approx(
        last.generated["fd"], rel=1e-6
    )
    real_fd = acc.Tensors(f"{name}/fd_real")
    assert float(tf.make_ndarray(real_fd[0].tensor_proto)) == pytest.approx(
        last.real["fd"], rel=1e-6
    )


def test_samples_come_from_the_ema_generator_with_a_fixed_seed():
    real = _real()
    gan = _gan(ema=True)
    gan.fit(real, batch_size=32, epochs=1, verbose=0)
    # Make the two generators differ, so the choice shows.
    gan.ema_generator.set_weights(
        [w * 0.5 for w in gan.ema_generator.get_weights()]
    )
    measure = callbacks.MetricsCallback(real, extractor=_extractor())
    measure.set_model(gan)
    report = measure.measure()
    ema = measure.reference.compare(gan.generate(32, seed=0, use_ema=True))
    raw = measure.reference.compare(gan.generate(32, seed=0, use_ema=False))
    assert report.generated == pytest.approx(ema.generated)
    assert report.generated != pytest.approx(raw.generated)
    assert measure.measure().generated == pytest.approx(report.generated)


def test_default_extractor_is_a_random_embedding_of_the_real_size():
    # Its 64 features need at least 65 images in each real half.
    measure = callbacks.MetricsCallback(_real(140)[..., 0])
    assert measure.reference.extractor.name.startswith("random_cnn")
    assert measure.reference.extractor.image_size == (SIDE, SIDE)
    assert measure.reference.extractor.name.endswith("_d64")


def test_refuses_real_images_of_another_shape_and_other_models():
    small = np.linspace(-1, 1, 16 * 16).reshape(16, 4, 4, 1)
    measure = callbacks.MetricsCallback(
        small.astype(np.float32),
        extractor=features.random_embedding(seed=0, image_size=(4, 4), dim=4),
    )
    with pytest.raises(ValueError, match=r"\(N, 4, 4, 1\).*\(N, 8, 8, 1\)"):
        _gan().fit(
            _real(), batch_size=32, epochs=1, verbose=0, callbacks=[measure]
        )
    measure.set_model(
        keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    )
    with pytest.raises(TypeError, match="MetricsCallback.*tfgan_lite.GAN"):
        measure.on_train_begin()


@pytest.mark.parametrize(
    "kwargs,error,message",
    [
        (dict(every_n_epochs=0), ValueError, "every_n_epochs=0"),
        (dict(num_samples=1), ValueError, "num_samples=1"),
        (dict(use_ema="yes"), TypeError, "use_ema"),
        (dict(log_dir=3), TypeError, "log_dir"),
        (dict(real_images=np.zeros(5)), ValueError, r"shape \(5,\)"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    arguments = {"real_images": _real(), "extractor": _extractor(), **kwargs}
    with pytest.raises(error, match=message):
        callbacks.MetricsCallback(**arguments)
