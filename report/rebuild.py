"""Weeks of record rebuilt from the committed daily series, for the weeks no gather saw.

`data/series/` holds real daily series (see its PROVENANCE.md): Binance's daily closes and highs
from 2020, alternative.me's Fear & Greed Index from 2018, DefiLlama's hacks list to January 1,
2026, and Bybit's funding and Binance's quarterly basis for 2025. From them every ISO week
from January 2020 can be written as it stood at its end (Monday 00:00 UTC), each value with its
source, and with what daily series cannot give named as missing: intraday quotes (a rebuilt
week's prices are its last daily close), liquidations, prediction-market odds, and derivatives
outside 2025. The week says it was rebuilt, and when (`origin`).

A rebuilt week leaves its year of daily closes out when the history store holds them (they are
the same Binance closes; the pages read the store), which keeps the archive small. A week that
was gathered is never replaced; a rebuilt one is rewritten only when what it holds changed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from report.assets import DEFAULT_ASSETS, NAMES, OTHER_MARKETS, OtherMarket
from report.history import HistoryStore
from report.model import SCHEMA_VERSION, Source, Week, week_start
from report.paths import SERIES
from report.sources import fred
from report.weekfile import NO_CONTEXT_REBUILT, dump_yaml, load_week

HISTORY_DAYS = 365
FEAR_GREED_DAYS = 30
FIRST_WEEK = "2020-W02"  # the first whose every day, and the close before it, Binance's series hold

BINANCE = {
    "name": "Binance spot daily klines (USDT)",
    "url": "https://api.binance.com/api/v3/klines",
    "published_at": date(2026, 2, 21),
    "note": "copied from oziniak/vibe_trade (data/series/PROVENANCE.md)",
}
FEAR_GREED = {
    "name": "alternative.me Crypto Fear & Greed Index",
    "url": "https://api.alternative.me/fng/",
    "published_at": date(2026, 8, 22),
    "note": "copied from edwardchin811227/cryptofear-and-greed-index (data/series/PROVENANCE.md)",
}
BASIS = {
    "name": "Binance USD-M quarterly futures and spot daily closes",
    "url": "https://fapi.binance.com/fapi/v1/klines",
    "published_at": date(2026, 8, 4),
    "note": "annualized basis computed by twitter-bot-tech/btc-funding-arb"
    " (data/series/PROVENANCE.md)",
}
FUNDING = {
    "name": "Bybit funding history",
    "url": "https://api.bybit.com/v5/market/funding/history",
    "published_at": date(2026, 8, 4),
    "note": "copied from twitter-bot-tech/btc-funding-arb (data/series/PROVENANCE.md)",
}
HACKS = {
    "name": "DefiLlama hacks",
    "url": "https://api.llama.fi/hacks",
    "published_at": date(2026, 2, 2),
    "note": "copied from ruiyeshi/defi_protocol_security (data/series/PROVENANCE.md)",
}
HACKS_END = date(2026, 1, 1)
DERIVATIVES_START, DERIVATIVES_END = date(2025, 1, 1), date(2025, 12, 31)
NO_QUOTE = "rebuilt from daily series: the price is the week's last daily close, not a live quote"
NO_LIQUIDATIONS = (
    "no keyless source gives market-wide liquidation totals, and the daily series hold none"
)
NO_OPEN_INTEREST = "no open-interest history for this period in the daily series"
DERIVATIVES_GAP = "the derivatives series we hold cover 2025 only"
NO_MARKET_HISTORY = "the daily history we hold of this market does not cover the week"
NO_PREDICTION_MARKETS = "no prediction-market history for this period in the daily series"


def read_csv(name: str, series: Path = SERIES) -> list[dict[str, str]]:
    return _read_csv(series.resolve(), name)


@cache
def _read_csv(series: Path, name: str) -> list[dict[str, str]]:
    with (series / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@cache
def _klines(series: Path, symbol: str) -> dict[date, tuple[float, float]]:
    rows = _read_csv(series, f"binance_spot_1d/{symbol}.csv")
    return {date.fromisoformat(r["t"]): (float(r["h"]), float(r["c"])) for r in rows}


def klines(symbol: str, series: Path = SERIES) -> dict[date, tuple[float, float]]:
    """Binance's (high, close) by day."""
    return _klines(series.resolve(), symbol)


def number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _daily(values: dict[date, float], start: date, last: date) -> list[float | int | None]:
    days = (last - start).days + 1
    return [
        number(values[d]) if (d := start + timedelta(days=i)) in values else None
        for i in range(days)
    ]


def closes_block(series: dict[date, tuple[float, float]], last: date) -> dict[str, Any]:
    start = max(last - timedelta(days=HISTORY_DAYS - 1), min(series))
    values = _daily({d: c for d, (_, c) in series.items()}, start, last)
    return {"start": start, "values": values, "source": BINANCE}


def highs_block(series: dict[date, tuple[float, float]], start: date, last: date) -> dict[str, Any]:
    """The daily highs of the week's days up to `last`."""
    values = _daily({d: h for d, (h, _) in series.items()}, start, last)
    return {"start": start, "values": values, "source": {**BINANCE, "note": "daily highs"}}


