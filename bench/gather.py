"""How long gathering a week takes when the sources are slow, against the slowest one alone.

    .venv/bin/python bench/gather.py

Every source points at a real HTTP server on 127.0.0.1 (tests/local_server.py) that answers
with the real series of 2025-W45 in each API's shape (tests/api_answers.py), each source after
its own delay (200 ms to 1 s). Prints each source gathered alone, then all of them together:
wall time, the ratio to the slowest single source (the aim is at most 1.2), and the requests
made for the week.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from report.gather import SOURCES, gather  # noqa: E402
from report.http import HttpPolicy  # noqa: E402
from report.sources import DEFAULT_ASSETS, day_start, ms, want_week  # noqa: E402
from tests.api_answers import answer  # noqa: E402
from tests.local_server import Route, local_server  # noqa: E402

NOW = datetime(2025, 11, 20, 12, tzinfo=UTC)
DELAYS = {"coingecko": 0.4, "alternative_me": 1.0, "bybit": 0.2, "defillama": 0.7, "deribit": 0.5}
RUNS = 5


def routes(base: str) -> dict[str, tuple[str, Route]]:
    """Each source's paths on the local server, answered after the source's delay."""
    want = want_week("2025-W45", date(2025, 11, 3), NOW)
    first = want.as_of - timedelta(days=365)
    requests = {
        "alternative_me": [(f"{base}/fng/", {"limit": 60})],
        "bybit": [
            (
                f"{base}/v5/market/funding/history",
                {"startTime": ms(day_start(want.start)), "endTime": ms(want.as_of)},
            )
        ],
        "defillama": [(f"{base}/hacks", {})],
        # The server routes by path alone, so both candle requests get the last body (spot):
        # the bench times the gather, it does not check the basis.
        "deribit": [
            (
                f"{base}/public/get_tradingview_chart_data",
                {
                    "instrument_name": instrument,
                    "start_timestamp": ms(day_start(want.end - timedelta(days=7))),
                    "end_timestamp": ms(day_start(want.end)),
                },
            )
            for instrument in ("BTC-26DEC25", "BTC_USDC")
        ],
        "coingecko": [
            (
                f"{base}/coins/{a.coingecko_id}/market_chart/range",
                {"from": int(first.timestamp()), "to": int(want.as_of.timestamp())},
            )
            for a in DEFAULT_ASSETS
        ],
    }
    served: dict[str, tuple[str, Route]] = {}
    for name, calls in requests.items():
        for url, params in calls:
            body = answer(httpx.Request("GET", url, params=params), NOW.date()).content
            path = httpx.URL(url).path
            served[f"/{name}{path}"] = (name, Route(body, delay_s=DELAYS[name]))
    return served


def timed_gather(base_urls: dict[str, str]) -> tuple[float, int]:
    """Gather with only these sources, each at its URL."""
    sources = [SOURCES[name](url) for name, url in base_urls.items()]
    start = time.perf_counter()
    gathered = asyncio.run(gather("2025-W45", NOW, {}, sources, HttpPolicy(per_host=8)))
    return time.perf_counter() - start, gathered.requests


def main() -> None:
    with local_server() as server:
        for path, (_, route) in routes("").items():
            server.routes[path] = route
        urls = {name: f"{server.url}/{name}" for name in DELAYS}
        alone = {}
        for name in DELAYS:
            times = [timed_gather({name: urls[name]})[0] for _ in range(RUNS)]
            alone[name] = statistics.median(times)
            print(f"{name:>15} alone: {alone[name]:.2f} s (server delay {DELAYS[name]:.1f} s)")
        results = [timed_gather(urls) for _ in range(RUNS)]
        together = statistics.median(t for t, _ in results)
        slowest = max(alone.values())
        print(
            f"all together: {together:.2f} s, slowest alone {slowest:.2f} s, "
            f"ratio {together / slowest:.2f}; {results[0][1]} requests for the week"
        )


if __name__ == "__main__":
    main()
