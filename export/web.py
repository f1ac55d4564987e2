"""A browser sampler: the float32 LiteRT file run by LiteRT.js in a page.

:func:`write_web_sampler` writes a self-contained folder (``web/``)::

    web/index.html        the page: grid, buttons, class picker
    web/sampler.js        draws samples with LiteRT.js
    web/sampler.json      what the page needs to know of the generator
    web/generator.tflite  a copy of generator_float32.tflite
    web/litertjs/         LiteRT.js, copied from an npm install

LiteRT.js (``@litertjs/core`` on npm) is copied at export time from a
``node_modules`` folder (``npm install @litertjs/core@2.5.3``): its ES
module, that of ``@litertjs/wasm-utils`` (named in an import map, so no
bundler is needed) and two of its four WASM builds, the relaxed-SIMD one
and the ``compat`` one for browsers without relaxed SIMD (about 19 MB
together). LiteRT.js picks between them. The threaded and JSPI builds
are left out: they need cross-origin isolation or JSPI, and a 28x28
generator gains nothing from them. The page therefore loads nothing from
the network; any static server on localhost serves it (browsers refuse
WASM from ``file://``), e.g. ``python -m http.server -d web``.

The page draws ``grid_rows * grid_cols`` samples from latents drawn in
the page (a seeded mulberry32 stream through Box-Muller), turns the
generator's floats into pixels exactly as :func:`~tfgan_lite.export
.to_uint8` does (float32 arithmetic, round half to even, NaN to 0), and
has buttons for new noise and for a spherical walk between two samples
(click a cell to choose the end points). A conditional generator gets a
class picker. ``window.sampler`` exposes the seed, latents, labels and
per-cell pixels, which the browser test reads.
"""

from __future__ import annotations

import json
import os
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from tfgan_lite.export import loading
from tfgan_lite.export.config import WEB_DIR

__all__ = [
    "LITERTJS_VERSION",
    "WEB_DIR",
    "find_litertjs",
    "write_web_sampler",
]

# The version the page and its browser test were written against; the
# repository's package.json pins it for CI.
LITERTJS_VERSION = "2.5.3"

_CORE = "@litertjs/core"
_UTILS = "@litertjs/wasm-utils"
# The relaxed-SIMD build and its fallback; see the module docstring.
_WASM = ("litert_wasm_internal", "litert_wasm_compat_internal")
_PAGE_FILES = ("index.html", "sampler.js")


def find_litertjs(
    node_modules: str | os.PathLike[str] | None = None,
) -> Path:
    """Finds an npm install of ``@litertjs/core``.

    Args:
        node_modules: A ``node_modules`` folder holding ``@litertjs/core``
            and ``@litertjs/wasm-utils``. None searches ``node_modules``
            in the working directory and each of its parents.

    Returns:
        The ``node_modules`` folder.

    Raises:
        FileNotFoundError: If no such install is found, saying how to
            make one.
    """
    if node_modules is not None:
        candidates = [Path(node_modules)]
    else:
        here = Path.cwd().resolve()
        candidates = [d / "node_modules" for d in (here, *here.parents)]
    for folder in candidates:
        if (folder / _CORE / "package.json").is_file():
            return folder
    where = (
        f"'{node_modules}'"
        if node_modules is not None
        else "node_modules of the working directory or its parents"
    )
    raise FileNotFoundError(
        f"The web format copies LiteRT.js from an npm install, but "
        f"{_CORE} is not in {where}. Run `npm install "
        f"{_CORE}@{LITERTJS_VERSION}` and pass its node_modules folder "
        "(--litertjs_dir), or drop 'web' from --formats."
    )


def write_web_sampler(
    out_dir: str | os.PathLike[str],
    spec: loading.GeneratorSpec,
    tflite: str | os.PathLike[str],
    *,
    uint8: bool,
    batch_size: int = 1,
    node_modules: str | os.PathLike[str] | None = None,
    grid_rows: int = 4,
    grid_cols: int = 8,
) -> Path:
    """Writes the browser sampler folder for one generator.

    Args:
        out_dir: The export directory; the folder is ``out_dir/web``.
        spec: The exported generator.
        tflite: Its float32 LiteRT file (already verified).
        uint8: Whether the file outputs uint8 pixels (else floats in
            [-1, 1], which the page maps as ``to_uint8`` does).
        batch_size: The file's fixed batch size.
        node_modules: Where LiteRT.js is installed; see
            :func:`find_litertjs`.
        grid_rows: Rows of samples on the page.
        grid_cols: Columns of samples on the page.

    Returns:
        The folder written.

    Raises:
        FileNotFoundError: If LiteRT.js is not installed.
        ValueError: For a generator whose samples are not images.
    """
    source = find_litertjs(node_modules)
    shape = tuple(spec.sample_shape)
    if len(shape) != 3 or shape[-1] not in (1, 3):
        raise ValueError(
            "The web sampler draws images of shape (H, W, 1) or (H, W, 3); "
            f"this generator's samples have shape {shape}. Drop 'web' from "
            "--formats."
        )
    web = Path(out_dir) / WEB_DIR
    if web.exists():
        shutil.rmtree(web)
    lib = web / "litertjs"
    (lib / "wasm").mkdir(parents=True)
    shutil.copyfile(source / _CORE / "dist/index.js", lib / "core.js")
    shutil.copyfile(source / _UTILS / "dist/index.js", lib / "wasm-utils.js")
    for stem in _WASM:
        for suffix in (".js", ".wasm"):
            name = stem + suffix
            shutil.copyfile(source / _CORE / "wasm" / name, lib / "wasm" / name)
    pages = resources.files("tfgan_lite.export").joinpath("web_assets")
    for name in _PAGE_FILES:
        (web / name).write_bytes(pages.joinpath(name).read_bytes())
    shutil.copyfile(tflite, web / "generator.tflite")
    settings = _settings(spec, source, uint8=uint8, batch_size=batch_size)
    settings["grid"] = {"rows": grid_rows, "cols": grid_cols}
    (web / "sampler.json").write_text(
        json.dumps(settings, indent=2) + "\n", encoding="utf-8"
    )
    return web


def _settings(
    spec: loading.GeneratorSpec, source: Path, *, uint8: bool, batch_size: int
) -> dict[str, Any]:
    package = json.loads(
        (source / _CORE / "package.json").read_text(encoding="utf-8")
    )
    return {
        "model": "generator.tflite",
        "latent_dim": spec.latent_dim,
        "sample_shape": list(spec.sample_shape),
        "conditional": spec.conditional,
        "num_classes": spec.num_classes,
        "output": "uint8" if uint8 else "float",
        "batch_size": batch_size,
        "litertjs_version": package.get("version", "unknown"),
    }
