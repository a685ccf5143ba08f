"""Seed the history store (data/history/) from the committed real series in data/series/.

A developer's tool, run once and reviewed; the store it writes is committed, and from then on
every gather appends the days it fetches.

- prices-<SYMBOL>.csv: Binance's daily close and high of each day from 2020 on, as
  data/series/binance_spot_1d/ holds them, without the last row (a candle still open when the
  source repository committed it).
- highs.csv: all-time highs as CoinGecko stated them in two real recorded answers of its
  /coins/markets: one recorded on 2022-02-23 (tests/recorded/, from OpenBB's test cassettes), one
  recorded on 2026-09-16 (quoted in the team's sources notes).

    python scripts/seed_history.py
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report.history import Day, HistoryStore, StatedHigh, write_days  # noqa: E402

SERIES = ROOT / "data" / "series" / "binance_spot_1d"
STORE = ROOT / "data" / "history"
RECORDED_2022 = ROOT / "tests" / "recorded" / "coingecko_coins_markets_2022-02-23_five.json"
SYMBOLS = {
    "bitcoin": "BTC",
    "ethereum": "ETH",
    "ripple": "XRP",
    "binancecoin": "BNB",
    "solana": "SOL",
}
OPEN_CANDLE = date(2026, 2, 21)  # the series' last row was still open when it was committed
BINANCE = "Binance spot daily klines (USDT)"
BINANCE_URL = "https://api.binance.com/api/v3/klines"
# The source repository's commit of the series (data/series/PROVENANCE.md): fetched by then.
BINANCE_FETCHED = datetime(2026, 2, 21, 18, 19, 54, tzinfo=UTC)
COINGECKO_URL = "https://api.coingecko.com/api/v3/coins/markets"


def seed_prices(store: HistoryStore) -> None:
    for symbol in SYMBOLS.values():
        with (SERIES / f"{symbol}.csv").open(newline="", encoding="utf-8") as f:
            rows = [r for r in csv.DictReader(f) if date.fromisoformat(r["t"]) < OPEN_CANDLE]
        days = [
            Day(
                date.fromisoformat(r["t"]),
                float(r["c"]),
                float(r["h"]),
                BINANCE,
                BINANCE_URL,
                BINANCE_FETCHED,
            )
            for r in rows
        ]
        write_days(store.path(symbol), days)
        print(f"{store.path(symbol)}: {len(days)} days, {days[0].day} to {days[-1].day}")


def seed_highs(store: HistoryStore) -> None:
    recorded = json.loads(RECORDED_2022.read_text(encoding="utf-8"))
    for row in recorded:
        store.keep_high(
            StatedHigh(
                SYMBOLS[row["id"]],
                float(row["ath"]),
                datetime.fromisoformat(row["ath_date"]).date(),
                datetime.fromisoformat(row["last_updated"]),
                "CoinGecko",
                COINGECKO_URL,
                "ath and ath_date of a recorded answer (OpenBB test cassette, 2022-02-23)",
            )
        )
    store.keep_high(
        StatedHigh(
            "BTC",
            126080.0,
            date(2025, 10, 6),
            datetime(2026, 9, 16, 9, 14, 20, tzinfo=UTC),
            "CoinGecko",
            COINGECKO_URL,
            "ath and ath_date of a recorded keyless answer (the team's sources notes)",
        )
    )
    print(f"{store.highs_path}: {len(store.stated_highs)} stated highs")


def main() -> None:
    store = HistoryStore(STORE)
    seed_prices(store)
    seed_highs(store)


if __name__ == "__main__":
    main()
