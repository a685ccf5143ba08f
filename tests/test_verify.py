"""The truth check catches what it must, and every committed week passes it."""

from __future__ import annotations

import dataclasses

import pytest

from report.build import write_edition
from report.errors import VerifyError
from report.facts import Fact, compute_facts
from report.trace import Traced
from report.verify import verify_text
from report.weekfile import load_week_files, load_previous, week_paths
from tests.conftest import SEED, derive_module


@pytest.mark.parametrize("path", week_paths(), ids=lambda p: p.stem)
def test_every_committed_week_verifies(path) -> None:  # type: ignore[no-untyped-def]
    edition = load_week_files(path)
    previous = load_previous(edition)
    facts = compute_facts(edition, previous)
    written = write_edition(edition, previous=previous)
    assert verify_text(written.page, facts, "page") == []
    assert verify_text(written.digest, facts, "digest") == []


@pytest.fixture(scope="module")
def seed():  # type: ignore[no-untyped-def]
    facts = compute_facts(load_week_files(SEED))
    return facts, write_edition(load_week_files(SEED)).page


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("Bitcoin touched $123,456.", "'$123,456'"),
        ("Liquidations reached $2.5 billion.", "'$2.5 billion'"),
        ("Ether fell 12.3% on the day.", "'12.3%'"),
        ("The index rose 3.4 percentage points.", "'3.4 percentage points'"),
        ("It was 17 days ago.", "'17'"),
        ("Bitcoin last closed there on March 3, 2024.", "date 'March 3, 2024'"),
        ("Compare week 2025-W40.", "week '2025-W40'"),
        ("Bitcoin fell 3.3% over the last day.", "'3.3%'"),  # the record says 3.2
    ],
)
def test_untraceable_numbers_are_named_with_their_line(seed, sentence: str, flagged: str) -> None:  # type: ignore[no-untyped-def]
    facts, page = seed
    lines = page.splitlines()
    lines.insert(5, sentence)
    problems = verify_text("\n".join(lines), facts, "page")
    assert len(problems) == 1, problems
    assert problems[0].startswith("page:6: ") and flagged in problems[0]


@pytest.mark.parametrize(
    "sentence",
    [
        "Bitcoin was at $103,849.",
        "It fell 9.0% in a week.",
        "It was 17.6% below its high.",
        "Below $104K for the first time.",
        "A loss of $222 million.",
        "At 16:00 UTC on November 4, 2025.",
        "The quote asked “$100,000 first”.",
    ],
)
def test_traceable_numbers_pass(seed, sentence: str) -> None:  # type: ignore[no-untyped-def]
    facts, _ = seed
    assert verify_text(sentence, facts, "page") == []


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("Ethereum stood at $103,849.", "'$103,849' is a value of BTC"),
        ("ETH fell 9.0% in a week.", "'9.0%' is a value of BTC"),
        ("Stream Finance lost $128 million.", "'$128 million' is a value of Balancer V2"),
        ("Solana fell 14.2% (XRP) while Bitcoin fell 9.0%.", None),  # each named
        ("Ethereum rallied while $222 million was lost in DeFi.", None),  # a total: no one's
        ("Its close was $103,849.", None),  # names no one: checked by value alone
        ("Bitcoin stood at $103,849.", None),
        ("Balancer V2 lost $128 million.", None),
    ],
)
def test_a_value_of_one_asset_or_incident_must_be_said_of_it(  # type: ignore[no-untyped-def]
    seed, sentence: str, flagged: str | None
) -> None:
    facts, _ = seed
    problems = verify_text(sentence, facts, "page")
    if flagged is None:
        assert problems == []
    else:
        assert len(problems) == 1 and flagged in problems[0], problems


def test_a_fact_that_does_not_follow_from_the_record_is_caught(seed) -> None:  # type: ignore[no-untyped-def]
    facts, _ = seed
    forged = Fact("btc_7d", 3.0, {"change": dataclasses.replace(facts.btc.change_7d, value=-25.0)})
    forged_facts = dataclasses.replace(facts, ranked=[*facts.ranked, forged])
    problems = verify_text("It fell 25.0% in a week.", forged_facts, "page")
    assert any("does not follow from the record" in p for p in problems)


