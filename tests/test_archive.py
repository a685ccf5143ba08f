"""The archive: weeks rebuilt from the daily series, old week files migrated on load, records
across weeks, and the archive page."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from report.archive import Archive, WeekFacts
from report.claims import make_inputs
from report.claims.records import FearGreedRecord, MoveRecord, Streak
from report.cli import app
from report.history import HistoryStore
from report.model import SCHEMA_VERSION, Gap
from report.rebuild import rebuildable_weeks
from report.site import build_site
from report.weekfile import CONTEXT_BLOCKS, NO_CONTEXT_REBUILT, load_week, load_week_files
from tests.conftest import ROOT, SEED, WEEKS, edition_of
from tests.test_site import site_folder

runner = CliRunner()
HISTORY = ROOT / "data" / "history"


def copy_weeks(folder: Path, *labels: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(WEEKS / f"{label}.yaml", folder)) for label in labels]


def weeks_between(first: str, last: str) -> list[str]:
    labels = sorted(p.stem for p in WEEKS.glob("*-W*.yaml") if "editorial" not in p.name)
    return [w for w in labels if first <= w <= last]


# Schema 1 and its migration


def test_a_schema_1_week_is_read_as_gathered_at_its_as_of() -> None:
    """The seed week is kept as it was written, before `origin` existed."""
    assert yaml.safe_load(SEED.read_text())["schema"] == 1
    week = load_week(SEED)
    assert week.schema_version == SCHEMA_VERSION == 4
    assert week.markets is None and week.gap("markets") is not None
    assert week.origin.method == "gathered" and week.origin.at == week.as_of
    assert not week.rebuilt


def test_a_schema_2_week_without_its_origin_is_refused_with_its_place(tmp_path: Path) -> None:
    data = yaml.safe_load((WEEKS / "2025-W19.yaml").read_text())
    del data["origin"]
    path = tmp_path / "2025-W19.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:1: origin: Field required" in result.output


def test_an_old_copy_of_a_rebuilt_week_migrates_to_the_same_figures(tmp_path: Path) -> None:
    """A week written as schema 1 (no origin) and the same week as schema 2 hold the same
    figures once loaded; only their origin differs."""
    data = yaml.safe_load((WEEKS / "2025-W19.yaml").read_text())
    gaps = [g for g in data["missing"] if g["field"].split(".")[0] not in CONTEXT_BLOCKS]
    old = {k: v for k, v in data.items() if k not in ("origin", *CONTEXT_BLOCKS)}
    path = tmp_path / "2025-W19.yaml"
    path.write_text(yaml.safe_dump(old | {"schema": 1, "missing": gaps}, sort_keys=False))
    migrated, current = load_week(path), load_week(WEEKS / "2025-W19.yaml")
    assert migrated.origin.method == "gathered" and current.origin.method == "rebuilt"
    assert migrated.markets is None and current.markets is not None
    same = {"origin": current.origin, "markets": current.markets, "missing": current.missing}
    assert migrated.model_copy(update=same) == current


def test_a_schema_2_rebuilt_week_migrates_without_markets_and_says_why(tmp_path: Path) -> None:
    data = yaml.safe_load((WEEKS / "2025-W19.yaml").read_text())
    gaps = [g for g in data["missing"] if g["field"].split(".")[0] not in CONTEXT_BLOCKS]
    old = {k: v for k, v in data.items() if k not in CONTEXT_BLOCKS}
    old |= {"schema": 2, "missing": gaps}
    path = tmp_path / "2025-W19.yaml"
    path.write_text(yaml.safe_dump(old, sort_keys=False))
    week = load_week(path)
    assert week.schema_version == 4 and week.markets is None
    assert week.gap("markets") == Gap(field="markets", reason=NO_CONTEXT_REBUILT)


# Rebuilding


def test_rebuilt_weeks_say_what_daily_series_cannot_give(tmp_path: Path) -> None:
    args = ["--weeks-dir", str(tmp_path), "--history-dir", str(HISTORY)]
    result = runner.invoke(app, ["rebuild", "--from", "2020-W10", "--to", "2020-W12", *args])
    assert result.exit_code == 0, result.output
    assert "3 written, 0 unchanged, 0 gathered kept" in result.output
    week = load_week(tmp_path / "2020-W11.yaml")
    assert week.rebuilt
    gaps = {gap.field for gap in week.missing}
    assert {
        "assets.BTC.quote",
        "liquidations",
        "derivatives",
        "sentiment.prediction_markets",
    } <= gaps
    assert "assets.SOL" in gaps  # Binance listed Solana in August 2020
    assert all(a.closes is None for a in week.assets)  # the history store holds them
    # The committed week is what the command writes, its origin aside.
    committed = load_week(WEEKS / "2020-W11.yaml")
    assert week.model_copy(update={"origin": committed.origin}) == committed
    page = edition_of(tmp_path / "2020-W11.yaml").page
    rebuilt_on = week.origin.at.strftime("%B %-d, %Y")
    assert f"This week was rebuilt on {rebuilt_on} from daily series" in page
    assert "its prices are daily closes, at 24:00 UTC, not live quotes." in page


def test_a_rebuild_keeps_gathered_weeks_and_unchanged_files(tmp_path: Path) -> None:
    args = ["--weeks-dir", str(tmp_path), "--history-dir", str(HISTORY)]
    span = ["--from", "2025-W44", "--to", "2025-W46"]
    shutil.copy(SEED, tmp_path)  # 2025-W45, gathered
    seed = SEED.read_bytes()
    first = runner.invoke(app, ["rebuild", *span, *args])
    assert first.exit_code == 0, first.output
    assert f"kept {tmp_path / '2025-W45.yaml'}: it was gathered" in first.output
    assert "2 written, 0 unchanged, 1 gathered kept" in first.output
    assert (tmp_path / "2025-W45.yaml").read_bytes() == seed
    written = (tmp_path / "2025-W44.yaml").read_bytes()
    again = runner.invoke(app, ["rebuild", *span, *args])
    assert "0 written, 2 unchanged, 1 gathered kept" in again.output
    assert (tmp_path / "2025-W44.yaml").read_bytes() == written  # its rebuild day too


def test_only_weeks_the_series_and_the_store_both_hold_are_rebuilt(tmp_path: Path) -> None:
    weeks = rebuildable_weeks(HistoryStore(HISTORY))
    assert (weeks[0], weeks[-1], len(weeks)) == ("2020-W02", "2026-W07", 319)
    args = ["--weeks-dir", str(tmp_path), "--history-dir", str(HISTORY)]
    result = runner.invoke(app, ["rebuild", "--from", "2026-W30", *args])
    assert result.exit_code == 1 and "no week in that span" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_rebuild_stops_at_a_file_it_cannot_read(tmp_path: Path) -> None:
    """A broken file may be a gathered week: it is named, never replaced."""
    (tmp_path / "2020-W11.yaml").write_text("schema: 2\nweek: [\n")
    args = ["--weeks-dir", str(tmp_path), "--history-dir", str(HISTORY)]
    result = runner.invoke(app, ["rebuild", "--from", "2020-W11", "--to", "2020-W11", *args])
    assert result.exit_code == 1
    assert f"{tmp_path / '2020-W11.yaml'}:" in result.output
    assert (tmp_path / "2020-W11.yaml").read_text() == "schema: 2\nweek: [\n"


def test_the_committed_archive_is_small() -> None:
    """Each rebuilt week leaves its year of closes to the history store."""
    total = sum(p.stat().st_size for p in WEEKS.glob("*.yaml"))
    assert total < 3_000_000, total  # the issue allows 5 MB; other markets add 0.8 MB


# Records across weeks


def test_the_seed_week_sets_records_against_the_whole_archive() -> None:
    """Written on its Tuesday, the seed week has no weekly move yet, so no move record; its
    Fear & Greed low is set against every week's lowest daily reading."""
    edition = edition_of(SEED)
    assert edition.claim("move_record") is None and edition.claim("streak") is None
    reading = edition.claim("fear_greed_record")
    assert (reading.since_week, reading.value.value, str(reading.on)) == (
        "2025-W15",
        21,
        "2025-11-04",
    )
    page = edition.page.replace("<root>/", "../")
    assert (
        "down from 50 on October 28. That was its lowest reading since [the week of April 7,"
        " 2025](../weeks/2025-W15.md), when it touched 18." in page
    )


