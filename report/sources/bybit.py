"""Bybit v5 market data (keyless): funding of the BTCUSDT perpetual over the week, and its open
interest in USD while the week is live.

Bybit rather than Binance: Binance refuses US hosts (HTTP 451), where CI runners live. Answers
come wrapped as {"retCode": 0, "result": {...}}; recorded answers carry retCode as "0" too.
"""

from __future__ import annotations

import asyncio
import math
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from report.http import Fetcher
from report.model import Funding, OpenInterest
from report.sources import Found, SourceError, Want, attempt, day_start, ms, utc_from_ms

NAME = "Bybit"
BASE_URL = "https://api.bybit.com"
SYMBOL = "BTCUSDT"
INSTRUMENT = "Bybit BTCUSDT perpetual"
MAX_FUNDING = 0.05  # 5% per 8 hours: beyond any funding cap Bybit applies


class FundingRow(BaseModel):
    model_config = ConfigDict(extra="ignore")

    fundingRate: Annotated[float, Field(ge=-MAX_FUNDING, le=MAX_FUNDING)]
    fundingRateTimestamp: int


class TickerRow(BaseModel):
    model_config = ConfigDict(extra="ignore")

    openInterestValue: Annotated[float, Field(gt=0)]


class Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore")

    retCode: int | str
    retMsg: str = ""
    result: dict[str, Any] | None = None


def _rows(raw: Any, url: str) -> list[Any]:
    """result.list of an answer, or why there is none."""
    answer = Envelope.model_validate(raw)
    if str(answer.retCode) != "0":
        raise SourceError(f"retCode {answer.retCode}: {answer.retMsg[:100]} ({url})")
    rows = (answer.result or {}).get("list")
    if not isinstance(rows, list):
        raise SourceError(f"no result.list in the answer ({url})")
    return rows


class Bybit:
    name = NAME
    blocks: tuple[str, ...] = ("derivatives.funding", "derivatives.open_interest")

    def __init__(self, base_url: str = BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")

    async def _funding(self, fetcher: Fetcher, want: Want) -> dict[str, Any]:
        url = f"{self.base_url}/v5/market/funding/history"
        params = {
            "category": "linear",
            "symbol": SYMBOL,
            "startTime": ms(day_start(want.start)),
            "endTime": ms(want.as_of),
            "limit": 200,
        }
        raw = await fetcher.get_json(url, params=params)
        rows = [FundingRow.model_validate(row) for row in _rows(raw, url)]
        start, end = ms(day_start(want.start)), ms(want.as_of)
        if not rows:
            raise SourceError("no funding in the week")
        if any(not start <= r.fundingRateTimestamp <= end for r in rows):
            raise SourceError("a funding time lies outside the week")
        latest = max(rows, key=lambda r: r.fundingRateTimestamp)
        funding = Funding(
            instrument=INSTRUMENT,
            latest_8h_pct=latest.fundingRate * 100,
            latest_at=utc_from_ms(latest.fundingRateTimestamp),
            week_mean_8h_pct=math.fsum(r.fundingRate for r in rows) / len(rows) * 100,
            source=want.source(NAME, url, "funding rate history, per 8 hours"),
        )
        return funding.model_dump(exclude_none=True)

    async def _open_interest(self, fetcher: Fetcher, want: Want) -> dict[str, Any]:
        url = f"{self.base_url}/v5/market/tickers"
        raw = await fetcher.get_json(url, params={"category": "linear", "symbol": SYMBOL})
        rows = _rows(raw, url)
        if not rows:
            raise SourceError(f"no {SYMBOL} ticker ({url})")
        row = TickerRow.model_validate(rows[0])
        interest = OpenInterest(
            usd=row.openInterestValue,
            at=want.fetched_at,
            source=want.source(NAME, url, f"{SYMBOL} perpetual open interest"),
        )
        return interest.model_dump(exclude_none=True)

    async def gather(self, fetcher: Fetcher, want: Want) -> Found:
        found = Found()
        funding = attempt(found, "derivatives.funding", NAME, self._funding(fetcher, want))
        if want.live:
            interest = self._open_interest(fetcher, want)
            await asyncio.gather(
                funding, attempt(found, "derivatives.open_interest", NAME, interest)
            )
        else:
            await funding
            found.missing["derivatives.open_interest"] = (
                "Bybit gives open interest in USD only for now, not for a past week"
            )
        return found
