"""How long the website takes to build, in full and incrementally, and what one chart costs.

    .venv/bin/python bench/site.py [max_weeks]

The weeks are the committed archive (data/weeks/: 319 weeks, 2020-W02 to 2026-W07, real). For
`max_weeks` above that, older weeks are rebuilt weeks again with every date moved back by whole
weeks and their closes written into them (SYNTHETIC dates on real prices). Each site is a folder
of its own holding its newest weeks, so that every week a page's records name is on the site.

For 1, 52 and `max_weeks` (default 319) weeks it prints:
- cold: the first build, nothing cached (every page computed, drawn, verified; mkdocs in full),
  as `report site` in a fresh process;
- full: a full rebuild with the week cache warm (as after a change to mkdocs.yml);
- bare: `mkdocs build` alone of the same generated Markdown, and full / bare
(full and bare are medians of three runs); then, on the largest site, the time to add one week
and to rebuild with nothing changed, each as the scheduled build does it: `report site` in a
fresh process (Python's start and imports included, which are also timed alone), three runs on
fresh copies of the site and its cache; and the time per chart as SVG and PNG without the cache.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import vl_convert  # noqa: E402
from mkdocs.commands.build import build as mkdocs_build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402

from report import archive, cache, weekpages  # noqa: E402
from report.history import HistoryStore  # noqa: E402
from report.rebuild import rebuild_week  # noqa: E402
from report.site import build_site  # noqa: E402
from report.weekfile import dump_yaml, editorial_path, week_paths  # noqa: E402
from tests.conftest import WEEKS, edition_of  # noqa: E402
from tests.test_site import site_folder  # noqa: E402  (the same isolated copy the tests build)

HISTORY = ROOT / "data" / "history"  # every build here reads the committed history store
STORE = HistoryStore(HISTORY)


def label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def moved_back(node: Any, weeks: int) -> Any:
    """A copy of a week's record with every date and time `weeks` weeks earlier."""
    if isinstance(node, dict):
        return {key: moved_back(value, weeks) for key, value in node.items()}
    if isinstance(node, list):
        return type(node)(moved_back(value, weeks) for value in node)
    if isinstance(node, date):  # datetimes too
        return node - timedelta(weeks=weeks)
    return node


