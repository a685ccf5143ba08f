"""Build the static site: week pages with charts, home, archive, feed, data; then MkDocs.

Generated sources go into site/ (ignored by git) beside the committed hand-written pages; the
HTML goes to a fresh folder and replaces the last good site only when `mkdocs build --strict`
passed, so a failed build leaves the published folder exactly as it was.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import vl_convert
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, MkDocsException

from report.charts import Chart, build_charts
from report.errors import PublishError, VerifyError
from report.facts import Facts, compute_facts
from report.feed import render_feed
from report.formatting import long_date, short_date, signed_pct, text, usd
from report.story import classify_story
from report.verify import Evidence, verify_text
from report.weekfile import Edition, load_editions, load_previous
from report.writing import write_story

VL_CONVERT = version("vl-convert-python")  # part of every cache key: a new renderer, new files
CONFIG = Path("mkdocs.yml")
PUBLIC = Path("public")
CACHE = Path("build/cache")
GENERATED = ("weeks", "charts", "data", "index.md", "archive.md", "feed.xml")


@dataclass(frozen=True)
class WeekPage:
    edition: Edition
    facts: Facts
    markdown: str
    charts: list[Chart]


def _cached(key: str, make: Callable[[], bytes], suffix: str) -> bytes:
    """Chart renders and the script bundle are slow: keep them by the hash of their input."""
    path = CACHE / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}{suffix}"
    if path.exists():
        return path.read_bytes()
    data: bytes = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def _script_bundle() -> bytes:
    """Vega, Vega-Lite and Vega-Embed in one file, served by the site itself."""
    bundle: str = vl_convert.javascript_bundle()  # type: ignore[call-arg]  # snippet is optional
    return bundle.encode()


def _chart_spec(chart: Chart) -> str:
    return json.dumps(chart.to_dict(validate=False), sort_keys=True)


def chart_svg(spec: str) -> bytes:
    return _cached(
        f"svg:{VL_CONVERT}:{spec}",
        lambda: vl_convert.vegalite_to_svg(json.loads(spec)).encode(),
        ".svg",
    )


def _chart_markdown(chart: Chart, week: str, prefix: str) -> str:
    base = f"{prefix}charts/{week}-{chart.name}"
    table = "\n".join(
        [f"| {' | '.join(chart.columns)} |", f"|{' --- |' * len(chart.columns)}"]
        + [f"| {' | '.join(text(cell) for cell in row)} |" for row in chart.rows]
    )
    return (
        f'<figure class="chart" markdown>\n'
        f'<div class="vega-chart" data-spec="{base}.json"></div>\n'
        f'<img class="chart-static" src="{base}.svg" alt="{text(chart.alt_text)}">\n'
        f"<figcaption>{text(chart.title)}</figcaption>\n"
        f"</figure>\n\n"
        f'<details class="chart-data" markdown>\n'
        f"<summary>The data: {text(chart.title)}</summary>\n\n"
        f"{table}\n\n</details>\n"
    )


def _neighbours(editions: list[Edition], i: int, prefix: str) -> str:
    links = []
    if i > 0:
        older = editions[i - 1].week.week
        links.append(f"[← {older}]({prefix}weeks/{older}.md)")
    links.append(f"[All weeks]({prefix}archive.md)")
    if i + 1 < len(editions):
        newer = editions[i + 1].week.week
        links.append(f"[{newer} →]({prefix}weeks/{newer}.md)")
    return " · ".join(links)


def _downloads(week: str, prefix: str) -> str:
    return (
        f"\n## Data\n\nThe week of record as [JSON]({prefix}data/{week}.json) and its daily "
        f"closes as [CSV]({prefix}data/{week}-closes.csv).\n"
    )


def week_markdown(page: WeekPage, editions: list[Edition], i: int, prefix: str) -> str:
    """The narrative page, with charts and downloads woven in and verified, then navigation."""
    week = page.edition.week.week
    charts = "".join(_chart_markdown(c, week, prefix) + "\n" for c in page.charts)
    body = page.markdown
    marker = "## Frequently Asked Questions"
    if charts:
        body = body.replace(marker, f"## Charts\n\n{charts}{marker}", 1)
    body += _downloads(week, prefix)
    problems = verify_text(body, Evidence(page.facts), f"{prefix or './'}{week}")
    if problems:
        raise VerifyError(problems)
    nav = _neighbours(editions, i, prefix)
    return f"{nav}\n\n{body}\n{nav}\n"


def closes_csv(edition: Edition) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["symbol", "date", "close", "source"])
    for asset in edition.week.assets:
        if asset.closes:
            for day, close in asset.closes.points():
                writer.writerow([asset.symbol, day.isoformat(), close, asset.closes.source.name])
    return out.getvalue()


def archive_markdown(pages: list[WeekPage]) -> str:
    rows = []
    for page in reversed(pages):
        week, btc = page.edition.week, page.facts.btc
        rows.append(
            f"| [{week.week}](weeks/{week.week}.md) | {short_date(week.period.start)} – "
            f"{long_date(week.period.end)} | {usd(btc.price)} | "
            f"{signed_pct(btc.change_7d) if btc.change_7d else 'n/a'} | "
            f"{classify_story(page.facts).value.replace('_', ' ')} |"
        )
    return (
        "# Archive\n\nEvery week of record, newest first.\n\n"
        "| Week | Dates | Bitcoin | 7 days | Story |\n| --- | --- | ---: | ---: | --- |\n"
        + "\n".join(rows)
        + "\n"
    )


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)


def generate_sources(editions: list[Edition], docs: Path, site_url: str) -> list[WeekPage]:
    """Write the generated Markdown, charts, data and feed into the docs folder."""
    pages = []
    for edition in editions:
        facts = compute_facts(edition, load_previous(edition, editions))
        # The page is verified once, whole, with its charts and downloads (week_markdown).
        markdown = write_story(facts, site_url).page
        pages.append(WeekPage(edition, facts, markdown, build_charts(facts)))
    for name in GENERATED:
        target = docs / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    for i, page in enumerate(pages):
        week = page.edition.week.week
        markdown = week_markdown(page, editions, i, "../")
        _write(docs / "weeks" / f"{week}.md", markdown)
        for chart in page.charts:
            spec = _chart_spec(chart)
            _write(docs / "charts" / f"{week}-{chart.name}.json", spec)
            _write(docs / "charts" / f"{week}-{chart.name}.svg", chart_svg(spec))
        record = {
            "week": json.loads(page.edition.week.model_dump_json(by_alias=True)),
            "editorial": json.loads(page.edition.editorial.model_dump_json(by_alias=True))
            if page.edition.editorial
            else None,
        }
        _write(docs / "data" / f"{week}.json", json.dumps(record, indent=1, sort_keys=True))
        _write(docs / "data" / f"{week}-closes.csv", closes_csv(page.edition))
    latest = pages[-1]
    home = week_markdown(latest, editions, len(pages) - 1, "")
    _write(docs / "index.md", home)
    _write(docs / "archive.md", archive_markdown(pages))
    _write(docs / "feed.xml", render_feed(pages, site_url))
    bundle = _cached(f"bundle:{VL_CONVERT}", _script_bundle, ".js")
    _write(docs / "javascripts" / "vega-bundle.js", bundle)
    return pages


def build_site(paths: list[Path], config: Path = CONFIG, public: Path = PUBLIC) -> list[WeekPage]:
    """Generate the sources, build with `mkdocs build --strict`, swap in the new site."""
    editions = load_editions(paths)
    mkdocs_config = load_config(str(config), strict=True, site_dir=None)
    docs = Path(mkdocs_config["docs_dir"])
    pages = generate_sources(editions, docs, mkdocs_config["site_url"] or "")
    public.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(dir=public.parent, prefix=f".{public.name}-new-"))
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        built = load_config(str(config), strict=True, site_dir=str(fresh.resolve()))
        mkdocs_build(built)
    except (Abort, MkDocsException, OSError) as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        raise PublishError(f"mkdocs build --strict failed: {exc}") from exc
    old = public.with_name(f".{public.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if public.exists():
        public.rename(old)
    fresh.rename(public)
    shutil.rmtree(old, ignore_errors=True)
    return pages
