"""The website: a real `mkdocs build --strict`, its pages, feed and data, and atomic swaps."""

from __future__ import annotations

import fcntl
import html
import json
import re
import shutil
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from report.errors import PublishError, VerifyError
from report.htmlbuild import STAMP
from report.prose import plain
from report.site import build_site
from tests.conftest import ROOT, SEED, edition_of, sample_weeks, seed_alone


def site_folder(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of mkdocs.yml and the hand-written pages, so the test builds in isolation."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", tmp_path / "overrides")
    shutil.copytree(
        ROOT / "site",
        tmp_path / "site",
        ignore=shutil.ignore_patterns(
            "weeks",
            "charts",
            "data",
            "index.md",
            "archive.md",
            "feed.xml",
            "robots.txt",
            "vega-bundle.js",
        ),
    )
    return tmp_path / "mkdocs.yml", tmp_path / "public"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    config, public = site_folder(folder)
    build_site(sample_weeks(folder / "weeks"), config, public)
    return public


def test_pages_archive_feed_and_data(built: Path) -> None:
    weeks = ["2025-W19", "2025-W38", "2025-W44", "2025-W45", "2026-W03", "2026-W04"]
    assert sorted(p.stem for p in (built / "weeks").glob("*.html")) == weeks
    home = (built / "index.html").read_text()
    assert "Bitcoin Drops 7.5% in a Week" in home and "weeks/2026-W04.html" in home  # linked
    archive = (built / "archive.html").read_text()
    links = re.findall(r'<td><a href="(weeks/[^"]+)">', archive)
    assert links == [f"weeks/{w}.html" for w in reversed(weeks)]  # mkdocs does not check these
    assert all((built / link).is_file() for link in links)
    assert '<td style="text-align: right">$86,670</td>' in archive  # 2026-W04's close
    index = json.loads((built / "search" / "search_index.json").read_bytes())
    assert not [e for e in index["docs"] if e["location"].startswith("archive.html")]
    assert archive.index("2026-W04") < archive.index("2025-W19")  # newest first
    seed = (built / "weeks" / "2025-W45.html").read_text()
    assert 'href="2025-W44.html"' in seed and 'href="2026-W03.html"' in seed  # previous / next
    assert "← Oct 27 – Nov 2, 2025" in seed and "Jan 12 – 18, 2026 →" in seed  # by their dates
    assert "../data/2025-W45.json" in seed and "../data/2025-W45-closes.csv" in seed
    record = json.loads((built / "data" / "2025-W45.json").read_text())
    assert record["week"]["assets"][0]["quote"]["price"] == 103849
    csv_lines = (built / "data" / "2025-W45-closes.csv").read_text().splitlines()
    assert csv_lines[0] == "symbol,date,close,source" and len(csv_lines) > 365


