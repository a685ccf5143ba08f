"""Build the seed week of record, data/weeks/2025-W45.yaml, from the seed article and the series.

A developer's tool, not part of the build: the week it writes is committed and reviewed.
2025-W45 is the seed article's week: its intraday figures (CoinGecko, CoinGlass, Myriad) are
the article's, the daily series Binance's, alternative.me's, Bybit's and DefiLlama's. Every other
week comes from the series alone: `report rebuild` writes them (report/rebuild.py).

    python scripts/derive_weeks.py    # rewrites data/weeks/2025-W45.yaml, not its editorial file
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report.assets import DEFAULT_ASSETS  # noqa: E402
from report.history import HistoryStore  # noqa: E402
from report.model import SCHEMA_VERSION, Week  # noqa: E402
from report.rebuild import (  # noqa: E402
    NO_OPEN_INTEREST,
    basis_block,
    closes_block,
    fear_greed_block,
    funding_block,
    hacks_in,
    highs_block,
    klines,
    number,
    read_csv,
    rebuild_week,
)
from report.weekfile import dump_yaml  # noqa: E402

WEEKS = ROOT / "data" / "weeks"
SERIES = ROOT / "data" / "series"
ASSETS = [(a.symbol, a.name) for a in DEFAULT_ASSETS]


def gather_from_series(week: str) -> dict[str, Any]:
    """A week rebuilt from the series now, as `report rebuild` writes it."""
    return rebuild_week(week, datetime.now(UTC), HistoryStore(ROOT / "data" / "history"), SERIES)


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
    snapshot_rows = read_csv("coingecko_top100/prices_2025-11-04.csv", SERIES)
    prices = {r["name"]: float(r["price"]) for r in snapshot_rows}
    assets = []
    for symbol, name in ASSETS:
        series = klines(symbol, SERIES)
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
        "schema": SCHEMA_VERSION,
        "week": "2025-W45",
        "origin": {"method": "gathered", "at": as_of},
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
        "derivatives": {
            "basis": basis_block(last_close, SERIES),
            "funding": funding_block(as_of, SERIES),
        },
        "sentiment": {
            "fear_greed": fear_greed_block(date(2025, 11, 4), SERIES),
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
        "incidents": hacks_in(date(2025, 11, 3), as_of.date(), SERIES),
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


if __name__ == "__main__":
    main()
