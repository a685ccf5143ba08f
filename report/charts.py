"""The week's charts: what each shows, from the week of record alone.

Each chart comes with a text alternative (alt text and the data as rows), so a reader without
scripts or sight gets the same numbers. How a chart is drawn is report/chart_specs.py, loaded
only when one is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from report.cache import cached, code_version
from report.claims import Claim, Inputs
from report.claims.prices import Drawdown
from report.formatting import long_date, signed_pct, usd
from report.trace import Traced

if TYPE_CHECKING:
    pass

HISTORY_DAYS = 90


@dataclass(frozen=True)
class Chart:
    """A chart's words and data, and how to make its specification: made only when drawn, as
    Altair's checks cost more than the rest of a page."""

    name: str
    title: str
    alt_text: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    make: Callable[[], dict[str, Any]]  # the Vega-Lite specification, made when drawn
    # Values from the history store the chart shows: the history reaches a page only traced.
    traced: tuple[Traced, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The Vega-Lite specification (checked against the schema once per chart shape)."""
        return self.make()


def on_white(spec: dict[str, Any], width: int, height: int | None = None) -> dict[str, Any]:
    """A chart as a picture outside the site (a card, an email): a fixed width, and a white
    ground, where a transparent one would take whatever colour the viewer puts behind it."""
    config = {**spec.get("config", {})}
    # Read at the size a card or an email column shows it: larger type than on the page.
    config["axis"] = {**config.get("axis", {}), "labelFontSize": 13, "titleFontSize": 13}
    fixed = {**spec, "width": width, "background": "#ffffff", "padding": 12, "config": config}
    if height is not None:
        fixed["height"] = height
    return fixed


def spec_of(kind: str, shape: tuple[Any, ...], **data: list[dict[str, Any]]) -> dict[str, Any]:
    """A chart's specification: its shape's (report/chart_specs.py, kept in the cache, so that
    a build with a chart to draw loads Altair only for a shape it has not met) with `data` in
    its slots."""
    template = cached(
        f"chart-template:{code_version()}:{kind}:{shape!r}",
        partial(_template, kind, shape),
        ".json",
    )
    return fill(json.loads(template), data)


def _template(kind: str, shape: tuple[Any, ...]) -> bytes:
    from report import chart_specs  # Altair loads here

    return chart_specs.template(kind, shape).encode()


SLOT = "__slot__"  # a data row that marks where a chart's rows go (report/chart_specs.py)


def fill(template: dict[str, Any], data: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """A chart shape's specification with `data` in its slots."""
    for name, rows in template.get("datasets", {}).items():
        if len(rows) == 1 and SLOT in rows[0]:
            template["datasets"][name] = data[rows[0][SLOT]]
    return template


def price_chart(inputs: Inputs, claims: list[Claim]) -> Chart | None:
    """Bitcoin's daily closes over the last 90 days, with the week marked and, when it is known,
    the all-time high."""
    week = inputs.week
    prices = inputs.prices("BTC")  # the week's own closes, else the history store's
    start = prices.through - timedelta(days=HISTORY_DAYS - 1)
    traced = [
        (day, close)
        for i, value in enumerate(prices.closes)
        if value is not None
        and (day := prices.day(i)) >= start
        and (close := prices.close(day)) is not None
    ]
    points = [(day, close.value) for day, close in traced]
    if not points:  # no close in the chart's days: nothing to draw
        return None
    data = [{"date": d.isoformat(), "close": v} for d, v in points]
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
        make=partial(
            spec_of, "price", (high is not None,), closes=data, week=[band], ath=[{"ath": high}]
        ),
        traced=tuple(close for _, close in traced),
    )


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
        make=partial(
            spec_of,
            "changes",
            (tuple(m.symbol for m in inputs.moves),),
            changes=values,
            zero=[{"zero": 0}],
        ),
    )


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
        make=partial(spec_of, "liquidations", (), days=values),
    )


def fear_greed_chart(inputs: Inputs) -> Chart | None:
    sentiment = inputs.week.sentiment
    if sentiment is None or sentiment.fear_greed is None:
        return None
    points = sentiment.fear_greed.series.points()
    if not points:
        return None
    data = [{"date": d.isoformat(), "value": v} for d, v in points]
    return Chart(
        name="fear-greed",
        title="Crypto Fear & Greed Index",
        alt_text=(
            f"The Fear & Greed Index from {long_date(points[0][0])} to {long_date(points[-1][0])},"
            f" from extreme fear at the bottom to extreme greed at the top."
        ),
        columns=("Date", "Index"),
        rows=[(d.isoformat(), f"{v:.0f}") for d, v in points],
        make=partial(spec_of, "fear_greed", (), readings=data),
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