def test_found_and_shared(built: Path) -> None:
    """Card tags and the feed on every page, robots.txt, and a sitemap dated by week."""
    page = (built / "weeks" / "2025-W45.html").read_text()
    card = "https://example.org/crypto-weekly/charts/2025-W45-card.png"
    assert f'<meta property="og:image" content="{card}">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert (built / "charts" / "2025-W45-card.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for name in ("index.html", "archive.html", "about.html", "weeks/2025-W45.html"):
        assert 'rel="alternate" type="application/rss+xml"' in (built / name).read_text(), name
    assert (
        "Sitemap: https://example.org/crypto-weekly/sitemap.xml"
        in (built / "robots.txt").read_text()
    )
    sitemap = ET.parse(built / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    dated = {
        u.findtext("s:loc", "", ns).rsplit("/", 1)[-1]: u.findtext("s:lastmod", None, ns)
        for u in sitemap.findall("s:url", ns)
    }
    assert dated["2025-W45.html"] == "2025-11-04" and dated["2026-W04.html"] == "2026-01-26"
    assert dated["methodology.html"] is None  # no date of its own, and never the build day


def test_feed_is_valid_rss(built: Path) -> None:
    channel = ET.parse(built / "feed.xml").getroot().find("channel")
    assert channel is not None
    atom = "{http://www.w3.org/2005/Atom}link"
    assert channel.find(atom).get("rel") == "self"  # type: ignore[union-attr]
    assert channel.findtext("lastBuildDate", "").startswith("Mon, 26 Jan 2026")
    items = channel.findall("item")
    assert "2026-W04-card.png" in items[0].findtext("description", "")
    assert items[0].findtext("link", "").endswith("/weeks/2026-W04.html")
    assert len(items) == 6 and all(i.findtext("pubDate") for i in items)
    assert items[2].findtext("title", "").startswith("Bitcoin Falls Below $104K")


def test_one_headline_for_the_tab_search_and_feed(built: Path) -> None:
    """The week page's title and description are its edition's headline and description."""
    edition = edition_of(SEED)
    page = html.unescape((built / "weeks" / "2025-W45.html").read_text())
    assert f"<title>{edition.title} - " in page
    assert f'<meta name="description" content="{plain(edition.description)}">' in page
    index = json.loads((built / "search" / "search_index.json").read_bytes())
    found = [e["title"] for e in index["docs"] if e["location"] == "weeks/2025-W45.html"]
    assert found == [edition.title]
    channel = ET.parse(built / "feed.xml").getroot().find("channel")
    assert channel is not None
    assert edition.title in [i.findtext("title") for i in channel.findall("item")]


def test_search_finds_a_week_by_its_story_not_its_reference_sections(built: Path) -> None:
    """The questions, takeaways, details and sources after the charts stay out of the search
    index, which every page loads: a week is found by its headline, summary and story."""
    index = json.loads((built / "search" / "search_index.json").read_bytes())
    seed = {e["location"]: e["text"] for e in index["docs"] if "2025-W45" in e["location"]}
    text = " ".join(seed.values())
    assert "Balancer V2" in text  # the week's hacks section
    assert seed["weeks/2025-W45.html#key-takeaways"] == ""
    assert seed["weeks/2025-W45.html#which-price-does-this-page-quote"] == ""
    assert "Price data by CoinGecko" not in text  # the sources


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
    build_site([seed_alone(tmp_path)], config, public)
    before = {p: p.read_bytes() for p in public.rglob("*") if p.is_file()}

    def invented(d: dict[str, Any]) -> None:
        d["assets"][0]["quote"]["price"] = -1

    with pytest.raises(Exception, match="greater than 0"):
        build_site([week_variant(invented)], config, public)
    assert {p: p.read_bytes() for p in public.rglob("*") if p.is_file()} == before


def test_an_mkdocs_warning_fails_and_keeps_the_last_good_site(tmp_path: Path) -> None:
    config, public = site_folder(tmp_path)
    build_site([seed_alone(tmp_path)], config, public)
    before = {p: p.read_bytes() for p in public.rglob("*") if p.is_file()}
    # The second build is incremental: about.md is rendered again into a hard-linked copy.
    (config.parent / "site" / "about.md").write_text("# About\n\n[broken](nowhere.md)\n")
    with pytest.raises(PublishError, match="strict"):
        build_site([seed_alone(tmp_path)], config, public)
    assert {p: p.read_bytes() for p in public.rglob("*") if p.is_file()} == before
    assert not list(tmp_path.glob(".public-*"))


def test_the_site_page_is_verified_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from report import weekpages, writing

    real = writing.Writer.render

    def with_invention(self, template, **values):  # type: ignore[no-untyped-def]
        text = real(self, template, **values)
        return text + "\nAbout 42,000 downloads.\n" if template == "page.md.j2" else text

    monkeypatch.setattr(writing.Writer, "render", with_invention)
    monkeypatch.setattr(weekpages, "WEEKS_CACHE", tmp_path / "cache")  # no page made before
    config, public = site_folder(tmp_path)
    with pytest.raises(VerifyError, match="'42,000'"):
        build_site([seed_alone(tmp_path)], config, public)
    assert not public.exists()


def _site_files(public: Path) -> dict[str, bytes]:
    """Every file of a built site, by name (the search index too, byte for byte), but the
    build's stamp, which holds its sources' times."""
    return {
        path.relative_to(public).as_posix(): path.read_bytes()
        for path in sorted(public.rglob("*"))
        if path.is_file() and path.name != STAMP
    }


def test_adding_a_week_renders_only_what_it_touches_and_matches_a_full_build(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from report.weekpages import WeekOutput

    weeks = sample_weeks(tmp_path / "weeks")
    config, public = site_folder(tmp_path / "incremental")
    first = build_site(weeks[:-1], config, public)
    assert not first.incremental
    untouched = public / "weeks" / f"{weeks[0].stem}.html"
    stamp = untouched.stat().st_mtime_ns

    pages_read: set[str] = set()
    read_page = WeekOutput.page

    def counted(self: WeekOutput) -> object:
        pages_read.add(self.week)
        return read_page(self)

    with monkeypatch.context() as patch:
        patch.setattr(WeekOutput, "page", counted)
        added = build_site(weeks, config, public)
    assert added.incremental
    assert pages_read == {weeks[-1].stem, weeks[-2].stem}  # no unchanged week is read again
    # The new week's page, chart files and data, the week before it (its "next" link), home,
    # archive (and its chart) and feed; nothing else.
    new, before = weeks[-1].stem, weeks[-2].stem
    charts = [
        f"charts/{new}-{c}.{ext}"
        for c in ("btc-closes", "changes", "fear-greed")
        for ext in ("json", "svg")
    ]
    assert sorted(added.sources_written) == sorted(
        [
            f"weeks/{new}.md",
            f"weeks/{before}.md",
            f"data/{new}.json",
            f"data/{new}-closes.csv",
            *charts,
            f"charts/{new}-card.png",
            "index.md",
            "archive.md",
            "charts/archive.json",
            "charts/archive.svg",
            "feed.xml",
        ]
    )
    assert untouched.stat().st_mtime_ns == stamp  # not rendered again
    # A web server reads the site as another user: nothing the build wrote may be private.
    assert [p for p in public.rglob("*") if not p.stat().st_mode & 0o004] == []
    assert (public / "weeks" / f"{weeks[-1].stem}.html").exists()

    full_config, full_public = site_folder(tmp_path / "full")
    assert not build_site(weeks, full_config, full_public).incremental
    incremental_files, full_files = _site_files(public), _site_files(full_public)
    assert incremental_files.keys() == full_files.keys()
    different = [n for n in full_files if incremental_files[n] != full_files[n]]
    assert different == []


def test_a_generated_source_edited_by_hand_is_made_again(tmp_path: Path) -> None:
    config, public = site_folder(tmp_path)
    build_site([seed_alone(tmp_path)], config, public)
    data = config.parent / "site" / "data" / f"{SEED.stem}.json"
    good = data.read_bytes()
    data.write_bytes(good.replace(b"Bitcoin", b"Bitcoln"))
    assert build_site([seed_alone(tmp_path)], config, public).sources_written == [
        f"data/{SEED.stem}.json"
    ]
    assert data.read_bytes() == good


def test_removing_a_week_rebuilds_in_full_without_it(tmp_path: Path) -> None:
    weeks = sample_weeks(tmp_path / "weeks")
    config, public = site_folder(tmp_path)
    build_site(weeks, config, public)
    rebuilt = build_site(weeks[1:], config, public)
    assert not rebuilt.incremental
    assert not (public / "weeks" / f"{weeks[0].stem}.html").exists()
    assert not (config.parent / "site" / "weeks" / f"{weeks[0].stem}.md").exists()
    assert weeks[0].stem not in (public / "archive.html").read_text()


def test_the_incremental_build_proves_it_left_the_last_site_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without unlinking what mkdocs rewrites, it would write through the hard links."""
    from report import htmlbuild

    config, public = site_folder(tmp_path)
    build_site([seed_alone(tmp_path)], config, public)
    monkeypatch.setattr(htmlbuild, "_unlink_what_mkdocs_will_write", lambda files, site: None)
    (config.parent / "site" / "about.md").write_text("# About\n\nChanged.\n")
    with pytest.raises(PublishError, match="wrote into the last good site"):
        build_site([seed_alone(tmp_path)], config, public)


def test_the_drawing_process_starts_only_for_a_week_to_compute(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Its start costs most of a second: a build with every week cached does without it."""
    from report import cache, svgdraw, weekpages

    monkeypatch.setattr(cache, "CACHE", tmp_path / "cache")
    monkeypatch.setattr(weekpages, "WEEKS_CACHE", tmp_path / "cache" / "weeks")
    calls: list[str] = []
    start, draw = svgdraw.SvgDrawer.start, svgdraw.SvgDrawer.draw

    def counted_start(self: svgdraw.SvgDrawer) -> None:
        calls.append("start")
        start(self)

    def counted_draw(self: svgdraw.SvgDrawer, spec: str, form: str = "svg") -> bytes:
        calls.append("draw")
        return draw(self, spec, form)

    monkeypatch.setattr(svgdraw.SvgDrawer, "start", counted_start)
    monkeypatch.setattr(svgdraw.SvgDrawer, "draw", counted_draw)
    config, public = site_folder(tmp_path / "site")
    build_site([seed_alone(tmp_path)], config, public)
    assert calls[0] == "start" and "draw" in calls  # started before the week was computed
    assert calls.count("draw") == 5  # one SVG per chart, the card, and the archive's chart
    calls.clear()
    build_site([seed_alone(tmp_path)], config, public)  # every week and chart cached
    assert calls == []


def test_a_page_left_out_of_search_leaves_the_index_in_an_incremental_build(
    tmp_path: Path,
) -> None:
    config, public = site_folder(tmp_path)
    build_site([seed_alone(tmp_path)], config, public)

    def pages_in_search() -> set[str]:
        index = json.loads((public / "search" / "search_index.json").read_bytes())
        return {e["location"].split("#")[0] for e in index["docs"]}

    assert "about.html" in pages_in_search()
    about = config.parent / "site" / "about.md"
    about.write_text("---\nsearch:\n  exclude: true\n---\n\n" + about.read_text())
    assert build_site([seed_alone(tmp_path)], config, public).incremental
    assert "about.html" not in pages_in_search()
    assert f"weeks/{SEED.stem}.html" in pages_in_search()  # entries of pages not rendered again


def test_the_new_site_takes_the_old_ones_place_in_one_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The two renames of the old swap left an instant with no site: the switch is one
    exchange, and a reader polling the site all through a rebuild never misses it."""
    config, public = site_folder(tmp_path)
    build_site([seed_alone(tmp_path)], config, public)
    renames: list[str] = []
    real_rename = Path.rename

    def rename(self: Path, target: Any) -> Any:
        renames.append(self.name)
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    (config.parent / "site" / "about.md").write_text("# About\n\nRebuilt.\n")
    missing, polling = [], threading.Event()

    def reader() -> None:
        while not polling.is_set():
            if not (public / "index.html").exists():
                missing.append(time.monotonic())

    watcher = threading.Thread(target=reader)
    watcher.start()
    try:
        build_site([seed_alone(tmp_path)], config, public)
    finally:
        polling.set()
        watcher.join()
    assert missing == [] and renames == []
    assert "Rebuilt." in (public / "about.html").read_text()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".public")) == [
        ".public.lock"
    ]


def test_what_a_killed_build_left_is_cleared_and_two_builds_never_overlap(
    tmp_path: Path,
) -> None:
    config, public = site_folder(tmp_path)
    for leftover in (".public-new-k1ll3d", ".public-old"):
        (tmp_path / leftover / "weeks").mkdir(parents=True)
    build_site([seed_alone(tmp_path)], config, public)
    assert not [p for p in tmp_path.glob(".public-*")]
    with (tmp_path / ".public.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another build holds the site
        with pytest.raises(PublishError, match=r"another build of .*public/ is running"):
            build_site([seed_alone(tmp_path)], config, public)
    assert (public / "index.html").exists()


def test_a_changed_template_override_rebuilds_every_page(tmp_path: Path) -> None:
    config, public = site_folder(tmp_path)
    build_site([seed_alone(tmp_path)], config, public)
    footer = config.parent / "overrides" / "partials" / "copyright.html"
    footer.write_text(footer.read_text().replace("Not investment advice", "Still not advice"))
    again = build_site([seed_alone(tmp_path)], config, public)
    assert not again.incremental  # the pages the last build made carry the old footer
    assert "Still not advice" in (public / "weeks" / f"{SEED.stem}.html").read_text()
