"""What a week's claims are computed from, as plain data every traced number points into.

The record holds five parts: `week` (the week of record), `editorial` (its editorial file),
`previous` (last week's record, for the week-over-week comparison), `history` (the history
store's days up to the week's last complete day, per asset) and `archive` (the facts of every
week of record before it, for records across weeks). `DailyPrices` merges an asset's
history with the week's own daily series, each value traced to the place it was read from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any, TypeVar

from report.history import HistoryStore
from report.model import Week
from report.trace import Traced, pct_change, read
from report.weekfile import WeekFiles

T = TypeVar("T")
NO_EDITORIAL: dict[str, Any] = {
    "drivers": [],
    "quotes": [],
    "incidents": [],
    "figures": [],
    "venues": [],
    "outlook": None,
}


def last_complete_day(as_of: datetime) -> date:
    """The last day whose close (at 24:00 UTC) had happened by `as_of`."""
    return as_of.astimezone(UTC).date() - timedelta(days=1)


def build_record(
    files: WeekFiles,
    previous: Week | None,
    history: HistoryStore | None,
    archive: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The plain-data record that traced paths point into."""
    week = files.week
    through = last_complete_day(week.as_of)
    views = {}
    if history is not None:
        for asset in week.assets:
            view = history.view(asset.symbol, through)
            if view is not None:
                views[asset.symbol] = view
    return {
        "week": week.model_dump(by_alias=True),
        "editorial": files.editorial.model_dump(by_alias=True) if files.editorial else NO_EDITORIAL,
        "previous": {"week": previous.model_dump(by_alias=True)} if previous else None,
        "history": views,
        "archive": archive or [],
    }


