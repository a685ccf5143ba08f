"""DefiLlama's size of crypto's money: stablecoins in circulation and their pegs, and DeFi's
total value locked (TVL). Keyless.

- `stablecoins.llama.fi/stablecoincharts/all`: every day's total, in dollars, of each peg
  type (`totalCirculatingUSD`); the week's supply is their sum.
- `stablecoins.llama.fi/stablecoins?includePrices=true`: the stablecoins now; the major
  dollar ones (`MIN_MAJOR_USD` in circulation) are the ones whose pegs are watched.
- `stablecoins.llama.fi/stablecoinprices`: each day's price of every stablecoin, by its
  CoinGecko id. Daily prices: a peg broken and restored within a day does not show.
- `api.llama.fi/v2/historicalChainTvl`: DeFi's total value locked by day, all chains.

Each day's value is the one DefiLlama dates to that day (its dates are 00:00 UTC); a day it
does not give stays null.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from report.http import Fetcher
from report.model import MAX_PEG_PRICE, MAX_USD, DailySeries, Peg, Stablecoins
from report.sources import (
    SOURCE_FAILURES,
    Found,
    SourceError,
    Want,
    describe_error,
    utc_from_seconds,
)

STABLECOINS = "DefiLlama stablecoins"
TVL = "DefiLlama total value locked"
STABLECOINS_URL = "https://stablecoins.llama.fi"
TVL_URL = "https://api.llama.fi"
MIN_MAJOR_USD = 1e9  # a stablecoin with this much in circulation is a major one
MAX_MAJORS = 8
DAYS_BEFORE = 7  # the week before, for the week's change
Amount = Annotated[float, Field(ge=0, le=MAX_USD)]
M = TypeVar("M", bound=BaseModel)


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ChartDay(_Loose):
    date: int | str
    totalCirculatingUSD: dict[str, Amount] = Field(min_length=1)


class Pegged(_Loose):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    symbol: Annotated[str, Field(pattern=r"^[A-Za-z0-9.$-]{2,15}$")]
    gecko_id: Annotated[str, Field(max_length=100)] | None = None
    pegType: str | None = None
    circulating: dict[str, Amount] = {}


class PeggedAnswer(_Loose):
    peggedAssets: list[Pegged] = Field(min_length=1)


class PriceDay(_Loose):
    date: int | str
    prices: dict[str, Annotated[float, Field(gt=0, le=MAX_PEG_PRICE)] | None]


class TvlDay(_Loose):
    date: int | str
    tvl: Amount


def _day(value: int | str) -> date:
    return utc_from_seconds(value).date()


def _series(
    by_day: dict[date, float], first: date, last: date, want: Want, name: str, url: str
) -> DailySeries:
    if any(day > want.fetched_at.date() for day in by_day):
        raise SourceError("a value is dated after the time it was fetched")
    if not any(want.start <= day <= last for day in by_day):
        raise SourceError(f"no value between {want.start} and {last}")
    days = (last - first).days + 1
    return DailySeries(
        start=first,
        values=[by_day.get(first + timedelta(days=i)) for i in range(days)],
        source=want.source(name, url),
    )


def _span(want: Want) -> tuple[date, date]:
    """The week's days that had closed by its `as_of`, and the week before them."""
    last = min(want.end, want.as_of.date() - timedelta(days=1))
    return want.start - timedelta(days=DAYS_BEFORE), last


async def _rows(fetcher: Fetcher, url: str, model: type[M], what: str) -> list[M]:
    """A JSON list of rows, each validated."""
    raw = await fetcher.get_json(url)
    if not isinstance(raw, list):
        raise SourceError(f"the {what} did not come as a list")
    return [model.model_validate(item) for item in raw]


class DefiLlamaStablecoins:
    name = STABLECOINS
    blocks: tuple[str, ...] = ("stablecoins",)

    def __init__(self, base_url: str = STABLECOINS_URL) -> None:
        self.base_url = base_url.rstrip("/")

    async def gather(self, fetcher: Fetcher, want: Want) -> Found:
        first, last = _span(want)
        url = f"{self.base_url}/stablecoincharts/all"
        supply = {
            _day(d.date): sum(d.totalCirculatingUSD.values())
            for d in await _rows(fetcher, url, ChartDay, "stablecoin chart")
        }
        if any(v > MAX_USD for v in supply.values()):
            raise SourceError("a day's stablecoin supply is beyond any plausible total")
        series = _series(
            {d: v for d, v in supply.items() if first <= d <= last},
            first,
            last,
            want,
            STABLECOINS,
            url,
        )
        found = Found()
        pegs = None
        try:
            pegs = await self._pegs(fetcher, want, first, last)
        except SOURCE_FAILURES as exc:
            found.missing["stablecoins.pegs"] = f"{STABLECOINS}: {describe_error(exc)}"
        block = Stablecoins(supply=series, pegs=pegs)
        found.blocks["stablecoins"] = block.model_dump(exclude_none=True)
        return found

    async def _pegs(self, fetcher: Fetcher, want: Want, first: date, last: date) -> list[Peg]:
        listed = PeggedAnswer.model_validate(
            await fetcher.get_json(f"{self.base_url}/stablecoins", params={"includePrices": "true"})
        ).peggedAssets
        majors = sorted(
            (
                p
                for p in listed
                if p.pegType == "peggedUSD"
                and p.gecko_id
                and p.circulating.get("peggedUSD", 0) >= MIN_MAJOR_USD
            ),
            key=lambda p: -p.circulating["peggedUSD"],
        )[:MAX_MAJORS]
        if not majors:
            raise SourceError("no dollar stablecoin with a billion dollars in circulation")
        url = f"{self.base_url}/stablecoinprices"
        days = await _rows(fetcher, url, PriceDay, "stablecoin prices")
        pegs = []
        for major in majors:
            by_day = {
                _day(d.date): price
                for d in days
                if first <= _day(d.date) <= last
                and (price := d.prices.get(major.gecko_id or "")) is not None
            }
            if by_day:
                series = _series(by_day, first, last, want, STABLECOINS, url)
                pegs.append(Peg(symbol=major.symbol, name=major.name, prices=series))
        if not pegs:
            raise SourceError("no daily price for any major stablecoin in the week")
        return pegs


class DefiLlamaTvl:
    name = TVL
    blocks: tuple[str, ...] = ("defi_tvl",)

    def __init__(self, base_url: str = TVL_URL) -> None:
        self.base_url = base_url.rstrip("/")

    async def gather(self, fetcher: Fetcher, want: Want) -> Found:
        first, last = _span(want)
        url = f"{self.base_url}/v2/historicalChainTvl"
        by_day = {
            _day(d.date): d.tvl
            for d in await _rows(fetcher, url, TvlDay, "TVL history")
            if first <= _day(d.date) <= last
        }
        series = _series(by_day, first, last, want, TVL, url)
        return Found(blocks={"defi_tvl": series.model_dump(exclude_none=True)})
