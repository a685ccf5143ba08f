"""The 2025-W45 page and digest, compared byte for byte with the reviewed copies.

Refresh after an intended change, then review the diff:

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from report.build import written_page
from tests.conftest import SEED, edition_of

GOLDEN = Path(__file__).parent / "golden"


def written() -> dict[str, str]:
    """The seed week as the build writes it: compared with 2025-W44, the file beside it."""
    edition = edition_of(SEED)
    return {"page": written_page(edition), "digest": edition.digest}


@pytest.mark.parametrize("part", ["page", "digest"])
def test_seed_week_matches_golden(part: str) -> None:
    text = written()[part]
    golden = GOLDEN / f"2025-W45.{part}.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_same_input_same_bytes() -> None:
    assert written() == written()
