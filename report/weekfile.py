"""Load weeks of record from YAML, reporting each problem with file, line and field path."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from report.errors import DataError
from report.model import Editorial, Week, is_week_label, week_start
from report.paths import WEEKS_DIR

Loc = tuple[str | int, ...]
# libyaml's loader when PyYAML was built with it (about ten times faster), else the pure one.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class WeekFiles:
    """A week of record with the editorial file beside it, if there is one."""

    week: Week
    editorial: Editorial | None
    path: Path


# The wider market's blocks each schema lacks that the next one added, and why a week written
# before they were read has none.
ADDED_BLOCKS = {2: ("markets",), 3: ("stablecoins", "defi_tvl", "news")}
CONTEXT_BLOCKS = tuple(name for names in ADDED_BLOCKS.values() for name in names)
NO_CONTEXT_THEN = "not gathered when this week was recorded"
NO_CONTEXT_REBUILT = "no daily history of it is committed to rebuild this week from"
MAX_FILE_BYTES = 2_000_000  # a week of record is about 25 KB; a file this big is not one


def _line_map(path: Path, root: yaml.Node) -> dict[Loc, int]:
    """Every field path in a YAML node tree, with its 1-based line. Refuses what a week file
    never needs and an attacker would use: aliases (`*name`, a few KB of them expand to
    gigabytes), merge keys, and a key given twice (YAML keeps the last one, silently)."""
    lines: dict[Loc, int] = {}
    seen: set[int] = set()
    stack: list[tuple[Loc, yaml.Node]] = [((), root)]
    while stack:
        loc, node = stack.pop()
        line = node.start_mark.line + 1
        if id(node) in seen:  # an alias is the node it names, met a second time
            where = lines.get(loc, line)
            raise DataError([f"{path}:{where}: {_field_path(loc)}: YAML aliases are not accepted"])
        seen.add(id(node))
        lines.setdefault(loc, line)
        children: list[tuple[Loc, yaml.Node]] = []
        if isinstance(node, yaml.MappingNode):
            names: set[str] = set()
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else f"(key on line {line})"
                here = (*loc, name)
                if key.tag == "tag:yaml.org,2002:merge":
                    raise DataError(
                        [
                            f"{path}:{key.start_mark.line + 1}: {_field_path(loc)}: "
                            "YAML merge keys (<<) are not accepted"
                        ]
                    )
                if name in names:
                    raise DataError(
                        [
                            f"{path}:{key.start_mark.line + 1}: {_field_path(here)}: "
                            "given twice (each field once)"
                        ]
                    )
                names.add(name)
                lines[here] = key.start_mark.line + 1
                children.append((here, value))
        elif isinstance(node, yaml.SequenceNode):
            children = [((*loc, index), item) for index, item in enumerate(node.value)]
        stack.extend(reversed(children))  # visited in the file's order
    return lines


def _line_of(loc: Loc, lines: dict[Loc, int]) -> int:
    """The line of a path, or of its nearest ancestor that the file has."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def _field_path(loc: Loc) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    shown = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in path[:200])
    return shown or "(document)"


def _parse(path: Path) -> tuple[Any, dict[Loc, int]]:
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError([f"{path}: cannot read: {exc}"]) from exc
    if len(raw) > MAX_FILE_BYTES:
        raise DataError([f"{path}: larger than {MAX_FILE_BYTES:,} bytes, too large for a week"])
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines = _line_map(path, node) if node is not None else {}
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise DataError([f"{path}:{line}: YAML syntax: {exc.problem or exc}"]) from exc
    except yaml.YAMLError as exc:
        raise DataError([f"{path}: YAML: {exc}"]) from exc
    except RecursionError as exc:
        raise DataError([f"{path}: YAML nests too deeply"]) from exc
    finally:
        loader.dispose()
    return data, lines


def migrated(data: dict[str, Any]) -> dict[str, Any]:
    """A week of record written in an older schema, as today's schema has it.

    Schema 1 (until the archive was rebuilt from daily series) had no `origin`: every week was
    gathered, or compiled from what the providers published at the time, at its `as_of`.
    Schemas 2 and 3 lack the blocks of the wider market added after them (`ADDED_BLOCKS`): none
    were gathered then, and the week says so."""
    if data.get("schema") == 1:
        head = {"schema": 2, "week": data.get("week")}
        head["origin"] = {"method": "gathered", "at": data.get("as_of")}
        data = head | {k: v for k, v in data.items() if k not in head}
    rebuilt = isinstance(data.get("origin"), dict) and data["origin"].get("method") == "rebuilt"
    reason = NO_CONTEXT_REBUILT if rebuilt else NO_CONTEXT_THEN
    while isinstance(version := data.get("schema"), int) and version in ADDED_BLOCKS:
        gaps = [
            {"field": name, "reason": reason} for name in ADDED_BLOCKS[version] if name not in data
        ]
        missing = data.get("missing")
        data = data | {
            "schema": version + 1,
            **{gap["field"]: None for gap in gaps},
            "missing": [*missing, *gaps] if isinstance(missing, list) else missing,
        }
    return data


