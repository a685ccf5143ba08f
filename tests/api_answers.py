"""API answers in each provider's documented shape, built from the real series in data/series/.

No public recording holds these endpoints for the weeks we test, so the tests serve the real
values our sample weeks come from, framed as the API frames them (see tests/recorded/). The
CoinGecko answers carry Binance's USDT closes: real prices, not CoinGecko's own figures.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import ROOT

SERIES = ROOT / "data" / "series"
RECORDED = Path(__file__).parent / "recorded"
SYMBOL_OF = {
    "bitcoin": "BTC",
    "ethereum": "ETH",
    "ripple": "XRP",
    "binancecoin": "BNB",
    "solana": "SOL",
}


def recorded(name: str) -> bytes:
    return (RECORDED / name).read_bytes()


@cache
def _rows(name: str) -> list[dict[str, str]]:
    with (SERIES / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def coingecko_range(coin: str, start_s: int, end_s: int) -> dict[str, Any]:
    """/coins/{id}/market_chart/range: the close of day D as the price at D+1 00:00 UTC."""
    prices = []
    for row in _rows(f"binance_spot_1d/{SYMBOL_OF[coin]}.csv"):
        moment = _midnight(date.fromisoformat(row["t"]) + timedelta(days=1))
        if start_s <= moment.timestamp() <= end_s:
            prices.append([int(moment.timestamp() * 1000), float(row["c"])])
    return {"prices": prices, "market_caps": [], "total_volumes": []}


def coingecko_markets(ids: str, today: date) -> list[dict[str, Any]]:
    """/coins/markets at 00:00 UTC of `today`: each coin's price the last close, its changes
    over a day and a week from the closes before it (Binance's closes, CoinGecko's framing)."""
    rows = []
    for coin in ids.split(","):
        closes = {r["t"]: float(r["c"]) for r in _rows(f"binance_spot_1d/{SYMBOL_OF[coin]}.csv")}
        day = lambda n: (today - timedelta(days=n)).isoformat()  # noqa: E731
        if day(1) not in closes:
            continue
        price = closes[day(1)]
        rows.append(
            {
                "id": coin,
                "current_price": price,
                "price_change_percentage_24h_in_currency": (price / closes[day(2)] - 1) * 100,
                "price_change_percentage_7d_in_currency": (price / closes[day(8)] - 1) * 100,
                "last_updated": _midnight(today).isoformat(),
            }
        )
    return rows


def fear_greed(limit: int, today: date) -> dict[str, Any]:
    """/fng/?limit=N: the newest N readings up to `today`, newest first, values as strings."""
    rows = [r for r in _rows("fear_greed_alternative_me.csv") if r["date"] <= today.isoformat()]
    data = [
        {
            "value": str(int(float(r["value"]))),
            "value_classification": r["classification"],
            "timestamp": r["timestamp"],
        }
        for r in reversed(rows[-limit:])
    ]
    return {"name": "Fear and Greed Index", "data": data, "metadata": {"error": None}}


def bybit_funding(start_ms: int, end_ms: int) -> dict[str, Any]:
    """/v5/market/funding/history: newest first, rates and times as strings."""
    rows = []
    for row in _rows("bybit_btcusdt_funding_2025.csv"):
        stamp = int(datetime.fromisoformat(row["ts"]).timestamp() * 1000)
        if start_ms <= stamp <= end_ms:
            rows.append(
                {
                    "symbol": "BTCUSDT",
                    "fundingRate": row["fundingRate"],
                    "fundingRateTimestamp": str(stamp),
                }
            )
    rows.reverse()
    return {"retCode": 0, "retMsg": "OK", "result": {"category": "linear", "list": rows}}


MONTH_NUMBER = {
    m: i + 1
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
    )
}


def deribit_candles(instrument: str, start_ms: int, end_ms: int) -> dict[str, Any]:
    """/public/get_tradingview_chart_data at 1D, in Deribit's JSON-RPC frame. The numbers are
    Binance's, not Deribit's: a quarterly `BTC-26DEC25` is served Binance's BTCUSDT_251226 (the
    same last-Friday expiry) and `BTC_USDC` spot Binance's BTCUSDT spot closes."""
    if instrument == "BTC_USDC":
        rows = [(r["t"], r["c"]) for r in _rows("binance_spot_1d/BTC.csv")]
    else:
        day, month, year = instrument[4:-5], instrument[-5:-2], instrument[-2:]
        symbol = f"BTCUSDT_{year}{MONTH_NUMBER[month]:02d}{int(day):02d}"
        rows = [
            (r["openTime"][:10], r["close"])
            for r in _rows("binance_btcusdt_quarterly_1d_2025.csv")
            if r["symbol"] == symbol
        ]
    candles = [
        (stamp, float(close))
        for day, close in rows
        if start_ms
        <= (stamp := int(_midnight(date.fromisoformat(day)).timestamp() * 1000))
        <= end_ms
    ]
    result = {
        "status": "ok" if candles else "no_data",
        "ticks": [t for t, _ in candles],
        "open": [c for _, c in candles],
        "high": [c for _, c in candles],
        "low": [c for _, c in candles],
        "close": [c for _, c in candles],
        "volume": [0.0 for _ in candles],
        "cost": [0.0 for _ in candles],
    }
    return {
        "jsonrpc": "2.0",
        "result": result,
        "usIn": 0,
        "usOut": 0,
        "usDiff": 0,
        "testnet": False,
    }


