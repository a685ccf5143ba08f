"""CoinPaprika (keyless): the fallback for the live quotes when CoinGecko's /coins/markets fails.

`GET /tickers/{id}` gives, under `quotes.USD`, the price, the 24-hour and 7-day changes and the
all-time high with its date: everything /coins/markets gives us. The free tier has no daily
history, so the closes still come from CoinGecko or the history store. Its ids are its own
(`btc-bitcoin`); the asset list carries both.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from report.assets import Asset
from report.http import Fetcher
from report.sources import SourceError, Want
from report.sources.coingecko import MarketRow

NAME = "CoinPaprika"
BASE_URL = "https://api.coinpaprika.com/v1"


class UsdQuote(BaseModel):
    model_config = ConfigDict(extra="ignore")

    price: Annotated[float, Field(gt=0)]
    percent_change_24h: float | None = None
    percent_change_7d: float | None = None
    ath_price: Annotated[float, Field(gt=0)] | None = None
    ath_date: datetime | None = None


class Ticker(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    symbol: Annotated[str, Field(max_length=20)] | None = None
    last_updated: datetime
    quotes: dict[str, UsdQuote]


class CoinPaprika:
    name = NAME

    def __init__(self, base_url: str = BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")

    async def _ticker(self, fetcher: Fetcher, asset: Asset) -> MarketRow:
        url = f"{self.base_url}/tickers/{asset.coinpaprika_id}"
        ticker = Ticker.model_validate(await fetcher.get_json(url, params={"quotes": "USD"}))
        if ticker.id != asset.coinpaprika_id or "USD" not in ticker.quotes:
            raise SourceError(f"{asset.symbol}: no USD quote for {asset.coinpaprika_id} ({url})")
        usd = ticker.quotes["USD"]
        return MarketRow(
            id=asset.coingecko_id,
            symbol=ticker.symbol,
            current_price=usd.price,
            price_change_percentage_24h_in_currency=usd.percent_change_24h,
            price_change_percentage_7d_in_currency=usd.percent_change_7d,
            ath=usd.ath_price,
            ath_date=usd.ath_date,
            last_updated=ticker.last_updated,
        )

    async def markets(self, fetcher: Fetcher, want: Want) -> dict[str, MarketRow]:
        """The live rows of the assets it could quote, keyed by CoinGecko id like /coins/markets;
        an asset it cannot quote is left out (its closes may still give it a price)."""
        rows = await asyncio.gather(
            *(self._ticker(fetcher, a) for a in want.assets), return_exceptions=True
        )
        found = {row.id: row for row in rows if isinstance(row, MarketRow)}
        if not found:
            first = next(r for r in rows if isinstance(r, BaseException))
            raise SourceError(f"{NAME} quoted none of the assets: {first}")
        return found
