"""The browser sampler (--formats web), loaded in headless Chromium.

The page runs generator.tflite with LiteRT.js (WASM, CPU) and draws its
samples on a canvas; the tests read the drawn pixels back and compare
them with the Keras generator's ``to_uint8`` output for the latents the
page drew. Tolerance: 1 grey level (``verify.UINT8_PARITY_TOLERANCE``),
as for the float32 LiteRT file; measured: 0 levels.
"""

import json
import re

import browser_testutil
import numpy as np
import pytest
from export_testutil import conditional_generator, small_gan

from tfgan_lite import export
from tfgan_lite.export import verify, web

pytestmark = pytest.mark.skipif(
    browser_testutil.skip_reason(litertjs=True) is not None,
    reason=str(browser_testutil.skip_reason(litertjs=True)),
)

READY = "['ready', 'error'].includes(document.body.dataset.state)"
CANVAS_PIXELS = """() => {
  const s = window.sampler;
  const ctx = document.getElementById('grid').getContext('2d');
  return s.pixels.map((_, i) => {
    const b = s.cellBox(i);
    return Array.from(ctx.getImageData(b.x, b.y, b.w, b.h).data);
  });
}"""


@pytest.fixture(scope="module")
def models():
    return {"gan": small_gan(seed=2), "conditional": conditional_generator()}


@pytest.fixture(scope="module")
def site(models, tmp_path_factory):
    """Both samplers exported under one served folder; yields its URL."""
    root = tmp_path_factory.mktemp("web")
    for name, model in models.items():
        export.run_export(
            export.ExportConfig(
                model=model,
                out_dir=root / name,
                formats="tflite,web",
                uint8=name == "conditional",
                num_verify=4,
                latency_runs=1,
                litertjs_dir=browser_testutil.NODE_MODULES,
                verbose=False,
            )
        )
    with browser_testutil.serve(root) as url:
        yield root, url


@pytest.fixture(scope="module")
def browser():
    with browser_testutil.browser() as chromium:
        yield chromium


def _open(browser, url):
    page = browser.new_page()
    page.goto(url)
    page.wait_for_function(READY, timeout=120_000)
    assert page.evaluate("window.sampler.error") is None
    return page


def _drawn(page):
    """The canvas pixels of every cell, (N, H, W, 4) uint8 RGBA."""
    settings = page.evaluate("window.sampler.settings")
    h, w, _ = settings["sample_shape"]
    cells = np.array(page.evaluate(CANVAS_PIXELS), np.uint8)
    return cells.reshape(len(cells), h, w, 4)


def _grey(page):
    rgba = _drawn(page)
    assert np.all(rgba[..., 3] == 255)
    assert np.all(rgba[..., 0] == rgba[..., 1])
    assert np.all(rgba[..., 1] == rgba[..., 2])
    return rgba[..., :1]


def _latents(page):
    return np.array(
        page.evaluate("window.sampler.latents.map(z => Array.from(z))"),
        np.float32,
    )


def _keras_uint8(model, z, labels=None):
    if labels is None:
        out = model.ema_generator(z, training=False)
    else:
        out = model([z, np.asarray(labels, np.int32)], training=False)
    return export.to_uint8_numpy(np.asarray(out))


def test_folder_is_self_contained(site):
    root, _ = site
    folder = root / "gan" / web.WEB_DIR
    names = {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file()
    }
    assert names == {
        "index.html",
        "sampler.js",
        "sampler.json",
        "generator.tflite",
        "litertjs/core.js",
        "litertjs/wasm-utils.js",
        "litertjs/wasm/litert_wasm_internal.js",
        "litertjs/wasm/litert_wasm_internal.wasm",
        "litertjs/wasm/litert_wasm_compat_internal.js",
        "litertjs/wasm/litert_wasm_compat_internal.wasm",
    }
    float32 = root / "gan" / export.tflite_filename("float32")
    assert (folder / "generator.tflite").read_bytes() == float32.read_bytes()
    settings = json.loads((folder / "sampler.json").read_text())
    assert settings["litertjs_version"] == web.LITERTJS_VERSION
    assert settings["latent_dim"] == 32 and settings["output"] == "float"
    html = (folder / "index.html").read_text()
    assert "http" not in html.replace("http-equiv", "")