def defillama_hacks() -> list[dict[str, Any]]:
    """/hacks: the list as DefiLlama publishes it (the derived table keeps its main fields)."""
    return [
        {
            "date": int(datetime.fromisoformat(r["exploit_day"]).timestamp()),
            "name": r["protocol_name_raw"],
            "classification": r["exploit_type"],
            "technique": r["exploit_type"],
            "amount": float(r["loss_usd"]) if r["loss_usd"] else None,
            "chain": [r["chain"]],
            "bridgeHack": False,
            "source": r["evidence_url"],
        }
        for r in _rows("defillama_hacks_derived.csv")
    ]


def fred_csv(series: str, first: date, last: date) -> bytes:
    """fredgraph.csv for one series and span: the committed download's own lines (FRED's
    header, an empty value on a day the market was shut), cut to the days asked for."""
    lines = (SERIES / "fred" / f"{series}.csv").read_text().splitlines()
    kept = [line for line in lines[1:] if first <= date.fromisoformat(line.split(",")[0]) <= last]
    return "\n".join([lines[0], *kept, ""]).encode()


def answer(request: httpx.Request, today: date) -> httpx.Response:
    """The answer of whichever provider `request` is for (an httpx.MockTransport handler)."""
    path, query = request.url.path, request.url.params
    if path.endswith("/market_chart/range"):
        coin = path.split("/")[-3]
        body: Any = coingecko_range(coin, int(query["from"]), int(query["to"]))
    elif path.endswith("/coins/markets"):
        body = coingecko_markets(query["ids"], today)
    elif path.endswith("/fng/"):
        body = fear_greed(int(query["limit"]), today)
    elif path.endswith("/v5/market/funding/history"):
        body = bybit_funding(int(query["startTime"]), int(query["endTime"]))
    elif path.endswith("/public/get_tradingview_chart_data"):
        body = deribit_candles(
            query["instrument_name"], int(query["start_timestamp"]), int(query["end_timestamp"])
        )
    elif path.endswith("/hacks"):
        body = defillama_hacks()
    elif path.endswith("/graph/fredgraph.csv"):
        first, last = (date.fromisoformat(query[k]) for k in ("cosd", "coed"))
        return httpx.Response(200, content=fred_csv(query["id"], first, last))
    else:
        return httpx.Response(404, json={"error": f"no answer for {path}"})
    return httpx.Response(200, content=json.dumps(body).encode())