class DailyPrices:
    """An asset's daily closes and highs: the week's own series where it has the day, else the
    history store's. Indexes run from `start`; a missing day is None."""

    def __init__(self, record: dict[str, Any], symbol: str) -> None:
        self.symbol = symbol
        self._record = record
        assets = record["week"]["assets"]
        self.index = next(i for i, a in enumerate(assets) if a["symbol"] == symbol)
        asset = assets[self.index]
        self.history: dict[str, Any] | None = record["history"].get(symbol)
        self.through = last_complete_day(record["week"]["as_of"])
        starts = [s["start"] for s in (asset.get("closes"), self.history) if s]
        self.start = min(starts) if starts else self.through + timedelta(days=1)
        length = (self.through - self.start).days + 1
        self.closes: list[float | None] = [None] * max(length, 0)
        self.highs: list[float | None] = [None] * max(length, 0)
        # Where each day's value was read: the series it came from, by its path and start.
        self._close_at: list[tuple[str, date] | None] = [None] * max(length, 0)
        self._high_at: list[tuple[str, date] | None] = [None] * max(length, 0)
        if self.history:
            start = self.history["start"]
            self._fill(start, self.history["closes"], (f"history.{symbol}.closes", start))
            self._fill(start, self.history["highs"], (f"history.{symbol}.highs", start))
        # A provider's stated all-time high is one more price of its day (the latest statement
        # about a day counts); a day's highest price is the highest any source gives, so that
        # every week names the same high for the day.
        self._stated_on: dict[date, int] = {}
        stated = self.history["stated_highs"] if self.history else []
        for j in sorted(range(len(stated)), key=lambda j: stated[j]["observed_at"]):
            self._stated_on[stated[j]["date"]] = j
        base = f"week.assets[{self.index}]"
        for name in ("closes", "highs"):
            series = asset.get(name)
            if series:
                where = (f"{base}.{name}.values", series["start"])
                self._fill(series["start"], series["values"], where)

    def _fill(self, start: date, values: list[float | None], where: tuple[str, date]) -> None:
        highs = where[0].endswith(("highs", "highs.values"))
        target, paths = (self.highs, self._high_at) if highs else (self.closes, self._close_at)
        offset = (start - self.start).days
        if offset < 0 or offset + len(values) > len(target):
            keep = range(max(-offset, 0), min(len(values), len(target) - offset))
            values, offset = [values[i] for i in keep], offset + keep.start
        for i, value in enumerate(values, start=offset):
            if value is not None:
                target[i] = value
                paths[i] = where

    def _read(self, at: list[tuple[str, date] | None], day: date) -> Traced | None:
        i = self.position(day)
        where = at[i] if 0 <= i < len(at) else None
        if where is None:
            return None
        return read(self._record, f"{where[0]}[{(day - where[1]).days}]", "usd")

    def day(self, i: int) -> date:
        return self.start + timedelta(days=i)

    def position(self, day: date) -> int:
        return (day - self.start).days

    def close(self, day: date) -> Traced | None:
        return self._read(self._close_at, day)

    def high(self, day: date) -> Traced | None:
        return self._read(self._high_at, day)

    def _stated(self, day: date) -> Traced | None:
        stated = self._stated_on.get(day)
        if stated is None:
            return None
        return read(self._record, f"history.{self.symbol}.stated_highs[{stated}].price", "usd")

    def stated_on(self, day: date) -> bool:
        """Whether a provider stated an all-time high set on this day."""
        return day in self._stated_on

    def peak(self, day: date) -> Traced | None:
        """The day's highest price: the highest of its high (or its close, where no high is
        held) and a provider's stated all-time high set that day."""
        prices = [p for p in (self._stated(day), self.high(day) or self.close(day)) if p]
        return max(prices, key=lambda p: p.value) if prices else None

    @cached_property
    def peaks(self) -> list[float | None]:
        """What `peak` gives for each day, as plain numbers (for scans)."""
        peaks = [h if h is not None else c for h, c in zip(self.highs, self.closes, strict=True)]
        stated = self.history["stated_highs"] if self.history else []
        for day, j in self._stated_on.items():
            i = self.position(day)
            if 0 <= i < len(peaks):
                price = float(stated[j]["price"])
                peaks[i] = price if peaks[i] is None else max(peaks[i] or 0.0, price)
        return peaks

    def source_of(self, day: date) -> str | None:
        """The name of the source of the day's highest price."""
        peak = self.peak(day)
        if peak is None:
            return None
        path = str(peak.args[0])
        if "stated_highs" in path and self.history:
            return str(self.history["stated_highs"][self._stated_on[day]]["source"])
        if path.startswith("history.") and self.history:
            j = (day - self.history["start"]).days
            return str(self.history["sources"][self.history["source_of"][j]]["name"])
        series = "highs" if ".highs." in path else "closes"
        return str(self._record["week"]["assets"][self.index][series]["source"]["name"])

    def source_of_close(self, day: date) -> str:
        """The name of the source of the day's close."""
        where = self._close_at[self.position(day)]
        assert where is not None, f"no close on {day}"
        if where[0].startswith("history.") and self.history:
            j = (day - self.history["start"]).days
            return str(self.history["sources"][self.history["source_of"][j]]["name"])
        return str(self._record["week"]["assets"][self.index]["closes"]["source"]["name"])

    @property
    def first_day(self) -> date | None:
        """The first day held."""
        return next((self.day(i) for i, v in enumerate(self.closes) if v is not None), None)

    def last_close_before(self, day: date) -> tuple[date, Traced] | None:
        for i in range(min(self.position(day), len(self.closes)) - 1, -1, -1):
            if self.closes[i] is not None:
                found = self.day(i)
                close = self.close(found)
                assert close is not None
                return found, close
        return None

    def complete(self, first: date, last: date) -> bool:
        """Whether a close is held for every day from `first` to `last`."""
        lo, hi = max(self.position(first), 0), self.position(last)
        if self.position(first) < 0 or hi >= len(self.closes):
            return False
        return all(v is not None for v in self.closes[lo : hi + 1])


@dataclass(frozen=True)
class Highest:
    """The highest price before a day, and whether it is the highest ever: a provider's stated
    all-time high must reach over the days the prices we hold do not."""

    price: Traced
    day: date
    source: str
    all_time: bool