def fear_greed_block(on: date, series: Path = SERIES) -> dict[str, Any] | None:
    rows = {
        date.fromisoformat(r["date"]): r for r in read_csv("fear_greed_alternative_me.csv", series)
    }
    if on not in rows:
        return None
    start = on - timedelta(days=FEAR_GREED_DAYS - 1)
    values = _daily({d: float(r["value"]) for d, r in rows.items()}, start, on)
    return {
        "value": int(float(rows[on]["value"])),
        "classification": rows[on]["classification"],
        "date": on,
        "series": {"start": start, "values": values, "source": FEAR_GREED},
    }


def basis_block(now: date, series: Path = SERIES) -> dict[str, Any]:
    """The front quarterly's annualized basis on `now`, and the same contract's seven days
    before (across a roll, the front contract a week earlier is another one)."""
    rows = read_csv("btc_quarterly_basis_2025.csv", series)

    def on(day: date) -> list[dict[str, str]]:
        return [r for r in rows if r["date"].startswith(day.isoformat())]

    today = min(on(now), key=lambda r: int(r["days_to_expiry"]))
    before = next(r for r in on(now - timedelta(days=7)) if r["symbol"] == today["symbol"])
    return {
        "instrument": today["symbol"],
        "now_pct": round(float(today["ann_basis"]) * 100, 4),
        "now_date": now,
        "week_ago_pct": round(float(before["ann_basis"]) * 100, 4),
        "week_ago_date": now - timedelta(days=7),
        "source": BASIS,
    }


def funding_block(as_of: datetime, series: Path = SERIES) -> dict[str, Any]:
    rows = [
        (datetime.fromisoformat(r["ts"]), float(r["fundingRate"]))
        for r in read_csv("bybit_btcusdt_funding_2025.csv", series)
    ]
    past = [r for r in rows if r[0] <= as_of]
    week = [rate for at, rate in past if at > as_of - timedelta(days=7)]
    latest_at, latest = past[-1]
    return {
        "instrument": "BTCUSDT perpetual",
        "latest_8h_pct": round(latest * 100, 6),
        "latest_at": latest_at,
        "week_mean_8h_pct": round(sum(week) / len(week) * 100, 6),
        "source": FUNDING,
    }


def hacks_in(start: date, until: date, series: Path = SERIES) -> list[dict[str, Any]]:
    """Incidents dated from `start` to `until`, both included."""
    found = []
    for r in read_csv("defillama_hacks_derived.csv", series):
        day = date.fromisoformat(r["exploit_date"][:10])
        if start <= day <= until:
            found.append(
                {
                    "protocol": r["protocol_name_raw"],
                    "date": day,
                    "loss_usd": number(float(r["loss_usd"])) if r["loss_usd"] else None,
                    "kind": f"exploit ({r['exploit_type']})" if r["exploit_type"] else "exploit",
                    "source": HACKS,
                }
            )
    return sorted(found, key=lambda i: (i["date"], i["protocol"]))


@cache
def _held(path: Path, market: OtherMarket) -> dict[date, float]:
    """Every day of one committed FRED download, read by the live source's own parser."""
    if not path.exists():
        return {}
    return fred.parse_csv(path.read_text(encoding="utf-8"), market, date.min, date.max)


