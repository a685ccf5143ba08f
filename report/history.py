"""The history store: daily closes the vendors stop serving, kept in the repository.

CoinGecko's keyless history reaches back 365 days, so a week more than a year old cannot be
gathered from it alone, and a year-long series for "lowest since" needs days beyond that window.
Every gather therefore keeps the daily closes it fetched in `data/history/closes-<SYMBOL>.csv`
(one row a day: date, close, the source and when it was fetched), and a later gather fills from
the store what the vendor no longer serves. The store is plain CSV so that a weekly commit adds a
few readable lines; a value fetched again replaces the older fetch of the same day.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from report.cache import write_atomically
from report.errors import DataError
from report.model import DailySeries, Source
from report.paths import HISTORY

COLUMNS = ["date", "close", "source", "url", "fetched_at"]


@dataclass(frozen=True)
class Kept:
    """One day's close as the store keeps it."""

    close: float
    source: str
    url: str
    fetched_at: datetime


class HistoryStore:
    def __init__(self, folder: Path = HISTORY) -> None:
        self.folder = folder

    def _path(self, symbol: str) -> Path:
        return self.folder / f"closes-{symbol}.csv"

    def closes(self, symbol: str) -> dict[date, Kept]:
        path = self._path(symbol)
        if not path.exists():
            return {}
        kept: dict[date, Kept] = {}
        with path.open(newline="", encoding="utf-8") as f:
            for line, row in enumerate(csv.DictReader(f), start=2):
                try:
                    close = float(row["close"])
                    if close <= 0:
                        raise ValueError(f"close {close} is not positive")
                    kept[date.fromisoformat(row["date"])] = Kept(
                        close, row["source"], row["url"], datetime.fromisoformat(row["fetched_at"])
                    )
                except (KeyError, TypeError, ValueError) as exc:
                    raise DataError([f"{path}:{line}: {exc}"]) from exc
        return kept

    def keep(self, symbol: str, series: DailySeries) -> None:
        """Add a fetched series' closes (a day fetched again takes the newer value)."""
        source = series.source
        if source.fetched_at is None:
            return  # only what was fetched belongs here; published series have their own files
        kept = self.closes(symbol)
        for day, close in series.points():
            kept[day] = Kept(close, source.name, source.url or "", source.fetched_at)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for day in sorted(kept):
            k = kept[day]
            writer.writerow(
                [day.isoformat(), repr(k.close), k.source, k.url, k.fetched_at.isoformat()]
            )
        write_atomically(self._path(symbol), out.getvalue().encode())

    def series(self, symbol: str, first: date, last: date) -> DailySeries | None:
        """The store's closes from `first` to `last` as one series, or None when it has none.
        Its source names the store and the vendor and fetch times the values came from."""
        kept = {d: k for d, k in self.closes(symbol).items() if first <= d <= last}
        if not kept:
            return None
        begin = min(kept)
        values = [
            kept[d].close if (d := begin + timedelta(days=i)) in kept else None
            for i in range((last - begin).days + 1)
        ]
        return DailySeries(start=begin, values=values, source=_store_source(symbol, kept))


def _store_source(symbol: str, kept: dict[date, Kept]) -> Source:
    vendors = sorted({k.source for k in kept.values()})
    fetched = sorted(k.fetched_at for k in kept.values())
    first_url = kept[min(kept)].url or None
    return Source(
        name=f"{' and '.join(vendors)} (history store)",
        url=first_url,
        fetched_at=fetched[-1],
        note=f"closes kept in data/history/closes-{symbol}.csv, fetched between "
        f"{fetched[0]:%Y-%m-%d} and {fetched[-1]:%Y-%m-%d}",
    )