def _inputs(label: str, archive: list[WeekFacts]) -> Any:
    files = load_week_files(WEEKS / f"{label}.yaml")
    return make_inputs(files, None, HistoryStore(HISTORY), [vars(f) for f in archive])


def _facts(first: str, last: str) -> list[WeekFacts]:
    """The committed archive's facts from `first` to the week before `last`."""
    before = Archive(HistoryStore(HISTORY)).before(WEEKS / f"{last}.yaml")
    return [f for f in before if f.week >= first]


def test_a_gap_in_the_archive_ends_what_a_record_may_claim() -> None:
    """2022-W24's reading of 6 is the lowest in every week back to 2020-W02; with one week
    taken out of the archive, nothing before the gap is known, and no record is claimed."""
    archive = _facts("2020-W02", "2022-W24")
    whole = _inputs("2022-W24", archive).found(FearGreedRecord)
    assert [(c.highest, c.since_week, c.first_week) for c in whole] == [(False, None, "2020-W02")]
    gap = [f for f in archive if f.week != "2022-W10"]
    assert _inputs("2022-W24", gap).found(FearGreedRecord) == []


def test_a_streak_is_counted_only_from_a_week_that_went_the_other_way() -> None:
    """2020-W16 was the fifth rise in a row from 2020-W12, after the fall of 2020-W11; with
    2020-W11 out of the archive the count might be longer, and nothing is said."""
    archive = _facts("2020-W02", "2020-W16")
    (streak,) = _inputs("2020-W16", archive).found(Streak)
    assert (streak.weeks, streak.first_week, streak.direction) == (5, "2020-W12", 1)
    cut = [f for f in archive if f.week >= "2020-W12"]
    assert _inputs("2020-W16", cut).found(Streak) == []


