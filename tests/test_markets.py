"""Other markets (FRED): the download's format, its faults on a real local server, the weeks
rebuilt from the committed downloads, and the claims the pages make from them.

Every figure is FRED's, from the downloads committed in data/series/fred/ (PROVENANCE.md).
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from report.assets import OTHER_MARKETS
from report.claims.context import Correlation, MarketMove, strength_of
from report.http import HttpPolicy, open_fetcher
from report.rebuild import markets_block
from report.sources import Found, SourceError, want_week
from report.sources.fred import Fred, parse_csv
from report.verify import Evidence, verify_text
from report.weekfile import load_week
from tests.api_answers import fred_csv
from tests.conftest import ROOT, edition_of
from tests.local_server import LocalServer, Route, local_server

WEEKS = ROOT / "data" / "weeks"
SP500 = OTHER_MARKETS[0]
FAST = HttpPolicy(timeout_s=1.0, attempts=2, backoff_s=0.01)
THANKSGIVING_WEEK = want_week(
    "2025-W48", date(2025, 11, 24), datetime(2025, 12, 1, 0, 5, tzinfo=UTC)
)


def test_the_download_keeps_a_shut_market_s_day_empty() -> None:
    text = fred_csv("SP500", date(2025, 11, 24), date(2025, 11, 30)).decode()
    values = parse_csv(text, SP500, date(2025, 11, 24), date(2025, 11, 30))
    assert date(2025, 11, 27) not in values  # Thanksgiving: FRED's row is empty
    assert values[date(2025, 11, 28)] == 6849.09


def test_the_older_header_and_its_dot_for_no_value_are_read() -> None:
    """FRED's older downloads name the day column DATE and write "." for no value: the same
    real rows, in that form."""
    real = fred_csv("SP500", date(2025, 11, 26), date(2025, 11, 28)).decode()
    older = real.replace("observation_date", "DATE").replace("2025-11-27,", "2025-11-27,.")
    values = parse_csv(older, SP500, date(2025, 11, 26), date(2025, 11, 28))
    assert sorted(values) == [date(2025, 11, 26), date(2025, 11, 28)]


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ('{"error": "not a CSV"}', "not a FRED CSV file"),
        ("observation_date,NASDAQCOM\n2025-11-28,23365.69\n", "not SP500"),
        ("observation_date,SP500\n2025-11-28,6849.09e300\n", "not a plausible value"),
        ("observation_date,SP500\n2025-11-28,-6849.09\n", "not a plausible value"),
        ("observation_date,SP500\n2025-11-28,nan\n", "not a plausible value"),
        ("observation_date,SP500\n2025-11-28,6849.09,1\n", "3 columns"),
    ],
)
def test_a_download_that_is_not_the_series_is_refused(body: str, said: str) -> None:
    with pytest.raises(SourceError, match=said):
        parse_csv(body, SP500, date(2025, 11, 1), date(2025, 11, 30))


def _gather(server: LocalServer) -> Found:
    async def run() -> Found:
        async with open_fetcher(FAST) as fetcher:
            return await Fred(f"{server.url}/fred").gather(fetcher, THANKSGIVING_WEEK)

    return asyncio.run(run())


@pytest.mark.parametrize(
    ("route", "said"),
    [
        (Route(b"", status=500), "HTTP 500, 2 tries"),
        (Route(b"observation_date,SP500\n", delay_s=3.0), "timed out after 1 s"),
        (Route(b'{"observations": ['), "not a FRED CSV file"),
    ],
)
def test_a_failing_fred_is_named_missing(route: Route, said: str) -> None:
    with local_server() as server:
        server.routes["/fred/graph/fredgraph.csv"] = route
        found = _gather(server)
    assert "markets" not in found.blocks
    assert found.missing["markets"].startswith("FRED, Federal Reserve Bank of St. Louis: ")
    assert said in found.missing["markets"]


def test_one_market_that_fails_is_named_and_the_others_land() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        series = request.url.params["id"]
        if series == "DGS10":
            return httpx.Response(503)
        first, last = (date.fromisoformat(request.url.params[k]) for k in ("cosd", "coed"))
        return httpx.Response(200, content=fred_csv(series, first, last))

    async def run() -> Found:
        async with open_fetcher(FAST, transport=httpx.MockTransport(handler)) as fetcher:
            return await Fred().gather(fetcher, THANKSGIVING_WEEK)

    found = asyncio.run(run())
    assert [m["series"] for m in found.blocks["markets"]] == ["SP500", "NASDAQCOM", "DTWEXBGS"]
    assert list(found.missing) == ["markets.DGS10"] and "HTTP 503" in found.missing["markets.DGS10"]


def test_a_rebuilt_week_before_the_stock_history_says_so() -> None:
    markets, gaps = markets_block(date(2020, 3, 15))
    assert [m["series"] for m in markets] == ["DGS10", "DTWEXBGS"]
    assert {g["field"] for g in gaps} == {"markets.SP500", "markets.NASDAQCOM"}
    assert all("2021-04-14" in g["reason"] for g in gaps)
    week = load_week(WEEKS / "2020-W11.yaml")
    assert week.market("SP500") is None and week.gap("markets.SP500") is not None


def test_the_thanksgiving_week_sets_bitcoin_beside_stocks() -> None:
    edition = edition_of(WEEKS / "2025-W48.yaml")
    moves = {c.subject: c for c in edition.claims if isinstance(c, MarketMove)}
    stocks = moves["SP500"]
    assert (stocks.start_day, stocks.latest_day) == (date(2025, 11, 21), date(2025, 11, 28))
    assert stocks.closed == (date(2025, 11, 27),) and stocks.together == 1
    page = edition.page
    assert (
        "From Friday, November 21 to Friday, November 28, the S&P 500 rose 3.7% to 6,849." in page
    )
    assert (
        "a different span from its seven-day change, Bitcoin rose 6.8%, the same way as stocks"
        in page
    )
    assert "U.S. stock markets were closed on Thursday, November 27." in page
    correlation = next(c for c in edition.claims if isinstance(c, Correlation))
    assert correlation.returns >= 15 and -1 <= correlation.value.value <= 1


def test_saying_bitcoin_went_against_stocks_when_it_did_not_is_refused() -> None:
    edition = edition_of(WEEKS / "2025-W48.yaml")
    evidence = Evidence.of(edition)
    line = "The S&P 500 rose 3.7%; Bitcoin rose 6.8%, the opposite way from stocks."
    assert any("opposite way from stocks" in p for p in verify_text(line, evidence, "page"))
    stocks = next(c for c in edition.claims if isinstance(c, MarketMove) and c.subject == "SP500")
    forged = dataclasses.replace(stocks, together=-1)
    assert forged.condition() is not None
    assert forged.check(edition.inputs)


def test_a_correlation_is_named_by_the_value_the_page_prints() -> None:
    assert strength_of(0.698) == "strong"  # printed 0.70
    assert strength_of(-0.45) == "moderate" and strength_of(0.19) == "little"


def test_a_week_written_before_markets_were_read_says_none_were_gathered(tmp_path: Path) -> None:
    seed = load_week(WEEKS / "2025-W45.yaml")  # schema 1 on disk
    gap = seed.gap("markets")
    assert seed.markets is None and gap is not None and "not gathered" in gap.reason


def test_a_holiday_at_the_week_s_end_is_a_closed_market_once_fred_had_time_to_publish() -> None:
    page = edition_of(WEEKS / "2025-W27.yaml").page  # rebuilt long after: July 4 was a holiday
    assert "U.S. stock markets were closed on Friday, July 4." in page
    assert "had no value yet" not in page
    bonds = edition_of(WEEKS / "2022-W45.yaml").page  # Veterans Day: stocks open, bonds shut
    assert "The Treasury market was closed on Friday, November 11." in bonds


def test_a_friday_missing_the_evening_after_is_not_yet_published() -> None:
    """The July 4 week read on Saturday the 5th: FRED may not have published Friday yet, so the
    page says no value had come, not that markets were shut."""
    week = load_week(WEEKS / "2025-W27.yaml")
    markets = [
        m.model_copy(
            update={
                "daily": m.daily.model_copy(
                    update={
                        "source": m.daily.source.model_copy(
                            update={"published_at": date(2025, 7, 5)}
                        )
                    }
                )
            }
        )
        for m in week.markets or []
    ]
    moves = MarketMove.find(_inputs_with(week.model_copy(update={"markets": markets})))
    stocks = next(c for c in moves if c.subject == "SP500")
    assert stocks.unpublished == (date(2025, 7, 4),) and stocks.closed == ()


def _inputs_with(week: Any) -> Any:
    from report.claims.inputs import make_inputs
    from report.history import HistoryStore
    from report.weekfile import WeekFiles

    return make_inputs(
        WeekFiles(week, None, WEEKS / "x.yaml"), None, HistoryStore(ROOT / "data" / "history")
    )
