"""How the pages read across the archive: every committed week (2020 on), built.

    .venv/bin/python bench/prose.py

Prints, over the pages and digests of every committed week, each set against the archive of
the weeks before it as `report build` does: sentences repeated within a page or digest (must
be 0), internal identifiers (must be 0), headline words (max and median), the share of each
page's sentences that, numbers and dates masked, are identical to a sentence of the week before
(headings, the same every week by design, left out), and the most repeated sentence shapes.
Figures, not a pass/fail.
"""

from __future__ import annotations

import statistics
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report.build import build_editions, written_page  # noqa: E402
from report.edition import Edition  # noqa: E402
from report.history import HistoryStore  # noqa: E402
from report.prose import identifiers, repeated, sentences, shape  # noqa: E402
from report.weekfile import load_all_week_files, week_paths  # noqa: E402

TOP_SHAPES = 12


def editions() -> list[Edition]:
    loaded = load_all_week_files(week_paths(ROOT / "data" / "weeks"))
    return build_editions(loaded, history=HistoryStore(ROOT / "data" / "history"))


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
