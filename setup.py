"""Packaging for tfgan_lite."""

import re
from pathlib import Path

from setuptools import find_packages, setup


def _version() -> str:
    """``tfgan_lite.__version__``, read from the source: it is the one place
    the version is written, and importing the package here would need its
    dependencies before they are installed."""
    text = Path("tfgan_lite/__init__.py").read_text(encoding="utf-8")
    return re.search(r'^__version__ = "([^"]+)"$', text, re.M).group(1)


# LiteRT publishes wheels for Linux (x86-64, aarch64), Windows and Apple
# silicon, none for Intel Macs; there `tfgan-export` says what to do.
_LITERT = (
    "ai-edge-litert>=1.2; "
    "platform_system != 'Darwin' or platform_machine == 'arm64'"
)

setup(
    name="tfgan_lite",
    version=_version(),
    description="Generative adversarial networks for Keras 3 on TensorFlow.",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    license_files=["LICENSE"],
    python_requires=">=3.10",
    # The design card keeps the export tooling in a top-level `export/`
    # folder; it installs as `tfgan_lite.export`, never as a top-level
    # `export` module.
    packages=find_packages(include=["tfgan_lite", "tfgan_lite.*"])
    + ["tfgan_lite.export"],
    package_dir={"tfgan_lite.export": "export"},
    # The digit classifier's weights (metrics.digits_classifier()).
    # The web sampler's page and script (export/web.py).
    package_data={
        "tfgan_lite.metrics": ["assets/*.h5"],
        "tfgan_lite.export": ["web_assets/*"],
    },
    install_requires=[
        "tensorflow>=2.16,<3",
        "keras>=3.0,<4",
        "tensorboard>=2.16,<3",
        "tensorflow-datasets>=4.9,<5",
        # tensorflow-datasets 4.9.10 imports it without declaring it.
        "importlib_resources>=5",
        "absl-py>=1.0",
        "numpy>=1.26",
        # Its bundled 8x8 digits are the offline default dataset.
        "scikit-learn>=1.3",
        # `tfgan-export` writes and checks LiteRT (.tflite) files with it;
        # exporting to mobile is one of the library's three jobs.
        _LITERT,
    ],
    extras_require={
        # Kept so that `pip install .[export]` from older instructions
        # still works; LiteRT is a plain requirement now.
        "export": [],
        "test": [
            "pytest>=8",
            # The suite runs on every core (-n auto in the README).
            "pytest-xdist>=3",
            "hypothesis>=6",
            "ruff>=0.5",
            # Drives the system Chromium in the page tests; it downloads
            # no browser of its own (that is `playwright install`).
            "playwright>=1.45",
            # The documentation site, built in strict mode by
            # tests/test_docs_site.py (mkdocs.yml).
            "mkdocs>=1.6,<2",
            "mkdocstrings[python]>=1.0,<2",
            # benchmarks/time_to_quality.py --plot draws with it; its plot
            # test runs in the suite.
            "matplotlib>=3.8",
        ],
    },
    entry_points={
        "console_scripts": [
            f"tfgan-{name}=tfgan_lite.commands.launch:{name}"
            for name in ("train", "evaluate", "sample", "export")
        ],
    },
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
