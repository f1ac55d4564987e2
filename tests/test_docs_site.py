"""The documentation site builds in strict mode, and its links hold.

``mkdocs build --strict`` (mkdocs.yml) turns every warning into a failure:
a link to a missing page or anchor, a page left out, a reference that
mkdocstrings cannot resolve, a docstring griffe cannot parse. The build
reads the source with griffe and imports no TensorFlow, so it takes
seconds. README.md lives outside the site, so its relative links are
checked here.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

mkdocs_build = pytest.importorskip("mkdocs.commands.build")
mkdocs_config = pytest.importorskip("mkdocs.config")
mkdocs_exceptions = pytest.importorskip("mkdocs.exceptions")

ROOT = Path(__file__).resolve().parents[1]
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _build(tmp_path: Path, **overrides) -> None:
    config = mkdocs_config.load_config(
        str(ROOT / "mkdocs.yml"),
        site_dir=str(tmp_path / "site"),
        strict=True,
        **overrides,
    )
    mkdocs_build.build(config)


def test_the_site_builds_in_strict_mode_without_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        _build(tmp_path)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= 30]
    assert warnings == []
    site = tmp_path / "site"
    # The generated reference holds the public names, not just headings.
    expected = {
        "gans": [
            "tfgan_lite.gans.gan.GAN",
            "tfgan_lite.gans.conditional.ConditionalGAN",
            "tfgan_lite.gans.clustered.ClusteredGAN",
            "tfgan_lite.gans.infogan.InfoGAN",
            "tfgan_lite.gans.cyclegan.CycleGAN",
        ],
        "losses": ["tfgan_lite.losses.hinge_generator_loss"],
        "commands": [
            "tfgan_lite.commands.config.TrainConfig",
            "tfgan_lite.commands.trainer.train",
        ],
        "export": ["export.pipeline.run_export", "export.config.ExportConfig"],
    }
    for page, names in expected.items():
        html = (site / "reference" / page / "index.html").read_text("utf-8")
        for name in names:
            assert f'id="{name}"' in html, (page, name)
    assert (site / "training" / "index.html").is_file()


def test_a_broken_link_fails_the_strict_build(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\n[gone](missing.md)\n")
    with pytest.raises(mkdocs_exceptions.Abort, match="warning"):
        _build(
            tmp_path,
            docs_dir=str(docs),
            nav=[{"Home": "index.md"}],
            plugins=[],
        )


def _anchors(page: Path) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown page."""
    headings = re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), re.M)
    return {
        re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        for heading in headings
    }


def test_the_readme_links_point_at_pages_and_headings_that_exist():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    links = [m.group(1) for m in _LINK.finditer(text)]
    local = [link for link in links if "://" not in link]
    assert len(local) >= 10, local
    for link in local:
        path, _, anchor = link.partition("#")
        page = ROOT / (path or "README.md")
        assert page.exists(), f"README links a missing {link}"
        if anchor:
            assert anchor in _anchors(page), f"no heading for {link}"


def test_every_test_the_guarantees_name_exists():
    text = (ROOT / "docs" / "guarantees.md").read_text(encoding="utf-8")
    files = set(re.findall(r"`((?:[a-z_]+/)?test_[a-z0-9_]+\.py)`", text))
    names = set(re.findall(r"`(test_[a-z0-9_]+)`", text))
    assert len(files) >= 10 and len(names) >= 10, (files, names)
    tests = ROOT / "tests"
    for name in files:
        # The table gives paths under tests/, and bare names in a row that
        # already named tests/reliability/.
        found = [tests / name, tests / "reliability" / name]
        assert any(path.is_file() for path in found), f"no file {name}"
    source = "".join(
        path.read_text(encoding="utf-8") for path in tests.rglob("test_*.py")
    )
    for name in names:
        assert f"def {name}(" in source, f"no test {name}"
