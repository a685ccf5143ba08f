"""The archive: every week of record in a folder, each reduced to the facts other weeks compare
themselves with ("the largest weekly fall since…", "a third losing week in a row").

A week's facts are measured the same way for every week, whenever its page was written:
Bitcoin's move from the close before the week to its last close, the spread of its daily
closes, its lowest and highest daily Fear & Greed readings, and the losses its listed incidents
add up to. A week still under way (a page written on its Tuesday) has no move or range yet.
A week's facts depend on its own files and the history store only (never on other weeks), so
they are cached by the hash of those, and a new week changes no earlier week's facts.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

from report.cache import CACHE, code_version, digest, write_atomically
from report.claims.inputs import Inputs, make_inputs
from report.claims.records import fear_greed_extreme, week_losses, weekly_change, weekly_range
from report.history import HistoryStore
from report.model import is_week_label, week_start
from report.weekfile import editorial_path, load_week_files, week_paths

FACTS_CACHE = CACHE / "facts"  # a module setting, so that tests and benchmarks can move it


@dataclass(frozen=True)
class WeekFacts:
    """One week as the archive compares it; None where the week has no such figure."""

    week: str
    change_pct: float | None  # Bitcoin's move, the close before the week to its last close
    range_pct: float | None  # how far its highest daily close was above its lowest
    fear_greed_low: float | None  # the lowest daily Fear & Greed reading of its days
    fear_greed_high: float | None
    losses_usd: float | None  # the losses of the incidents it lists (None: no listings)


def facts_of(inputs: Inputs) -> WeekFacts:
    """The figures the records of report/claims/records.py compare, by their own code."""
    change, width, losses = weekly_change(inputs), weekly_range(inputs), week_losses(inputs)
    low, high = fear_greed_extreme(inputs, False), fear_greed_extreme(inputs, True)
    return WeekFacts(
        week=inputs.week.week,
        change_pct=change.value if change else None,
        range_pct=width.value if width else None,
        fear_greed_low=low[0].value if low else None,
        fear_greed_high=high[0].value if high else None,
        losses_usd=losses.value if losses else None,
    )


def history_keys(paths: list[Path], history: HistoryStore) -> dict[Path, str]:
    """For each week file, the hash of the history days up to its week's end (the label in
    its name says when that is, so no file is read; a file named otherwise takes them all)."""
    ends = {
        p: week_start(p.stem) + timedelta(days=6) if is_week_label(p.stem) else date.max
        for p in paths
    }
    symbols = history.symbols()
    per_symbol = {s: history.keys(s, list(ends.values())) for s in symbols}
    return {p: digest(*(per_symbol[s][end] for s in symbols)) for p, end in ends.items()}


def _key(path: Path, history_key: str) -> str:
    side = editorial_path(path)
    return digest(
        code_version(),
        history_key,
        path.read_bytes(),
        side.read_bytes() if side.exists() else b"",
    )


def _known() -> Path:
    """The cache of facts for this program's code: one file, read once by a build."""
    return FACTS_CACHE / f"{code_version()}.json"


def folder_facts(paths: list[Path], history: HistoryStore) -> dict[Path, WeekFacts]:
    """Each week's facts, from the cache or computed from its files (and then cached)."""
    try:
        known: dict[str, dict[str, object]] = json.loads(_known().read_bytes())
    except (OSError, ValueError):
        known = {}
    keys = history_keys(paths, history)
    facts, new = {}, False
    for path in paths:
        key = _key(path, keys[path])
        if key not in known:
            computed = facts_of(make_inputs(load_week_files(path), None, history))
            known[key], new = asdict(computed), True
        facts[path] = WeekFacts(**known[key])  # type: ignore[arg-type]
    if new:
        write_atomically(_known(), json.dumps(known).encode())
    return facts


class Archive:
    """The weeks of record of each folder asked about, by their facts, oldest first."""

    def __init__(self, history: HistoryStore) -> None:
        self.history = history
        self._folders: dict[Path, _Folder] = {}  # by the folder as given, and as resolved

    def _folder(self, folder: Path) -> _Folder:
        if folder not in self._folders:
            real = folder.resolve()
            if real not in self._folders:
                self._folders[real] = _Folder(folder_facts(week_paths(real), self.history))
            self._folders[folder] = self._folders[real]
        return self._folders[folder]

    def before(self, path: Path) -> list[WeekFacts]:
        """The weeks of record beside `path` before its week, oldest first."""
        folder = self._folder(path.parent)
        return folder.ordered[: folder.position(path)]

    def key_before(self, path: Path) -> str:
        """The hash of the facts of the weeks before `path`'s (what `before` gives)."""
        folder = self._folder(path.parent)
        return folder.keys[folder.position(path)]


class _Folder:
    """One folder's facts in week order, with the hash of every run of them from the first."""

    def __init__(self, facts: dict[Path, WeekFacts]) -> None:
        self.facts = {path.name: fact for path, fact in facts.items()}
        self.ordered = sorted(facts.values(), key=lambda f: f.week)
        self.labels = [f.week for f in self.ordered]
        self.keys = [digest("archive")]
        for fact in self.ordered:
            self.keys.append(digest(self.keys[-1], json.dumps(asdict(fact))))

    def position(self, path: Path) -> int:
        """How many weeks of the folder come before `path`'s week."""
        own = self.facts.get(path.name)
        label = own.week if own else path.stem
        return bisect.bisect_left(self.labels, label)
