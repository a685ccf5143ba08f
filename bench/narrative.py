"""How long the narrative step takes: loaded week → claims → edition (page, digests) → verified.

    .venv/bin/python bench/narrative.py

Prints, per sample week, the median over many runs of the whole edition and of two of its
parts (finding the claims; verifying the written texts, claims re-derived), then the time to
build every committed week once each, and the wall time of the whole `report build` command
over all committed weeks. Figures, not a pass/fail: the aim is well
under 50 ms a week.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report.build import build_editions  # noqa: E402
from report.claims import find_claims, make_inputs  # noqa: E402
from report.edition import build_edition  # noqa: E402
from report.history import HistoryStore  # noqa: E402
from report.verify import verify_edition  # noqa: E402
from report.weekfile import (  # noqa: E402
    load_all_week_files,
    load_previous,
    load_week_files,
    week_paths,
)
from tests.conftest import SAMPLE_WEEKS  # noqa: E402

RUNS = 20
COMMAND_RUNS = 5


def median_ms(step: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    history = HistoryStore(ROOT / "data" / "history")
    print(f"narrative step, median of {RUNS} runs per week (ms)")
    print(f"{'week':10} {'claims':>8} {'verify':>8} {'edition':>8}")
    totals = []
    for label in SAMPLE_WEEKS:
        files = load_week_files(ROOT / "data" / "weeks" / f"{label}.yaml")
        previous = load_previous(files)
        edition = build_edition(files, previous, history)
        claims = median_ms(lambda f=files, p=previous: find_claims(make_inputs(f, p, history)))
        check = median_ms(lambda e=edition: verify_edition(e, history))
        whole = median_ms(lambda f=files, p=previous: build_edition(f, p, history))
        totals.append(whole)
        print(f"{edition.label:10} {claims:8.2f} {check:8.2f} {whole:8.2f}")
    median = statistics.median(totals)
    print(f"edition (claims, story, words, charts, verification): median {median:.2f} ms/week")

    loaded = load_all_week_files(week_paths(ROOT / "data" / "weeks"))
    start = time.perf_counter()
    build_editions(loaded, history=history)  # each against its archive, as `report build`
    seconds = time.perf_counter() - start
    print(
        f"every committed week ({len(loaded)}), once each: {seconds:.1f} s,"
        f" {seconds / len(loaded) * 1000:.1f} ms/week"
    )

    report = Path(sys.executable).parent / "report"
    with tempfile.TemporaryDirectory() as out:
        args = [str(report), "build", "--pages", f"{out}/p", "--digests", f"{out}/d"]
        wall = median_ms(
            lambda: subprocess.run(args, cwd=ROOT, check=True, capture_output=True), COMMAND_RUNS
        )
    weeks = len(week_paths(ROOT / "data" / "weeks"))
    print(
        f"`report build` on all {weeks} committed weeks: median of {COMMAND_RUNS} runs"
        f" {wall:.0f} ms ({wall / weeks:.0f} ms/week, interpreter start and imports included)"
    )


if __name__ == "__main__":
    main()
