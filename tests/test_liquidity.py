"""Stablecoins and DeFi's value locked (DefiLlama): gathered, validated, said and checked.

No public recording holds these endpoints whole (a search found only cut or reshaped copies),
so the answers here are SYNTHETIC: DefiLlama's documented shapes, with made-up coins named
"Synthetic Dollar A/B/C" and round made-up amounts. They test the code, and are no market's
figures. Every other source answers with the real series (tests/api_answers.py).
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from report.claims.context import DefiTvl, Pegs, StablecoinSupply
from report.gather import default_sources, gather, validated, write_week
from report.http import HttpPolicy
from report.verify import Evidence, verify_text
from tests.api_answers import answer
from tests.conftest import edition_of

FAST = HttpPolicy(timeout_s=1.0, attempts=2, backoff_s=0.01)
NOW = datetime(2025, 11, 20, 12, tzinfo=UTC)  # 2025-W45 gathered after it ended
DAYS = [date(2025, 10, 27) + timedelta(days=i) for i in range(24)]
COINS = {  # SYNTHETIC: gecko id, symbol, name, circulating
    "synthetic-a": ("SYNA", "Synthetic Dollar A", 100e9),
    "synthetic-b": ("SYNB", "Synthetic Dollar B", 50e9),
    "synthetic-c": ("SYNC", "Synthetic Dollar C", 5e9),
}


def _seconds(day: date) -> int:
    return int(datetime.combine(day, datetime.min.time(), UTC).timestamp())


def synthetic(c_low: float = 0.999) -> dict[str, Any]:
    """SYNTHETIC answers by path: supply rising by $0.1 billion a day from $200 billion, TVL
    falling by $1 billion a day from $120 billion, and Synthetic Dollar C at `c_low` on
    November 5."""
    return {
        "/stablecoincharts/all": [
            {
                "date": str(_seconds(d)),
                "totalCirculating": {"peggedUSD": 200e9 + i * 0.1e9},
                "totalCirculatingUSD": {"peggedUSD": 200e9 + i * 0.1e9},
            }
            for i, d in enumerate(DAYS)
        ],
        "/stablecoins": {
            "peggedAssets": [
                {
                    "id": str(n),
                    "name": name,
                    "symbol": symbol,
                    "gecko_id": gecko,
                    "pegType": "peggedUSD",
                    "circulating": {"peggedUSD": amount},
                    "price": 1.0,
                }
                for n, (gecko, (symbol, name, amount)) in enumerate(COINS.items())
            ]
        },
        "/stablecoinprices": [
            {
                "date": _seconds(d),
                "prices": {
                    "synthetic-a": 1.0,
                    "synthetic-b": 0.9998,
                    "synthetic-c": c_low if d == date(2025, 11, 5) else 1.0,
                },
            }
            for d in DAYS
        ],
        "/v2/historicalChainTvl": [
            {"date": _seconds(d), "tvl": 120e9 - i * 1e9} for i, d in enumerate(DAYS)
        ],
    }


def _gather(answers: dict[str, Any], faults: dict[str, httpx.Response] | None = None) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path in (faults or {}):
            return (faults or {})[path]
        if request.url.host in ("stablecoins.llama.fi", "api.llama.fi") and path in answers:
            return httpx.Response(200, content=json.dumps(answers[path]).encode())
        return answer(request, NOW.date())

    transport = httpx.MockTransport(handler)
    return asyncio.run(gather("2025-W45", NOW, {}, default_sources(), FAST, transport=transport))


def _edition(tmp_path: Path, c_low: float = 0.999) -> Any:
    gathered = _gather(synthetic(c_low))
    week = validated(gathered)
    return edition_of(write_week(gathered, week, tmp_path, None), previous=False)


def test_supply_pegs_and_tvl_are_gathered_and_said(tmp_path: Path) -> None:
    edition = _edition(tmp_path)
    week = edition.week
    assert week.stablecoins is not None and week.defi_tvl is not None
    assert [p.symbol for p in week.stablecoins.pegs or []] == ["SYNA", "SYNB", "SYNC"]
    supply = next(c for c in edition.claims if isinstance(c, StablecoinSupply))
    assert (supply.before_day, supply.day) == (date(2025, 11, 2), date(2025, 11, 9))
    assert supply.change.value == pytest.approx(0.7e9)
    page = edition.page
    assert "stablecoins in circulation were worth $201.30 billion on November 9" in page
    assert "up $700 million (0.3%) from $200.60 billion on November 2" in page
    assert "SYNA, SYNB and SYNC, held their pegs within half a percent" in page
    assert "The total value locked in decentralized-finance protocols" in page
    assert "down 6.1% from $114.00 billion" in page
    tvl = next(c for c in edition.claims if isinstance(c, DefiTvl))
    assert tvl.now.value == 107e9
    digest = edition.digest  # a line each for the supply and the value locked
    assert "stablecoins in circulation were worth $201.30 billion" in digest
    assert "The total value locked in decentralized-finance protocols" in digest


def test_a_stablecoin_off_its_peg_is_named_with_its_day_and_price(tmp_path: Path) -> None:
    edition = _edition(tmp_path, c_low=0.9712)
    pegs = next(c for c in edition.claims if isinstance(c, Pegs))
    assert [m.symbol for m in pegs.off] == ["SYNC"]
    line = "Synthetic Dollar C (SYNC) went off its dollar peg: its daily price fell to $0.9712"
    assert line + " on November 5." in edition.page
    assert line in edition.digest  # a broken peg is worth the digest's line
    assert "Of the other major stablecoins, SYNA and SYNB, held their pegs" in edition.page


def test_saying_a_peg_held_that_did_not_is_refused(tmp_path: Path) -> None:
    edition = _edition(tmp_path)
    evidence = Evidence.of(edition)
    assert verify_text("SYNC went off its dollar peg this week.", evidence, "page")


def test_without_prices_the_supply_lands_and_the_pegs_are_named_missing() -> None:
    gathered = _gather(synthetic(), {"/stablecoinprices": httpx.Response(500)})
    week = validated(gathered)
    assert week.stablecoins is not None and week.stablecoins.pegs is None
    gap = week.gap("stablecoins.pegs")
    assert gap is not None and "HTTP 500, 2 tries" in gap.reason


@pytest.mark.parametrize(
    ("path", "body", "said"),
    [
        ("/stablecoincharts/all", b'{"error": "gone"}', "did not come as a list"),
        ("/stablecoincharts/all", b"[{", "malformed JSON"),
        (
            "/stablecoincharts/all",
            b'[{"date": "1762300800", "totalCirculatingUSD": {"peggedUSD": 1e300}}]',
            "unexpected or implausible data",
        ),
        ("/v2/historicalChainTvl", b'[{"date": 1762300800, "tvl": -5}]', "implausible"),
    ],
)
def test_a_bad_answer_is_named_missing_and_the_week_still_lands(
    path: str, body: bytes, said: str
) -> None:
    gathered = _gather(synthetic(), {path: httpx.Response(200, content=body)})
    week = validated(gathered)
    block = "stablecoins" if "stablecoin" in path else "defi_tvl"
    gap = week.gap(block)
    assert getattr(week, block) is None and gap is not None and said in gap.reason
    assert week.btc.quote.price > 0  # the other sources landed
