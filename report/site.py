"""Build the static site: week pages with charts, home, archive, feed, data; then MkDocs.

Generated sources go into the docs folder (site/, ignored by git) beside the committed
hand-written pages. A generated file is rewritten only when its bytes change, and the ones no
longer generated are removed, so the folder always mirrors the weeks and its timestamps tell
mkdocs which pages to render again (report/htmlbuild.py).

Each generated file has a key that names its content (the week's input key, the links around
it). A manifest in the docs folder remembers each file's key with its size and time as written:
while both hold, the file is neither made nor read again, so an unchanged week costs a stat.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from functools import partial
from html import escape
from importlib.metadata import version
from pathlib import Path

import vl_convert

from report.build import WEEK_PAGE_ROOT
from report.cache import cached, digest, is_cached, write_atomically
from report.charts import on_white, spec_of
from report.feed import render_feed
from report.formatting import long_date, text, usd
from report.history import HistoryStore
from report.htmlbuild import build_html, site_settings
from report.model import week_start
from report.paths import CONFIG, PUBLIC
from report.story import Story
from report.svgdraw import DRAWING_HELPERS, SvgDrawer
from report.tree import files_in
from report.weekpages import CARD_CHART, ROOT, WeekOutput, WeekPage, week_outputs

VL_CONVERT = version("vl-convert-python")  # part of every render's key: a new renderer, new files
GENERATED_DIRS = ("weeks", "charts", "data")
BUNDLE = "javascripts/vega-bundle.js"
MANIFEST = ".report-sources.json"  # a dot file: mkdocs leaves it out of the site


@dataclass(frozen=True)
class Generated:
    """One generated source: `key` names its content, `make` makes its bytes when needed."""

    key: str
    make: Callable[[], bytes]


@dataclass(frozen=True)
class SiteBuild:
    weeks: list[WeekOutput]
    incremental: bool
    sources_written: list[str]


def _script_bundle() -> bytes:
    """Vega, Vega-Lite and Vega-Embed in one file, served by the site itself."""
    bundle: str = vl_convert.javascript_bundle()  # type: ignore[call-arg]  # snippet is optional
    return bundle.encode()


CARD_SIZE = (560, 260)  # the plot; drawn at twice its size with axes, about 1320 × 640


def _drawings(page: WeekPage) -> list[tuple[str, str, str]]:
    """What a week's page needs drawn: (cache key, specification, form) of each chart's SVG
    and of the card, its price chart on white at a fixed size, as a PNG."""
    wanted = [(f"svg:{VL_CONVERT}:{spec}", spec, "svg") for _, spec in page.charts]
    price = dict(page.charts).get(CARD_CHART)
    if price is not None:
        card = json.dumps(on_white(json.loads(price), *CARD_SIZE), sort_keys=True)
        wanted.append((f"png:{VL_CONVERT}:{card}", card, "png"))
    return wanted


def prefetch_drawings(page: WeekPage, drawer: SvgDrawer) -> None:
    """Ask for the drawings a week will want that the cache does not hold, without waiting:
    another core draws them while this one computes the next week."""
    for key, spec, form in _drawings(page):
        if not is_cached(key, f".{form}"):
            drawer.prefetch(spec, form)


def _drawn(key: str, spec: str, form: str, drawer: SvgDrawer) -> bytes:
    return cached(key, lambda: drawer.draw(spec, form), f".{form}")


def chart_svg(spec: str, drawer: SvgDrawer) -> bytes:
    return _drawn(f"svg:{VL_CONVERT}:{spec}", spec, "svg", drawer)


def card_png(page: WeekPage, drawer: SvgDrawer) -> bytes:
    """The week's card for shares and feeds."""
    key, spec, form = next(d for d in _drawings(page) if d[2] == "png")
    return _drawn(key, spec, form, drawer)


def _week_dates(label: str) -> str:
    """A week as a reader names it in a link: "Oct 27 – Nov 2, 2025"."""
    year, week = int(label[:4]), int(label[6:])
    monday, sunday = date.fromisocalendar(year, week, 1), date.fromisocalendar(year, week, 7)
    end = sunday.strftime("%-d") if sunday.month == monday.month else sunday.strftime("%b %-d")
    return f"{monday.strftime('%b %-d')} – {end}, {sunday.year}"