@pytest.mark.slow  # a headless Chromium session
def test_drawn_pixels_match_keras(site, browser, models):
    _, url = site
    page = _open(browser, f"{url}/gan/web/index.html?seed=7")
    z = _latents(page)
    assert z.shape == (32, 32)
    # Box-Muller draws: N(0, 1) to within a few standard errors.
    assert abs(z.mean()) < 0.1 and abs(z.std() - 1.0) < 0.1
    expected = _keras_uint8(models["gan"], z)
    drawn = _grey(page)
    error = np.abs(drawn.astype(int) - expected.astype(int)).max()
    assert error <= verify.UINT8_PARITY_TOLERANCE
    # The same seed draws the same latents on a fresh page.
    again = _open(browser, f"{url}/gan/web/index.html?seed=7")
    np.testing.assert_array_equal(_latents(again), z)
    np.testing.assert_array_equal(_grey(again), drawn)
    _check_timing(page)


def _check_timing(page):
    """The status line gives a real time per batch (it once said 0.00 ms:
    one batch takes less than the browser timer's resolution)."""
    status = page.inner_text("#status")
    ms, runs = page.evaluate(
        "[window.sampler.msPerBatch, window.sampler.timedRuns]"
    )
    assert runs >= 3
    if ms is None:
        assert "under the browser timer's resolution per batch of 1" in status
        return
    assert 0.0 < ms < 10_000.0
    shown = re.search(
        r"samples, ([0-9.e+-]+) ms per batch of 1, mean of", status
    )
    assert shown is not None, status
    assert float(shown.group(1)) == pytest.approx(ms, rel=0.01)
    assert f"mean of {runs} runs" in status


@pytest.mark.slow  # a headless Chromium session
def test_new_noise_and_walk(site, browser, models):
    _, url = site
    page = _open(browser, f"{url}/gan/web/index.html?seed=3")
    page.click("#new-noise")
    page.wait_for_function(READY)
    assert page.evaluate("window.sampler.seed") == 4
    z, drawn = _latents(page), _grey(page)
    expected = _keras_uint8(models["gan"], z)
    assert np.abs(drawn.astype(int) - expected.astype(int)).max() <= 1
    # Cell 2 becomes A (click), cell 13 B (shift-click), then the walk.
    for index, modifiers in ((2, []), (13, ["Shift"])):
        box = page.evaluate(f"window.sampler.cellBox({index})")
        scale = page.evaluate(
            "document.getElementById('grid').getBoundingClientRect().width"
            " / document.getElementById('grid').width"
        )
        page.click(
            "#grid",
            position={
                "x": (box["x"] + box["w"] / 2) * scale,
                "y": (box["y"] + box["h"] / 2) * scale,
            },
            modifiers=modifiers,
        )
    assert page.evaluate("[window.sampler.a, window.sampler.b]") == [2, 13]
    page.click("#walk")
    page.wait_for_function(READY)
    path, walked = _latents(page), _grey(page)
    np.testing.assert_array_equal(path[0], z[2])
    np.testing.assert_array_equal(path[-1], z[13])
    np.testing.assert_array_equal(walked[0], drawn[2])
    np.testing.assert_array_equal(walked[-1], drawn[13])
    # Spherical interpolation, against a float64 reference.
    a, b = z[2].astype(np.float64), z[13].astype(np.float64)
    omega = np.arccos(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    t = np.linspace(0.0, 1.0, len(path))[:, None]
    reference = (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(
        omega
    )
    np.testing.assert_allclose(path, reference, atol=1e-5, rtol=0)
    expected = _keras_uint8(models["gan"], path)
    assert np.abs(walked.astype(int) - expected.astype(int)).max() <= 1


@pytest.mark.slow  # a headless Chromium session
def test_class_picker_of_a_conditional_generator(site, browser, models):
    _, url = site
    page = _open(browser, f"{url}/conditional/web/index.html?seed=5")
    assert page.is_visible("#class")
    labels = page.evaluate("window.sampler.labels")
    assert labels == [i % 10 for i in range(32)]
    page.select_option("#class", "3")
    page.wait_for_function(READY)
    assert page.evaluate("window.sampler.labels") == [3] * 32
    z = _latents(page)
    expected = _keras_uint8(models["conditional"], z, [3] * 32)
    # uint8 straight from the file's own tail: the same 1-level bound.
    error = np.abs(_grey(page).astype(int) - expected.astype(int)).max()
    assert error <= verify.UINT8_PARITY_TOLERANCE


def test_web_without_litertjs_fails_before_converting(tmp_path):
    config = export.ExportConfig(
        model=small_gan(seed=1),
        out_dir=tmp_path / "out",
        formats="tflite,web",
        litertjs_dir=tmp_path,
        verbose=False,
    )
    with pytest.raises(FileNotFoundError, match="npm install @litertjs"):
        export.run_export(config)
    assert not (tmp_path / "out").exists()