def highest_before(prices: DailyPrices, until: date, record: dict[str, Any]) -> Highest | None:
    """The highest price on the days before `until`: the highest any source gives, of the
    days held and of the providers' stated all-time highs set before then.

    It is the highest ever when a provider's statement "the all-time high is $P, set on D",
    observed at T, with D before `until`, reaches over what we do not hold: nothing before T
    was higher, and every day from T's on is held. Without one, it is the highest in the prices
    we hold, not known to be the highest ever.
    """
    best: tuple[float, date, Traced, str] | None = None
    all_time = False
    stated = prices.history["stated_highs"] if prices.history else []
    for j, high in enumerate(stated):
        if high["date"] >= until:
            continue
        observed = high["observed_at"].date()
        if observed >= until - timedelta(days=1) or prices.complete(
            observed, until - timedelta(days=1)
        ):
            all_time = True
        if best is None or high["price"] > best[0]:
            traced = read(record, f"history.{prices.symbol}.stated_highs[{j}].price", "usd")
            best = (high["price"], high["date"], traced, high["source"])
    top: tuple[float, int] | None = None
    peaks = prices.peaks
    for i in range(min(prices.position(until), len(peaks))):
        value = peaks[i]
        if value is not None and (top is None or value > top[0]):
            top = (value, i)
    if top is not None and (best is None or top[0] > best[0]):
        day = prices.day(top[1])
        traced_peak = prices.peak(day)
        assert traced_peak is not None
        best = (top[0], day, traced_peak, prices.source_of(day) or "")
    if best is None:
        return None
    return Highest(best[2], best[1], best[3], all_time)


def years_held(first: date, last: date) -> int:
    """How long the prices we hold reach back, in whole months."""
    return (last.year - first.year) * 12 + last.month - first.month - (last.day < first.day)


@dataclass(frozen=True)
class AssetMove:
    """One asset's quote and its changes over a day and a week, traced. A change the provider
    did not quote is the price against the last close completed a day (a week) before; the
    day of that close is kept, as the span is longer than a day (a week) when the quote is."""

    symbol: str
    name: str
    price: Traced
    at: datetime
    change_24h: Traced | None
    change_7d: Traced | None
    since_24h: date | None = None  # the close a computed change starts from
    since_7d: date | None = None


@dataclass(frozen=True)
class Inputs:
    """Everything one week's edition is computed from."""

    files: WeekFiles
    previous: Week | None
    record: dict[str, Any]
    _found: dict[type, list[Any]] = field(default_factory=dict, compare=False, repr=False)

    def found(self, kind: type[T]) -> list[T]:
        """The claims of one kind these inputs give, computed once."""
        if kind not in self._found:
            self._found[kind] = list(kind.find(self))  # type: ignore[attr-defined]
        return self._found[kind]

    @property
    def week(self) -> Week:
        return self.files.week

    @cached_property
    def _prices(self) -> dict[str, DailyPrices]:
        return {a.symbol: DailyPrices(self.record, a.symbol) for a in self.week.assets}

    def prices(self, symbol: str) -> DailyPrices:
        return self._prices[symbol]

    @cached_property
    def moves(self) -> list[AssetMove]:
        """Every asset's move, Bitcoin first, then as the week lists them."""
        ordered = sorted(self.week.assets, key=lambda a: a.symbol != "BTC")
        moves = []
        for asset in ordered:
            prices = self.prices(asset.symbol)
            base = f"week.assets[{prices.index}].quote"
            price = read(self.record, f"{base}.price", "usd")
            changes: dict[str, Traced | None] = {}
            since: dict[str, date | None] = {}
            for name, days in (("24h", 1), ("7d", 7)):
                since[name] = None
                if getattr(asset.quote, f"change_{name}_pct") is not None:
                    changes[name] = read(self.record, f"{base}.change_{name}_pct", "pct")
                    continue
                found = prices.last_close_before((asset.quote.at - timedelta(days=days)).date())
                changes[name] = pct_change(price, found[1]) if found else None
                since[name] = found[0] if found else None
            moves.append(
                AssetMove(
                    asset.symbol,
                    asset.name,
                    price,
                    asset.quote.at,
                    changes["24h"],
                    changes["7d"],
                    since["24h"],
                    since["7d"],
                )
            )
        return moves

    @property
    def btc(self) -> AssetMove:
        return self.moves[0]

    def tracked_altcoins(self) -> list[str]:
        """The altcoins the week tracks: those it has, and those it names as missing."""
        held = [m.symbol for m in self.moves[1:]]
        missing = [
            g.field.split(".")[1]
            for g in self.week.missing
            if g.field.startswith("assets.") and g.field.count(".") == 1
        ]
        return held + [s for s in missing if s not in held and s != "BTC"]


def make_inputs(
    files: WeekFiles,
    previous: Week | None = None,
    history: HistoryStore | None = None,
    archive: list[dict[str, Any]] | None = None,
) -> Inputs:
    """A week's inputs; `archive` is the facts of the weeks of record before it, oldest first
    (report/archive.py), as plain data."""
    return Inputs(files, previous, build_record(files, previous, history, archive))