def _neighbours(weeks: list[WeekOutput], i: int) -> str:
    """The links from a week page to the weeks beside it and the archive."""
    links = []
    if i > 0:
        older = weeks[i - 1].week
        links.append(f"[← {_week_dates(older)}]({WEEK_PAGE_ROOT}weeks/{older}.md)")
    links.append(f"[All weeks]({WEEK_PAGE_ROOT}archive.md)")
    if i + 1 < len(weeks):
        newer = weeks[i + 1].week
        links.append(f"[{_week_dates(newer)} →]({WEEK_PAGE_ROOT}weeks/{newer}.md)")
    return " · ".join(links)


def week_markdown(weeks: list[WeekOutput], i: int) -> str:
    """The verified page, its links made relative to where it sits, between navigation.

    Its front matter gives the week's date to the sitemap, its headline as the title (the
    tab, search, shares), its description, and its card image."""
    week, nav = weeks[i], _neighbours(weeks, i)
    body = f"{nav}\n\n{week.page().body.replace(ROOT, WEEK_PAGE_ROOT)}\n{nav}\n"
    meta = {"date": week.published.date().isoformat()}
    meta.update(title=week.title, description=week.description)
    if week.card:
        meta["image"] = week.card
    return f"{front_matter(meta)}\n{body}"


def front_matter(meta: dict[str, str]) -> str:
    """YAML front matter of JSON strings, which YAML reads as they are, whatever they hold."""
    return "---\n" + "".join(f"{k}: {json.dumps(v)}\n" for k, v in meta.items()) + "---\n"


RECENT_WEEKS = 5  # listed on the home page under the latest


def home_markdown(weeks: list[WeekOutput]) -> str:
    """The home page: what this is and how to follow it, then the latest week's headline,
    description and summary with a link to its page (the week lives at one address), and
    the weeks before it."""
    latest = weeks[-1]
    recent = "\n".join(
        f"- [{text(w.title)}](weeks/{w.week}.md), {text(w.published.date().strftime('%B %-d, %Y'))}"
        for w in reversed(weeks[-RECENT_WEEKS - 1 : -1])
    )
    return (
        front_matter({"date": latest.published.date().isoformat()})
        + "\n# The Weekly Crypto Market Report\n\n"
        "Each week, what the crypto market did and why: prices, leverage, hacks and sentiment,"
        " written from the week's data, with every figure traced to its source and checked"
        " before it is published. Follow it by [RSS](feed.xml); how each figure is gathered is"
        " in the [methodology](methodology.md). Not investment advice.\n\n"
        f"## Latest: [{text(latest.title)}](weeks/{latest.week}.md)\n\n"
        f"*{text(latest.description)}*\n\n"
        + "\n".join(latest.bullets).replace(ROOT, "")  # the home page sits at the root
        + "\n\n"
        f"[Read the week](weeks/{latest.week}.md)\n"
        + (f"\n## The weeks before\n\n{recent}\n\n[All weeks](archive.md)\n" if recent else "")
    )


# The archive's columns, and which hold numbers (aligned right, as in a Markdown table).
ARCHIVE_COLUMNS = (
    ("Week", False),
    ("Headline", False),
    ("Bitcoin", True),
    ("7 days", True),
    ("Story", False),
)
ARCHIVE_CHART = "charts/archive"  # its specification (.json) and static drawing (.svg)


def _table_row(cells: list[str], tag: str, attributes: str = "") -> str:
    right = ' style="text-align: right"'
    return (
        f"<tr{attributes}>"
        + "".join(
            f"<{tag}{right if number else ''}>{cell}</{tag}>"
            for cell, (_, number) in zip(cells, ARCHIVE_COLUMNS, strict=True)
        )
        + "</tr>"
    )


def _options(values: list[tuple[str, str]], everything: str) -> str:
    return f'<option value="">{everything}</option>' + "".join(
        f'<option value="{escape(v)}">{escape(label)}</option>' for v, label in values
    )


def _archive_filter(weeks: list[WeekOutput]) -> str:
    """The filter by year and story, shown by javascripts/archive.js (without scripts, the
    years are links at the top and the page lists everything)."""
    years = sorted({w.week[:4] for w in weeks}, reverse=True)
    stories = sorted({w.story for w in weeks}, key=lambda s: Story(s).reader_name)
    return (
        '<form class="archive-filter" hidden>\n'
        f'<label>Year <select name="year">{_options([(y, y) for y in years], "All years")}'
        "</select></label>\n"
        '<label>Story <select name="story">'
        f"{_options([(s, Story(s).reader_name) for s in stories], 'All stories')}"
        "</select></label>\n"
        '<output aria-live="polite"></output>\n</form>\n'
    )