def test_build_refuses_a_page_with_an_untraceable_number(monkeypatch: pytest.MonkeyPatch) -> None:
    from report import build

    real = build.write_story

    def with_invention(*args, **kwargs):  # type: ignore[no-untyped-def]
        written = real(*args, **kwargs)
        return dataclasses.replace(written, page=written.page + "\nAnalysts expect $150,000.\n")

    monkeypatch.setattr(build, "write_story", with_invention)
    with pytest.raises(VerifyError, match=r"2025-W45 page:\d+: '\$150,000'"):
        build.write_edition(load_week_files(SEED))


def test_traced_values_recompute_from_the_record(seed) -> None:  # type: ignore[no-untyped-def]
    facts, _ = seed
    traced = facts.traced()
    assert len(traced) > 30
    assert all(isinstance(t, Traced) for t in traced)


def test_a_number_inside_a_name_ends_before_its_comma(seed) -> None:  # type: ignore[no-untyped-def]
    facts, _ = seed
    # "Balancer V2" is in the record; the comma after it is punctuation, not a digit group.
    assert verify_text("The largest, Balancer V2, lost $128 million.", facts, "page") == []
    assert verify_text("Balancer V2048, lost it.", facts, "page") != []


def test_a_title_cased_amount_keeps_its_scale(seed) -> None:  # type: ignore[no-untyped-def]
    facts, _ = seed
    assert verify_text("DeFi Losses Reach $222 Million", facts, "page") == []
    assert verify_text("DeFi Losses Reach $223 Million", facts, "page") != []


def test_a_date_quoted_from_a_record_text_passes() -> None:
    facts = compute_facts(load_week_files(SEED.with_name("2026-W04.yaml")))
    assert verify_text("The series end on 2025-12-31.", facts, "page") == []
    assert verify_text("The series end on 2024-12-30.", facts, "page") != []


def test_a_level_written_in_full_is_traced(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """2020-W11 from the real Binance series: Bitcoin fell to about $5,400, a level the page
    writes in full rather than as "$5K"; the level is traced as the price rounded up."""
    derive = derive_module(tmp_path)
    path = derive.write(derive.gather_from_series("2020-W11"))
    page = write_edition(load_week_files(path)).page  # raises if any number does not trace
    assert "Below $5,400" in page


def test_a_protocols_tvl_change_is_written_and_traced(week_variant) -> None:  # type: ignore[no-untyped-def]
    """SYNTHETIC TVL figures on the seed week's Balancer incident: round numbers, labelled."""

    def add_tvl(data: dict) -> None:  # type: ignore[type-arg]
        data["incidents"][0]["tvl"] = {
            "before_usd": 500_000_000,
            "before_date": "2025-11-02",
            "after_usd": 300_000_000,
            "after_date": "2025-11-09",
            "source": {"name": "SYNTHETIC test values", "published_at": "2025-11-10"},
        }

    page = write_edition(load_week_files(week_variant(add_tvl))).page  # raises if untraced
    line = next(line for line in page.splitlines() if "**Balancer V2**" in line)
    assert line.endswith(
        "went from $500 million on November 2 to $300 million on November 9, a fall of 40.0%, "
        "per SYNTHETIC test values."
    )


def test_a_protocol_named_without_letters_names_no_line(week_variant) -> None:  # type: ignore[no-untyped-def]
    """Untrusted names: a protocol called "." (SYNTHETIC) must not make a line name it."""

    def rename(data: dict) -> None:  # type: ignore[type-arg]
        data["incidents"][1]["protocol"] = "."

    facts = compute_facts(load_week_files(week_variant(rename)))
    assert verify_text("Its close was $103,849 (spot).", facts, "page") == []
    assert verify_text("Ethereum stood at $103,849 (spot).", facts, "page") != []
