"""Coinalyze (free key, COINALYZE_API_KEY): liquidations of the BTCUSDT perpetuals by day.

No keyless source gives market-wide liquidation totals (see the shared sources notes), so
without the key the week records liquidations as missing and says so. With it, the long and
short liquidations of the listed perpetuals are summed by day; that covers those markets only,
which the source note states, and is not the same figure as CoinGlass's market-wide total.
The answer's shape ([{symbol, history: [{t, l, s}]}]) is from client code, not a recording.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from report.http import Fetcher
from report.model import DailyLiquidation, Liquidations
from report.sources import Found, SourceError, Want, day_start, utc_from_seconds

NAME = "Coinalyze"
BASE_URL = "https://api.coinalyze.net/v1"
KEY = "COINALYZE_API_KEY"
SYMBOLS = ("BTCUSDT_PERP.A", "BTCUSDT_PERP.6", "BTCUSD_PERP.0")  # Binance, Bybit, BitMEX
HISTORY_DAYS = 30
Usd = Annotated[float, Field(ge=0, le=1e11)]


class Point(BaseModel):
    model_config = ConfigDict(extra="ignore")

    t: int
    l: Usd  # noqa: E741 (the API's name)
    s: Usd


class SymbolHistory(BaseModel):
    model_config = ConfigDict(extra="ignore")

    symbol: str
    history: list[Point]


class Coinalyze:
    name = NAME
    blocks: tuple[str, ...] = ("liquidations",)

    def __init__(self, base_url: str = BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")

    async def gather(self, fetcher: Fetcher, want: Want) -> Found:
        key = want.keys.get(KEY)
        if not key:
            return Found(
                missing={
                    "liquidations": "no keyless source gives market-wide liquidation totals; "
                    f"set {KEY} (a free key) to gather Coinalyze's"
                }
            )
        last = min(want.end, want.as_of.date() - timedelta(days=1))
        first = last - timedelta(days=HISTORY_DAYS - 1)
        url = f"{self.base_url}/liquidation-history"
        params = {
            "symbols": ",".join(SYMBOLS),
            "interval": "daily",
            "from": int(day_start(first).timestamp()),
            "to": int(day_start(last + timedelta(days=1)).timestamp()) - 1,
            "convert_to_usd": "true",
        }
        raw = await fetcher.get_json(url, params=params, headers={"api_key": key})
        if not isinstance(raw, list):
            raise SourceError("the liquidation history did not come as a list")
        by_day: defaultdict[date, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for item in raw:
            for point in SymbolHistory.model_validate(item).history:
                day = utc_from_seconds(point.t).date()
                if not first <= day <= last:
                    raise SourceError(f"a liquidation day ({day}) lies outside the range asked")
                by_day[day][0] += point.l
                by_day[day][1] += point.s
        if last not in by_day:
            raise SourceError(f"no liquidations for {last}")
        daily = [
            DailyLiquidation(date=d, long_usd=v[0], short_usd=v[1])
            for d, v in sorted(by_day.items())
        ]
        long_usd, short_usd = by_day[last]
        liquidations = Liquidations(
            total_24h_usd=math.fsum(by_day[last]),
            long_24h_usd=long_usd,
            short_24h_usd=short_usd,
            daily=daily,
            source=want.source(
                NAME, url, f"daily long and short liquidations of {', '.join(SYMBOLS)}, summed"
            ),
        )
        return Found(blocks={"liquidations": liquidations.model_dump(exclude_none=True)})
