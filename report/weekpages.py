"""One week's share of the website, computed once and cached by the hash of its inputs.

A week's page depends on its week file, its editorial file, last week's file (for the
week-over-week comparison), the history store's days up to the week's end, the site's URL and
this program's code. When none of those changed, the week is not loaded, computed, drawn or
verified again: its cached output is read back. That is what keeps adding one week to a long
archive cheap: the history store only grows at its end, so a new week changes no earlier
week's key.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from html import escape
from pathlib import Path

from report.archive import Archive, WeekFacts, history_keys
from report.cache import CACHE, code_version, digest, write_atomically
from report.charts import Chart
from report.edition import ROOT, Edition, build_edition
from report.errors import DataError, VerifyError
from report.formatting import period, signed_pct, usd
from report.history import HistoryStore
from report.prose import plain
from report.weekfile import (
    WeekFiles,
    editorial_path,
    load_previous,
    load_week_files,
    previous_path,
    same_week_twice,
)

WEEKS_CACHE = CACHE / "weeks"  # a module setting, so that tests and benchmarks can move it
__all__ = ["ROOT", "WeekOutput", "WeekPage", "week_outputs"]


@dataclass(frozen=True)
class WeekPage:
    """The heavy part of a week's output: read from the cache only when a file needs it."""

    body: str  # the verified page, charts and downloads included, links relative to ROOT
    charts: list[tuple[str, str]]  # (name, Vega-Lite JSON)
    record_json: str
    closes_csv: str


CARD_CHART = "btc-closes"  # the chart a shared week page or a feed item shows as its card


@dataclass(frozen=True)
class WeekOutput:
    """What the site needs of every week (home, archive, feed, links), as plain strings, and
    the key of the inputs it was made from, which also names its page in the cache."""

    week: str
    key: str
    title: str
    description: str
    summary: str
    bullets: list[str]  # the summary as the page shows it (Markdown, its text made safe)
    as_of: str
    archive_cells: list[str]
    chart_names: list[str]
    story: str  # the story's value (report/story.py), for the archive's filter
    close: float  # Bitcoin's price as the page quotes it, for the archive's chart

    @property
    def published(self) -> datetime:
        return datetime.fromisoformat(self.as_of)

    @property
    def card(self) -> str | None:
        """The path of the week's card image in the site (its price chart), if it has one."""
        return f"charts/{self.week}-card.png" if CARD_CHART in self.chart_names else None

    def page(self) -> WeekPage:
        data = json.loads(_page_entry(self.key).read_bytes())
        data["charts"] = [tuple(pair) for pair in data["charts"]]
        return WeekPage(**data)


CSV_DAYS = 365  # the year of daily closes up to the week's end that the download holds