def archive_chart_spec(weeks: list[WeekOutput]) -> str:
    """Bitcoin's price each week of the archive, each week's point linking its page."""
    rows = [
        {
            "date": week_start(w.week).isoformat(),
            "close": w.close,
            "url": f"weeks/{w.week}.html",
            "title": w.title,
        }
        for w in weeks
    ]
    return json.dumps(spec_of("archive", (), weeks=rows), sort_keys=True)


def _archive_figure(weeks: list[WeekOutput]) -> str:
    first, last = weeks[0], weeks[-1]
    low = min(weeks, key=lambda w: w.close)
    high = max(weeks, key=lambda w: w.close)
    alt = (
        f"Bitcoin's price each week, from {usd(first.close)} in the week of"
        f" {_monday(first)} to {usd(last.close)} in the week of {_monday(last)}; lowest"
        f" {usd(low.close)} (week of {_monday(low)}), highest {usd(high.close)} (week of"
        f" {_monday(high)})."
    )
    return (
        '<figure class="chart" markdown>\n'
        f'<div class="vega-chart" data-spec="{ARCHIVE_CHART}.json"></div>\n'
        f'<img class="chart-static" src="{ARCHIVE_CHART}.svg" alt="{escape(alt)}">\n'
        "<figcaption>Bitcoin's price each week, on a log scale; with scripts on, each point"
        " opens its week.</figcaption>\n</figure>\n\n"
    )


def _monday(week: WeekOutput) -> str:
    return long_date(week_start(week.week))


def archive_markdown(weeks: list[WeekOutput]) -> str:
    """The archive page: Bitcoin's price each week as a chart, a filter by year and story, and
    a table a year, newest first, with the years linked at the top (a reader goes to a year
    without scripts). Its tables are HTML, which Markdown passes through: as Markdown tables of
    hundreds of rows they took most of the time a new week's build spends in mkdocs. It is left
    out of search, where its rows would only repeat the week pages."""
    head = _table_row([name for name, _ in ARCHIVE_COLUMNS], "th")
    years: dict[str, list[WeekOutput]] = {}
    for week in reversed(weeks):
        years.setdefault(week.week[:4], []).append(week)
    index = " · ".join(f"[{year}](#{year})" for year in years)
    tables = "".join(
        f"## {year}\n\n<table>\n<thead>{head}</thead>\n<tbody>\n"
        + "\n".join(
            _table_row(w.archive_cells, "td", f' data-year="{year}" data-story="{w.story}"')
            for w in rows
        )
        + "\n</tbody>\n</table>\n\n"
        for year, rows in years.items()
    )
    return (
        "---\nsearch:\n  exclude: true\n---\n\n# Archive\n\n"
        f"Every week of record, newest first, by year: {index}.\n\n"
        + _archive_figure(weeks)
        + _archive_filter(weeks)
        + f"\n{tables}"
    )


def _week_page(weeks: list[WeekOutput], i: int) -> Generated:
    key = digest(weeks[i].key, _neighbours(weeks, i))
    return Generated(key, lambda: week_markdown(weeks, i).encode())


def _spec(week: WeekOutput, chart: str) -> bytes:
    return dict(week.page().charts)[chart].encode()


def _svg(week: WeekOutput, chart: str, drawer: SvgDrawer) -> bytes:
    return chart_svg(dict(week.page().charts)[chart], drawer)


def _card(week: WeekOutput, drawer: SvgDrawer) -> bytes:
    return card_png(week.page(), drawer)


def _record(week: WeekOutput) -> bytes:
    return week.page().record_json.encode()


def _closes(week: WeekOutput) -> bytes:
    return week.page().closes_csv.encode()


# Vega's loader makes a mark's link absolute against its default base; the static drawing is
# read beside the archive page, so its links are made relative to it again.
_VEGA_BASE = b"https://vega.github.io/vega-datasets/"


def _archive_svg(spec: str, drawer: SvgDrawer) -> bytes:
    return chart_svg(spec, drawer).replace(_VEGA_BASE, b"")


def _bundle() -> bytes:
    return cached(f"bundle:{VL_CONVERT}", _script_bundle, ".js")


def _made(data: bytes) -> Generated:
    return Generated(digest(data), lambda: data)


