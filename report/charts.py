"""The week's charts, as Altair specifications built from the week of record alone.

Each chart comes with a text alternative (alt text and the data as rows), so a reader without
scripts or sight gets the same numbers.

Colours are parameters of the specification (`palette_price`, `palette_text`…), never literals
in a mark. Their values here are mid-tones that read on light and dark pages: the static SVG is
drawn with them. On the site, site/javascripts/charts.js sets each parameter from the page's
palette (CSS variables in site/stylesheets/report.css and Material's own) and sets them again
when the reader switches between light and dark.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, cast

import altair as alt

from report.claims import Claim, Inputs
from report.claims.prices import Drawdown
from report.formatting import long_date, signed_pct, usd

HISTORY_DAYS = 90
# The static renders' colours, by role: they keep contrast on white and on Material's slate.
PALETTE = {
    "price": "#4e79a7",
    "high": "#e15759",
    "week": "#f28e2b",
    "up": "#59a14f",
    "down": "#e15759",
    "text": "#888888",
    "grid": "#88888844",
}


def colour(role: str) -> alt.ExprRef:
    """A colour by its role, resolved when the chart is drawn (see the module's docstring)."""
    assert role in PALETTE, role
    return alt.ExprRef(f"palette_{role}")


@dataclass(frozen=True)
class Chart:
    """A chart's words and data, and how to make its specification: made only when drawn, as
    Altair's checks cost more than the rest of a page."""

    name: str
    title: str
    alt_text: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    make: Callable[[], alt.TopLevelMixin]

    @property
    def spec(self) -> alt.TopLevelMixin:
        return self.make()

    def to_dict(self, validate: bool = True) -> dict[str, Any]:
        """The Vega-Lite specification; the site skips the schema check, the tests keep it."""
        spec: dict[str, Any] = self.make().to_dict(validate=validate)
        return spec


def _data(values: list[dict[str, Any]]) -> dict[str, Any]:
    """Inline data, written into the spec so each chart file stands alone."""
    return {"values": values}


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


def _price_spec(
    data: dict[str, Any], week: dict[str, str], high: float | None
) -> alt.TopLevelMixin:
    line = (
        alt.Chart(data)
        .mark_line(color=colour("price"))
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("close:Q", title="USD", scale=alt.Scale(zero=False)),
            tooltip=[alt.Tooltip("date:T"), alt.Tooltip("close:Q", format=",.0f")],
        )
    )
    band = (
        alt.Chart(_data([week]))
        .mark_rect(color=colour("week"), opacity=0.15)
        .encode(x="start:T", x2="end:T")
    )
    layers: list[alt.Chart] = [band, line]
    if high is not None:
        layers.append(
            alt.Chart(_data([{"ath": high}]))
            .mark_rule(color=colour("high"), strokeDash=[4, 4])
            .encode(y="ath:Q")
        )
    layered = cast(alt.LayerChart, alt.layer(*layers).properties(width="container", height=260))
    return _config(layered)


def price_chart(inputs: Inputs, claims: list[Claim]) -> Chart | None:
    """Bitcoin's daily closes over the last 90 days, with the week marked and, when it is known,
    the all-time high."""
    week = inputs.week
    closes = week.btc.closes
    if closes is None:
        return None
    start = closes.end - timedelta(days=HISTORY_DAYS - 1)
    points = [(d, v) for d, v in closes.points() if d >= start]
    data = _data([{"date": d.isoformat(), "close": v} for d, v in points])
    band = {"start": week.period.start.isoformat(), "end": week.period.end.isoformat()}
    alt_text = (
        f"Bitcoin's daily close from {long_date(points[0][0])} to {long_date(points[-1][0])}, "
        f"between {usd(min(v for _, v in points))} and {usd(max(v for _, v in points))}"
    )
    drawdown = next((c for c in claims if isinstance(c, Drawdown) and c.subject == "BTC"), None)
    high = drawdown.high.value if drawdown is not None and drawdown.all_time else None
    if high is not None:
        alt_text += f"; the dashed line is the all-time high of {usd(high)}"
    return Chart(
        name="btc-closes",
        title=(
            f"Bitcoin, last {HISTORY_DAYS} days of daily closes"
            if len(points) == HISTORY_DAYS
            else f"Bitcoin's daily closes since {long_date(points[0][0])}"
        ),
        alt_text=alt_text + ".",
        columns=("Date", "Close"),
        rows=[(d.isoformat(), usd(v)) for d, v in points],
        make=partial(_price_spec, data, band, high),
    )


