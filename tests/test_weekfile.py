"""Bad input gets one clear line per problem: file, line, field path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from report.errors import DataError
from report.weekfile import load_all_week_files, load_week_files, week_paths
from tests.conftest import SEED


def problems_of(path: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        load_week_files(path)
    return caught.value.problems


def test_every_committed_week_loads() -> None:
    editions = load_all_week_files(week_paths())
    assert [e.week.week for e in editions] == [
        "2025-W19",
        "2025-W38",
        "2025-W44",
        "2025-W45",
        "2026-W03",
        "2026-W04",
    ]
    assert editions[3].editorial is not None


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "2025-W45.yaml"
    path.write_text("schema: 1\nweek: 2025-W45\nperiod: {start: 2025-11-03\n", encoding="utf-8")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:4: YAML syntax")


def test_negative_price_names_line_and_field(week_variant: Callable[..., Path]) -> None:
    def negative(d: dict[str, Any]) -> None:
        d["assets"][1]["quote"]["price"] = -3486.35

    path = week_variant(negative)
    (problem,) = problems_of(path)
    line = path.read_text().splitlines().index("    price: -3486.35") + 1
    assert problem == f"{path}:{line}: assets[1].quote.price: Input should be greater than 0"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.pop("as_of"), "as_of: Field required"),
        (
            lambda d: d["assets"][0].update(name=["Bitcoin"]),
            "assets[0].name: Input should be a valid string",
        ),
        (lambda d: d.update(schema=2), "schema: Value error, unknown schema version 2"),
        (
            lambda d: d.update(week="2025-W46"),
            "(document): Value error, period 2025-11-03..2025-11-09 is not ISO week 2025-W46",
        ),
        (lambda d: d.update(week="2025-W77"), "week: Value error, 2025-W77 is not an ISO week"),
        (lambda d: d.update(missing=[]), "missing[] does not say why: derivatives.open_interest"),
        (
            lambda d: d["liquidations"].update(total_24h_usd="a lot"),
            "liquidations.total_24h_usd: Input should be a valid number",
        ),
        (
            lambda d: d["assets"][0]["quote"].update(at="2025-11-04T16:00:00"),
            "assets[0].quote.at: Input should have timezone info",
        ),
        (
            lambda d: d["incidents"][0].update(url="javascript:alert(1)"),
            "incidents[0].url: String should match pattern",
        ),
        (
            lambda d: d.update(assets=[a for a in d["assets"] if a["symbol"] != "BTC"]),
            "assets must include BTC",
        ),
    ],
    ids=[
        "missing-field",
        "wrong-type",
        "schema",
        "week-period",
        "bad-week",
        "unsaid-gap",
        "not-a-number",
        "naive-time",
        "unsafe-url",
        "no-btc",
    ],
)
def test_malformed_week_is_reported(
    week_variant: Callable[..., Path], change: Callable[[dict[str, Any]], Any], expected: str
) -> None:
    path = week_variant(change)
    problems = problems_of(path)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith(f"{path}:") for p in problems)


def test_all_problems_of_all_files_are_reported_together(week_variant: Callable[..., Path]) -> None:
    def two_problems(d: dict[str, Any]) -> None:
        d["assets"][0]["quote"]["price"] = 0
        d["sentiment"]["fear_greed"]["value"] = 101

    path = week_variant(two_problems)
    with pytest.raises(DataError) as caught:
        load_all_week_files([path, SEED])
    assert len(caught.value.problems) == 2


def test_editorial_for_another_week_is_refused(week_variant: Callable[..., Path]) -> None:
    path = week_variant(lambda d: None)
    side = path.with_name("2025-W45.editorial.yaml")
    side.write_text(side.read_text().replace("week: 2025-W45", "week: 2025-W44"))
    (problem,) = problems_of(path)
    assert problem == f"{side}:1: week: 2025-W44 does not match 2025-W45"
