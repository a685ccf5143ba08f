"""Gather a week of record from the market APIs, concurrently, with every gap said.

Every source runs at once over one HTTP client. A source that fails (timeout, refusal, bad or
implausible data) leaves its blocks `null` and names them in `missing` with the reason; the
others still land. The week is usable when Bitcoin's price landed: then it is validated against
the schema and written (the editorial file beside it is never touched). Otherwise nothing is
written and the command exits non-zero.

A daily move of more than half (up or down) is checked against a second view of the same
market before anything is dropped: the history store's closes of the same days, and the
quote's own 7-day change. A move a second view agrees with is kept (markets do move that much:
XRP rose 73% the day a court ruled on it); one a second view contradicts, or none can confirm,
takes the asset out, named in `missing` with both figures.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import ValidationError

from report.cache import write_atomically
from report.errors import ConfigError, ReportError
from report.history import HistoryStore, StatedHigh
from report.http import Fetcher, HttpPolicy, open_fetcher
from report.model import SCHEMA_VERSION, DailySeries, Week, week_start
from report.paths import GATHER_DEADLINE_S
from report.sources import (
    SOURCE_FAILURES,
    Found,
    MarketSource,
    Want,
    describe_error,
    shorten,
    want_week,
)
from report.sources.alternative_me import AlternativeMe
from report.sources.bybit import Bybit
from report.sources.coinalyze import KEY as COINALYZE_KEY
from report.sources.coinalyze import Coinalyze
from report.sources.coingecko import KEY as COINGECKO_KEY
from report.sources.coingecko import CoinGecko
from report.sources.coinpaprika import CoinPaprika
from report.sources.defillama import DefiLlama
from report.sources.defillama_size import DefiLlamaStablecoins, DefiLlamaTvl
from report.sources.deribit import Deribit
from report.sources.fred import Fred
from report.sources.news import Newsrooms
from report.sources.polymarket import Polymarket
from report.weekfile import dump_yaml

KEYS = (COINGECKO_KEY, COINALYZE_KEY)
GAP_REASON_LIMIT = 1000  # characters; the schema takes 2,000
LARGE_MOVE = 0.5  # a daily move beyond ±50% needs a second view to stand
AGREEMENT = 0.10  # two views agree when their moves, as growth factors, differ by less
# The order of the blocks in the file, as a person reads it.
LAYOUT = {
    "liquidations": None,
    "derivatives": ("basis", "funding", "open_interest"),
    "sentiment": ("fear_greed", "prediction_markets"),
    "incidents": None,
    "markets": None,
    "stablecoins": None,
    "defi_tvl": None,
    "news": None,
}


class GatherError(ReportError):
    """The week is not usable: nothing is written."""


SOURCES: dict[str, Callable[..., MarketSource]] = {
    "coingecko": CoinGecko,
    "alternative_me": AlternativeMe,
    "defillama": DefiLlama,
    "bybit": Bybit,
    "deribit": Deribit,
    "polymarket": Polymarket,
    "coinalyze": Coinalyze,
    "fred": Fred,
    "defillama_stablecoins": DefiLlamaStablecoins,
    "defillama_tvl": DefiLlamaTvl,
    "news": Newsrooms,
}


FALLBACK = "coinpaprika"  # CoinGecko's fallback for the live quotes, not a source of its own


def default_sources(base_urls: Mapping[str, str] | None = None) -> list[MarketSource]:
    """Every source, by its short name; `base_urls` points any of them elsewhere."""
    urls = dict(base_urls or {})
    known = [*SOURCES, FALLBACK]
    unknown = set(urls) - set(known)
    if unknown:
        raise ReportError(
            f"no source called {', '.join(sorted(unknown))}; known: {', '.join(known)}"
        )
    fallback = CoinPaprika(urls[FALLBACK]) if FALLBACK in urls else CoinPaprika()
    sources = [make(urls[name]) if name in urls else make() for name, make in SOURCES.items()]
    for source in sources:
        if isinstance(source, CoinGecko):
            source.fallback = fallback
    return sources


def last_complete_week(now: datetime) -> str:
    """The ISO week that ended most recently (on Monday, the one that ended last night)."""
    sunday = now.date() - timedelta(days=now.isoweekday())
    year, week, _ = sunday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Outcome:
    source: str
    blocks: tuple[str, ...]
    missing: dict[str, str]
    seconds: float
    ran_out: bool = False  # stopped at the run's deadline

    @property
    def ok(self) -> bool:
        return not self.missing


@dataclass
class Gathered:
    want: Want
    record: dict[str, Any]
    outcomes: list[Outcome] = field(default_factory=list)
    requests: int = 0
    fetched_closes: dict[str, DailySeries] = field(default_factory=dict)  # for the store
    disputed: set[str] = field(default_factory=set)  # assets a second view contradicted

    @property
    def usable(self) -> bool:
        return bool(self.record.get("assets")) and any(
            a["symbol"] == "BTC" for a in self.record["assets"]
        )


Progress = Callable[[Outcome], None]


async def _run(source: MarketSource, fetcher: Fetcher, want: Want, done: Progress) -> Found:
    start = time.perf_counter()
    try:
        found = await source.gather(fetcher, want)
    except SOURCE_FAILURES as exc:
        reason = f"{source.name}: {describe_error(exc)}"
        found = Found(missing=dict.fromkeys(source.blocks, reason))
    done(Outcome(source.name, source.blocks, found.missing, time.perf_counter() - start))
    return found


def _nest(
    blocks: dict[str, Any], missing: dict[str, str]
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Dotted blocks into the week's shape; a parent with no child present becomes one gap."""
    record: dict[str, Any] = {}
    gaps = [  # gaps inside a list block: an asset, or the TVL of incidents
        {"field": name, "reason": reason}
        for name, reason in missing.items()
        if name.startswith(("assets.", "incidents.", "markets.", "stablecoins.", "news."))
    ]
    for name, children in LAYOUT.items():
        if children is None:
            if name in blocks:
                record[name] = blocks[name]
            else:
                record[name] = None
                gaps.append({"field": name, "reason": missing.get(name, "not gathered")})
            continue
        present = {c: blocks[f"{name}.{c}"] for c in children if f"{name}.{c}" in blocks}
        absent = [c for c in children if c not in present]
        if not present:
            record[name] = None
            reasons = "; ".join(
                f"{c}: {missing.get(f'{name}.{c}', 'not gathered')}" for c in absent
            )
            gaps.append({"field": name, "reason": reasons})
            continue
        record[name] = {c: present.get(c) for c in children}
        gaps += [
            {"field": f"{name}.{c}", "reason": missing.get(f"{name}.{c}", "not gathered")}
            for c in absent
        ]
    return record, gaps


