"""The truth check catches what it must, and every committed week passes it."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from report.edition import build_edition
from report.errors import VerifyError
from report.history import HistoryStore
from report.trace import Traced
from report.verify import Evidence, check_claims, verify_text
from report.weekfile import load_previous, load_week_files
from tests.conftest import ROOT, SAMPLE_WEEKS, SEED, WEEKS, derive_module, edition_of

HISTORY = HistoryStore(ROOT / "data" / "history")


@pytest.mark.parametrize("path", [WEEKS / f"{w}.yaml" for w in SAMPLE_WEEKS], ids=lambda p: p.stem)
def test_the_sample_weeks_verify(path) -> None:  # type: ignore[no-untyped-def]
    """The sample weeks, against the whole archive (tests/test_all_weeks.py checks every
    committed week, slowly)."""
    edition = edition_of(path)  # raises unless its claims, numbers and words hold
    evidence = Evidence.of(edition)
    assert verify_text(edition.page, evidence, "page") == []
    assert verify_text(edition.digest, evidence, "digest") == []


@pytest.fixture(scope="module")
def seed() -> tuple[Evidence, Any]:
    edition = edition_of(SEED)
    return Evidence.of(edition), edition


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
    evidence, edition = seed
    lines = edition.page.splitlines()
    lines.insert(5, sentence)
    problems = verify_text("\n".join(lines), evidence, "page")
    assert len(problems) == 1, problems
    assert problems[0].startswith("page:6: ") and flagged in problems[0]


@pytest.mark.parametrize(
    "sentence",
    [
        "Bitcoin was at $103,849.",
        "It fell 9.0% in a week.",
        "It was 17.7% below its high.",
        "Below $104K for the first time.",
        "A loss of $222 million.",
        "At 16:00 UTC on November 4, 2025.",
        "The quote asked “$100,000 first”.",
        "It last closed below $104K on June 22, 2025.",  # a date the level claim names
    ],
)
def test_traceable_numbers_pass(seed, sentence: str) -> None:  # type: ignore[no-untyped-def]
    evidence, _ = seed
    assert verify_text(sentence, evidence, "page") == []


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("Ethereum stood at $103,849.", "'$103,849' is a value of BTC"),
        ("ETH fell 9.0% in a week.", "'9.0%' is a value of BTC"),
        ("Stream Finance lost $128 million.", "'$128 million' is a value of Balancer V2"),
        ("Solana fell 14.2% (XRP) while Bitcoin fell 9.0%.", None),  # each named
        ("Ethereum rallied while $222 million was lost.", None),  # a total: no one's
        ("Its close was $103,849.", None),  # names no one: checked by value alone
        ("Bitcoin stood at $103,849.", None),
        ("Balancer V2 lost $128 million.", None),
    ],
)
def test_a_value_of_one_asset_or_incident_must_be_said_of_it(  # type: ignore[no-untyped-def]
    seed, sentence: str, flagged: str | None
) -> None:
    evidence, _ = seed
    problems = verify_text(sentence, evidence, "page")
    if flagged is None:
        assert problems == []
    else:
        assert len(problems) == 1 and flagged in problems[0], problems


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("Bitcoin set a record this week.", "'record'"),  # the seed week set none
        ("Bitcoin fell below $104K for the first time ever.", "'for the first time ever'"),
        ("It was its worst day of the week.", "'worst day'"),  # one day in: no worst day yet
        ("It was Bitcoin's steepest seven-day fall since 2022.", "'steepest seven-day fall since'"),
        ("Every altcoin we track fell.", None),  # they all did
        ("Ethereum set a record.", "'record'"),
        ("DeFi protocols lost $222 million.", None),
        ("Centralised exchanges lost $128 million.", "'Centralised'"),
    ],
)
def test_words_that_state_a_claim_need_the_claim(seed, sentence: str, flagged: str | None) -> None:  # type: ignore[no-untyped-def]
    evidence, _ = seed
    problems = verify_text(sentence, evidence, "page")
    if flagged is None:
        assert problems == [], problems
    else:
        assert any(flagged in p and "does not make" in p for p in problems), problems


def test_claim_words_inside_quoted_text_are_the_quote_s(week_variant) -> None:  # type: ignore[no-untyped-def]
    """An untrusted protocol name that says "record" (SYNTHETIC) is quoted, not claimed."""

    def rename(data: dict) -> None:  # type: ignore[type-arg]
        data["incidents"][0]["protocol"] = "Record Finance"

    edition = edition_of(week_variant(rename))  # raises if the name's word were a claim
    assert "Record Finance" in edition.page


def test_a_forged_claim_is_caught_by_its_re_derivation(seed) -> None:  # type: ignore[no-untyped-def]
    _, edition = seed
    level = next(c for c in edition.claims if c.kind == "level_cross")
    forged = dataclasses.replace(level, since=level.since.replace(year=2024))
    problems = check_claims(dataclasses.replace(edition, claims=(forged,)), HISTORY)
    assert problems == [  # named with each line of the page that says it
        f"2025-W45 page:{n}: the level_cross claim about BTC differs from what the record gives"
        for n, line in enumerate(edition.page.splitlines(), start=1)
        if "a level its daily close had not been below since June 22, 2025" in line
    ]
    assert len(problems) == 1  # the page says it once
    drawdown = next(c for c in edition.claims if c.kind == "drawdown")
    false = dataclasses.replace(drawdown, below=dataclasses.replace(drawdown.below, value=5.0))
    problems = check_claims(dataclasses.replace(edition, claims=(false,)), HISTORY)
    assert problems and "is false: the price is not below the high" in problems[0]


def test_a_fact_that_does_not_follow_from_the_record_is_caught(seed) -> None:  # type: ignore[no-untyped-def]
    _, edition = seed
    move = next(c for c in edition.claims if c.kind == "week_move")
    forged = dataclasses.replace(move, change=dataclasses.replace(move.change, value=-25.0))
    evidence = Evidence(edition.inputs.record, forged.traced(), (forged,))
    problems = verify_text("It fell 25.0% in a week.", evidence, "page")
    assert any("does not follow from the record" in p for p in problems)


def test_build_refuses_a_page_with_an_untraceable_number(monkeypatch: pytest.MonkeyPatch) -> None:
    from report import writing

    real = writing.Writer.render

    def with_invention(self, template, **values):  # type: ignore[no-untyped-def]
        text = real(self, template, **values)
        return text + "\nAnalysts expect $150,000.\n" if template == "page.md.j2" else text

    monkeypatch.setattr(writing.Writer, "render", with_invention)
    files = load_week_files(SEED)
    with pytest.raises(VerifyError, match=r"2025-W45 page:\d+: '\$150,000'"):
        build_edition(files, load_previous(files), HISTORY)


def test_build_refuses_a_page_that_claims_what_the_week_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from report import writing

    real = writing.Writer.render

    def with_claim(self, template, **values):  # type: ignore[no-untyped-def]
        text = real(self, template, **values)
        return text + "\nBitcoin set a record.\n" if template == "digest.md.j2" else text

    monkeypatch.setattr(writing.Writer, "render", with_claim)
    files = load_week_files(SEED)
    with pytest.raises(VerifyError, match=r"2025-W45 digest:\d+: says 'record', a claim"):
        build_edition(files, load_previous(files), HISTORY)


def test_traced_values_recompute_from_the_record(seed) -> None:  # type: ignore[no-untyped-def]
    _, edition = seed
    traced = [v for c in edition.claims for v in c.traced()]
    assert len(traced) > 30
    assert all(isinstance(t, Traced) for t in traced)


def test_a_number_inside_a_name_ends_before_its_comma(seed) -> None:  # type: ignore[no-untyped-def]
    evidence, _ = seed
    # "Balancer V2" is in the record; the comma after it is punctuation, not a digit group.
    assert verify_text("The largest, Balancer V2, lost $128 million.", evidence, "page") == []
    assert verify_text("Balancer V2048, lost it.", evidence, "page") != []


def test_a_title_cased_amount_keeps_its_scale(seed) -> None:  # type: ignore[no-untyped-def]
    evidence, _ = seed
    assert verify_text("DeFi Losses Reach $222 Million", evidence, "page") == []
    assert verify_text("DeFi Losses Reach $223 Million", evidence, "page") != []


def test_a_date_quoted_from_a_record_text_passes() -> None:
    evidence = Evidence.of(edition_of(SEED.with_name("2026-W04.yaml")))
    assert verify_text("The series end on 2025-12-31.", evidence, "page") == []
    assert verify_text("The series end on 2024-12-30.", evidence, "page") != []


def test_a_level_written_in_full_is_traced(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """2020-W10 from the real Binance series: Bitcoin fell to about $8,000, a level the page
    writes in full rather than as "$8K"; the level is traced as the price rounded up."""
    derive = derive_module(tmp_path)
    path = derive.write(derive.gather_from_series("2020-W10"))
    page = edition_of(path).page  # raises if any number does not trace
    assert "below $8,100, a level its daily close had not been below since January 11, 2020" in page


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

    page = edition_of(week_variant(add_tvl)).page  # raises if untraced
    line = next(line for line in page.splitlines() if "**Balancer V2**" in line)
    assert line.endswith(
        "went from $500 million on November 2 to $300 million on November 9, a fall of 40.0%, "
        "per SYNTHETIC test values."
    )


def test_a_protocol_named_without_letters_names_no_line(week_variant) -> None:  # type: ignore[no-untyped-def]
    """Untrusted names: a protocol called "." (SYNTHETIC) must not make a line name it."""

    def rename(data: dict) -> None:  # type: ignore[type-arg]
        data["incidents"][1]["protocol"] = "."

    evidence = Evidence.of(edition_of(week_variant(rename)))
    assert verify_text("Its close was $103,849 (spot).", evidence, "page") == []
    assert verify_text("Ethereum stood at $103,849 (spot).", evidence, "page") != []


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            lambda page: page.replace(
                "## Key Takeaways", _first_bullet(page) + "\n\n## Key Takeaways"
            ),
            "said twice: DeFi protocols lost $222 million",
        ),
        (lambda page: page + "\nNo derivatives.open_interest this week.\n", "field path"),
        (lambda page: page + "\nCopied from oziniak/vibe_trade.\n", "repository"),
        (
            lambda page: page + "\n[Binance](https://api.binance.com/api/v3/klines)\n",
            "API endpoint",
        ),
        (lambda page: page + "\nSee data/series/PROVENANCE.md.\n", "file path"),
        (lambda page: page + "\nThe sample series hold none.\n", "program word"),
    ],
    ids=["repeated", "field", "repository", "endpoint", "file", "program word"],
)
def test_a_page_that_says_a_thing_twice_or_in_program_words_is_refused(
    seed,  # type: ignore[no-untyped-def]
    change: Any,
    said: str,
) -> None:
    from report.verify import verify_edition

    _, edition = seed
    assert verify_edition(edition, HISTORY) == []
    problems = verify_edition(dataclasses.replace(edition, page=change(edition.page)), HISTORY)
    assert any(said in p for p in problems), problems


def _first_bullet(page: str) -> str:
    return next(line for line in page.splitlines() if line.startswith("- **"))


def test_two_incidents_listed_alike_are_the_sources_words_not_a_repeat() -> None:
    from report import prose

    page = "- November 4: **Hack Co**, exploit, $1 million\n" * 2
    assert prose.repeated(page) != []
    assert prose.repeated(page, lambda line: line.replace("Hack Co", " ")) == []