def markets_block(
    end: date, series: Path = SERIES
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The other markets over a week ending on `end`, from FRED's downloads in `series/fred/`
    and a gap for each market they do not reach."""
    first = fred.window(end)
    markets, gaps = [], []
    for market in OTHER_MARKETS:
        held = _held(series / "fred" / f"{market.series}.csv", market)
        values = {day: v for day, v in held.items() if first <= day <= end}
        # The history must hold a day before the week (its move starts there) and its end.
        if not values or min(held) >= end - timedelta(days=6) or max(held) < end:
            reach = f" (it runs from {min(held)} to {max(held)})" if held else ""
            gaps.append({"field": f"markets.{market.series}", "reason": NO_MARKET_HISTORY + reach})
            continue
        source = {
            "name": fred.NAME,
            "url": fred.series_url(fred.BASE_URL, market),
            "published_at": max(held),
            "note": "copied from a public download of the series (data/series/PROVENANCE.md)",
        }
        markets.append(
            fred.market_block(values, market, first, end, Source.model_validate(source)).model_dump(
                exclude_none=True
            )
        )
    return markets, gaps


def _store_holds(store: HistoryStore | None, symbol: str, block: dict[str, Any]) -> bool:
    """Whether the history store holds every close of a closes block, as the block has it."""
    if store is None:
        return False
    held = store.closes(symbol)
    start = block["start"]
    for i, value in enumerate(block["values"]):
        day = held.get(start + timedelta(days=i))
        if value is not None and (day is None or day.close != value):
            return False
    return True


def rebuild_week(
    week: str,
    now: datetime,
    store: HistoryStore | None = None,
    series: Path = SERIES,
) -> dict[str, Any]:
    """A week at its end (Monday 00:00 UTC), from the daily series alone, rebuilt at `now`.
    With a history store that holds the year of closes, the closes are left to it."""
    start = week_start(week)
    end = start + timedelta(days=6)
    as_of = datetime.combine(end + timedelta(days=1), time(), UTC)
    assets, missing = [], []
    for symbol in (a.symbol for a in DEFAULT_ASSETS):
        daily = klines(symbol, series)
        if end not in daily:
            missing.append({"field": f"assets.{symbol}", "reason": "no Binance close for the week"})
            continue
        closes = closes_block(daily, end)
        asset: dict[str, Any] = {
            "symbol": symbol,
            "name": NAMES[symbol],
            "quote": {
                "price": number(daily[end][1]),
                "at": as_of,
                "source": {**BINANCE, "note": "the week's last daily close"},
            },
        }
        if not _store_holds(store, symbol, closes):
            asset["closes"] = closes
        asset["highs"] = highs_block(daily, start, end)
        assets.append(asset)
        missing.append({"field": f"assets.{symbol}.quote", "reason": NO_QUOTE})
    record: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "week": week,
        "origin": {"method": "rebuilt", "at": now.replace(microsecond=0)},
        "period": {"start": start, "end": end},
        "as_of": as_of,
        "assets": assets,
    }
    missing.append({"field": "liquidations", "reason": NO_LIQUIDATIONS})
    if DERIVATIVES_START + timedelta(days=7) <= end <= DERIVATIVES_END:
        record["derivatives"] = {
            "basis": basis_block(end, series),
            "funding": funding_block(as_of, series),
        }
        missing.append({"field": "derivatives.open_interest", "reason": NO_OPEN_INTEREST})
    else:
        missing.append({"field": "derivatives", "reason": DERIVATIVES_GAP})
    fear_greed = fear_greed_block(end, series)
    record["sentiment"] = {"fear_greed": fear_greed}
    if fear_greed is None:
        missing.append({"field": "sentiment.fear_greed", "reason": "no reading for the week's end"})
    missing.append({"field": "sentiment.prediction_markets", "reason": NO_PREDICTION_MARKETS})
    if end < HACKS_END:
        record["incidents"] = hacks_in(start, end, series)
    else:
        short = (end - HACKS_END).days
        reason = "the hacks list we hold ends on January 1, 2026"
        if start <= HACKS_END:
            reason += f", {short} days before this week ends"
        missing.append({"field": "incidents", "reason": reason})
    markets, gaps = markets_block(end, series)
    if markets:
        record["markets"] = markets
        missing += gaps
    else:
        missing.append({"field": "markets", "reason": NO_CONTEXT_REBUILT})
    missing += [
        {"field": name, "reason": NO_CONTEXT_REBUILT}
        for name in ("stablecoins", "defi_tvl", "news")
    ]
    record["missing"] = missing
    return record


def label_of(day: date) -> str:
    year, number_, _ = day.isocalendar()
    return f"{year}-W{number_:02d}"


def rebuildable_weeks(
    store: HistoryStore, first: str = FIRST_WEEK, series: Path = SERIES
) -> list[str]:
    """Every ISO week from `first` whose last day both the daily series and the history store
    hold Bitcoin's close of (the store may reach further, from gathers; the series do not)."""
    held = store.closes("BTC")
    daily = klines("BTC", series)
    weeks, monday = [], week_start(first)
    last = min(max(held, default=date.min), max(daily, default=date.min))
    while monday + timedelta(days=6) <= last:
        if monday + timedelta(days=6) in daily:
            weeks.append(label_of(monday))
        monday += timedelta(days=7)
    return weeks


@dataclass
class Rebuilt:
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    gathered: list[Path] = field(default_factory=list)  # kept: a gathered week is never replaced


def _without_origin(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "origin"}


def rebuild_weeks(
    weeks: Iterable[str], folder: Path, now: datetime, store: HistoryStore, series: Path = SERIES
) -> Rebuilt:
    """Write each week rebuilt into `folder`: a gathered week there is kept, and a rebuilt one
    whose contents would not change keeps its file (and the day it was rebuilt)."""
    done = Rebuilt()
    folder.mkdir(parents=True, exist_ok=True)
    for label in weeks:
        path = folder / f"{label}.yaml"
        record = rebuild_week(label, now, store, series)
        week = Week.model_validate(record)  # never write a week that would not load
        if path.exists():  # a file that does not load stops the rebuild: it may be gathered
            present = load_week(path)
            if not present.rebuilt:
                done.gathered.append(path)
                continue
            if _same(present, week):
                done.unchanged.append(path)
                continue
        path.write_text(dump_yaml(record), encoding="utf-8")
        done.written.append(path)
    return done


def _same(present: Week, rebuilt: Week) -> bool:
    def body(week: Week) -> dict[str, Any]:
        return _without_origin(week.model_dump(by_alias=True))

    return body(present) == body(rebuilt)