async def gather_week(
    want: Want,
    sources: Sequence[MarketSource],
    fetcher: Fetcher,
    done: Progress = lambda o: None,
    deadline_s: float = GATHER_DEADLINE_S,
) -> Gathered:
    """Run every source at once and assemble what came into a week of record; a source still
    running at the deadline is stopped, and its blocks are named missing, saying so."""
    outcomes: list[Outcome] = []

    def finished(outcome: Outcome) -> None:
        outcomes.append(outcome)
        done(outcome)

    tasks = [asyncio.create_task(_run(s, fetcher, want, finished)) for s in sources]
    await asyncio.wait(tasks, timeout=deadline_s)
    founds = []
    for source, task in zip(sources, tasks, strict=True):
        if task.done():
            founds.append(task.result())
            continue
        task.cancel()
        reason = f"{source.name}: not finished within the run's deadline of {deadline_s:g} s"
        found = Found(missing=dict.fromkeys(source.blocks, reason))
        finished(Outcome(source.name, source.blocks, found.missing, deadline_s, ran_out=True))
        founds.append(found)
    await asyncio.gather(*tasks, return_exceptions=True)  # the stopped ones, wound down
    blocks: dict[str, Any] = {}
    missing: dict[str, str] = {}
    for found in founds:
        blocks.update(found.blocks)
        missing.update(found.missing)
    order = {a.symbol: i for i, a in enumerate(want.assets)}
    assets = sorted(blocks.pop("assets", []), key=lambda a: order[a["symbol"]])
    nested, gaps = _nest(blocks, missing)
    record: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "week": want.week,
        "origin": {"method": "gathered", "at": want.fetched_at},
        "period": {"start": want.start, "end": want.end},
        "as_of": want.as_of,
        "assets": assets,
        **nested,
        "missing": gaps,
    }
    return Gathered(want=want, record=record, outcomes=outcomes, requests=fetcher.requests)


