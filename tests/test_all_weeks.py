"""Every ISO week the committed series can give, built and read by an independent checker.

Each week is derived from the real series (2020 to 2026) as `scripts/derive_weeks.py` does, its
edition built and verified by the program (claims re-derived, numbers traced, words licensed),
and then its page and digest read by `tests/oracle.py`, which checks the claims against the
raw series without the program's claims code. Real weeks hold the crashes, records and quiet
spells that break rules; this is where they are met.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from report.build import written_page
from report.edition import build_edition
from report.history import HistoryStore
from report.weekfile import load_previous, load_week_files, week_paths
from tests import oracle
from tests.conftest import ROOT, SEED, WEEKS, derive_module, edition_of

FIRST, LAST = date(2020, 1, 6), date(2026, 2, 20)  # Mondays from the series' first full week


def all_weeks() -> list[str]:
    """Every ISO week whose seven days the series hold."""
    weeks, monday = [], FIRST
    while monday + timedelta(days=6) <= LAST:
        year, week, _ = monday.isocalendar()
        weeks.append(f"{year}-W{week:02d}")
        monday += timedelta(days=7)
    return weeks


@pytest.mark.slow
def test_every_week_the_series_give_says_only_true_things(tmp_path: Path) -> None:
    derive = derive_module(tmp_path)
    paths = [derive.write(derive.gather_from_series(week)) for week in all_weeks()]
    loaded = [load_week_files(p) for p in paths]
    history = HistoryStore(ROOT / "data" / "history")
    verdicts = oracle.Verdicts()
    stories: Counter[str] = Counter()
    for files, path in zip(loaded, paths, strict=True):
        edition = build_edition(files, load_previous(files, loaded), history)
        stories[edition.story.value] += 1
        week = oracle.week_of(path)
        oracle.check_page(written_page(edition), week, verdicts)
        oracle.check_page(edition.digest, week, verdicts)
        assert len(edition.headline.split()) <= 14, edition.headline
    for path in week_paths(WEEKS):  # the committed weeks too: the seed's high is CoinGecko's
        edition = edition_of(path)
        oracle.check_page(written_page(edition), oracle.week_of(path), verdicts, seed=path == SEED)
    oracle.check_highs(verdicts)
    print(f"\n{len(paths)} weeks; claims checked: {sum(verdicts.checked.values())}")
    print(f"by kind: {dict(sorted(verdicts.checked.items()))}")
    print(f"stories: {dict(stories.most_common())}")
    assert verdicts.false == []
    assert len(paths) >= 300
    # The checker must have met every kind of claim it reads, or it proved nothing.
    for kind in (
        "record high",
        "all-time high",
        "highest held",
        "level since",
        "first time ever",
        "every altcoin",
        "worst day",
        "week's low",
        "rarity",
        "one high per day",
    ):
        assert verdicts.checked[kind] > 0, kind
