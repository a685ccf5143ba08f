"""Charts are tested as data (their Vega-Lite dictionaries), not as pixels."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import vl_convert

from report.chart_specs import PALETTE
from tests.conftest import SEED, WEEKS, edition_of


def charts_of(path):  # type: ignore[no-untyped-def]
    return {c.name: c for c in edition_of(path).charts}


def values(spec: dict, part: dict) -> list:  # type: ignore[type-arg]
    """A layer's rows: Altair moves inline data into the spec's named datasets."""
    return spec["datasets"][part["data"]["name"]]  # type: ignore[no-any-return]


def test_seed_week_charts() -> None:
    charts = charts_of(SEED)
    assert list(charts) == ["btc-closes", "changes", "fear-greed"]  # no daily liquidations
    price = charts["btc-closes"].to_dict()
    band, line, band_label, high, high_label = price["layer"]
    assert band_label["encoding"]["text"] == {"value": "This week"}  # the marks say what they are
    assert high_label["encoding"]["text"] == {"value": "All-time high"}
    assert line["encoding"]["x"]["type"] == "temporal"
    assert len(values(price, line)) == 90
    assert values(price, line)[-1] == {"date": "2025-11-03", "close": 106583.04}
    assert values(price, high) == [{"ath": 126199.63}]  # the highest any source gives
    assert values(price, band) == [{"start": "2025-11-03", "end": "2025-11-09"}]
    changes = charts["changes"].to_dict()
    bars = changes["layer"][0]
    assert {"asset": "SOL", "horizon": "24 hours", "change": -9.2} in values(changes, bars)
    assert bars["encoding"]["yOffset"]["field"] == "horizon"
    assert bars["encoding"]["color"]["field"] == "horizon"  # the legend is the bars' colours
    assert "opacity" not in bars["encoding"]


def test_every_chart_has_a_text_alternative() -> None:
    for chart in charts_of(SEED).values():
        assert chart.alt_text.endswith(".") and chart.rows
        assert all(len(row) == len(chart.columns) for row in chart.rows)


def test_week_without_fear_greed_has_no_such_chart() -> None:
    assert "fear-greed" in charts_of(WEEKS / "2026-W04.yaml")
    assert "liquidations" not in charts_of(WEEKS / "2026-W04.yaml")


def _strings(node: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(node, dict):
        return [pair for key, value in node.items() for pair in _strings(value, f"{path}.{key}")]
    if isinstance(node, list):
        return [pair for i, value in enumerate(node) for pair in _strings(value, f"{path}[{i}]")]
    return [(path, node)] if isinstance(node, str) else []


def with_daily_liquidations(d: dict[str, Any]) -> None:
    """SYNTHETIC daily liquidations (plainly labelled), so that every chart is drawn."""
    d["liquidations"]["daily"] = [
        {
            "date": date(2025, 10, 27 + i) if i < 5 else date(2025, 11, i - 4),
            "long_usd": 2e8,
            "short_usd": 5e7,
        }
        for i in range(7)
    ]
    d["liquidations"]["source"]["note"] = "SYNTHETIC test history, not market data"


def test_colours_are_palette_parameters_the_page_can_switch(
    week_variant: Callable[..., Path],
) -> None:
    charts = charts_of(week_variant(with_daily_liquidations))
    assert list(charts) == ["btc-closes", "changes", "liquidations", "fear-greed"]
    for chart in charts.values():
        spec = chart.to_dict()
        params = {p["name"]: p["value"] for p in spec["params"]}
        assert params == {f"palette_{role}": value for role, value in PALETTE.items()}
        # No colour is written into a mark, an encoding or the config: only the parameters
        # hold colours, so the page can change them all.
        literal = [
            (where, s)
            for where, s in _strings(spec)
            if re.fullmatch(r"#[0-9a-fA-F]{3,8}", s) and not where.startswith(".params")
        ]
        assert literal == [], chart.name
        assert "palette_text" in str(spec["config"]["axis"]["labelColor"])
        # The static render uses the parameters' values.
        svg = vl_convert.vegalite_to_svg(spec)
        assert PALETTE["text"] in svg or PALETTE["text"].lower() in svg.lower()


def test_a_series_without_values_in_the_charts_days_draws_no_chart(
    week_variant: Callable[..., Path],
) -> None:
    """Closes that stop 100 days before the week's end, and no history store to fill them: no
    price line (and no traceback)."""

    def stale(d: dict[str, Any]) -> None:
        for asset in d["assets"]:
            asset["closes"]["values"][-100:] = [None] * 100

    path = week_variant(stale)
    charts = {c.name: c for c in edition_of(path, history=path.parent / "no-history").charts}
    assert "btc-closes" not in charts and "fear-greed" in charts
