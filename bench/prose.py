"""How the pages read across the archive: every week the committed series can give, built.

    .venv/bin/python bench/prose.py

Prints, over the pages and digests of every week derived from data/series/ (2020 on) and the
committed weeks: sentences repeated within a page or digest (must be 0), internal identifiers
(must be 0), headline words (max and median), the share of each page's sentences that, numbers
and dates masked, are identical to a sentence of the week before (headings, the same every
week by design, left out), and the most repeated sentence shapes. Figures, not a pass/fail.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report.build import written_page  # noqa: E402
from report.edition import Edition, build_edition  # noqa: E402
from report.history import HistoryStore  # noqa: E402
from report.prose import identifiers, repeated, sentences, shape  # noqa: E402
from report.weekfile import load_previous, load_week_files, week_paths  # noqa: E402
from tests.conftest import derive_module  # noqa: E402
from tests.test_all_weeks import all_weeks  # noqa: E402

TOP_SHAPES = 12


def editions() -> list[Edition]:
    history = HistoryStore(ROOT / "data" / "history")
    with tempfile.TemporaryDirectory() as scratch:
        derive = derive_module(Path(scratch))
        paths = [derive.write(derive.gather_from_series(week)) for week in all_weeks()]
        derived = [load_week_files(p) for p in paths]
        built = [build_edition(f, load_previous(f, derived), history) for f in derived]
    committed = [load_week_files(p) for p in week_paths(ROOT / "data" / "weeks")]
    built += [build_edition(f, load_previous(f, committed), history) for f in committed]
    return built


def main() -> None:
    built = editions()
    twice: list[str] = []
    leaked: Counter[str] = Counter()
    shapes: Counter[str] = Counter()
    same_as_before: list[float] = []
    previous: set[str] = set()
    for n, edition in enumerate(built):
        page = written_page(edition)
        for name, text in (("page", page), ("digest", edition.digest)):
            twice += [f"{edition.label} {name}: {s}" for s in repeated(text)]
            leaked.update(f"{name}: {i}" for i in identifiers(text))
        own = [shape(s) for s in sentences(page, headings=False)]
        shapes.update(set(own))
        if n and built[n - 1].label < edition.label and own:
            same_as_before.append(sum(s in previous for s in own) / len(own))
        previous = set(own)
    words = [len(e.title.split()) for e in built]
    print(f"weeks built: {len(built)}")
    print(f"sentences repeated within a page or digest: {len(twice)}")
    for line in twice[:8]:
        print(f"  {line}")
    print(f"internal identifiers: {sum(leaked.values())}")
    for line, count in leaked.most_common(10):
        print(f"  {count:4} × {line}")
    print(f"headline words: max {max(words)}, median {statistics.median(words):g}")
    share = statistics.mean(same_as_before)
    print(f"sentences whose shape the week before also had: {share:.1%} (mean over pages)")
    print(f"most repeated sentence shapes, of {len(shapes)} (weeks using each):")
    for text, count in shapes.most_common(TOP_SHAPES):
        print(f"  {count:4} × {text[:150]}")


if __name__ == "__main__":
    main()