def generated_files(
    weeks: list[WeekOutput], site_url: str, drawer: SvgDrawer
) -> dict[str, Generated]:
    """Every generated source, by its path inside the docs folder."""
    files: dict[str, Generated] = {}
    for i, week in enumerate(weeks):
        name, key = week.week, week.key
        files[f"weeks/{name}.md"] = _week_page(weeks, i)
        for chart in week.chart_names:
            base = f"charts/{name}-{chart}"
            files[f"{base}.json"] = Generated(f"{key}:{chart}", partial(_spec, week, chart))
            files[f"{base}.svg"] = Generated(
                f"{key}:{chart}:{VL_CONVERT}", partial(_svg, week, chart, drawer)
            )
            if chart == CARD_CHART and week.card:
                files[week.card] = Generated(
                    f"{key}:card:{VL_CONVERT}", partial(_card, week, drawer)
                )
        files[f"data/{name}.json"] = Generated(f"{key}:json", partial(_record, week))
        files[f"data/{name}-closes.csv"] = Generated(f"{key}:csv", partial(_closes, week))
    files["index.md"] = _made(home_markdown(weeks).encode())
    files["archive.md"] = _made(archive_markdown(weeks).encode())
    spec = archive_chart_spec(weeks)
    files[f"{ARCHIVE_CHART}.json"] = _made(spec.encode())
    files[f"{ARCHIVE_CHART}.svg"] = Generated(
        f"{digest(spec)}:{VL_CONVERT}", partial(_archive_svg, spec, drawer)
    )
    files["feed.xml"] = _made(render_feed(weeks, site_url).encode())
    files["robots.txt"] = _made(robots_txt(site_url).encode())
    files[BUNDLE] = Generated(f"bundle:{VL_CONVERT}", _bundle)
    return files


def robots_txt(site_url: str) -> str:
    """Every page may be indexed; the sitemap is named where the site's address is known."""
    sitemap = f"Sitemap: {site_url.rstrip('/')}/sitemap.xml\n" if site_url else ""
    return f"User-agent: *\nAllow: /\n{sitemap}"


def _read_manifest(path: Path) -> dict[str, list[object]]:
    try:
        manifest = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def sync_sources(
    docs: Path, files: dict[str, Generated]
) -> tuple[list[str], dict[str, os.stat_result]]:
    """Write the files whose bytes changed, remove generated files no longer made; return the
    names written, and every file of the docs folder as it is now."""
    manifest_path = docs / MANIFEST
    last = _read_manifest(manifest_path)
    present = files_in(docs)
    manifest: dict[str, list[object]] = {}
    written = []
    for name, file in files.items():
        stat = present.get(name)
        if stat and last.get(name) == [file.key, stat.st_mtime_ns, stat.st_size]:
            manifest[name] = last[name]
            continue
        data = file.make()
        path = docs / name
        if not (stat and stat.st_size == len(data) and path.read_bytes() == data):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written.append(name)
            stat = present[name] = path.stat()
        manifest[name] = [file.key, stat.st_mtime_ns, stat.st_size]
    for name in list(present):
        if name.split("/", 1)[0] in GENERATED_DIRS and name not in files:
            (docs / name).unlink()
            del present[name]
    if manifest != last:
        write_atomically(manifest_path, json.dumps(manifest).encode())
        present[MANIFEST] = manifest_path.stat()
    return written, present


def build_site(
    paths: list[Path],
    config: Path = CONFIG,
    public: Path = PUBLIC,
    drawer: SvgDrawer | None = None,
    history: HistoryStore | None = None,
) -> SiteBuild:
    """Generate the sources, build with `mkdocs build --strict`, swap in the new site. A
    `drawer` given is used (a caller may have started it early) and left to the caller."""
    settings = site_settings(config)
    site_url = settings.site_url
    docs = Path(settings.docs_dir)
    with nullcontext(drawer) if drawer else SvgDrawer(DRAWING_HELPERS) as charts:
        # A week about to be computed will want its charts drawn: start drawing meanwhile,
        # and draw each computed week's charts while the next is computed.
        weeks = week_outputs(
            paths, site_url, charts.start, history, partial(prefetch_drawings, drawer=charts)
        )
        written, sources = sync_sources(docs, generated_files(weeks, site_url, charts))
    incremental = build_html(config, public, settings, sources)
    return SiteBuild(weeks, incremental, written)
