"""The history store: years of daily prices, kept in the repository, that "since" claims need.

A week of record carries a year of daily closes; a claim such as "the lowest close since
November 16, 2020" or "a record" needs every earlier day. The store keeps them:

- `prices-<SYMBOL>.csv`, one row a day: date, close, high (empty when the source gives none),
  and the source with its URL and the time it was fetched. It was seeded from the committed
  Binance series (2020 on, `scripts/seed_history.py`); every gather adds the days it fetched.
  The store is append-only: a day it holds keeps its first value, so the history behind a page
  already published never shifts, and a new week changes no earlier week's inputs.
- `highs.csv`, the all-time highs providers stated, with when they were observed. A provider's
  "all-time high $P on day D, as observed at T" says that nothing before T was higher. It is
  what lets a page call a high a record, or name the all-time high, for days the prices we hold
  do not reach back to (Bitcoin's 2017 high is not in a store that starts in 2020).

Reading is strict: a bad row names its file and line.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from report.cache import write_atomically
from report.errors import DataError
from report.model import DailySeries, Source
from report.paths import HISTORY

COLUMNS = ["date", "close", "high", "source", "url", "fetched_at"]
HIGH_COLUMNS = ["symbol", "price", "date", "observed_at", "source", "url", "note"]


@dataclass(frozen=True)
class Day:
    """One day's prices as the store keeps them; a close is the price at 24:00 UTC."""

    day: date
    close: float
    high: float | None
    source: str
    url: str
    fetched_at: datetime


@dataclass(frozen=True)
class StatedHigh:
    """An all-time high as a provider stated it: nothing before `observed_at` was higher."""

    symbol: str
    price: float
    day: date
    observed_at: datetime
    source: str
    url: str
    note: str


def _positive(text: str, name: str) -> float:
    value = float(text)
    if not value > 0 or value == float("inf"):
        raise ValueError(f"{name} {text} is not a positive number")
    return value


def _aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time {text} has no time zone")
    return moment


