"""The market APIs a week is gathered from, one module each.

A source is an object with a `name`, the blocks of the week it fills (`blocks`, dotted paths of
the week of record), a `base_url` that can point anywhere (a proxy, a pro endpoint, a test
server) and `async gather(fetcher, want) -> Found`. It receives the run's one `Fetcher` and
never builds a client. It parses what it reads into typed models and raises `SourceError` for
data that is unexpected or implausible (a negative price, a date outside the range asked for, a
jump no market makes); the gather step then records its blocks as missing, with the reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

import httpx
from pydantic import ValidationError

from report.assets import DEFAULT_ASSETS, Asset
from report.http import Fetcher, FetchError
from report.model import Source


class SourceError(Exception):
    """The source answered, but with data we will not print."""


@dataclass(frozen=True)
class Want:
    """What to gather: one ISO week, as it stood at `as_of`."""

    week: str
    start: date
    end: date
    as_of: datetime
    fetched_at: datetime
    assets: tuple[Asset, ...] = DEFAULT_ASSETS
    keys: Mapping[str, str] = field(default_factory=dict)

    @property
    def live(self) -> bool:
        """Gathered while the week is running or just after: "now" endpoints describe it."""
        return self.as_of == self.fetched_at

    def source(self, name: str, url: str, note: str | None = None) -> Source:
        return Source(name=name, url=url, fetched_at=self.fetched_at, note=note)


def want_week(week: str, start: date, now: datetime, **extra: Any) -> Want:
    """The week as of its end (Monday 00:00 UTC after it), or as of now while that is at most a
    day later: a Monday-morning run quotes Monday-morning prices, and says so."""
    end = start + timedelta(days=6)
    closed = datetime.combine(end + timedelta(days=1), time(), UTC)
    as_of = now if now <= closed + timedelta(days=1) else closed
    return Want(week=week, start=start, end=end, as_of=as_of, fetched_at=now, **extra)


@dataclass
class Found:
    """Blocks of the week by dotted path, and the blocks the source could not give, with why."""

    blocks: dict[str, Any] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)


class MarketSource(Protocol):
    name: str
    blocks: tuple[str, ...]
    base_url: str

    async def gather(self, fetcher: Fetcher, want: Want) -> Found: ...


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


EARLIEST = datetime(2009, 1, 3, tzinfo=UTC)  # Bitcoin's first block: no market data before it
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def utc_from_seconds(value: float | str) -> datetime:
    """A Unix time from an API as a UTC moment, or a `SourceError` when it is no time a market
    could have been quoted at (NaN, negative, centuries away)."""
    try:
        moment = datetime.fromtimestamp(float(value), UTC)
    except (ValueError, OverflowError, OSError):
        moment = None
    if moment is None or not EARLIEST <= moment < LATEST:
        raise SourceError(f"a timestamp ({str(value)[:24]}) is not a plausible time")
    return moment


def utc_from_ms(value: float | str) -> datetime:
    try:
        return utc_from_seconds(float(value) / 1000)
    except ValueError:
        raise SourceError(f"a timestamp ({str(value)[:24]}) is not a plausible time") from None


# What reading an untrusted answer can raise: the fetch failing, the data refused by a source's
# checks or by its models, and what Python's own conversions raise on values no API should
# send (a timestamp beyond year 9999, a string where a list was). Each costs only the blocks of
# the source it came from.
SOURCE_FAILURES: tuple[type[Exception], ...] = (
    FetchError,
    SourceError,
    ValidationError,
    httpx.HTTPError,
    ValueError,
    TypeError,
    LookupError,
    ArithmeticError,
)
MAX_REASON = 300  # characters: a reason says what went wrong, it does not quote the answer


async def attempt(found: Found, block: str, source: str, make: Awaitable[Any]) -> None:
    """Fill one block from `make`, or name it missing with the reason; other blocks go on."""
    try:
        found.blocks[block] = await make
    except SOURCE_FAILURES as exc:
        found.missing[block] = f"{source}: {describe_error(exc)}"


def describe_error(exc: Exception) -> str:
    """A failure in words for the week's `missing` list, at most `MAX_REASON` characters."""
    if isinstance(exc, ValidationError):
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "the answer"
        said = f"unexpected or implausible data ({where}: {first['msg']})"
    elif isinstance(exc, FetchError | SourceError | httpx.HTTPError):
        said = str(exc)
    else:
        said = f"unexpected data ({type(exc).__name__}: {exc})"
    return shorten(said)


def shorten(reason: str, limit: int = MAX_REASON) -> str:
    """A reason cut to `limit` characters, on a word, saying it was cut."""
    reason = " ".join(reason.split())
    if len(reason) <= limit:
        return reason
    return reason[: limit - 1].rsplit(" ", 1)[0] + "…"
