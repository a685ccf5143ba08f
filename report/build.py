"""Build the pages and digests of many weeks: all checked before any file is written.

The page written is the page the site publishes (its links to the site's files made relative
to the weeks/ folder, where it sits on the site), and the digest the text the email sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from report.archive import Archive
from report.cache import write_atomically
from report.edition import ROOT, Edition, build_edition
from report.errors import DataError, VerifyError
from report.history import HistoryStore
from report.paths import DIGESTS_DIR, PAGES_DIR
from report.weekfile import WeekFiles, load_all_week_files, load_previous

WEEK_PAGE_ROOT = "../"  # from weeks/<week>.html to the site's root


@dataclass(frozen=True)
class Output:
    week: str
    page: Path
    digest: Path


def written_page(edition: Edition) -> str:
    """The page as written to build/pages and as the site's week page carries it."""
    return edition.page.replace(ROOT, WEEK_PAGE_ROOT)


def build_editions(
    loaded: list[WeekFiles], site_url: str = "", history: HistoryStore | None = None
) -> list[Edition]:
    """Every week's edition, each set against the weeks of record before it in its folder (its
    archive); every week's problems are reported before failing."""
    store = history if history is not None else HistoryStore()
    archive = Archive(store)
    editions: list[Edition] = []
    problems: list[str] = []
    for files in loaded:
        try:
            previous = load_previous(files, loaded)
            before = archive.before(files.path)
            editions.append(build_edition(files, previous, store, site_url, before))
        except (DataError, VerifyError) as exc:
            problems.extend(exc.problems)
    if problems:
        raise VerifyError(problems)
    return editions


def build_weeks(
    paths: list[Path],
    pages_dir: Path = PAGES_DIR,
    digests_dir: Path = DIGESTS_DIR,
    site_url: str = "",
    history: HistoryStore | None = None,
) -> list[Output]:
    """Load, write and verify every week; only when all pass are the files written."""
    editions = build_editions(load_all_week_files(paths), site_url, history)
    outputs = []
    for edition in editions:
        output = Output(
            edition.label, pages_dir / f"{edition.label}.md", digests_dir / f"{edition.label}.md"
        )
        write_atomically(output.page, written_page(edition).encode())
        write_atomically(output.digest, edition.digest.encode())
        outputs.append(output)
    return outputs
