"""Every committed week of record, built and read by an independent checker.

The weeks since 2020 are rebuilt from the real series (`report rebuild`). Each week's edition
is built and verified by the program (claims re-derived, numbers traced, words licensed), set
against the archive of the weeks before it, and then its page and digest are read by
`tests/oracle.py`, which checks the claims against the raw series and the week files without
the program's claims code, the records across weeks against every week's own figures. Real
weeks hold the crashes, records and quiet spells that break rules; this is where they are met.
"""

from __future__ import annotations

from collections import Counter

import pytest

from report.archive import Archive
from report.build import written_page
from report.edition import build_edition
from report.history import HistoryStore
from report.weekfile import load_previous, load_week_files, week_paths
from tests import oracle
from tests.conftest import ROOT, SEED, WEEKS


@pytest.mark.slow
def test_every_committed_week_says_only_true_things() -> None:
    """Every week of record (the weeks rebuilt from the series since 2020 and the gathered
    seed week), each set against the archive of the weeks before it, as `report build` does."""
    paths = week_paths(WEEKS)
    loaded = [load_week_files(p) for p in paths]
    history = HistoryStore(ROOT / "data" / "history")
    archive = Archive(history)
    weeks = [oracle.week_of(p) for p in paths]
    verdicts = oracle.Verdicts()
    stories: Counter[str] = Counter()
    for files, path, week in zip(loaded, paths, weeks, strict=True):
        edition = build_edition(
            files, load_previous(files, loaded), history, archive=archive.before(path)
        )
        stories[edition.story.value] += 1
        for text in (written_page(edition), edition.digest):
            oracle.check_page(text, week, verdicts, seed=path == SEED)
        oracle.check_records(written_page(edition), week, weeks, verdicts)
        assert len(edition.headline.split()) <= 14, edition.headline
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
        "one high per day",
        "weekly move record",
        "headline move record",
        "weekly range record",
        "fear and greed record",
        "hack losses record",
        "streak",
    ):
        assert verdicts.checked[kind] > 0, kind
