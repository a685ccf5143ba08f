"""The 2025-W45 page and digest, compared byte for byte with the reviewed copies.

Refresh after an intended change, then review the diff:

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from report.build import write_edition
from report.weekfile import load_week_files, load_previous
from report.writing import Written
from tests.conftest import SEED

GOLDEN = Path(__file__).parent / "golden"


def write_seed() -> Written:
    """The seed week as the build writes it: compared with 2025-W44, the file beside it."""
    edition = load_week_files(SEED)
    return write_edition(edition, previous=load_previous(edition))


@pytest.mark.parametrize("part", ["page", "digest"])
def test_seed_week_matches_golden(part: str) -> None:
    written = getattr(write_seed(), part)
    golden = GOLDEN / f"2025-W45.{part}.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(written, encoding="utf-8")
    assert written == golden.read_text(encoding="utf-8")


def test_same_input_same_bytes() -> None:
    first, second = write_seed(), write_seed()
    assert first == second
