"""The week's headlines: a recorded CoinDesk feed, feeds that fail or attack, and the headlines
a page quotes (only those naming what it reports on, as attributed, linked headlines)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import markdown
import pytest

from report.http import HttpPolicy, open_fetcher
from report.sources import Found, SourceError, want_week
from report.sources.news import Newsroom, Newsrooms, load_newsrooms, parse_feed
from tests.api_answers import recorded
from tests.conftest import edition_of

FAST = HttpPolicy(timeout_s=1.0, attempts=2, backoff_s=0.01)
COINDESK = recorded("coindesk_rss_2026-09-25.xml")
ROOMS = [
    Newsroom(
        key="coindesk", outlet="CoinDesk", feed="https://www.coindesk.com/arc/outboundfeeds/rss/"
    ),
    Newsroom(key="cointelegraph", outlet="Cointelegraph", feed="https://cointelegraph.com/rss"),
]
# The week the recording was made in, gathered that evening.
WANT = want_week("2026-W39", date(2026, 9, 21), datetime(2026, 9, 25, 17, tzinfo=UTC))
BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<rss version="2.0"><channel><item><title>&b;</title></item></channel></rss>"""


def _gather(handler: Callable[[httpx.Request], httpx.Response]) -> Found:
    async def run() -> Found:
        async with open_fetcher(FAST, transport=httpx.MockTransport(handler)) as fetcher:
            return await Newsrooms(newsrooms=ROOMS).gather(fetcher, WANT)

    return asyncio.run(run())


def test_the_recorded_coindesk_feed_gives_its_three_headlines() -> None:
    items = parse_feed(COINDESK.decode())
    assert len(items) == 3
    title, link, at = items[0]
    assert title.startswith("Circle and Tether step in to freeze hacker wallet")
    assert link.startswith("https://www.coindesk.com/markets/2026/09/25/")
    assert at == datetime(2026, 9, 25, 14, 41, 53, tzinfo=UTC)


def test_the_committed_newsrooms_are_read() -> None:
    rooms = load_newsrooms()
    assert [r.outlet for r in rooms] == ["CoinDesk", "Cointelegraph", "Decrypt", "The Block"]


def test_a_feed_that_fails_is_named_and_the_others_land() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "www.coindesk.com":
            return httpx.Response(200, content=COINDESK)
        return httpx.Response(500)

    found = _gather(handler)
    assert [h["outlet"] for h in found.blocks["news"]] == ["CoinDesk"] * 3
    assert found.blocks["news"][0]["published_at"] == datetime(2026, 9, 25, 14, 41, 53, tzinfo=UTC)
    assert list(found.missing) == ["news.cointelegraph"]
    assert found.missing["news.cointelegraph"].startswith("Cointelegraph: HTTP 500")


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (BOMB, "not RSS this program reads"),  # entities are refused, never expanded
        (b"<rss><channel><item><title>cut off", "not RSS this program reads"),
        (b'{"items": []}', "not RSS this program reads"),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'/>", "not an RSS 2.0 document"),
    ],
)
def test_a_feed_that_is_not_rss_is_refused(body: bytes, said: str) -> None:
    with pytest.raises(SourceError, match=said):
        parse_feed(body.decode())
    found = _gather(lambda request: httpx.Response(200, content=body))
    assert "news" not in found.blocks and said in found.missing["news"]


def test_items_outside_the_week_are_left_out() -> None:
    later = want_week("2026-W40", date(2026, 9, 28), datetime(2026, 10, 1, tzinfo=UTC))

    async def run() -> Found:
        handler = httpx.MockTransport(lambda r: httpx.Response(200, content=COINDESK))
        async with open_fetcher(FAST, transport=handler) as fetcher:
            return await Newsrooms(newsrooms=ROOMS[:1]).gather(fetcher, later)

    assert asyncio.run(run()).blocks["news"] == []


# Real Cointelegraph headlines of September 30, 2026 (its recorded feed), dated into the seed
# week for the test: their words and links are real, their days are not.
UTM = "?utm_source=rss_feed&utm_medium=rss&utm_campaign=rss_partner_inbound"
COINTELEGRAPH = [
    (
        "Bitcoin ETFs stretch $3.1B inflow streak as Ether funds turn red",
        "https://cointelegraph.com/markets/bitcoin-etf-streak-9-day-ether-zcash-flip-red" + UTM,
    ),
    (
        "Singapore crypto activity grows 55% as broader region contracts",
        "https://cointelegraph.com/news/singapore-crypto-economy-284b-institutional-activity-chainalysis"
        + UTM,
    ),
    (
        "Here’s what happened in crypto today",
        "https://cointelegraph.com/news/what-happened-in-crypto-today" + UTM,
    ),
]


def _with_news(titles: list[tuple[str, str]]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        at = datetime(2025, 11, 4, 9, tzinfo=UTC)
        source = {"name": "Cointelegraph", "url": "https://cointelegraph.com/rss"}
        data["news"] = [
            {
                "title": title,
                "outlet": "Cointelegraph",
                "published_at": (at - timedelta(hours=i)).isoformat(),
                "url": url,
                "source": source | {"fetched_at": at.isoformat()},
            }
            for i, (title, url) in enumerate(titles)
        ]

    return change


def test_only_headlines_that_name_the_week_s_subjects_are_quoted(
    week_variant: Callable[..., Path],
) -> None:
    edition = edition_of(week_variant(_with_news(COINTELEGRAPH)))
    page = edition.page
    assert "## What did the newsrooms report?" in page
    line = next(x for x in page.splitlines() if "Bitcoin ETFs stretch" in x)
    assert line.startswith("- [“Bitcoin ETFs stretch $3.1B inflow streak as Ether funds turn red”]")
    assert "(https://cointelegraph.com/markets/bitcoin-etf-streak" in line  # linked
    assert line.endswith(", Cointelegraph, November 4")  # its figure is the headline's, quoted
    assert "Singapore" not in page and "what happened in crypto today" not in page
    assert "Bitcoin ETFs" not in edition.digest  # someone else's words stay on the page


def test_a_week_whose_headlines_name_nothing_it_reports_says_so(
    week_variant: Callable[..., Path],
) -> None:
    edition = edition_of(week_variant(_with_news(COINTELEGRAPH[1:])))
    said = (
        "No headline of the week from Cointelegraph named an asset, incident or market"
        " this page reports on."
    )
    assert said in edition.page


def test_a_hostile_headline_is_shown_as_inert_text(week_variant: Callable[..., Path]) -> None:
    hostile = "Bitcoin <script>alert(1)</script> [click](javascript:alert(1)) **now**"
    edition = edition_of(week_variant(_with_news([(hostile, COINTELEGRAPH[0][1])])))
    line = next(x for x in edition.page.splitlines() if "alert(1)" in x)
    html = markdown.markdown(line)  # as the site renders it
    assert "<script" not in html and "javascript:" not in html.split("href=")[1].split(">")[0]
    assert "<strong>" not in html and html.count("<a ") == 1  # one link: the headline's own
    assert "&lt;script&gt;" in html and "**now**" in html  # shown as the text it is


def test_a_headline_link_that_is_not_a_web_address_is_left_out() -> None:
    feed = COINDESK.decode().replace(
        "<link>https://www.coindesk.com/markets/", "<link>javascript:alert(1)//", 1
    )
    assert len(parse_feed(feed)) == 2
