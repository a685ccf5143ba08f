"""Build the sample weeks of record in data/weeks/ from the real series in data/series/.

A developer's tool, not part of the build: the weeks it writes are committed and reviewed.
2025-W45 is the seed article's week: its intraday figures (CoinGecko, CoinGlass, Myriad) are
the article's, the daily series Binance's, alternative.me's, Bybit's and DefiLlama's. The other
weeks come from the series alone, at the end of their week, with what the series cannot give
recorded as missing.

    python scripts/derive_weeks.py          # rewrites data/weeks/*.yaml (not the editorial files)
"""

from __future__ import annotations

import csv
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report.model import Week, week_start  # noqa: E402
from report.weekfile import dump_yaml  # noqa: E402

SERIES = ROOT / "data" / "series"
WEEKS = ROOT / "data" / "weeks"
ASSETS = [
    ("BTC", "Bitcoin"),
    ("ETH", "Ethereum"),
    ("XRP", "XRP"),
    ("BNB", "BNB"),
    ("SOL", "Solana"),
]
HISTORY_DAYS = 365
FEAR_GREED_DAYS = 30

BINANCE = {
    "name": "Binance spot daily klines (USDT)",
    "url": "https://api.binance.com/api/v3/klines",
    "published_at": date(2026, 2, 21),
    "note": "copied from oziniak/vibe_trade (data/series/PROVENANCE.md)",
}
FEAR_GREED = {
    "name": "alternative.me Crypto Fear & Greed Index",
    "url": "https://api.alternative.me/fng/",
    "published_at": date(2026, 8, 22),
    "note": "copied from edwardchin811227/cryptofear-and-greed-index (data/series/PROVENANCE.md)",
}
BASIS = {
    "name": "Binance USD-M quarterly futures and spot daily closes",
    "url": "https://fapi.binance.com/fapi/v1/klines",
    "published_at": date(2026, 8, 4),
    "note": "annualized basis computed by twitter-bot-tech/btc-funding-arb"
    " (data/series/PROVENANCE.md)",
}
FUNDING = {
    "name": "Bybit funding history",
    "url": "https://api.bybit.com/v5/market/funding/history",
    "published_at": date(2026, 8, 4),
    "note": "copied from twitter-bot-tech/btc-funding-arb (data/series/PROVENANCE.md)",
}
HACKS = {
    "name": "DefiLlama hacks",
    "url": "https://api.llama.fi/hacks",
    "published_at": date(2026, 2, 2),
    "note": "copied from ruiyeshi/defi_protocol_security (data/series/PROVENANCE.md)",
}
HACKS_END = date(2026, 1, 1)
DERIVATIVES_START, DERIVATIVES_END = date(2025, 1, 1), date(2025, 12, 31)
NO_LIQUIDATIONS = (
    "no keyless source gives market-wide liquidation totals, and the sample series hold none"
)
NO_OPEN_INTEREST = "no open-interest history for this period in the sample series"
DERIVATIVES_GAP = "the derivatives series we hold cover 2025 only"
NO_PREDICTION_MARKETS = "no prediction-market history for this period in the sample series"


