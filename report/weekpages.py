"""One week's share of the website, computed once and cached by the hash of its inputs.

A week's page depends on its week file, its editorial file, last week's file (for the
week-over-week comparison), the site's URL and this program's code. When none of those changed,
the week is not loaded, computed, drawn or verified again: its cached output is read back. That
is what keeps adding one week to a long archive cheap.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from html import escape
from pathlib import Path

from report.cache import CACHE, code_version, digest, write_atomically
from report.charts import Chart, build_charts
from report.errors import DataError, VerifyError
from report.facts import Facts, compute_facts
from report.formatting import long_date, short_date, signed_pct, text, usd
from report.story import classify_story
from report.verify import Evidence, verify_text
from report.weekfile import Edition, editorial_path, load_edition, load_previous, previous_path
from report.writing import write_story

WEEKS_CACHE = CACHE / "weeks"  # a module setting, so that tests and benchmarks can move it
# Stands for the path from a page to the site's root ("../" from weeks/, "" from the home
# page). Untrusted text can never produce it: the `text` filter escapes "<".
ROOT = "<root>/"


@dataclass(frozen=True)
class WeekPage:
    """The heavy part of a week's output: read from the cache only when a file needs it."""

    body: str  # the verified page, charts and downloads included, links relative to ROOT
    charts: list[tuple[str, str]]  # (name, Vega-Lite JSON)
    record_json: str
    closes_csv: str


@dataclass(frozen=True)
class WeekOutput:
    """What the site needs of every week (home, archive, feed, links), as plain strings, and
    the key of the inputs it was made from, which also names its page in the cache."""

    week: str
    key: str
    title: str
    summary: str
    as_of: str
    archive_cells: list[str]
    chart_names: list[str]

    @property
    def published(self) -> datetime:
        return datetime.fromisoformat(self.as_of)

    def page(self) -> WeekPage:
        data = json.loads(_page_entry(self.key).read_bytes())
        data["charts"] = [tuple(pair) for pair in data["charts"]]
        return WeekPage(**data)


def _chart_markdown(chart: Chart, week: str) -> str:
    base = f"{ROOT}charts/{week}-{chart.name}"
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
        # The data tables stay out of the search index: readers search for words, not cells.
        f'<details class="chart-data" markdown data-search-exclude>\n'
        f"<summary>The data: {text(chart.title)}</summary>\n\n"
        f"{table}\n\n</details>\n"
    )


def _downloads(week: str) -> str:
    return (
        f"\n## Data\n\nThe week of record as [JSON]({ROOT}data/{week}.json) and its daily "
        f"closes as [CSV]({ROOT}data/{week}-closes.csv).\n"
    )


def closes_csv(edition: Edition) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["symbol", "date", "close", "source"])
    for asset in edition.week.assets:
        if asset.closes:
            for day, close in asset.closes.points():
                writer.writerow([asset.symbol, day.isoformat(), close, asset.closes.source.name])
    return out.getvalue()


def _record_json(edition: Edition) -> str:
    record = {
        "week": json.loads(edition.week.model_dump_json(by_alias=True)),
        "editorial": json.loads(edition.editorial.model_dump_json(by_alias=True))
        if edition.editorial
        else None,
    }
    return json.dumps(record, indent=1, sort_keys=True)


def _archive_cells(facts: Facts) -> list[str]:
    """The week's cells in the archive, as HTML: week, dates, close, 7-day change, story."""
    week, btc = facts.edition.week, facts.btc
    return [
        f'<a href="weeks/{week.week}.html">{week.week}</a>',
        escape(f"{short_date(week.period.start)} – {long_date(week.period.end)}"),
        escape(usd(btc.price)),
        escape(signed_pct(btc.change_7d) if btc.change_7d else "n/a"),
        escape(classify_story(facts).value.replace("_", " ")),
    ]


def _summary(markdown: str) -> str:
    """The page's summary bullets, as plain sentences."""
    bullets = [line[2:] for line in markdown.splitlines() if line.startswith("- **")][:3]
    return " ".join(b.replace("**", "").replace("\\", "") for b in bullets)


def chart_spec(chart: Chart) -> str:
    return json.dumps(chart.to_dict(validate=False), sort_keys=True)


def compute_week_output(path: Path, site_url: str, key: str) -> tuple[WeekOutput, WeekPage]:
    """Load, compute, write, draw and verify one week (the slow path); `key` is the hash of
    its inputs."""
    edition = load_edition(path)
    facts = compute_facts(edition, load_previous(edition))
    story = write_story(facts, site_url).page
    charts = build_charts(facts)
    week = edition.week.week
    body = story
    if charts:
        figures = "".join(_chart_markdown(c, week) + "\n" for c in charts)
        marker = "## Frequently Asked Questions"
        body = body.replace(marker, f"## Charts\n\n{figures}{marker}", 1)
    body += _downloads(week)
    problems = verify_text(body, Evidence(facts), f"{path} (site page)")
    if problems:
        raise VerifyError(problems)
    output = WeekOutput(
        week=week,
        key=key,
        title=story.splitlines()[0].removeprefix("# "),
        summary=_summary(story),
        as_of=edition.week.as_of.isoformat(),
        archive_cells=_archive_cells(facts),
        chart_names=[c.name for c in charts],
    )
    page = WeekPage(
        body=body,
        charts=[(c.name, chart_spec(c)) for c in charts],
        record_json=_record_json(edition),
        closes_csv=closes_csv(edition),
    )
    return output, page


def input_key(path: Path, site_url: str) -> str:
    """The hash of everything one week's output depends on."""
    before = previous_path(path)
    side = editorial_path(path)
    return digest(
        code_version(),
        site_url,
        path.read_bytes(),
        side.read_bytes() if side.exists() else b"",
        before.read_bytes() if before else b"",
    )


def _entry(key: str) -> Path:
    return WEEKS_CACHE / f"{key}.json"


def _page_entry(key: str) -> Path:
    return WEEKS_CACHE / f"{key}.page.json"


def week_output(
    path: Path, site_url: str, before_computing: Callable[[], None] = lambda: None
) -> WeekOutput:
    """The week's output from the cache, or computed and then cached (its page first, so that
    an entry never exists without its page); `before_computing` is called on a cache miss."""
    key = input_key(path, site_url)
    entry = _entry(key)
    if entry.exists():
        return WeekOutput(**json.loads(entry.read_bytes()))
    before_computing()
    output, page = compute_week_output(path, site_url, key)
    write_atomically(_page_entry(output.key), json.dumps(asdict(page)).encode())
    write_atomically(entry, json.dumps(asdict(output)).encode())
    return output


def week_outputs(
    paths: list[Path], site_url: str, before_computing: Callable[[], None] = lambda: None
) -> list[WeekOutput]:
    """Every week's output, oldest first; every week's problems are reported before failing.
    `before_computing` is called before each week that is not in the cache is computed."""
    outputs: list[WeekOutput] = []
    bad_data: list[str] = []
    untraced: list[str] = []
    for path in paths:
        try:
            outputs.append(week_output(path, site_url, before_computing))
        except DataError as exc:
            bad_data.extend(exc.problems)
        except VerifyError as exc:
            untraced.extend(exc.problems)
    if bad_data:
        raise DataError(bad_data + untraced)
    if untraced:
        raise VerifyError(untraced)
    outputs.sort(key=lambda o: o.week)
    return outputs
