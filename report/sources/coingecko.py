"""CoinGecko: prices, 24-hour and 7-day changes, all-time highs and a year of daily closes.

Keyless by default; a Demo key (COINGECKO_DEMO_API_KEY) is sent in its header when set. One call
to /coins/markets covers every asset's quote while the week is live; one call per asset to
/coins/{id}/market_chart/range gives its daily prices. Keyless history reaches back 365 days:
a week beyond that is not asked for, and the history store fills it if it can.

A daily price at 00:00 UTC is taken as the close of the day before, the convention of the
week of record. For a past week the quote is the close of the week's last day, at the week's
end; CoinGecko serves only today's all-time high, so a past week has none of its own (the pages
take the high from the history store). A large daily move is not judged here: the gather step
checks it against a second view of the market (report/gather.py).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from report.assets import Asset
from report.http import Fetcher
from report.model import AllTimeHigh, DailySeries, PriceQuote, Source
from report.model import Asset as AssetRecord
from report.sources import (
    SOURCE_FAILURES,
    Found,
    SourceError,
    Want,
    describe_error,
    utc_from_ms,
)

NAME = "CoinGecko"
BASE_URL = "https://api.coingecko.com/api/v3"
KEY = "COINGECKO_DEMO_API_KEY"
HISTORY_DAYS = 365  # what the keyless and Demo plans serve, counted back from today
MIDNIGHT_SLACK = timedelta(minutes=30)
STALE_QUOTE = timedelta(hours=1)  # a live quote older than this when fetched is not live
CLOCK_SLACK = timedelta(minutes=5)  # how far the provider's clock may run ahead of ours
QUOTE_BAND = 0.5  # a live quote more than half away from the latest close is not believed
# The price a day before the quote (its own 24-hour change gives it) lies between the two
# daily closes struck around then, give or take this much.
CHANGE_SLACK = 0.15


class MarketRow(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    symbol: Annotated[str, Field(max_length=20)] | None = None
    current_price: Annotated[float, Field(gt=0)]
    price_change_percentage_24h_in_currency: float | None = None
    price_change_percentage_7d_in_currency: float | None = None
    ath: Annotated[float, Field(gt=0)] | None = None
    ath_date: datetime | None = None
    last_updated: datetime


class MarketChart(BaseModel):
    model_config = ConfigDict(extra="ignore")

    prices: list[tuple[float, Annotated[float, Field(gt=0)]]]


def daily_closes(chart: MarketChart, first: date, last: date, symbol: str) -> dict[date, float]:
    """Closes by day from the 00:00 UTC prices; other points (the live one) are left out."""
    closes: dict[date, float] = {}
    for stamp, price in chart.prices:
        moment = utc_from_ms(stamp)
        midnight = datetime.combine(moment.date(), datetime.min.time(), UTC)
        if moment - midnight > MIDNIGHT_SLACK and midnight + timedelta(days=1) - moment > (
            MIDNIGHT_SLACK
        ):
            continue
        day = (moment + MIDNIGHT_SLACK).date() - timedelta(days=1)
        if day > last:
            raise SourceError(f"{symbol}: a price dated {moment:%Y-%m-%d} is after the week's end")
        if day >= first:  # an answer reaching further back than asked is only trimmed
            closes[day] = price
    return closes


def check_live_quote(row: MarketRow, asset: Asset, closes: dict[date, float], want: Want) -> None:
    """A live quote fit to print, or a `SourceError` saying why not: it names the coin asked
    for, it is fresh, and the latest daily close and its own 24-hour change agree with it.
    (A BTC price of 10^12, Ether's price served as Bitcoin's, a quote 1.9 times the close or
    one a year old were once printed as fact.)"""
    said = f"{asset.symbol}: the live quote"
    if row.symbol is not None and row.symbol.upper() != asset.symbol:
        raise SourceError(f"{said} is for {row.symbol[:20]!r}, not {asset.symbol}")
    at = row.last_updated.astimezone(UTC)
    if at > want.fetched_at + CLOCK_SLACK:
        raise SourceError(f"{said} is dated {at:%Y-%m-%d %H:%M} UTC, after it was fetched")
    if want.fetched_at - at > STALE_QUOTE:
        raise SourceError(
            f"{said} is from {at:%Y-%m-%d %H:%M} UTC, more than an hour before it was fetched"
        )
    day = max(closes)
    close, price = closes[day], row.current_price
    if not 1 / (1 + QUOTE_BAND) < price / close < 1 + QUOTE_BAND:
        raise SourceError(
            f"{said} ({price:,.2f}) is {price / close:.2f} times the close of {day} ({close:,.2f})"
        )
    change = row.price_change_percentage_24h_in_currency
    # A day before the quote fell on `earlier`, between the close before it (at its 00:00)
    # and its own (at its 24:00).
    earlier = (at - timedelta(days=1)).date()
    bracket = (earlier - timedelta(days=1), earlier)
    if change is not None and change > -100 and set(bracket) <= set(closes):
        day_before = price / (1 + change / 100)
        around = (closes[bracket[0]], closes[bracket[1]])
        if not min(around) / (1 + CHANGE_SLACK) <= day_before <= max(around) * (1 + CHANGE_SLACK):
            raise SourceError(
                f"{said}'s own 24-hour change ({change:+.1f}%) puts the price a day before at "
                f"{day_before:,.2f}, outside the closes around then ({min(around):,.2f} to "
                f"{max(around):,.2f})"
            )


class QuoteFallback(Protocol):
    """A keyless source of the live quotes, asked when /coins/markets fails."""

    name: str
    base_url: str

    async def markets(self, fetcher: Fetcher, want: Want) -> dict[str, MarketRow]: ...


class CoinGecko:
    name = NAME
    blocks: tuple[str, ...] = ("assets",)

    def __init__(self, base_url: str = BASE_URL, fallback: QuoteFallback | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.fallback = fallback

    def _headers(self, want: Want) -> dict[str, str]:
        key = want.keys.get(KEY)
        return {"x-cg-demo-api-key": key} if key else {}

    async def _closes(
        self, fetcher: Fetcher, want: Want, asset: Asset
    ) -> tuple[DailySeries, dict[date, float]]:
        last = want.as_of.date() - timedelta(days=1)
        served = want.fetched_at.date() - timedelta(days=HISTORY_DAYS - 1)
        if last < served:
            raise SourceError(
                f"{asset.symbol}: {last} is more than {HISTORY_DAYS} days before today, beyond"
                f" what {NAME} serves without a paid plan"
            )
        first = max(last - timedelta(days=HISTORY_DAYS - 1), served)
        url = f"{self.base_url}/coins/{asset.coingecko_id}/market_chart/range"
        start = datetime.combine(first + timedelta(days=1), datetime.min.time(), UTC)
        params = {
            "vs_currency": "usd",
            "from": int(start.timestamp()),
            "to": int(want.as_of.timestamp()),
        }
        raw = await fetcher.get_json(url, params=params, headers=self._headers(want))
        closes = daily_closes(MarketChart.model_validate(raw), first, last, asset.symbol)
        if not closes:
            raise SourceError(f"{asset.symbol}: no daily close in the range asked for")
        begin = min(closes)
        values = [closes.get(begin + timedelta(days=i)) for i in range((last - begin).days + 1)]
        series = DailySeries(
            start=begin,
            values=values,
            source=want.source(NAME, url, "daily prices at 00:00 UTC, as the previous day's close"),
        )
        return series, closes

    async def _markets(self, fetcher: Fetcher, want: Want) -> dict[str, MarketRow]:
        url = f"{self.base_url}/coins/markets"
        params = {
            "vs_currency": "usd",
            "ids": ",".join(a.coingecko_id for a in want.assets),
            "price_change_percentage": "24h,7d",
        }
        raw = await fetcher.get_json(url, params=params, headers=self._headers(want))
        if not isinstance(raw, list):
            raise SourceError("/coins/markets did not answer with a list")
        rows = [MarketRow.model_validate(row) for row in raw]
        return {row.id: row for row in rows}

    def _asset(
        self,
        want: Want,
        asset: Asset,
        closes: tuple[DailySeries, dict[date, float]],
        row: MarketRow | None,
        source: Source | None,
        found: Found,
    ) -> dict[str, Any]:
        """The asset's record: its live quote when there is one fit to print, else the latest
        daily close at its time (a live quote refused is named in `found.missing`)."""
        series, by_day = closes
        ath, quote = None, None
        if row is not None and source is not None:
            try:
                check_live_quote(row, asset, by_day, want)
            except SourceError as exc:
                found.missing[f"assets.{asset.symbol}.quote"] = (
                    f"{source.name}: {exc}; the price shown is the latest daily close instead"
                )
            else:
                quote = PriceQuote(
                    price=row.current_price,
                    change_24h_pct=row.price_change_percentage_24h_in_currency,
                    change_7d_pct=row.price_change_percentage_7d_in_currency,
                    at=row.last_updated,
                    source=source,
                )
                if row.ath and row.ath_date:
                    ath = AllTimeHigh(price=row.ath, date=row.ath_date.date(), source=source)
        if quote is None and want.live and row is None:
            whose = source.name if source is not None else NAME
            found.missing[f"assets.{asset.symbol}.quote"] = (
                f"{whose} gave no live quote; the price shown is the latest daily close instead"
            )
        if quote is None:
            day = want.as_of.date() - timedelta(days=1)  # the week's last day, for a past week
            if day not in by_day:
                raise SourceError(f"{asset.symbol}: no close for {day}")
            at = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)
            quote = PriceQuote(price=by_day[day], at=at, source=series.source)
        record = AssetRecord(
            symbol=asset.symbol, name=asset.name, quote=quote, ath=ath, closes=series
        )
        return record.model_dump(by_alias=True, exclude_none=True)

    async def gather(self, fetcher: Fetcher, want: Want) -> Found:
        found = Found()

        async def snapshot() -> tuple[dict[str, MarketRow], Source | None]:
            if not want.live:
                return {}, None
            url = f"{self.base_url}/coins/markets"
            try:
                return await self._markets(fetcher, want), want.source(NAME, url)
            except SOURCE_FAILURES as exc:
                if self.fallback is None:
                    raise
                why = f"fallback: {NAME} /coins/markets failed ({describe_error(exc)})"
                rows = await self.fallback.markets(fetcher, want)
                return rows, want.source(self.fallback.name, self.fallback.base_url, why)

        closes = [self._closes(fetcher, want, asset) for asset in want.assets]
        (markets, quoted_by), history = await asyncio.gather(
            snapshot(), asyncio.gather(*closes, return_exceptions=True)
        )
        assets = []
        for asset, result in zip(want.assets, history, strict=True):
            try:
                if isinstance(result, BaseException):
                    raise result
                row = markets.get(asset.coingecko_id)
                assets.append(self._asset(want, asset, result, row, quoted_by, found))
            except SOURCE_FAILURES as exc:  # the others still land
                found.missing[f"assets.{asset.symbol}"] = f"{NAME}: {describe_error(exc)}"
        if assets:
            found.blocks["assets"] = assets
        return found