def read_csv(name: str) -> list[dict[str, str]]:
    with (SERIES / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def klines(symbol: str) -> dict[date, tuple[float, float]]:
    rows = read_csv(f"binance_spot_1d/{symbol}.csv")
    return {date.fromisoformat(r["t"]): (float(r["h"]), float(r["c"])) for r in rows}


def number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def closes_block(series: dict[date, tuple[float, float]], last: date) -> dict[str, Any]:
    start = last - timedelta(days=HISTORY_DAYS - 1)
    start = max(start, min(series))
    days = (last - start).days + 1
    values = [
        number(series[d][1]) if (d := start + timedelta(days=i)) in series else None
        for i in range(days)
    ]
    return {"start": start, "values": values, "source": BINANCE}


def highs_block(series: dict[date, tuple[float, float]], start: date, last: date) -> dict[str, Any]:
    """The daily highs of the week's days up to `last`."""
    days = (last - start).days + 1
    values = [
        number(series[d][0]) if (d := start + timedelta(days=i)) in series else None
        for i in range(days)
    ]
    return {"start": start, "values": values, "source": {**BINANCE, "note": "daily highs"}}


def fear_greed_block(on: date) -> dict[str, Any]:
    rows = {date.fromisoformat(r["date"]): r for r in read_csv("fear_greed_alternative_me.csv")}
    start = on - timedelta(days=FEAR_GREED_DAYS - 1)
    values = [
        number(float(rows[d]["value"])) if (d := start + timedelta(days=i)) in rows else None
        for i in range(FEAR_GREED_DAYS)
    ]
    return {
        "value": int(float(rows[on]["value"])),
        "classification": rows[on]["classification"],
        "date": on,
        "series": {"start": start, "values": values, "source": FEAR_GREED},
    }


def basis_block(now: date) -> dict[str, Any]:
    """The front quarterly's annualized basis on `now`, and the same contract's seven days
    before (across a roll, the front contract a week earlier is another one)."""
    rows = read_csv("btc_quarterly_basis_2025.csv")

    def on(day: date) -> list[dict[str, str]]:
        return [r for r in rows if r["date"].startswith(day.isoformat())]

    today = min(on(now), key=lambda r: int(r["days_to_expiry"]))
    before = next(r for r in on(now - timedelta(days=7)) if r["symbol"] == today["symbol"])
    return {
        "instrument": today["symbol"],
        "now_pct": round(float(today["ann_basis"]) * 100, 4),
        "now_date": now,
        "week_ago_pct": round(float(before["ann_basis"]) * 100, 4),
        "week_ago_date": now - timedelta(days=7),
        "source": BASIS,
    }


def funding_block(as_of: datetime) -> dict[str, Any]:
    rows = [
        (datetime.fromisoformat(r["ts"]), float(r["fundingRate"]))
        for r in read_csv("bybit_btcusdt_funding_2025.csv")
    ]
    past = [r for r in rows if r[0] <= as_of]
    week = [rate for at, rate in past if at > as_of - timedelta(days=7)]
    latest_at, latest = past[-1]
    return {
        "instrument": "BTCUSDT perpetual",
        "latest_8h_pct": round(latest * 100, 6),
        "latest_at": latest_at,
        "week_mean_8h_pct": round(sum(week) / len(week) * 100, 6),
        "source": FUNDING,
    }


def hacks_in(start: date, until: date) -> list[dict[str, Any]]:
    """Incidents dated from `start` to `until`, both included."""
    found = []
    for r in read_csv("defillama_hacks_derived.csv"):
        day = date.fromisoformat(r["exploit_date"][:10])
        if start <= day <= until:
            found.append(
                {
                    "protocol": r["protocol_name_raw"],
                    "date": day,
                    "loss_usd": number(float(r["loss_usd"])) if r["loss_usd"] else None,
                    "kind": f"exploit ({r['exploit_type']})" if r["exploit_type"] else "exploit",
                    "source": HACKS,
                }
            )
    return sorted(found, key=lambda i: (i["date"], i["protocol"]))


def gather_from_series(week: str) -> dict[str, Any]:
    """A week at its end (Monday 00:00 UTC), from the daily series alone."""
    start = week_start(week)
    end = start + timedelta(days=6)
    as_of = datetime.combine(end + timedelta(days=1), time(), UTC)
    assets, missing = [], []
    for symbol, name in ASSETS:
        series = klines(symbol)
        if end not in series:
            missing.append({"field": f"assets.{symbol}", "reason": "no Binance close for the week"})
            continue
        asset: dict[str, Any] = {
            "symbol": symbol,
            "name": name,
            "quote": {
                "price": number(series[end][1]),
                "at": as_of,
                "source": {**BINANCE, "note": "the week's last daily close"},
            },
            "closes": closes_block(series, end),
            "highs": highs_block(series, start, end),
        }
        assets.append(asset)
    record: dict[str, Any] = {
        "schema": 1,
        "week": week,
        "period": {"start": start, "end": end},
        "as_of": as_of,
        "assets": assets,
    }
    missing.append({"field": "liquidations", "reason": NO_LIQUIDATIONS})
    if DERIVATIVES_START + timedelta(days=7) <= end <= DERIVATIVES_END:
        record["derivatives"] = {"basis": basis_block(end), "funding": funding_block(as_of)}
        missing.append({"field": "derivatives.open_interest", "reason": NO_OPEN_INTEREST})
    else:
        missing.append({"field": "derivatives", "reason": DERIVATIVES_GAP})
    record["sentiment"] = {"fear_greed": fear_greed_block(end)}
    missing.append({"field": "sentiment.prediction_markets", "reason": NO_PREDICTION_MARKETS})
    if end < HACKS_END:
        record["incidents"] = hacks_in(start, end)
    else:
        short = (end - HACKS_END).days
        reason = "the hacks list we hold ends on January 1, 2026"
        if start <= HACKS_END:
            reason += f", {short} days before this week ends"
        missing.append({"field": "incidents", "reason": reason})
    record["missing"] = missing
    return record


SEED_SOURCE_NOTE = "as quoted in the November 4, 2025 market article (data/series/PROVENANCE.md)"
SEED_AS_OF = datetime(2025, 11, 4, 16, 0, tzinfo=UTC)
SEED_CHANGES_24H = {"BTC": -3.2, "ETH": -7.1, "XRP": -6.3, "BNB": -5.8, "SOL": -9.2}


def seed_week() -> dict[str, Any]:
    """2025-W45 as the seed article saw it on Tuesday, November 4, 2025."""
    as_of = SEED_AS_OF
    last_close = date(2025, 11, 3)  # the last daily close complete before as_of
    article = {"published_at": date(2025, 11, 4), "note": SEED_SOURCE_NOTE}
    snapshot = {
        "name": "CoinGecko top-100 snapshot",
        "url": "https://api.coingecko.com/api/v3/coins/markets",
        "fetched_at": datetime(2025, 11, 4, 9, 29, 40, tzinfo=UTC),
        "note": "copied from zeketests/crypto-daily-prices (data/series/PROVENANCE.md)",
    }
    snapshot_rows = read_csv("coingecko_top100/prices_2025-11-04.csv")
    prices = {r["name"]: float(r["price"]) for r in snapshot_rows}
    assets = []
    for symbol, name in ASSETS:
        series = klines(symbol)
        changes_source = {"name": "CoinGecko", "url": "https://www.coingecko.com/", **article}
        if symbol == "BTC":
            quote = {
                "price": 103849,
                "change_24h_pct": SEED_CHANGES_24H[symbol],
                "at": as_of,
                "source": changes_source,
            }
            ath = {
                "price": 126080,
                "date": date(2025, 10, 6),
                "source": {
                    "name": "CoinGecko /coins/markets",
                    "url": "https://api.coingecko.com/api/v3/coins/markets",
                    "fetched_at": datetime(2026, 9, 16, 9, 14, 20, tzinfo=UTC),
                    "note": "ath and ath_date of a recorded keyless response (shared sources.md)",
                },
            }
        else:
            quote = {
                "price": number(prices[name]),
                "change_24h_pct": SEED_CHANGES_24H[symbol],
                "at": snapshot["fetched_at"],
                "source": snapshot,
                "changes_source": changes_source,
            }
        asset: dict[str, Any] = {"symbol": symbol, "name": name, "quote": quote}
        if symbol == "BTC":
            asset["ath"] = ath
        asset["closes"] = closes_block(series, last_close)
        asset["highs"] = highs_block(series, date(2025, 11, 3), last_close)
        assets.append(asset)
    return {
        "schema": 1,
        "week": "2025-W45",
        "period": {"start": date(2025, 11, 3), "end": date(2025, 11, 9)},
        "as_of": as_of,
        "assets": assets,
        "liquidations": {
            "total_24h_usd": 1_370_000_000,
            "source": {
                "name": "CoinGlass",
                "url": "https://www.coinglass.com/LiquidationData",
                **article,
            },
        },
        "derivatives": {"basis": basis_block(last_close), "funding": funding_block(as_of)},
        "sentiment": {
            "fear_greed": fear_greed_block(date(2025, 11, 4)),
            "prediction_markets": [
                {
                    "platform": "Myriad",
                    "question": "Will Bitcoin reach $100,000 or $120,000 first?",
                    "outcome": "$100,000 first",
                    "odds_now_pct": 71,
                    "odds_before_pct": 44,
                    "before_date": date(2025, 11, 3),
                    "source": {"name": "Myriad", "url": "https://myriad.markets/", **article},
                }
            ],
        },
        "incidents": hacks_in(date(2025, 11, 3), as_of.date()),
        "missing": [{"field": "derivatives.open_interest", "reason": NO_OPEN_INTEREST}],
    }


def write(record: dict[str, Any]) -> Path:
    Week.model_validate(record)  # never write a week that would not load
    path = WEEKS / f"{record['week']}.yaml"
    path.write_text(dump_yaml(record), encoding="utf-8")
    return path


def main() -> None:
    WEEKS.mkdir(parents=True, exist_ok=True)
    print(write(seed_week()))
    # W44 and W03 are there so that W45 and W04 have a week before them to compare with.
    for week in ("2025-W19", "2025-W38", "2025-W44", "2026-W03", "2026-W04"):
        print(write(gather_from_series(week)))


if __name__ == "__main__":
    main()
