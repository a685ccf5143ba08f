"""The history store keeps the closes a gather fetched, and fills what a vendor stops serving."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from report.errors import DataError
from report.gather import Gathered, default_sources, gather, validated, write_week
from report.history import HistoryStore
from tests.api_answers import answer
from tests.conftest import edition_of
from tests.test_gather import FAST, W45_LATER


def gathered(now: datetime, store: HistoryStore) -> Gathered:
    transport = httpx.MockTransport(lambda r: answer(r, now.date()))
    return asyncio.run(
        gather("2025-W45", now, {}, default_sources(), FAST, transport=transport, history=store)
    )


@pytest.fixture
def store(tmp_path: Path) -> HistoryStore:
    """A store filled by gathering 2025-W45 soon after it ended."""
    store = HistoryStore(tmp_path / "history")
    first = gathered(W45_LATER, store)
    write_week(first, validated(first), tmp_path, store)
    return store


def test_a_gather_keeps_the_closes_it_fetched(store: HistoryStore) -> None:
    btc = store.closes("BTC")
    # CoinGecko's keyless year reaches back 364 days from the fetch, to 2024-11-21.
    assert min(btc) == date(2024, 11, 21) and max(btc) == date(2025, 11, 9)
    assert btc[date(2025, 11, 9)].close == 104722.96  # Binance's close, served as CoinGecko's
    assert btc[date(2025, 11, 9)].source == "CoinGecko"
    assert btc[date(2025, 11, 9)].fetched_at == W45_LATER
    assert (store.folder / "prices-SOL.csv").read_text().startswith("date,close,high,source,url,")


def test_a_week_beyond_the_vendors_year_comes_from_the_store(
    store: HistoryStore, tmp_path: Path
) -> None:
    """Gathered in 2027, CoinGecko's keyless year no longer reaches 2025-W45."""
    late = gathered(datetime(2027, 1, 15, tzinfo=UTC), store)
    week = validated(late)
    assert [a.symbol for a in week.assets] == ["BTC", "ETH", "XRP", "BNB", "SOL"]
    assert week.btc.quote.price == 104722.96
    assert week.btc.quote.source.name == "CoinGecko (history store)"
    assert week.btc.closes is not None and week.btc.closes.start == date(2024, 11, 21)
    assert "fetched between 2025-11-20 and 2025-11-20" in (week.btc.quote.source.note or "")
    assert not any(g.field == "assets.BTC" for g in week.missing)
    assert late.fetched_closes == {}  # nothing fetched, so nothing new to keep
    path = write_week(late, week, tmp_path / "late", store)
    edition_of(path)  # the page's claims and numbers verify


def test_the_store_extends_what_the_vendor_still_serves(store: HistoryStore) -> None:
    """Gathered in June 2026 the vendor serves from 2025-06-02 on; the store adds the rest."""
    later = gathered(datetime(2026, 6, 1, tzinfo=UTC), store)
    closes = validated(later).btc.closes
    assert closes is not None
    assert closes.start == date(2024, 11, 21) and closes.end == date(2025, 11, 9)
    assert "days before 2025-06-02 from the history store" in (closes.source.note or "")
    assert later.fetched_closes["BTC"].start == date(2025, 6, 2)  # only this is kept anew


def test_a_broken_store_names_the_file_and_line(store: HistoryStore) -> None:
    path = store.folder / "prices-BTC.csv"
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace(",", ",-", 1)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"prices-BTC\.csv:4: close -[\d.]+ is not a positive"):
        HistoryStore(store.folder).closes("BTC")