def _changes_spec(values: list[dict[str, Any]], order: list[str]) -> alt.TopLevelMixin:
    bars = (
        alt.Chart(_data(values))
        .mark_bar()
        .encode(
            y=alt.Y("asset:N", title=None, sort=order),
            yOffset=alt.YOffset("horizon:N"),
            x=alt.X("change:Q", title="Change (%)"),
            color=alt.condition(
                alt.datum.change < 0, alt.value(colour("down")), alt.value(colour("up"))
            ),
            opacity=alt.Opacity(
                "horizon:N", scale=alt.Scale(domain=["24 hours", "7 days"], range=[0.55, 1])
            ),
            tooltip=["asset:N", "horizon:N", alt.Tooltip("change:Q", format="+.1f")],
        )
    )
    return _config(bars.properties(width="container", height=40 * len(order)))


def changes_chart(inputs: Inputs) -> Chart | None:
    """24-hour and 7-day changes of the tracked assets, side by side."""
    values: list[dict[str, Any]] = []
    rows: list[tuple[str, ...]] = []
    for move in inputs.moves:
        for label, change in (("24 hours", move.change_24h), ("7 days", move.change_7d)):
            if change is not None:
                values.append({"asset": move.symbol, "horizon": label, "change": change.value})
                rows.append((move.symbol, label, signed_pct(change)))
    if not values:
        return None
    return Chart(
        name="changes",
        title="Changes over 24 hours and 7 days",
        alt_text="Price changes of the tracked assets over 24 hours (lighter) and 7 days.",
        columns=("Asset", "Horizon", "Change"),
        rows=rows,
        make=partial(_changes_spec, values, [m.symbol for m in inputs.moves]),
    )


def _liquidations_spec(values: list[dict[str, Any]]) -> alt.TopLevelMixin:
    bars = (
        alt.Chart(_data(values))
        .mark_bar()
        .encode(
            x=alt.X("date:T", title=None),
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


def liquidations_chart(inputs: Inputs) -> Chart | None:
    """Liquidations by day, longs against shorts, when the week has the daily series."""
    liquidations = inputs.week.liquidations
    if liquidations is None or not liquidations.daily:
        return None
    values = [
        {"date": day.date.isoformat(), "side": side, "usd": getattr(day, f"{side}_usd")}
        for day in liquidations.daily
        for side in ("long", "short")
    ]
    return Chart(
        name="liquidations",
        title="Liquidations by day, longs and shorts",
        alt_text="Daily liquidations, long positions stacked under short positions.",
        columns=("Date", "Side", "Liquidated"),
        rows=[(v["date"], v["side"], usd(v["usd"])) for v in values],
        make=partial(_liquidations_spec, values),
    )


def _fear_greed_spec(data: dict[str, Any]) -> alt.TopLevelMixin:
    area = (
        alt.Chart(data)
        .mark_area(line={"color": colour("price")}, color=colour("price"), opacity=0.25)
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("value:Q", title="Index", scale=alt.Scale(domain=[0, 100])),
            tooltip=["date:T", "value:Q"],
        )
    )
    return _config(area.properties(width="container", height=200))


def fear_greed_chart(inputs: Inputs) -> Chart | None:
    sentiment = inputs.week.sentiment
    if sentiment is None or sentiment.fear_greed is None:
        return None
    points = sentiment.fear_greed.series.points()
    data = _data([{"date": d.isoformat(), "value": v} for d, v in points])
    return Chart(
        name="fear-greed",
        title="Crypto Fear & Greed Index",
        alt_text=(
            f"The Fear & Greed Index from {long_date(points[0][0])} to {long_date(points[-1][0])},"
            f" from extreme fear at the bottom to extreme greed at the top."
        ),
        columns=("Date", "Index"),
        rows=[(d.isoformat(), f"{v:.0f}") for d, v in points],
        make=partial(_fear_greed_spec, data),
    )


def build_charts(inputs: Inputs, claims: list[Claim]) -> list[Chart]:
    """Every chart the week's data supports, in page order."""
    charts = (
        price_chart(inputs, claims),
        changes_chart(inputs),
        liquidations_chart(inputs),
        fear_greed_chart(inputs),
    )
    return [c for c in charts if c is not None]
