"""Small model files for the reliability tests.

Their Hypothesis settings are the suite's profiles (tests/conftest.py):
"ci" by default, "dev" for a quicker local loop.
"""

import pytest

import tfgan_lite
from tfgan_lite import models


def _saved_gan(directory, networks):
    gan = tfgan_lite.GAN(*networks, seed=0)
    gan.compile()
    path = directory / "model.keras"
    gan.save(path)
    return path


@pytest.fixture(scope="module")
def image_gan_file(tmp_path_factory):
    """A small dcgan_28 GAN's .keras file (28x28x1 samples)."""
    networks = models.dcgan_28(latent_dim=8, width=4)
    return _saved_gan(tmp_path_factory.mktemp("image_gan"), networks)


@pytest.fixture(scope="module")
def points_gan_file(tmp_path_factory):
    """A small mlp_2d GAN's .keras file (2-D points, latent size 4)."""
    networks = models.mlp_2d(latent_dim=4, hidden=8)
    return _saved_gan(tmp_path_factory.mktemp("points_gan"), networks)
