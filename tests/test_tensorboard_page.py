"""TensorBoard's page for a finished run, loaded in headless Chromium.

A tiny GAN trains for two epochs with Keras' TensorBoard callback and
ImageGrid; ``tensorboard --logdir`` serves the run, and the page must show
a scalar card for each loss and the sample grid as a loaded image.
"""

import browser_testutil
import keras
import numpy as np
import pytest

import tfgan_lite

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        browser_testutil.skip_reason() is not None,
        reason=str(browser_testutil.skip_reason()),
    ),
]

CARD_TITLES = """() => Array.from(
  document.querySelectorAll('scalar-card .title, scalar-card tb-truncated-path')
).map(e => e.textContent.trim())"""
IMAGE_LOADED = """() => Array.from(document.querySelectorAll('image-card img'))
  .some(img => img.complete && img.naturalWidth > 0)"""


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    logs = tmp_path_factory.mktemp("run")
    keras.utils.set_random_seed(0)
    images = np.random.default_rng(0).uniform(-1, 1, (32, 28, 28, 1))
    generator, discriminator = tfgan_lite.models.dcgan_28(width=8)
    gan = tfgan_lite.GAN(generator, discriminator)
    gan.compile()
    gan.fit(
        images.astype("float32"),
        batch_size=16,
        epochs=2,
        verbose=0,
        callbacks=[
            keras.callbacks.TensorBoard(logs),
            tfgan_lite.callbacks.ImageGrid(logs, num_samples=16),
        ],
    )
    return logs


def test_scalar_cards_and_sample_image_are_shown(run_dir):
    with (
        browser_testutil.tensorboard(run_dir) as url,
        browser_testutil.browser() as chromium,
    ):
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{url}/#timeseries")
        tags = page.locator("metrics-tag-filter input")
        # Cards render when in view: the tag filter brings the ones to see.
        tags.fill("loss")
        page.wait_for_selector("scalar-card line-chart", timeout=60_000)
        page.wait_for_function(
            f"({CARD_TITLES})().filter(t => t.endsWith('_loss')).length >= 2"
        )
        titles = page.evaluate(CARD_TITLES)
        for tag in ("epoch_d_loss", "epoch_g_loss"):
            assert tag in titles, titles
        tags.fill("samples")
        page.wait_for_function(IMAGE_LOADED, timeout=60_000)
        runs = page.locator("runs-selector").inner_text()
        assert "train" in runs and "samples" in runs
