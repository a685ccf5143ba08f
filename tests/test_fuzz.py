"""The loader meets arbitrary documents: it accepts them or says why, never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from report.errors import DataError
from report.weekfile import load_week_files
from tests.conftest import SEED, load_raw

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.dates(),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=30,
)
REAL_WEEK = load_raw(SEED)
FIELDS = list(REAL_WEEK)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _loads_or_explains(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "2025-W45.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_week_files(path)
        except DataError as exc:
            assert exc.problems and all(p.startswith(str(path)) for p in exc.problems)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_any_text(text: str) -> None:
    _loads_or_explains(text)


@settings(max_examples=150, deadline=None)
@given(DOCUMENTS)
def test_any_document(document: Any) -> None:
    _loads_or_explains(yaml.safe_dump(document))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(FIELDS), DOCUMENTS)
def test_real_week_with_one_field_replaced(field: str, value: Any) -> None:
    week = {**REAL_WEEK, field: value}
    _loads_or_explains(yaml.dump(week, Dumper=DUMPER, sort_keys=False))
