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

from pydantic import ValidationError

from report.http import Fetcher, FetchError
from report.model import Source


class SourceError(Exception):
    """The source answered, but with data we will not print."""


@dataclass(frozen=True)
class Asset:
    symbol: str
    name: str
    coingecko_id: str
    coinpaprika_id: str  # the keyless fallback names coins its own way


DEFAULT_ASSETS = (
    Asset("BTC", "Bitcoin", "bitcoin", "btc-bitcoin"),
    Asset("ETH", "Ethereum", "ethereum", "eth-ethereum"),
    Asset("XRP", "XRP", "ripple", "xrp-xrp"),
    Asset("BNB", "BNB", "binancecoin", "bnb-binance-coin"),
    Asset("SOL", "Solana", "solana", "sol-solana"),
)


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


def utc_from_ms(value: float | str) -> datetime:
    return datetime.fromtimestamp(float(value) / 1000, UTC)


async def attempt(found: Found, block: str, source: str, make: Awaitable[Any]) -> None:
    """Fill one block from `make`, or name it missing with the reason; other blocks go on."""
    try:
        found.blocks[block] = await make
    except (FetchError, SourceError, ValidationError) as exc:
        found.missing[block] = f"{source}: {describe_error(exc)}"


def describe_error(exc: Exception) -> str:
    """A failure in words for the week's `missing` list."""
    if isinstance(exc, ValidationError):
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "the answer"
        return f"unexpected or implausible data ({where}: {first['msg']})"
    return str(exc)
