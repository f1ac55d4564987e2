"""Screenshots for the docs: the web sampler and TensorBoard on one run.

    python scripts/page_screenshots.py --epochs 12

Trains the default digits preset for a few epochs with the training
command (skipped with --run_dir of a finished run), exports it with
``--formats tflite,web`` (the report gives Interpreter and CompiledModel
latencies), and opens both pages in headless Chromium, as the tests do:
``docs/web_sampler.png`` and ``docs/tensorboard.png``. Needs Chromium,
Playwright and ``npm ci`` (see BUILD.md).
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import browser_testutil  # noqa: E402

from tfgan_lite import export  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--run_dir", default=None)
    parser.add_argument("--docs", default=str(REPO / "docs"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="screenshots_"))
    run = Path(args.run_dir) if args.run_dir else work / "run"
    if args.run_dir is None:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tfgan_lite.train",
                f"--run_dir={run}",
                f"--epochs={args.epochs}",
                "--metrics_every=0",
            ],
            check=True,
        )
    out = work / "exported"
    export.run_export(
        export.ExportConfig(
            model=run / "model.keras",
            out_dir=out,
            formats="tflite,web",
            quantize="float16,int8,int8_full",
            litertjs_dir=browser_testutil.NODE_MODULES,
        )
    )
    docs = Path(args.docs)
    with browser_testutil.browser() as chromium:
        page = chromium.new_page(viewport={"width": 900, "height": 560})
        with browser_testutil.serve(out) as url:
            page.goto(f"{url}/web/index.html?seed=1")
            page.wait_for_function("document.body.dataset.state === 'ready'")
            page.screenshot(path=str(docs / "web_sampler.png"))
        page = chromium.new_page(viewport={"width": 1280, "height": 920})
        with browser_testutil.tensorboard(run / "logs") as url:
            page.goto(f"{url}/#timeseries")
            tags = page.locator("metrics-tag-filter input")
            tags.fill("epoch_.*loss|samples")
            tags.press("Escape")  # Closes the tag suggestions.
            page.wait_for_selector("scalar-card line-chart", timeout=60_000)
            page.wait_for_timeout(3000)
            page.screenshot(path=str(docs / "tensorboard.png"))
    print(f"Wrote {docs / 'web_sampler.png'} and {docs / 'tensorboard.png'}")


if __name__ == "__main__":
    main()