def closes_csv(edition: Edition) -> str:
    """Each asset's daily closes over the year to the week's last complete day, with the
    source of each (the week's own series, else the history store)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["symbol", "date", "close", "source"])
    for asset in edition.week.assets:
        prices = edition.inputs.prices(asset.symbol)
        first = prices.through - timedelta(days=CSV_DAYS - 1)
        for i, close in enumerate(prices.closes):
            day = prices.day(i)
            if close is not None and day >= first:
                writer.writerow([asset.symbol, day.isoformat(), close, prices.source_of_close(day)])
    return out.getvalue()


def _record_json(files: WeekFiles) -> str:
    record = {
        "week": json.loads(files.week.model_dump_json(by_alias=True)),
        "editorial": json.loads(files.editorial.model_dump_json(by_alias=True))
        if files.editorial
        else None,
    }
    return json.dumps(record, indent=1, sort_keys=True)


def _archive_cells(edition: Edition) -> list[str]:
    """The week's cells in the archive, as HTML: dates, headline (its link), close, 7-day
    change, story."""
    week, btc = edition.week, edition.inputs.btc
    return [
        escape(period(week.period).replace(" to ", " – ")),
        f'<a href="weeks/{week.week}.html">{escape(edition.title)}</a>',
        escape(usd(btc.price)),
        escape(signed_pct(btc.change_7d) if btc.change_7d else "–"),
        escape(edition.story.reader_name),
    ]


def chart_spec(chart: Chart) -> str:
    return json.dumps(chart.to_dict(), sort_keys=True)


def compute_week_output(
    path: Path, site_url: str, key: str, history: HistoryStore, archive: list[WeekFacts]
) -> tuple[WeekOutput, WeekPage]:
    """Load, compute, write, draw and verify one week (the slow path); `key` is the hash of
    its inputs."""
    files = load_week_files(path)
    edition = build_edition(files, load_previous(files), history, site_url, archive)
    output = WeekOutput(
        week=edition.label,
        key=key,
        title=edition.title,
        description=plain(edition.description),
        summary=edition.summary_text,
        bullets=[f"- **{b.label}:** {b.text}" for b in edition.summary],
        as_of=edition.week.as_of.isoformat(),
        archive_cells=_archive_cells(edition),
        chart_names=[c.name for c in edition.charts],
        story=edition.story.value,
        close=edition.inputs.btc.price.value,
    )
    page = WeekPage(
        body=edition.page,
        charts=[(c.name, chart_spec(c)) for c in edition.charts],
        record_json=_record_json(files),
        closes_csv=closes_csv(edition),
    )
    return output, page


def input_key(path: Path, site_url: str, history_key: str, archive_key: str) -> str:
    """The hash of everything one week's output depends on: its files, last week's, the
    history up to its end, and the facts of the weeks before it (their hash, `archive_key`)."""
    before = previous_path(path)
    side = editorial_path(path)
    return digest(
        code_version(),
        site_url,
        history_key,
        archive_key,
        path.read_bytes(),
        side.read_bytes() if side.exists() else b"",
        before.read_bytes() if before else b"",
    )


def _known() -> Path:
    """Every week output computed by this program's code, by key: one file, read once."""
    return WEEKS_CACHE / f"outputs-{code_version()}.json"


def _page_entry(key: str) -> Path:
    return WEEKS_CACHE / f"{key}.page.json"


def week_output(
    path: Path,
    site_url: str,
    history: HistoryStore,
    history_key: str,
    archive: Archive,
    known: dict[str, dict[str, object]],
    before_computing: Callable[[], None] = lambda: None,
    after_computing: Callable[[WeekPage], None] = lambda page: None,
) -> WeekOutput:
    """The week's output from the outputs known (the cache), or computed, its page cached and
    the output added to `known`; `before_computing` is called on a cache miss."""
    key = input_key(path, site_url, history_key, archive.key_before(path))
    if key in known and _page_entry(key).exists():
        return WeekOutput(**known[key])  # type: ignore[arg-type]
    before_computing()
    output, page = compute_week_output(path, site_url, key, history, archive.before(path))
    after_computing(page)
    write_atomically(_page_entry(output.key), json.dumps(asdict(page)).encode())
    known[key] = asdict(output)
    return output


def week_outputs(
    paths: list[Path],
    site_url: str,
    before_computing: Callable[[], None] = lambda: None,
    history: HistoryStore | None = None,
    after_computing: Callable[[WeekPage], None] = lambda page: None,
) -> list[WeekOutput]:
    """Every week's output, oldest first; every week's problems are reported before failing.
    `before_computing` is called before each week that is not in the cache is computed, and
    `after_computing` with its page after."""
    store = history if history is not None else HistoryStore()
    keys = history_keys(paths, store)
    archive = Archive(store)
    try:
        known: dict[str, dict[str, object]] = json.loads(_known().read_bytes())
    except (OSError, ValueError):
        known = {}
    count = len(known)
    outputs: list[WeekOutput] = []
    bad_data: list[str] = []
    untraced: list[str] = []
    labels: list[tuple[Path, str]] = []
    for path in paths:
        try:
            key = keys.get(path, "")
            outputs.append(
                week_output(
                    path, site_url, store, key, archive, known, before_computing, after_computing
                )
            )
            labels.append((path, outputs[-1].week))
        except DataError as exc:
            bad_data.extend(exc.problems)
        except VerifyError as exc:
            untraced.extend(exc.problems)
    if len(known) > count:  # the outputs computed are kept, their pages already written
        write_atomically(_known(), json.dumps(known).encode())
    bad_data += same_week_twice(labels)
    if bad_data:
        raise DataError(bad_data + untraced)
    if untraced:
        raise VerifyError(untraced)
    outputs.sort(key=lambda o: o.week)
    return outputs