HISTORY_DAYS = 365


def _agree(a: float, b: float) -> bool:
    return abs(a / b - 1) < AGREEMENT


def _second_views(
    asset: dict[str, Any], day: date, after: date, kept: dict[date, Any]
) -> list[tuple[str, float, float]]:
    """Other views of a move from `day` to `after`: (whose, its growth factor, the fetched
    series' factor over the same span)."""
    series = DailySeries.model_validate(asset["closes"])
    closes = dict(series.points())
    views = []
    if day in kept and after in kept:
        views.append(
            (
                "the history store",
                kept[after].close / kept[day].close,
                closes[after] / closes[day],
            )
        )
    quote = asset["quote"]
    week_ago = quote["at"] - timedelta(days=7)
    start = week_ago.date() - timedelta(days=1)  # the close before the quote's week began
    if quote.get("change_7d_pct") is not None and start <= day and start in closes:
        views.append(
            (
                f"the quote's own 7-day change ({quote['source']['name']})",
                1 + quote["change_7d_pct"] / 100,
                quote["price"] / closes[start],
            )
        )
    return views


def confirm_large_moves(gathered: Gathered, store: HistoryStore | None) -> None:
    """Keep a large daily move a second view agrees with; take out an asset whose move one
    contradicts or none confirms, naming both figures."""
    record = gathered.record
    kept_assets = []
    for asset in record["assets"]:
        series = DailySeries.model_validate(asset["closes"]) if asset.get("closes") else None
        points = series.points() if series else []
        kept = store.closes(asset["symbol"]) if store is not None else {}
        problem = None
        for (day, close), (after, next_close) in itertools.pairwise(points):
            move = next_close / close - 1
            if abs(move) <= LARGE_MOVE:
                continue
            views = _second_views(asset, day, after, kept)
            if any(_agree(view, ours) for _, view, ours in views):
                continue
            said = f"{asset['symbol']}'s close moved {move:+.0%} from {day} to {after}"
            if views:
                whose, view, ours = views[0]
                problem = (
                    f"{said} ({ours - 1:+.0%} over the span), but {whose} says {view - 1:+.0%}"
                )
                gathered.disputed.add(asset["symbol"])
            else:
                problem = f"{said}, and no second view of the market could confirm it"
            break
        if problem:
            record["missing"].append(
                {"field": f"assets.{asset['symbol']}", "reason": f"CoinGecko: {problem}"}
            )
        else:
            kept_assets.append(asset)
    record["assets"] = kept_assets


def _with_history(series: DailySeries, kept: DailySeries) -> DailySeries:
    """The fetched series, preceded by the store's days before it."""
    cut = (series.start - kept.start).days
    if cut <= 0:
        return series
    before = kept.values[:cut] + [None] * (cut - len(kept.values[:cut]))
    note = (
        f"days before {series.start} from the history store ({kept.source.note}); "
        f"the later days {series.source.note or 'as fetched'}"
    )
    return DailySeries(
        start=kept.start,
        values=before + series.values,
        source=series.source.model_copy(update={"note": note}),
    )


def fill_from_history(gathered: Gathered, store: HistoryStore) -> None:
    """Complete the gathered closes from the store: a year back from the week's last day where
    the vendor served less, and, for an asset the vendor could not give at all (a week beyond
    its history), the whole asset, its quote the stored close of the week's last day."""
    want, record = gathered.want, gathered.record
    last = want.end
    first = last - timedelta(days=HISTORY_DAYS - 1)
    by_symbol = {a["symbol"]: a for a in record["assets"]}
    for asset in want.assets:
        kept = store.series(asset.symbol, first, last)
        present = by_symbol.get(asset.symbol)
        if present is not None and present.get("closes"):
            fetched = DailySeries.model_validate(present["closes"])
            gathered.fetched_closes[asset.symbol] = fetched
            if kept is not None:
                present["closes"] = _with_history(fetched, kept).model_dump(exclude_none=True)
        elif (
            present is None
            and asset.symbol not in gathered.disputed
            and kept is not None
            and kept.end == last
            and kept.values[-1]
        ):
            record["assets"].append(
                {
                    "symbol": asset.symbol,
                    "name": asset.name,
                    "quote": {
                        "price": kept.values[-1],
                        "at": want.as_of,
                        "source": kept.source.model_dump(exclude_none=True),
                    },
                    "closes": kept.model_dump(exclude_none=True),
                }
            )
            record["missing"] = [
                g for g in record["missing"] if g["field"] != f"assets.{asset.symbol}"
            ]
    order = {a.symbol: i for i, a in enumerate(want.assets)}
    record["assets"].sort(key=lambda a: order[a["symbol"]])