def make_weeks(folder: Path, count: int) -> list[Path]:
    """`count` weeks, newest last: the committed archive, then moved-back copies before it."""
    folder.mkdir(parents=True, exist_ok=True)
    committed = week_paths(WEEKS)
    for path in committed:
        shutil.copy(path, folder)
        if (side := editorial_path(path)).exists():
            shutil.copy(side, folder)
    rebuilt = [p.stem for p in committed if p.stem != "2025-W45"][::-1]  # newest first
    paths = [folder / p.name for p in committed]
    now = datetime.now(UTC)
    for i in range(count - len(committed)):
        real = rebuild_week(rebuilt[i % len(rebuilt)], now)  # closes written in (store=None)
        record = moved_back(real, (i // len(rebuilt) + 1) * len(committed))  # past the archive
        record["week"] = label(record["period"]["start"])
        record["origin"]["at"] = now
        path = folder / f"{record['week']}.yaml"
        path.write_text(dump_yaml(record), encoding="utf-8")
        paths.append(path)
    return sorted(paths)[-count:]


def site_of(folder: Path, weeks: list[Path]) -> tuple[Path, Path, list[Path]]:
    """A site folder (configuration, pages) whose weeks folder holds `weeks` alone."""
    config, public = site_folder(folder)
    mine = folder / "weeks"
    mine.mkdir()
    for path in weeks:
        shutil.copy(path, mine)
        if (side := editorial_path(path)).exists():
            shutil.copy(side, mine)
    return config, public, [mine / p.name for p in weeks]


def timed(step) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def median_of(runs: int, step, before=lambda: None) -> float:  # type: ignore[no-untyped-def]
    """The median of several timed runs, `before` (untimed) ahead of each."""
    times = []
    for _ in range(runs):
        before()
        times.append(timed(step))
    return statistics.median(times)


def use_cache(folder: Path) -> None:
    """Point every cache of the build at `folder` (an empty folder is a cold cache)."""
    cache.CACHE = folder
    weekpages.WEEKS_CACHE = folder / "weeks"
    archive.FACTS_CACHE = folder / "facts"


def run(command: list[str], cwd: Path | None = None) -> None:
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def site_command() -> list[str]:
    """`report site` as the folder it runs in holds it: its weeks, site and cache."""
    command = [sys.executable, "-m", "report.cli", "site", "--weeks-dir", "weeks"]
    return [*command, "--config", "mkdocs.yml", "--public", "public", "--history-dir", str(HISTORY)]


def in_fresh_copies(folder: Path, new: Path, runs: int) -> tuple[list[float], list[float]]:
    """Seconds of `report site` on fresh copies of the site in `folder` (cache included): with
    the week `new` added to its weeks, then again with nothing changed."""
    first: list[float] = []
    again: list[float] = []
    for _ in range(runs):
        copy = folder.with_name(f"{folder.name}-copy")
        shutil.copytree(folder, copy, symlinks=True)
        shutil.copy(new, copy / "weeks")
        try:
            for times in (first, again):
                times.append(timed(lambda c=copy: run(site_command(), cwd=c)))
        finally:
            shutil.rmtree(copy)
    return first, again


def figures(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times) + f" s (median {statistics.median(times):.2f} s)"


def main() -> None:
    most = int(sys.argv[1]) if len(sys.argv) > 1 else 319
    with tempfile.TemporaryDirectory() as tmp:
        all_weeks = make_weeks(Path(tmp) / "all", most + 1)  # the newest is kept, to add
        print(
            f"{'weeks':>6} {'cold s':>8} {'full s':>8} {'bare s':>8} {'cold/bare':>10}"
            f" {'full/bare':>10} {'cold ms/wk':>11}"
        )
        for count in sorted({c for c in (1, 52, most) if c <= most}):
            folder = Path(tmp) / f"site-{count}"
            config, public, paths = site_of(folder, all_weeks[-count - 1 : -1])
            use_cache(folder / "build" / "cache")  # where `report site` run in `folder` looks
            # In a process of its own, which the other builds of this process do not inherit.
            cold = timed(lambda f=folder: run(site_command(), cwd=f))
            # A full rebuild, pages cached; then mkdocs alone on the same sources.
            full = median_of(
                3,
                lambda p=paths, c=config, o=public: build_site(p, c, o, history=STORE),
                lambda o=public: shutil.rmtree(o),
            )
            bare_dir = folder / "bare"
            bare = median_of(
                3, lambda c=config, b=bare_dir: mkdocs_build(load_config(str(c), site_dir=str(b)))
            )
            shutil.rmtree(bare_dir)
            print(
                f"{count:6d} {cold:8.2f} {full:8.2f} {bare:8.2f} {cold / bare:10.2f}"
                f" {full / bare:10.2f} {cold / count * 1000:11.1f}"
            )
        folder = Path(tmp) / f"site-{most}"
        added, same = in_fresh_copies(folder, all_weeks[-1], 3)
        load = [sys.executable, "-c", "import report.cli, report.site"]
        start = median_of(5, lambda: run(load))
        add, nothing = statistics.median(added), statistics.median(same)
        print(f"adding one week to the {most}-week site with `report site`: {figures(added)}")
        print(f"the same with nothing changed: {figures(same)}")
        print(f"starting Python and loading what the command uses: {start:.2f} s")
        print(
            f"ratios: adding / nothing changed {add / nothing:.2f};"
            f" nothing changed / loading {nothing / start:.2f}"
        )

        edition = edition_of(ROOT / "data" / "weeks" / "2025-W45.yaml")
        charts = [c.to_dict() for c in edition.charts]
        cold_chart = timed(lambda: vl_convert.vegalite_to_svg(charts[0]))
        svg = [timed(lambda c=c: vl_convert.vegalite_to_svg(c)) for c in charts for _ in range(5)]
        png = [
            timed(lambda c=c: vl_convert.vegalite_to_png(c, scale=2))
            for c in charts
            for _ in range(5)
        ]
        print(
            f"one chart: SVG median {statistics.median(svg) * 1000:.0f} ms, PNG median "
            f"{statistics.median(png) * 1000:.0f} ms (first call in this process "
            f"{cold_chart:.2f} s)"
        )


if __name__ == "__main__":
    main()
