"""How long the narrative step takes: loaded week → facts → page and digest → verified.

    .venv/bin/python bench/narrative.py

Prints the median over many runs per committed week, split into facts, writing and
verifying, and the wall time of the whole `report build` command over all committed weeks.
Figures, not a pass/fail: the aim is well under 50 ms a week.
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

from report.facts import compute_facts  # noqa: E402
from report.verify import Evidence, verify_text  # noqa: E402
from report.weekfile import load_week_files, week_paths  # noqa: E402
from report.writing import write_story  # noqa: E402

RUNS = 50
COMMAND_RUNS = 5


def median_ms(step: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    print(f"narrative step, median of {RUNS} runs per week (ms)")
    print(f"{'week':10} {'load':>7} {'facts':>7} {'write':>7} {'verify':>7} {'total':>7}")
    totals = []
    for path in week_paths(ROOT / "data" / "weeks"):
        edition = load_week_files(path)
        facts = compute_facts(edition)
        written = write_story(facts)
        load = median_ms(lambda p=path: load_week_files(p))
        fact = median_ms(lambda e=edition: compute_facts(e))
        write = median_ms(lambda f=facts: write_story(f))
        check = median_ms(
            lambda f=facts, w=written: [
                verify_text(text, e, "p") for e in [Evidence(f)] for text in (w.page, w.digest)
            ]
        )
        total = fact + write + check
        totals.append(total)
        print(
            f"{edition.week.week:10} {load:7.2f} {fact:7.2f} {write:7.2f} {check:7.2f} {total:7.2f}"
        )
    print(
        f"narrative step (facts + write + verify): median {statistics.median(totals):.2f} ms/week"
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
