"""Charts are tested as data (their Vega-Lite dictionaries), not as pixels."""

from __future__ import annotations

from report.charts import build_charts
from report.facts import compute_facts
from report.weekfile import load_edition
from tests.conftest import SEED, WEEKS


def charts_of(path):  # type: ignore[no-untyped-def]
    return {c.name: c for c in build_charts(compute_facts(load_edition(path)))}


def values(spec: dict, part: dict) -> list:  # type: ignore[type-arg]
    """A layer's rows: Altair moves inline data into the spec's named datasets."""
    return spec["datasets"][part["data"]["name"]]  # type: ignore[no-any-return]


def test_seed_week_charts() -> None:
    charts = charts_of(SEED)
    assert list(charts) == ["btc-closes", "changes", "fear-greed"]  # no daily liquidations
    price = charts["btc-closes"].to_dict()
    band, line, high = price["layer"]
    assert line["encoding"]["x"]["type"] == "temporal"
    assert len(values(price, line)) == 90
    assert values(price, line)[-1] == {"date": "2025-11-03", "close": 106583.04}
    assert values(price, high) == [{"ath": 126080.0}]
    assert values(price, band) == [{"start": "2025-11-03", "end": "2025-11-09"}]
    changes = charts["changes"].to_dict()
    assert {"asset": "SOL", "horizon": "24 hours", "change": -9.2} in values(changes, changes)
    assert changes["encoding"]["yOffset"]["field"] == "horizon"


def test_every_chart_has_a_text_alternative() -> None:
    for chart in charts_of(SEED).values():
        assert chart.alt_text.endswith(".") and chart.rows
        assert all(len(row) == len(chart.columns) for row in chart.rows)


def test_week_without_fear_greed_has_no_such_chart() -> None:
    assert "fear-greed" in charts_of(WEEKS / "2026-W04.yaml")
    assert "liquidations" not in charts_of(WEEKS / "2026-W04.yaml")
