"""FRED (the St. Louis Fed's economic data): the markets a week sets crypto against.

Keyless: `fredgraph.csv?id=SERIES&cosd=FIRST&coed=LAST` is the CSV download behind every
FRED chart. Its first column is the day (`observation_date`, `DATE` in older files) and its
second the series, by its id; a day the market did not trade, or that FRED has not published
yet, is empty or "." and stays null (never filled from a neighbour). Each series is its own
request: one that fails is named missing, and the others still land.

The window reaches `WINDOW_DAYS` before the week's end: the close before the week began, and
the 30 days of daily returns the correlation with Bitcoin is measured over.
"""

from __future__ import annotations

import asyncio
import csv
import io
import math
from datetime import date, timedelta

from report.assets import OTHER_MARKETS, OtherMarket
from report.http import Fetcher
from report.model import DailySeries, Market, Source
from report.sources import SOURCE_FAILURES, Found, SourceError, Want, describe_error

NAME = "FRED, Federal Reserve Bank of St. Louis"
BASE_URL = "https://fred.stlouisfed.org"
WINDOW_DAYS = 44  # 30 days of returns and the week, with room for a long weekend before them
DAY_COLUMNS = ("observation_date", "DATE")
# No value of these series comes near these bounds: a value beyond one is a unit error.
BOUNDS = {"index": (1.0, 1e6), "yield": (0.0, 30.0)}
NOT_PUBLISHED = {"", "."}


def parse_csv(text: str, market: OtherMarket, first: date, last: date) -> dict[date, float]:
    """The days and values of one FRED CSV download, within `first`..`last`."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or len(rows[0]) != 2 or rows[0][0] not in DAY_COLUMNS:
        raise SourceError("the answer is not a FRED CSV file (its header is not day, series)")
    if rows[0][1] != market.series:
        raise SourceError(f"the file holds {rows[0][1][:40]!r}, not {market.series}")
    low, high = BOUNDS[market.unit]
    values: dict[date, float] = {}
    for row in rows[1:]:
        if not row:
            continue
        if len(row) != 2:
            raise SourceError(f"a row has {len(row)} columns, not 2")
        day = date.fromisoformat(row[0])
        if row[1].strip() in NOT_PUBLISHED or not first <= day <= last:
            continue
        value = float(row[1])
        if not (math.isfinite(value) and low <= value <= high):
            raise SourceError(f"{market.series} on {day}: {row[1][:24]} is not a plausible value")
        values[day] = value
    return values


class Fred:
    name = NAME
    blocks: tuple[str, ...] = ("markets",)

    def __init__(self, base_url: str = BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")

    async def gather(self, fetcher: Fetcher, want: Want) -> Found:
        last = min(want.end, want.as_of.date())
        first = window(want.end)
        answers = await asyncio.gather(
            *(self._market(fetcher, want, m, first, last) for m in OTHER_MARKETS),
            return_exceptions=True,
        )
        found = Found()
        markets = []
        for market, answer in zip(OTHER_MARKETS, answers, strict=True):
            if isinstance(answer, Market):
                markets.append(answer.model_dump(exclude_none=True))
            elif isinstance(answer, SOURCE_FAILURES):
                found.missing[f"markets.{market.series}"] = f"{NAME}: {describe_error(answer)}"
            elif isinstance(answer, BaseException):
                raise answer
        if not markets:  # every series failed: the block is missing, with each reason
            return Found(missing={"markets": "; ".join(found.missing.values())})
        found.blocks["markets"] = markets
        return found

    async def _market(
        self, fetcher: Fetcher, want: Want, market: OtherMarket, first: date, last: date
    ) -> Market:
        url = f"{self.base_url}/graph/fredgraph.csv"
        params = {"id": market.series, "cosd": first.isoformat(), "coed": last.isoformat()}
        values = parse_csv(await fetcher.get_text(url, params=params), market, first, last)
        if any(day > want.fetched_at.date() for day in values):
            raise SourceError(f"{market.series} has a value dated after it was fetched")
        return market_block(
            values, market, first, last, want.source(NAME, series_url(self.base_url, market))
        )


def series_url(base_url: str, market: OtherMarket) -> str:
    return f"{base_url}/graph/fredgraph.csv?id={market.series}"


def window(end: date) -> date:
    """The first day a week ending on `end` reads."""
    return end - timedelta(days=WINDOW_DAYS)


def market_block(
    values: dict[date, float], market: OtherMarket, first: date, last: date, source: Source
) -> Market:
    """One market's days from `first` to `last`, null where FRED has no value."""
    if not values:
        raise SourceError(f"{market.series} has no value from {first} to {last}")
    daily = DailySeries(
        start=first,
        values=[values.get(first + timedelta(days=i)) for i in range((last - first).days + 1)],
        source=source,
    )
    return Market(series=market.series, name=market.name, unit=market.unit, daily=daily)
