"""Deribit (keyless): the annualized basis of Bitcoin's quarterly future at the week's last
close and seven days before.

Deribit publishes no basis; we compute it, from two of its own daily candle series with the same
timestamps: the dated future (`BTC-26DEC25`, inverse, in USD) and BTC/USDC spot, through
`public/get_tradingview_chart_data`. The contract is the nearest quarterly one with at least
`MIN_DAYS_LEFT` days to run at the week's end, so the two readings compare one contract, never a
contract about to settle. Its name and expiry follow Deribit's rule for quarterlies: the last
Friday of March, June, September or December, at 08:00 UTC, so no instrument listing is needed
(Deribit lists only recently expired ones, which a past week would need).

    basis % a year = (future close / spot close - 1) x 365 / days to expiry x 100
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from report.http import Fetcher
from report.model import Basis
from report.sources import Found, SourceError, Want, day_start, ms, utc_from_ms

NAME = "Deribit"
BASE_URL = "https://www.deribit.com/api/v2"
SPOT = "BTC_USDC"
MIN_DAYS_LEFT = 30
EXPIRY_TIME = time(8, tzinfo=UTC)
MAX_BASIS_PCT = 200.0  # far beyond any quarterly premium seen: a bad candle, not a market
QUARTER_MONTHS = (3, 6, 9, 12)
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

Price = Annotated[float, Field(gt=0)]


class Candles(BaseModel):
    """`result` of get_tradingview_chart_data: parallel lists, one entry per candle."""

    model_config = ConfigDict(extra="ignore")

    status: Literal["ok", "no_data"]
    ticks: list[int]
    close: list[Price]

    def closes(self) -> dict[date, float]:
        """The close of each day, by the day the candle opened."""
        if len(self.ticks) != len(self.close):
            raise SourceError("the candle lists differ in length")
        return {utc_from_ms(t).date(): c for t, c in zip(self.ticks, self.close, strict=True)}


class Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore")

    result: Candles


def last_friday(year: int, month: int) -> date:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    last = first_of_next - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - 4) % 7)


def quarterly_after(day: date) -> tuple[str, datetime]:
    """The nearest quarterly BTC future expiring at least MIN_DAYS_LEFT days after `day`: its
    name and its expiry."""
    year, month = day.year, day.month
    while True:
        if month in QUARTER_MONTHS:
            expiry = last_friday(year, month)
            if (expiry - day).days >= MIN_DAYS_LEFT:
                name = f"BTC-{expiry.day}{MONTHS[expiry.month - 1]}{expiry:%y}"
                return name, datetime.combine(expiry, EXPIRY_TIME)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def annualized(future: float, spot: float, close_at: datetime, expiry: datetime) -> float:
    days = (expiry - close_at).total_seconds() / 86400
    return (future / spot - 1) * 365 / days * 100


class Deribit:
    name = NAME
    blocks: tuple[str, ...] = ("derivatives.basis",)

    def __init__(self, base_url: str = BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")

    @property
    def url(self) -> str:
        return f"{self.base_url}/public/get_tradingview_chart_data"

    async def _closes(
        self, fetcher: Fetcher, instrument: str, first: date, last: date
    ) -> dict[date, float]:
        params = {
            "instrument_name": instrument,
            "start_timestamp": ms(day_start(first)),
            "end_timestamp": ms(day_start(last)),
            "resolution": "1D",
        }
        candles = Envelope.model_validate(await fetcher.get_json(self.url, params=params)).result
        return candles.closes()

    async def gather(self, fetcher: Fetcher, want: Want) -> Found:
        # The last whole day: the week's Sunday, or yesterday while the week runs.
        last = min(want.end, (want.as_of - timedelta(days=1)).date())
        before = last - timedelta(days=7)
        instrument, expiry = quarterly_after(last)
        future, spot = await asyncio.gather(
            self._closes(fetcher, instrument, before, last),
            self._closes(fetcher, SPOT, before, last),
        )
        readings = []
        for day in (last, before):
            for series, name in ((future, instrument), (spot, SPOT)):
                if day not in series:
                    raise SourceError(f"no {name} close on {day} ({self.url})")
            close_at = day_start(day + timedelta(days=1))
            pct = annualized(future[day], spot[day], close_at, expiry)
            if abs(pct) > MAX_BASIS_PCT:
                raise SourceError(f"an implausible basis of {pct:.0f}% a year on {day}")
            readings.append(pct)
        basis = Basis(
            instrument=f"Deribit {instrument}",
            now_pct=round(readings[0], 2),
            now_date=last,
            week_ago_pct=round(readings[1], 2),
            week_ago_date=before,
            source=want.source(
                NAME,
                self.url,
                f"computed: daily closes of {instrument} against {SPOT} spot, "
                f"(future / spot - 1) x 365 / days to expiry (08:00 UTC on {expiry:%Y-%m-%d})",
            ),
        )
        return Found(blocks={"derivatives.basis": basis.model_dump(exclude_none=True)})