def test_verification_refuses_a_record_the_archive_does_not_give() -> None:
    """The named week's figure changed in the archive (another week's page would now say
    something else): the claim no longer follows, and verification says so."""
    archive = _facts("2020-W02", "2022-W24")
    claim = edition_of(WEEKS / "2022-W24.yaml").claim("move_record")
    assert claim.since_week == "2021-W20" and claim.check(_inputs("2022-W24", archive)) == []
    named = next(i for i, f in enumerate(archive) if f.week == "2021-W20")
    altered = list(archive)
    altered[named] = WeekFacts(**{**vars(archive[named]), "change_pct": -5.0})  # SYNTHETIC
    problems = claim.check(_inputs("2022-W24", altered))
    assert problems and ("does not follow" in problems[0] or "differs" in problems[0])
    assert _inputs("2022-W24", altered).found(MoveRecord)[0].since_week != "2021-W20"


# The site: records link the weeks they name, the archive page


@pytest.fixture(scope="module")
def streak_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site of 2020-W10 to 2020-W17: 2020-W16 and W17 name the week their streak began."""
    folder = tmp_path_factory.mktemp("streak")
    paths = copy_weeks(folder / "weeks", *weeks_between("2020-W10", "2020-W17"))
    config, public = site_folder(folder)
    build_site(paths, config, public, history=HistoryStore(HISTORY))
    return public


def test_a_record_links_the_week_it_names(streak_site: Path) -> None:
    page = (streak_site / "weeks" / "2020-W16.html").read_text()
    link = re.search(r'<a href="([^"]+)">the week of March 16, 2020</a>', page)
    assert link is not None and link[1] == "2020-W12.html"
    assert (streak_site / "weeks" / link[1]).exists()


def test_the_archive_page_filters_and_charts_every_week(streak_site: Path) -> None:
    archive = (streak_site / "archive.html").read_text()
    rows = re.findall(r'<tr data-year="(\d{4})" data-story="(\w+)">', archive)
    assert len(rows) == 8 and {year for year, _ in rows} == {"2020"}
    assert '<form class="archive-filter" hidden>' in archive  # shown by its script
    assert '<option value="2020">2020</option>' in archive
    assert "javascripts/archive.js" in archive
    spec = json.loads((streak_site / "charts" / "archive.json").read_text())
    (weeks,) = [v for v in spec["datasets"].values() if v and "url" in v[0]]
    assert [w["url"] for w in weeks] == [
        f"weeks/{label}.html" for label in weeks_between("2020-W10", "2020-W17")
    ]
    svg = (streak_site / "charts" / "archive.svg").read_text()
    assert 'xlink:href="weeks/2020-W11.html"' in svg and "vega-datasets" not in svg


def test_a_site_built_again_unchanged_is_left_alone(tmp_path: Path) -> None:
    """Nothing mkdocs reads changed: the last site stands as it is, not a file rewritten; a
    hand-written page edited is built again."""
    paths = copy_weeks(tmp_path / "weeks", "2025-W19")
    config, public = site_folder(tmp_path)
    build_site(paths, config, public)
    before = {p: p.stat().st_mtime_ns for p in public.rglob("*") if p.is_file()}
    assert build_site(paths, config, public).incremental
    assert {p: p.stat().st_mtime_ns for p in public.rglob("*") if p.is_file()} == before
    about = config.parent / "site" / "about.md"
    about.write_text(about.read_text() + "\nEdited by hand.\n")
    build_site(paths, config, public)
    assert "Edited by hand." in (public / "about.html").read_text()


def test_a_new_week_is_set_against_every_week_before_it_and_touches_no_earlier_page(
    tmp_path: Path,
) -> None:
    """As the scheduled build adds a week: its records come from all the weeks before it, the
    week before it is made again only for its new "next" link, and no other week's page."""
    paths = copy_weeks(tmp_path / "weeks", *weeks_between("2020-W10", "2020-W17"))
    config, public = site_folder(tmp_path)
    build_site(paths, config, public, history=HistoryStore(HISTORY))
    new = copy_weeks(tmp_path / "weeks", "2020-W18")
    added = build_site([*paths, *new], config, public, history=HistoryStore(HISTORY))
    pages = sorted(name for name in added.sources_written if name.startswith("weeks/"))
    assert pages == ["weeks/2020-W17.md", "weeks/2020-W18.md"]
    page = (public / "weeks" / "2020-W18.html").read_text()
    assert "seventh winning week in a row" in page and 'href="2020-W12.html"' in page