def _rows(path: Path) -> Iterable[tuple[int, dict[str, str]]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return list(enumerate(csv.DictReader(f), start=2))


@dataclass
class HistoryStore:
    folder: Path = HISTORY
    _days: dict[str, list[Day]] = field(default_factory=dict, repr=False)
    _views: dict[tuple[str, date], dict[str, Any] | None] = field(default_factory=dict, repr=False)
    _keys: dict[tuple[str, tuple[date, ...]], dict[date, str]] = field(
        default_factory=dict, repr=False
    )

    def path(self, symbol: str) -> Path:
        return self.folder / f"prices-{symbol}.csv"

    def symbols(self) -> list[str]:
        """The assets the store holds prices of."""
        files = self.folder.glob("prices-*.csv")
        return sorted(f.name.removeprefix("prices-").removesuffix(".csv") for f in files)

    @property
    def highs_path(self) -> Path:
        return self.folder / "highs.csv"

    def days(self, symbol: str) -> list[Day]:
        """Every day held for an asset, oldest first (read once per store object)."""
        if symbol not in self._days:
            self._days[symbol] = self._read(symbol)
        return self._days[symbol]

    def _read(self, symbol: str) -> list[Day]:
        path = self.path(symbol)
        days: list[Day] = []
        for line, row in _rows(path):
            try:
                day = date.fromisoformat(row["date"])
                if days and day <= days[-1].day:
                    raise ValueError(f"date {day} does not follow {days[-1].day}")
                days.append(
                    Day(
                        day,
                        _positive(row["close"], "close"),
                        _positive(row["high"], "high") if row["high"] else None,
                        row["source"],
                        row["url"],
                        _aware(row["fetched_at"]),
                    )
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise DataError([f"{path}:{line}: {exc}"]) from exc
        return days

    @cached_property
    def stated_highs(self) -> list[StatedHigh]:
        highs = []
        for line, row in _rows(self.highs_path):
            try:
                highs.append(
                    StatedHigh(
                        row["symbol"],
                        _positive(row["price"], "price"),
                        date.fromisoformat(row["date"]),
                        _aware(row["observed_at"]),
                        row["source"],
                        row["url"],
                        row["note"],
                    )
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise DataError([f"{self.highs_path}:{line}: {exc}"]) from exc
        return highs

    def closes(self, symbol: str) -> dict[date, Day]:
        return {d.day: d for d in self.days(symbol)}

    def keep(self, symbol: str, series: DailySeries, highs: DailySeries | None = None) -> None:
        """Add the days of a fetched series the store does not hold yet."""
        source = series.source
        if source.fetched_at is None:
            return  # only what was fetched belongs here; published series have their own files
        held = self.closes(symbol)
        high_of = dict(highs.points()) if highs else {}
        new = [
            Day(day, close, high_of.get(day), source.name, source.url or "", source.fetched_at)
            for day, close in series.points()
            if day not in held
        ]
        if not new:
            return
        days = sorted([*held.values(), *new], key=lambda d: d.day)
        write_atomically(self.path(symbol), _days_csv(days).encode())
        self._days[symbol] = days
        self._views.clear()
        self._keys.clear()

    def keep_high(self, high: StatedHigh) -> None:
        """Add a stated all-time high, unless the same high on the same day is held already
        (a later observation of an unchanged high tells nothing the prices do not)."""
        if any(
            (h.symbol, h.price, h.day) == (high.symbol, high.price, high.day)
            for h in self.stated_highs
        ):
            return
        highs = [*self.stated_highs, high]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HIGH_COLUMNS)
        for h in highs:
            writer.writerow(
                [
                    h.symbol,
                    repr(h.price),
                    h.day.isoformat(),
                    h.observed_at.isoformat(),
                    h.source,
                    h.url,
                    h.note,
                ]
            )
        write_atomically(self.highs_path, out.getvalue().encode())
        self.__dict__["stated_highs"] = highs
        self._views.clear()
        self._keys.clear()

    def series(self, symbol: str, first: date, last: date) -> DailySeries | None:
        """The store's closes from `first` to `last` as one series, or None when it has none.
        Its source names the store and the vendor and fetch times the values came from."""
        kept = {d.day: d for d in self.days(symbol) if first <= d.day <= last}
        if not kept:
            return None
        begin = min(kept)
        values = [
            kept[d].close if (d := begin + timedelta(days=i)) in kept else None
            for i in range((last - begin).days + 1)
        ]
        return DailySeries(start=begin, values=values, source=_store_source(symbol, kept))

    def view(self, symbol: str, through: date) -> dict[str, Any] | None:
        """The days held up to `through` (and the stated highs about days up to then), as the
        plain data a week's claims read: consecutive `closes` and `highs` from `start` (None
        where a day is missing), and each day's source by index. Made once per day asked."""
        if (symbol, through) not in self._views:
            self._views[(symbol, through)] = self._view(symbol, through)
        return self._views[(symbol, through)]

    def _view(self, symbol: str, through: date) -> dict[str, Any] | None:
        days = [d for d in self.days(symbol) if d.day <= through]
        if not days:
            return None
        start = days[0].day
        length = (days[-1].day - start).days + 1
        closes: list[float | None] = [None] * length
        highs: list[float | None] = [None] * length
        source_of: list[int | None] = [None] * length
        sources: dict[tuple[str, str], int] = {}
        for d in days:
            i = (d.day - start).days
            closes[i], highs[i] = d.close, d.high
            source_of[i] = sources.setdefault((d.source, d.url), len(sources))
        return {
            "start": start,
            "closes": closes,
            "highs": highs,
            "source_of": source_of,
            "sources": [{"name": name, "url": url} for name, url in sources],
            "stated_highs": [
                {
                    "price": h.price,
                    "date": h.day,
                    "observed_at": h.observed_at,
                    "source": h.source,
                    "url": h.url,
                }
                for h in self.stated_highs
                if h.symbol == symbol and h.day <= through
            ],
        }

    def keys(self, symbol: str, ends: list[date]) -> dict[date, str]:
        """For each day in `ends`, a hash of what `view(symbol, day)` reads: the rows up to it
        and the stated highs about days up to it. One pass over the file's lines for all the
        days, without parsing them (a row's first ten characters are its date): a build with
        nothing to compute needs only these."""
        wanted = tuple(sorted(set(ends)))
        if (symbol, wanted) in self._keys:
            return self._keys[(symbol, wanted)]
        path = self.path(symbol)
        lines = path.read_bytes().splitlines()[1:] if path.exists() else []
        stated = sorted(
            (h for h in self.stated_highs if h.symbol == symbol), key=lambda h: (h.day, h.price)
        )
        keys: dict[date, str] = {}
        h = hashlib.sha256()
        i = j = 0
        for end in wanted:
            last = end.isoformat().encode()
            while i < len(lines) and lines[i][:10] <= last:
                h.update(lines[i] + b"\n")
                i += 1
            while j < len(stated) and stated[j].day <= end:
                h.update(repr(stated[j]).encode())
                j += 1
            keys[end] = h.copy().hexdigest()[:32]
        self._keys[(symbol, wanted)] = keys
        return keys


def _days_csv(days: list[Day]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for d in days:
        writer.writerow(
            [
                d.day.isoformat(),
                repr(d.close),
                repr(d.high) if d.high is not None else "",
                d.source,
                d.url,
                d.fetched_at.isoformat(),
            ]
        )
    return out.getvalue()


def write_days(path: Path, days: list[Day]) -> None:
    """Write a whole price file (the seeding script's way in)."""
    write_atomically(path, _days_csv(days).encode())


def _store_source(symbol: str, kept: dict[date, Day]) -> Source:
    vendors = sorted({k.source for k in kept.values()})
    fetched = sorted(k.fetched_at for k in kept.values())
    first_url = kept[min(kept)].url or None
    return Source(
        name=f"{' and '.join(vendors)} (history store)",
        url=first_url,
        fetched_at=fetched[-1],
        note=f"closes kept in data/history/prices-{symbol}.csv, fetched between "
        f"{fetched[0]:%Y-%m-%d} and {fetched[-1]:%Y-%m-%d}",
    )
