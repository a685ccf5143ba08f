"""How the week's charts are drawn: their Altair (Vega-Lite) specifications.

Loaded only when a chart is drawn (report/charts.py holds what each chart shows), as Altair
takes longer to load than the rest of a page takes to write.

Altair checks every part of a chart against the Vega-Lite schema as it is built, which costs
more than the rest of a week's page. So each chart is built once per shape (with or without an
all-time-high line, the assets in a given order), with named slots where its data go, checked
then, and kept as the resulting specification; a week's chart is that specification with the
week's rows put in its slots (`spec`).

Colours are parameters of the specification (`palette_price`, `palette_text`…), never literals
in a mark. Their values here are mid-tones that read on light and dark pages: the static SVG is
drawn with them. On the site, site/javascripts/charts.js sets each parameter from the page's
palette (CSS variables in site/stylesheets/report.css and Material's own) and sets them again
when the reader switches between light and dark.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

import altair as alt

from report.charts import SLOT

# The static renders' colours, by role: they keep contrast on white and on Material's slate.
PALETTE = {
    "price": "#4e79a7",
    "high": "#e15759",
    "week": "#f28e2b",
    "up": "#59a14f",
    "down": "#e15759",
    "recent": "#a0cbe8",
    "text": "#888888",
    "grid": "#88888844",
}


def colour(role: str) -> alt.ExprRef:
    """A colour by its role, resolved when the chart is drawn (see the module's docstring)."""
    assert role in PALETTE, role
    return alt.ExprRef(f"palette_{role}")


# One date format on every axis, and labels that give way rather than collide at any width.
# A tick a week, so no month boundary squeezes in an extra one beside the last.
DATE_AXIS = alt.Axis(
    format="%b %-d",
    tickCount="week",
    labelOverlap="greedy",
    labelSeparation=12,
    labelFlush=True,
)


def _data(slot: str) -> dict[str, Any]:
    """Inline data, written into the spec so each chart file stands alone: a slot, which
    `spec` fills with the week's rows."""
    return {"values": [{SLOT: slot}]}


def _config(chart: alt.Chart | alt.LayerChart) -> alt.TopLevelMixin:
    text, grid = colour("text"), colour("grid")
    # One configure call: each Altair call copies the whole chart, inline data included.
    configured: alt.TopLevelMixin = chart.add_params(
        *(alt.param(name=f"palette_{r}", value=v) for r, v in PALETTE.items())
    ).configure(
        background="transparent",
        axis=alt.AxisConfig(gridColor=grid, labelColor=text, titleColor=text, domainColor=grid),
        view=alt.ViewConfig(stroke=None),
        title=alt.TitleConfig(color=text),
        legend=alt.LegendConfig(labelColor=text, titleColor=text),
    )
    return configured


def price(has_high: bool) -> alt.TopLevelMixin:
    """Slots: `closes` (date, close), `week` (start, end) and, with `has_high`, `ath` (ath)."""
    line = (
        alt.Chart(_data("closes"))
        .mark_line(color=colour("price"))
        .encode(
            x=alt.X("date:T", title=None, axis=DATE_AXIS),
            y=alt.Y("close:Q", title="USD", scale=alt.Scale(zero=False)),
            tooltip=[alt.Tooltip("date:T"), alt.Tooltip("close:Q", format=",.0f")],
        )
    )
    marked = alt.Chart(_data("week"))
    band = marked.mark_rect(color=colour("week"), opacity=0.15).encode(x="start:T", x2="end:T")
    # The band and the high line say what they are, on the chart itself.
    band_label = marked.mark_text(
        color=colour("text"), align="right", baseline="top", dx=-4, y=4, fontSize=11
    ).encode(x="start:T", text=alt.value("This week"))
    layers: list[alt.Chart] = [band, line, band_label]
    if has_high:
        ath = alt.Chart(_data("ath"))
        layers.append(ath.mark_rule(color=colour("high"), strokeDash=[4, 4]).encode(y="ath:Q"))
        layers.append(
            ath.mark_text(
                color=colour("high"), align="left", baseline="bottom", x=4, dy=-3, fontSize=11
            ).encode(y="ath:Q", text=alt.value("All-time high"))
        )
    layered = cast(alt.LayerChart, alt.layer(*layers).properties(width="container", height=260))
    return _config(layered)


def changes(order: tuple[str, ...]) -> alt.TopLevelMixin:
    """Slots: `changes` (asset, horizon, change) and `zero` (zero)."""
    bars = (
        alt.Chart(_data("changes"))
        .mark_bar()
        .encode(
            y=alt.Y("asset:N", title=None, sort=list(order)),
            yOffset=alt.YOffset("horizon:N"),
            x=alt.X("change:Q", title="Change (%)"),
            # Colour says the horizon (the legend shows the bars' own colours); the side of
            # the zero line says up or down.
            color=alt.Color(
                "horizon:N",
                scale=alt.Scale(
                    domain=["24 hours", "7 days"], range=[colour("recent"), colour("price")]
                ),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=["asset:N", "horizon:N", alt.Tooltip("change:Q", format="+.1f")],
        )
    )
    zero = alt.Chart(_data("zero")).mark_rule(color=colour("text")).encode(x="zero:Q")
    layered = alt.layer(bars, zero).properties(width="container", height=40 * len(order))
    return _config(cast(alt.LayerChart, layered))


def liquidations() -> alt.TopLevelMixin:
    """Slot: `days` (date, side, usd)."""
    bars = (
        alt.Chart(_data("days"))
        .mark_bar()
        .encode(
            x=alt.X("date:T", title=None, axis=DATE_AXIS),
            y=alt.Y("usd:Q", title="USD", stack=True),
            color=alt.Color(
                "side:N",
                scale=alt.Scale(domain=["long", "short"], range=[colour("down"), colour("up")]),
                title=None,
            ),
            tooltip=["date:T", "side:N", alt.Tooltip("usd:Q", format="$,.0f")],
        )
    )
    return _config(bars.properties(width="container", height=220))


def fear_greed() -> alt.TopLevelMixin:
    """Slot: `readings` (date, value)."""
    area = (
        alt.Chart(_data("readings"))
        .mark_area(line={"color": colour("price")}, color=colour("price"), opacity=0.25)
        .encode(
            x=alt.X("date:T", title=None, axis=DATE_AXIS),
            y=alt.Y("value:Q", title="Index", scale=alt.Scale(domain=[0, 100])),
            tooltip=["date:T", "value:Q"],
        )
    )
    return _config(area.properties(width="container", height=200))


def archive() -> alt.TopLevelMixin:
    """Slot: `weeks` (date, close, url, title): Bitcoin's price each week, each week's point a
    link to its page."""
    base = alt.Chart(_data("weeks")).encode(
        x=alt.X("date:T", title=None, axis=alt.Axis(format="%Y", tickCount="year")),
        y=alt.Y("close:Q", title="USD (log scale)", scale=alt.Scale(type="log", nice=False)),
    )
    line = base.mark_line(color=colour("price"), strokeWidth=1.5)
    points = base.mark_point(color=colour("price"), filled=True, size=18, cursor="pointer").encode(
        href="url:N",
        tooltip=[
            alt.Tooltip("date:T", title="Week of", format="%B %-d, %Y"),
            alt.Tooltip("close:Q", title="Bitcoin", format="$,.0f"),
            alt.Tooltip("title:N", title="Headline"),
        ],
    )
    layered = alt.layer(line, points).properties(width="container", height=280)
    return _config(cast(alt.LayerChart, layered))


MAKERS: dict[str, Callable[..., alt.TopLevelMixin]] = {
    "archive": archive,
    "price": price,
    "changes": changes,
    "liquidations": liquidations,
    "fear_greed": fear_greed,
}


def template(kind: str, shape: tuple[Any, ...]) -> str:
    """A chart's specification for one shape, checked against the schema, as JSON text; its
    rows are slots (report/charts.py `fill` puts a week's rows in them)."""
    return json.dumps(MAKERS[kind](*shape).to_dict(validate=True))