def _validate(model: type[M], path: Path) -> M:
    data, lines = _parse(path)
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise DataError([f"{path}:1: (document): must be a mapping of fields, not {kind}"])
    if model is Week:
        data = migrated(data)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            problems.append(f"{path}:{_line_of(loc, lines)}: {_field_path(loc)}: {error['msg']}")
        raise DataError(problems) from exc


class _FlowList(list[Any]):
    """A list of numbers, written on one line to keep long daily series compact."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


_Dumper.add_representer(
    _FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)


def _compact(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _compact(value) for key, value in node.items()}
    if isinstance(node, list):
        if node and all(isinstance(v, int | float | None) for v in node):
            return _FlowList(node)
        return [_compact(value) for value in node]
    return node


def dump_yaml(data: dict[str, Any]) -> str:
    """A week of record as YAML, in the order given, daily series on one line each."""
    return yaml.dump(_compact(data), Dumper=_Dumper, sort_keys=False, width=100, allow_unicode=True)


def editorial_path(week_path: Path) -> Path:
    return week_path.with_name(week_path.name.replace(".yaml", ".editorial.yaml"))


def load_week(path: Path) -> Week:
    """A week of record, validated; read again only when its file changed (a build reads each
    week for its archive's facts, for its page, and as the week after's last week)."""
    try:
        stat = path.stat()
    except OSError:
        return _validate(Week, path)  # says why it cannot be read
    seen = (path.resolve(), stat.st_mtime_ns, stat.st_size, stat.st_ino)
    week = _loaded.get(seen)
    if week is None:
        week = _loaded[seen] = _validate(Week, path)
    return week


_loaded: dict[tuple[Path, int, int, int], Week] = {}  # Week is frozen: safe to share


def load_week_files(path: Path) -> WeekFiles:
    """Load a week and its optional editorial file; both must name the same week, and so must
    the file's name when it is a week's (2025-W45.yaml)."""
    week = load_week(path)
    if _names_a_week(path.stem) and path.stem != week.week:
        raise DataError(
            [f"{path}:1: week: the file holds {week.week} but is named for {path.stem}"]
        )
    editorial = None
    side = editorial_path(path)
    if side.exists():
        editorial = _validate(Editorial, side)
        if editorial.week != week.week:
            raise DataError([f"{side}:1: week: {editorial.week} does not match {week.week}"])
    return WeekFiles(week=week, editorial=editorial, path=path)


def previous_week(week: str) -> str:
    """The ISO week label before `week`: 2026-W01 comes after 2025-W52 or 2025-W53."""
    year, number, _ = (week_start(week) - timedelta(days=7)).isocalendar()
    return f"{year}-W{number:02d}"


def _names_a_week(stem: str) -> bool:
    """A file name meant as a week's: four digits, a W and two (an impossible week included)."""
    return re.fullmatch(r"\d{4}-[Ww]\d{2}", stem) is not None or is_week_label(stem)


def previous_path(path: Path) -> Path | None:
    """The week of record just before `path`, if it lies beside it (files are named by week)."""
    if not is_week_label(path.stem):
        return None
    before = path.with_name(f"{previous_week(path.stem)}.yaml")
    return before if before.exists() else None


def load_previous(files: WeekFiles, loaded: Sequence[WeekFiles] = ()) -> Week | None:
    """Last week's record, for the week-over-week comparison: from the weeks already loaded,
    else from the file beside this one (its editorial file is not needed)."""
    label = previous_week(files.week.week)
    known = next((e.week for e in loaded if e.week.week == label), None)
    if known:
        return known
    before = previous_path(files.path)
    return load_week(before) if before else None


def week_paths(folder: Path = WEEKS_DIR) -> list[Path]:
    """Every week of record in a folder, oldest first (editorial files excluded)."""
    return sorted(p for p in folder.glob("*.yaml") if not p.name.endswith(".editorial.yaml"))


def same_week_twice(labels: Sequence[tuple[Path, str]]) -> list[str]:
    """A problem for each week that more than one file holds (it would be published twice)."""
    files: dict[str, list[Path]] = {}
    for path, week in labels:
        files.setdefault(week, []).append(path)
    return [
        f"{paths[1]}:1: week: {week} is already in {paths[0]}; each week has one file"
        for week, paths in files.items()
        if len(paths) > 1
    ]


def load_all_week_files(paths: list[Path]) -> list[WeekFiles]:
    """Load every path, reporting all problems across all files before failing."""
    loaded, problems = [], []
    for path in paths:
        try:
            loaded.append(load_week_files(path))
        except DataError as exc:
            problems.extend(exc.problems)
    problems += same_week_twice([(files.path, files.week.week) for files in loaded])
    if problems:
        raise DataError(problems)
    return loaded
