"""Build the pages and digests of many weeks: all checked before any file is written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from report.cache import write_atomically
from report.errors import DataError, VerifyError
from report.facts import compute_facts
from report.model import Week
from report.paths import DIGESTS_DIR, PAGES_DIR
from report.verify import Evidence, verify_text
from report.weekfile import Edition, load_editions, load_previous
from report.writing import Written, write_story


@dataclass(frozen=True)
class Output:
    week: str
    page: Path
    digest: Path


def write_edition(edition: Edition, site_url: str = "", previous: Week | None = None) -> Written:
    """Write one week's page and digest, and prove every number in them."""
    facts = compute_facts(edition, previous)
    written = write_story(facts, site_url)
    evidence = Evidence(facts)
    problems = verify_text(written.page, evidence, f"{edition.week.week} page") + verify_text(
        written.digest, evidence, f"{edition.week.week} digest"
    )
    if problems:
        raise VerifyError(problems)
    return written


def build_weeks(
    paths: list[Path],
    pages_dir: Path = PAGES_DIR,
    digests_dir: Path = DIGESTS_DIR,
    site_url: str = "",
) -> list[Output]:
    """Load, write and verify every week; only when all pass are the files written."""
    editions = load_editions(paths)
    written: list[tuple[str, Written]] = []
    problems: list[str] = []
    for edition in editions:
        try:
            previous = load_previous(edition, editions)
            written.append((edition.week.week, write_edition(edition, site_url, previous)))
        except (DataError, VerifyError) as exc:
            problems.extend(exc.problems)
    if problems:
        raise VerifyError(problems)
    outputs = []
    for week, text in written:
        output = Output(week, pages_dir / f"{week}.md", digests_dir / f"{week}.md")
        write_atomically(output.page, text.page.encode())
        write_atomically(output.digest, text.digest.encode())
        outputs.append(output)
    return outputs
