"""The website: a real `mkdocs build --strict`, its pages, feed and data, and atomic swaps."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from report.errors import PublishError, VerifyError
from report.site import build_site
from report.weekfile import week_paths
from tests.conftest import ROOT, SEED


def site_folder(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of mkdocs.yml and the hand-written pages, so the test builds in isolation."""
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(
        ROOT / "site",
        tmp_path / "site",
        ignore=shutil.ignore_patterns(
            "weeks", "charts", "data", "index.md", "archive.md", "feed.xml", "vega-bundle.js"
        ),
    )
    return tmp_path / "mkdocs.yml", tmp_path / "public"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config, public = site_folder(tmp_path_factory.mktemp("site"))
    build_site(week_paths(), config, public)
    return public


def test_pages_archive_feed_and_data(built: Path) -> None:
    weeks = ["2025-W19", "2025-W38", "2025-W44", "2025-W45", "2026-W03", "2026-W04"]
    assert sorted(p.stem for p in (built / "weeks").glob("*.html")) == weeks
    home = (built / "index.html").read_text()
    assert "Bitcoin Falls Below $87K" in home  # the latest week is the home page
    archive = (built / "archive.html").read_text()
    assert all(f"weeks/{w}.html" in archive for w in weeks)
    assert archive.index("2026-W04") < archive.index("2025-W19")  # newest first
    seed = (built / "weeks" / "2025-W45.html").read_text()
    assert 'href="2025-W44.html"' in seed and 'href="2026-W03.html"' in seed  # previous / next
    assert "../data/2025-W45.json" in seed and "../data/2025-W45-closes.csv" in seed
    record = json.loads((built / "data" / "2025-W45.json").read_text())
    assert record["week"]["assets"][0]["quote"]["price"] == 103849
    csv_lines = (built / "data" / "2025-W45-closes.csv").read_text().splitlines()
    assert csv_lines[0] == "symbol,date,close,source" and len(csv_lines) > 365


def test_feed_is_valid_rss(built: Path) -> None:
    channel = ET.parse(built / "feed.xml").getroot().find("channel")
    assert channel is not None
    items = channel.findall("item")
    assert items[0].findtext("link", "").endswith("/weeks/2026-W04.html")
    assert len(items) == 6 and all(i.findtext("pubDate") for i in items)
    assert items[2].findtext("title", "").startswith("Bitcoin Falls Below $104K")


def test_charts_have_static_images_and_text(built: Path) -> None:
    seed = (built / "weeks" / "2025-W45.html").read_text()
    for name in ("btc-closes", "changes", "fear-greed"):
        assert (built / "charts" / f"2025-W45-{name}.svg").read_text().startswith("<svg")
        assert f"../charts/2025-W45-{name}.json" in seed
    assert 'alt="Bitcoin&#39;s daily close' in seed or "alt=\"Bitcoin's daily close" in seed
    assert "<summary>The data: Bitcoin, last 90 days of daily closes</summary>" in seed


def test_no_request_leaves_the_site(built: Path) -> None:
    for page in built.rglob("*.html"):
        html = page.read_text()
        for attribute in ("src=", "<link"):
            for piece in html.split(attribute)[1:]:
                head = piece[:200]
                if attribute == "<link" and "stylesheet" not in head and "script" not in head:
                    continue
                assert "//" not in head.split(">")[0] or "http" not in head.split(">")[0], head


def test_a_bad_week_leaves_the_last_good_site(
    built: Path, tmp_path: Path, week_variant: Callable[..., Path]
) -> None:
    config, public = site_folder(tmp_path)
    build_site([SEED], config, public)
    before = {p: p.read_bytes() for p in public.rglob("*") if p.is_file()}

    def invented(d: dict[str, Any]) -> None:
        d["assets"][0]["quote"]["price"] = -1

    with pytest.raises(Exception, match="greater than 0"):
        build_site([week_variant(invented)], config, public)
    assert {p: p.read_bytes() for p in public.rglob("*") if p.is_file()} == before


def test_an_mkdocs_warning_fails_and_keeps_the_last_good_site(tmp_path: Path) -> None:
    config, public = site_folder(tmp_path)
    build_site([SEED], config, public)
    before = sorted(p.relative_to(public) for p in public.rglob("*"))
    (config.parent / "site" / "about.md").write_text("# About\n\n[broken](nowhere.md)\n")
    with pytest.raises(PublishError, match="strict"):
        build_site([SEED], config, public)
    assert sorted(p.relative_to(public) for p in public.rglob("*")) == before
    assert not list(tmp_path.glob(".public-*"))


def test_the_site_page_is_verified_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from report import site

    monkeypatch.setattr(site, "_downloads", lambda week, prefix: "\nAbout 42,000 downloads.\n")
    config, public = site_folder(tmp_path)
    with pytest.raises(VerifyError, match="'42,000'"):
        build_site([SEED], config, public)
    assert not public.exists()
