"""The chart-drawing helper process: real vl-convert in a real child process."""

from __future__ import annotations

import json

import pytest

from report.errors import RenderError
from report.svgdraw import SvgDrawer
from report.weekpages import chart_spec
from tests.conftest import SEED, WEEKS, edition_of


def test_draws_the_weeks_charts_and_stops_on_leaving() -> None:
    charts = edition_of(SEED).charts
    with SvgDrawer() as drawer:
        svgs = [drawer.draw(chart_spec(c)).decode() for c in charts]
        helpers = list(drawer._helpers)  # private: to see that leaving the block stops them
    assert all(svg.startswith("<svg") and "mark-" in svg for svg in svgs)
    assert "mark-line" in svgs[0]  # the price chart's line
    assert len(helpers) == 1 and helpers[0].process.returncode is not None


def test_drawings_asked_ahead_are_shared_out_and_each_reaches_its_asker() -> None:
    """Asked ahead of time from two helpers, each drawing comes back to the chart that asked
    for it, whichever helper drew it, in whatever order they are taken."""
    charts = [chart_spec(c) for c in edition_of(SEED).charts]
    with SvgDrawer() as alone:
        expected = {spec: alone.draw(spec) for spec in charts}
    with SvgDrawer(helpers=2) as drawer:
        for spec in charts:
            drawer.prefetch(spec)
        assert len(drawer._helpers) == 2
        drawn = {spec: drawer.draw(spec) for spec in reversed(charts)}
    assert drawn == expected


def test_a_chart_it_cannot_draw_is_named_and_the_next_one_is_drawn() -> None:
    good = {"data": {"values": [{"x": 1}]}, "mark": "bar", "encoding": {"x": {"field": "x"}}}
    with SvgDrawer() as drawer:
        with pytest.raises(RenderError, match=r"vl-convert could not draw a chart: .*conversion"):
            drawer.draw(json.dumps({"mark": "no-such-mark"}))
        assert drawer.draw(json.dumps(good)).startswith(b"<svg")


def test_a_helper_that_dies_is_an_error_not_a_hang() -> None:
    with SvgDrawer() as drawer:
        drawer.start()
        drawer._helpers[0].process.kill()
        with pytest.raises(RenderError, match="chart-drawing process stopped"):
            drawer.draw(json.dumps({"mark": "point"}))


def test_a_shape_compiled_once_draws_every_week_as_vl_convert_draws_it_alone() -> None:
    """The helper compiles each chart shape to Vega once and fills in each week's rows: the
    drawings are byte for byte vl-convert's own, for weeks of different shapes and data."""
    import vl_convert

    weeks = [WEEKS / f"{label}.yaml" for label in ("2020-W11", "2022-W24", "2025-W45")]
    with SvgDrawer() as drawer:
        for path in weeks:
            for chart in edition_of(path).charts:
                spec = chart_spec(chart)
                alone = vl_convert.vegalite_to_svg(json.loads(spec)).encode()
                assert drawer.draw(spec) == alone, (path.stem, chart.name)
