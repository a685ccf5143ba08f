"""Each page compares its week with the week of record before it, and proves those numbers too."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from report.edition import build_edition
from report.history import HistoryStore
from report.verify import Evidence, verify_text
from report.weekfile import load_previous, load_week_files, previous_week
from tests.conftest import ROOT, SEED, edition_of, sample_weeks

HISTORY = HistoryStore(ROOT / "data" / "history")


@pytest.mark.parametrize(
    ("week", "before"),
    [("2025-W45", "2025-W44"), ("2026-W01", "2025-W52"), ("2021-W01", "2020-W53")],
)
def test_previous_week_crosses_years(week: str, before: str) -> None:
    assert previous_week(week) == before


def test_seed_week_is_compared_with_the_file_beside_it() -> None:
    files = load_week_files(SEED)
    previous = load_previous(files)
    assert previous is not None and previous.week == "2025-W44"
    edition = edition_of(SEED)
    comparison = edition.claim("week_over_week")
    assert comparison is not None
    before = previous.btc.quote.price
    assert comparison.price.before is not None and comparison.price.before.value == before
    assert comparison.price.change is not None
    assert math.isclose(comparison.price.change.value, (103849 / before - 1) * 100)
    # 2025-W44 was built from the series alone, which hold no liquidations.
    assert comparison.liquidations.before is None and comparison.liquidations.change is None
    assert comparison.fear_greed.change is not None
    assert (comparison.fear_greed.before_label, comparison.fear_greed.now_label) == (
        "Fear",
        "Extreme Fear",
    )
    page = edition.page
    assert "| Bitcoin price | $103,849 | $110,541 | −6.1% |" in page
    assert "| Fear & Greed Index | 21 (Extreme Fear) | 37 (Fear) | −16 points |" in page
    assert "There is no liquidation figure to compare: the week before has none." in page


def test_a_week_without_its_predecessor_says_so(tmp_path: Path) -> None:
    alone = sample_weeks(tmp_path)[0]  # 2025-W19, without 2025-W18 beside it
    files = load_week_files(alone)
    assert load_previous(files) is None
    edition = edition_of(alone)
    assert edition.claim("week_over_week") is None
    assert "There is no report for 2025-W18, the week before" in edition.page


def test_last_weeks_numbers_count_only_through_the_comparison() -> None:
    files = load_week_files(SEED)
    real = load_previous(files)
    assert real is not None
    # SYNTHETIC: last week's Ether quote replaced by a made-up price the seed week never saw.
    eth = real.assets[1]
    fake_eth = eth.model_copy(update={"quote": eth.quote.model_copy(update={"price": 1234.5})})
    previous = real.model_copy(update={"assets": [real.assets[0], fake_eth, *real.assets[2:]]})
    evidence = Evidence.of(build_edition(files, previous, HISTORY))
    assert verify_text("Bitcoin was at $110,541 a week earlier.", evidence, "page") == []
    problems = verify_text("Ether was at $1,234.50 a week earlier.", evidence, "page")
    assert len(problems) == 1 and "'$1,234.50'" in problems[0]
    assert verify_text("2025-W44 and 2025-W45 are compared.", evidence, "page") == []