def validated(gathered: Gathered) -> Week:
    """The gathered week checked against the schema, or why it is not usable."""
    if not gathered.usable:
        reasons = (
            "; ".join(dict.fromkeys(r for o in gathered.outcomes for r in o.missing.values()))
            or "no asset came back"
        )
        raise GatherError(f"{gathered.want.week}: no Bitcoin price, so no usable week ({reasons})")
    try:
        return Week.model_validate(gathered.record)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise GatherError(
            f"{gathered.want.week}: the gathered week does not validate: " + "; ".join(problems[:5])
        ) from exc


def api_keys(env: Mapping[str, str]) -> dict[str, str]:
    """The API keys set in `env`; a key an HTTP header cannot carry is a setting's error."""
    keys = {name: value for name, value in env.items() if name in KEYS and value}
    for name, value in keys.items():
        if not (value.isascii() and value.isprintable() and len(value) <= 200):
            raise ConfigError(f"{name} must be printable ASCII of at most 200 characters")
    return keys


def wanted_week(week: str | None, now: datetime) -> tuple[str, date]:
    """The week to gather and its Monday: the one named (a week that exists and has begun),
    or the last complete one."""
    label = week or last_complete_week(now)
    try:
        start = week_start(label)
    except ValueError as exc:
        raise ConfigError(f"--week: {exc}") from None
    if start > now.date():
        raise ConfigError(f"--week: {label} has not begun yet")
    return label, start


async def gather(
    week: str | None,
    now: datetime,
    keys: Mapping[str, str],
    sources: Sequence[MarketSource],
    policy: HttpPolicy | None = None,
    done: Progress = lambda o: None,
    transport: httpx.AsyncBaseTransport | None = None,
    history: HistoryStore | None = None,
    deadline_s: float = GATHER_DEADLINE_S,
) -> Gathered:
    """Gather a week (default: the last complete one) within `deadline_s`; with a `history`
    store, fill from it what the vendors no longer serve."""
    label, start = wanted_week(week, now)
    want = want_week(label, start, now, keys=api_keys(keys))
    async with open_fetcher(
        policy or HttpPolicy(), secrets=want.keys.values(), transport=transport
    ) as fetcher:
        gathered = await gather_week(want, sources, fetcher, done, deadline_s)
    confirm_large_moves(gathered, history)
    if history is not None:
        fill_from_history(gathered, history)
    for gap in gathered.record["missing"]:  # a week is never lost to its own error text
        gap["reason"] = shorten(gap["reason"], GAP_REASON_LIMIT)
    return gathered


def write_week(gathered: Gathered, week: Week, folder: Path, history: HistoryStore | None) -> Path:
    """Write the week file (atomically; the editorial file beside it stays as it is), and keep
    in the history store the closes fetched and the all-time highs the provider stated."""
    path = folder / f"{week.week}.yaml"
    write_atomically(path, dump_yaml(gathered.record).encode())
    if history is not None:
        for symbol, series in gathered.fetched_closes.items():
            history.keep(symbol, series)
        for asset in week.assets:
            ath = asset.ath
            if ath is not None and ath.source.fetched_at is not None:
                history.keep_high(
                    StatedHigh(
                        asset.symbol,
                        ath.price,
                        ath.date,
                        ath.source.fetched_at,
                        ath.source.name,
                        ath.source.url or "",
                        "the all-time high and its date, as the provider stated them",
                    )
                )
    return path
