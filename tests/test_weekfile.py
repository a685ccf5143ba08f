"""Bad input gets one clear line per problem: file, line, field path."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
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
    """Every ISO week from 2020-W02 to 2026-W07: the seed week as gathered, the rest rebuilt."""
    editions = load_all_week_files(week_paths())
    weeks = [e.week.week for e in editions]
    assert len(weeks) == 319 and weeks[0] == "2020-W02" and weeks[-1] == "2026-W07"
    assert [e.week.week for e in editions if not e.week.rebuilt] == ["2025-W45"]
    assert [e.week.week for e in editions if e.editorial] == ["2025-W45"]


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
        (lambda d: d.update(schema=99), "schema: Value error, unknown schema version 99"),
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
    assert_refused_at_its_place(week_variant(change), expected)


def assert_refused_at_its_place(path: Path, expected: str) -> None:
    """The file's problems include `expected`, and each names the file and its place."""
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


# Values the schema once accepted, each of which printed a falsehood or raised a traceback.
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["assets"][0]["quote"].update(price=float("nan")),
            "assets[0].quote.price: Input should be a finite number",
        ),
        (
            lambda d: d["liquidations"].update(total_24h_usd=float("inf")),
            "liquidations.total_24h_usd: Input should be a finite number",
        ),
        (
            lambda d: d["assets"][0]["closes"]["values"].__setitem__(3, float("nan")),
            "assets[0].closes.values[3]: Input should be a finite number",
        ),
        (
            lambda d: d["assets"][0]["quote"].update(price=True),
            "assets[0].quote.price: Input should be a valid number",
        ),
        (
            lambda d: d["sentiment"]["fear_greed"].update(value=True),
            "sentiment.fear_greed.value: Input should be a valid integer",
        ),
        (
            lambda d: d["assets"][0]["quote"].update(price=1e12),
            "assets[0].quote.price: Input should be less than or equal to 100000000",
        ),
        (
            lambda d: d["assets"][0]["closes"].update(start=date(9999, 12, 1)),
            "assets[0].closes.start: Value error, 9999-12-01 is not a day of the crypto markets",
        ),
        (
            lambda d: d["liquidations"].update(total_24h_usd=1e308),
            "liquidations.total_24h_usd: Input should be less than or equal to 10000000000000",
        ),
        (lambda d: d.update(week="0001-W01"), "week: Value error, 0001-W01: the year must lie"),
        (lambda d: d.update(week="2026-w48"), "week: Value error, a week looks like 2025-W45"),
        (lambda d: d.update(week="٢٠٢٥-W45"), "week: Value error, a week looks like 2025-W45"),
        (lambda d: d.update(week="2025-W45\n"), "week: Value error, a week looks like 2025-W45"),
    ],
    ids=[
        "nan-price",
        "inf-usd",
        "nan-close",
        "true-price",
        "true-index",
        "absurd-price",
        "far-date",
        "huge-usd",
        "year-one",
        "lowercase-w",
        "arabic-digits",
        "newline",
    ],
)
def test_absurd_values_are_refused_at_load(
    week_variant: Callable[..., Path], change: Callable[[dict[str, Any]], Any], expected: str
) -> None:
    assert_refused_at_its_place(week_variant(change), expected)


def test_times_are_read_in_utc(week_variant: Callable[..., Path]) -> None:
    """A quote stamped 20:00 at +09:00 is 11:00 UTC, and pages say 11:00 UTC."""
    stamp = datetime(2025, 11, 10, 8, 0, tzinfo=timezone(timedelta(hours=9)))
    path = week_variant(lambda d: d["assets"][0]["quote"].update(at=stamp))
    quote = load_week_files(path).week.assets[0].quote
    assert quote.at == stamp and quote.at.utcoffset() == timedelta(0)
    assert quote.at.hour == 23 and quote.at.day == 9


def test_a_weeks_date_is_checked_in_utc(week_variant: Callable[..., Path]) -> None:
    """Monday 03:00 at +09:00 is Sunday 18:00 UTC: inside the week, not a day after it."""
    late = datetime(2025, 11, 11, 8, 0, tzinfo=timezone(timedelta(hours=9)))  # 10th 23:00 UTC
    assert load_week_files(week_variant(lambda d: d.update(as_of=late))).week.as_of.day == 10
    later = datetime(2025, 11, 11, 10, 0, tzinfo=timezone(timedelta(hours=9)))  # 11th 01:00 UTC
    (problem,) = problems_of(week_variant(lambda d: d.update(as_of=later)))
    assert "as_of 2025-11-11T01:00:00+00:00 falls outside the week 2025-W45" in problem


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    """YAML keeps the last of two keys; a second `assets:` once turned Bitcoin into $5.00."""
    path = tmp_path / "2025-W45.yaml"
    text = SEED.read_text(encoding="utf-8")
    path.write_text(text + "assets: [{symbol: BTC}]\n", encoding="utf-8")
    line = len(text.splitlines()) + 1
    (problem,) = problems_of(path)
    assert problem == f"{path}:{line}: assets: given twice (each field once)"


def test_aliases_and_merge_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "2025-W45.yaml"
    path.write_text(SEED.read_text(encoding="utf-8") + "extra: &a [1]\nmore: *a\n")
    line = len(SEED.read_text().splitlines()) + 2
    (problem,) = problems_of(path)
    assert problem == f"{path}:{line}: more: YAML aliases are not accepted"
    path.write_text("schema: 1\nweek: 2025-W45\n<<: {as_of: 2025-11-10}\n", encoding="utf-8")
    (problem,) = problems_of(path)
    assert problem == f"{path}:3: (document): YAML merge keys (<<) are not accepted"


def test_an_alias_bomb_is_refused_quickly_and_in_little_memory(tmp_path: Path) -> None:
    """Nine levels of ten aliases each: 10^9 strings if expanded, 1.4 KB as written."""
    lines = ['a0: &a0 ["SYNTHETIC"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 10)]
    path = tmp_path / "2025-W45.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tracemalloc.start()
    started = time.perf_counter()
    (problem,) = problems_of(path)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "YAML aliases are not accepted" in problem
    assert seconds < 2 and peak < 50_000_000, (seconds, peak)


def test_a_file_too_large_for_a_week_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "2025-W45.yaml"
    with path.open("wb") as f:
        f.truncate(50_000_000)  # a sparse 50 MB file
    tracemalloc.start()
    (problem,) = problems_of(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert problem == f"{path}: larger than 2,000,000 bytes, too large for a week"
    assert peak < 10_000_000


def test_a_file_named_for_another_week_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "2025-W46.yaml"
    path.write_bytes(SEED.read_bytes())
    (problem,) = problems_of(path)
    assert problem == f"{path}:1: week: the file holds 2025-W45 but is named for 2025-W46"


def test_two_files_holding_one_week_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "copy-of-w45.yaml"
    other.write_bytes(SEED.read_bytes())
    with pytest.raises(DataError) as caught:
        load_all_week_files([SEED, other])
    assert caught.value.problems == [
        f"{other}:1: week: 2025-W45 is already in {SEED}; each week has one file"
    ]
