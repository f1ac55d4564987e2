"""Small models and latents shared by the export tests."""

import keras
import numpy as np

import tfgan_lite
from tfgan_lite import export

LATENT = 32
WIDTH = 8
NUM_VERIFY = 8
# Few timed runs: tests check that latency is reported, not its value.
LATENCY_RUNS = 2


def small_gan(*, ema: bool = True, seed: int = 0) -> tfgan_lite.GAN:
    """A tiny 28x28 DCGAN with outputs spread over [-1, 1].

    The DCGAN initializer (stddev 0.02) gives near-zero images, so noise is
    added to every weight but the BatchNorm statistics; the EMA copy gets
    its own noise, so its outputs differ from the generator's.
    """
    keras.utils.set_random_seed(seed)
    generator, discriminator = tfgan_lite.models.dcgan_28(
        latent_dim=LATENT, width=WIDTH
    )
    gan = tfgan_lite.GAN(generator, discriminator, seed=seed, ema=ema)
    rng = np.random.default_rng(seed)
    networks = [gan.generator] + ([gan.ema_generator] if ema else [])
    for network in networks:
        for v in network.weights:
            if "moving" not in v.path:
                noise = rng.normal(0.0, 0.2, v.shape).astype("float32")
                v.assign(v + noise)
    return gan


def conditional_generator(
    latent: int = 8, classes: int = 10, seed: int = 0
) -> keras.Model:
    """A tiny Functional generator with inputs [z (N, latent), label (N,)]."""
    keras.utils.set_random_seed(seed)
    z = keras.Input((latent,), name="z")
    label = keras.Input((), dtype="int32", name="label")
    e = keras.layers.Embedding(classes, 4, name="embed")(label)
    h = keras.layers.Concatenate()([z, e])
    h = keras.layers.Dense(7 * 7 * 2, activation="relu")(h)
    h = keras.layers.Reshape((7, 7, 2))(h)
    image = keras.layers.Conv2DTranspose(
        1, 4, strides=2, padding="same", activation="tanh"
    )(h)
    return keras.Model([z, label], image, name="conditional_generator")


def latents(n: int = NUM_VERIFY, seed: int = 0, latent: int = LATENT):
    """The verification latents run_export draws for seed ``seed``."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, latent)).astype(np.float32)


def quick_config(tmp_path, **kwargs) -> export.ExportConfig:
    """A silent ExportConfig into ``tmp_path / "out"`` with one timed run."""
    kwargs.setdefault("model", small_gan(seed=4))
    kwargs.setdefault("out_dir", tmp_path / "out")
    return export.ExportConfig(verbose=False, latency_runs=1, **kwargs)
