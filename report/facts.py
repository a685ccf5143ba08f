"""What a market writer would notice in a week, computed from the week of record alone.

Each fact has a kind, the traced numbers it rests on, and a score: how notable it is, on a
scale where 1 is "worth a line" and 3 is "leads the page". The scales are the constants below;
the story (report/story.py) and the headline follow from the ranking.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from report.model import Asset, FearGreed, Incident, Week
from report.trace import (
    Traced,
    combine,
    count,
    diff,
    pct_change,
    read,
    resolve,
    round_to,
    total,
)
from report.weekfile import Edition

# Scales: the size of a move that scores 1.0 ("worth a line").
SCALE_BTC_7D_PCT = 4.0
SCALE_BTC_24H_PCT = 2.5
SCALE_DRAWDOWN_PCT = 10.0
SCALE_SINCE_DAYS = 60
MIN_SINCE_DAYS = 21
SCALE_ALT_MEAN_PCT = 7.0
MAX_ALT_SCORE = 2.0  # altcoins support the story; they do not lead it
SCALE_LIQUIDATIONS_USD = 500e6
SCALE_BASIS_PP = 1.0
SCALE_FEAR_GREED_DISTANCE = 20.0
SCALE_ODDS_PP = 10.0
SCALE_INCIDENTS_USD = 50e6
MAX_SCORE = 3.0
SCORE_EDITORIAL_DRIVERS = 2.5  # a person named what drove the week: worth a summary bullet


@dataclass(frozen=True)
class Fact:
    kind: str
    score: float
    values: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        # Templates read fact.price rather than fact.values["price"].
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True)
class AssetMove:
    symbol: str
    name: str
    price: Traced
    at: datetime
    change_24h: Traced | None
    change_7d: Traced | None
    from_ath: Traced | None
    ath: Traced | None
    ath_date: date | None


@dataclass(frozen=True)
class Comparison:
    """One measure this week against last week's record. A side is None when its record lacks
    the measure; `change` needs both. Labels are words beside the number (Fear, Greed)."""

    now: Traced | None
    before: Traced | None
    change: Traced | None
    now_label: str | None = None
    before_label: str | None = None


@dataclass(frozen=True)
class WeekOverWeek:
    """This week against the week of record before it: price, liquidations and sentiment."""

    previous: Week
    price: Comparison
    liquidations: Comparison
    fear_greed: Comparison

    def comparisons(self) -> list[Comparison]:
        return [self.price, self.liquidations, self.fear_greed]


@dataclass(frozen=True)
class Facts:
    edition: Edition
    record: dict[str, Any]
    assets: list[AssetMove]
    ranked: list[Fact]
    week_over_week: WeekOverWeek | None = None

    @property
    def btc(self) -> AssetMove:
        return self.assets[0]

    def get(self, kind: str) -> Fact | None:
        return next((f for f in self.ranked if f.kind == kind), None)

    def traced(self) -> list[Traced]:
        """Every traced number the facts hold: the ledger verify checks against."""
        found: list[Traced] = []
        for move in self.assets:
            found += [v for v in vars(move).values() if isinstance(v, Traced)]
        for fact in self.ranked:
            found += _traced_in(list(fact.values.values()))
        if self.week_over_week:
            for row in self.week_over_week.comparisons():
                found += _traced_in([row.now, row.before, row.change])
        return found


def _traced_in(items: list[Any]) -> list[Traced]:
    found: list[Traced] = []
    for item in items:
        if isinstance(item, Traced):
            found.append(item)
        elif isinstance(item, list | tuple):
            found += _traced_in(list(item))
        elif isinstance(item, dict):
            found += _traced_in(list(item.values()))
        elif isinstance(item, AssetMove):
            found += [v for v in vars(item).values() if isinstance(v, Traced)]
    return found


def _score(size: float, scale: float) -> float:
    return round(min(abs(size) / scale, MAX_SCORE), 3)


def edition_record(edition: Edition, previous: Week | None = None) -> dict[str, Any]:
    """The plain-data form of an edition (and of last week's record) that traced paths point
    into: `week.…`, `editorial.…` and `previous.week.…`."""
    editorial = (
        edition.editorial.model_dump(by_alias=True)
        if edition.editorial
        else {"drivers": [], "quotes": [], "incidents": [], "figures": [], "outlook": None}
    )
    return {
        "week": edition.week.model_dump(by_alias=True),
        "editorial": editorial,
        "previous": {"week": previous.model_dump(by_alias=True)} if previous else None,
    }


def close_on_or_before(asset: Asset, day: date) -> tuple[int, date] | None:
    """Index and date of the last daily close on or before `day`."""
    if asset.closes is None:
        return None
    index = min((day - asset.closes.start).days, len(asset.closes.values) - 1)
    while index >= 0 and asset.closes.values[index] is None:
        index -= 1
    if index < 0:
        return None
    return index, asset.closes.start + timedelta(days=index)


def _close_before(record: dict[str, Any], asset: Asset, i: int, instant: datetime) -> Traced | None:
    """The last close whose day had ended by `instant` (a day's close is at 24:00 UTC)."""
    found = close_on_or_before(asset, instant.date() - timedelta(days=1))
    if found is None:
        return None
    return read(record, f"week.assets[{i}].closes.values[{found[0]}]", "usd")


def _asset_move(record: dict[str, Any], asset: Asset, i: int) -> AssetMove:
    base = f"week.assets[{i}]"
    price = read(record, f"{base}.quote.price", "usd")
    changes: dict[str, Traced | None] = {}
    for name, days in (("change_24h", 1), ("change_7d", 7)):
        if getattr(asset.quote, f"{name}_pct") is not None:
            changes[name] = read(record, f"{base}.quote.{name}_pct", "pct")
        else:
            old = _close_before(record, asset, i, asset.quote.at - timedelta(days=days))
            changes[name] = pct_change(price, old) if old else None
    ath = read(record, f"{base}.ath.price", "usd") if asset.ath else None
    return AssetMove(
        symbol=asset.symbol,
        name=asset.name,
        price=price,
        at=asset.quote.at,
        change_24h=changes["change_24h"],
        change_7d=changes["change_7d"],
        from_ath=pct_change(price, ath) if ath else None,
        ath=ath,
        ath_date=asset.ath.date if asset.ath else None,
    )


def _level_step(price: float) -> float:
    """The round level a writer would name: $104K, $87K, $3,500, $950, $2.30."""
    digits = math.floor(math.log10(price))
    return float(10 ** (digits - 2 if digits >= 5 else digits - 1))


def _beyond(value: float, level: float, direction: str) -> bool:
    return value < level if direction == "below" else value > level


def _since_fact(
    record: dict[str, Any], asset: Asset, move: AssetMove, week_start: date
) -> Fact | None:
    """The seed's 'first time below $104K since late June', from the daily closes.

    The level is the round number just above (below) the price. It counts when the last close
    before the week sat on the other side of it, and the closes had not crossed it for at least
    MIN_SINCE_DAYS before the week began.
    """
    if asset.closes is None:
        return None
    price = move.price.value
    step = _level_step(price)
    before_week = [(d, v) for d, v in asset.closes.points() if d < week_start]
    if not before_week:
        return None
    last_day, last_close = before_week[-1]
    best: Fact | None = None
    for direction, traced_level in (
        ("below", round_to(move.price, step, up=True)),
        ("above", round_to(move.price, step, up=False)),
    ):
        level = traced_level.value
        if _beyond(last_close, level, direction) or not _beyond(price, level, direction):
            continue
        crossed = [d for d, v in before_week if _beyond(v, level, direction)]
        since = crossed[-1] if crossed else None
        gap_days = (last_day - since).days if since else len(before_week)
        if gap_days < MIN_SINCE_DAYS:
            continue
        fact = Fact(
            "since",
            _score(gap_days, SCALE_SINCE_DAYS),
            {
                "direction": direction,
                "level": traced_level,
                "since": since,
                "history_start": before_week[0][0],
                "symbol": asset.symbol,
                "name": asset.name,
                "price": move.price,
            },
        )
        if best is None or fact.score > best.score:
            best = fact
    return best


def _alt_fact(moves: list[AssetMove], horizon: str) -> Fact | None:
    alts = [m for m in moves[1:] if getattr(m, horizon) is not None]
    if len(alts) < 2:
        return None
    changes = [getattr(m, horizon) for m in alts]
    ordered = sorted(zip(changes, alts, strict=True), key=lambda pair: pair[0].value)
    down = [c for c in changes if c.value < 0]
    low, high = ordered[0][0], ordered[-1][0]
    mean = combine("mean", "pct", *changes)
    return Fact(
        f"alts_{horizon}",
        min(_score(mean.value, SCALE_ALT_MEAN_PCT), MAX_ALT_SCORE),
        {
            "horizon": horizon,
            "worst": ordered[0][1],
            "best": ordered[-1][1],
            "low": low,
            "high": high,
            "all_down": len(down) == len(alts),
            "all_up": not down and all(c.value > 0 for c in changes),
            "movers": [m for _, m in ordered],
        },
    )


def _incidents(record: dict[str, Any], edition: Edition) -> Fact | None:
    week, editorial = edition.week, edition.editorial
    if week.incidents is None and not (editorial and editorial.incidents):
        return None
    listed: list[tuple[Incident, str]] = [
        (inc, f"week.incidents[{i}]") for i, inc in enumerate(week.incidents or [])
    ]
    listed += [
        (inc, f"editorial.incidents[{i}]")
        for i, inc in enumerate(editorial.incidents if editorial else [])
    ]
    losses = [read(record, f"{path}.loss_usd", "usd") for inc, path in listed if inc.loss_usd]
    tvl_change = {
        inc: pct_change(
            read(record, f"{path}.tvl.after_usd", "usd"),
            read(record, f"{path}.tvl.before_usd", "usd"),
        )
        for inc, path in listed
        if inc.tvl and inc.tvl.before_usd > 0
    }
    loss = total(losses, "usd") if losses else None
    largest = max(listed, key=lambda pair: pair[0].loss_usd or 0) if listed else None
    return Fact(
        "incidents",
        _score(loss.value if loss else 0, SCALE_INCIDENTS_USD),
        {
            "incidents": [inc for inc, _ in sorted(listed, key=lambda p: -(p[0].loss_usd or 0))],
            "tvl_change": tvl_change,  # by incident: its TVL's change in percent
            "loss": loss,
            "count": total(
                [
                    count(record, name)
                    for name in ("week.incidents", "editorial.incidents")
                    if isinstance(resolve(record, name), list)
                ],
                "count",
            ),
            "largest": largest[0] if largest else None,
            "largest_loss": read(record, f"{largest[1]}.loss_usd", "usd")
            if largest and largest[0].loss_usd
            else None,
            "partial": week.incidents is None,
        },
    )


def _compare(
    record: dict[str, Any], now_path: str | None, before_path: str | None, unit: str, op: str
) -> Comparison:
    now = read(record, f"week.{now_path}", unit) if now_path else None
    before = read(record, f"previous.week.{before_path}", unit) if before_path else None
    change = (
        combine(op, "pct" if op == "pct_change" else unit, now, before) if now and before else None
    )
    return Comparison(now, before, change)


def _btc_price_path(week: Week) -> str:
    return f"assets[{week.assets.index(week.btc)}].quote.price"


def _week_over_week(record: dict[str, Any], week: Week, previous: Week) -> WeekOverWeek:
    def liquidations(w: Week) -> str | None:
        return "liquidations.total_24h_usd" if w.liquidations else None

    def fear_greed(w: Week) -> FearGreed | None:
        return w.sentiment.fear_greed if w.sentiment else None

    fg_now, fg_before = fear_greed(week), fear_greed(previous)
    fg_path = "sentiment.fear_greed.value"
    sentiment = _compare(
        record, fg_path if fg_now else None, fg_path if fg_before else None, "index", "diff"
    )
    return WeekOverWeek(
        previous=previous,
        price=_compare(
            record, _btc_price_path(week), _btc_price_path(previous), "usd", "pct_change"
        ),
        liquidations=_compare(
            record, liquidations(week), liquidations(previous), "usd", "pct_change"
        ),
        fear_greed=Comparison(
            sentiment.now,
            sentiment.before,
            sentiment.change,
            fg_now.classification if fg_now else None,
            fg_before.classification if fg_before else None,
        ),
    )


def compute_facts(edition: Edition, previous: Week | None = None) -> Facts:
    """Compute and rank the week's facts; with last week's record, compare the two."""
    week = edition.week
    record = edition_record(edition, previous)
    ordered = sorted(week.assets, key=lambda a: a.symbol != "BTC")  # BTC first, then as listed
    index = {a.symbol: i for i, a in enumerate(week.assets)}
    moves = [_asset_move(record, a, index[a.symbol]) for a in ordered]
    btc = moves[0]
    facts: list[Fact] = []

    move_7d = btc.change_7d
    if move_7d is not None:
        facts.append(Fact("btc_7d", _score(move_7d.value, SCALE_BTC_7D_PCT), {"change": move_7d}))
    if btc.change_24h is not None:
        facts.append(
            Fact(
                "btc_24h",
                _score(btc.change_24h.value, SCALE_BTC_24H_PCT),
                {"change": btc.change_24h},
            )
        )
    if btc.from_ath is not None:
        at_high = btc.from_ath.value >= 0 or (
            btc.ath_date is not None and week.period.start <= btc.ath_date <= week.period.end
        )
        facts.append(
            Fact(
                "record_high" if at_high else "drawdown",
                MAX_SCORE if at_high else _score(btc.from_ath.value, SCALE_DRAWDOWN_PCT),
                {"from_ath": btc.from_ath, "ath": btc.ath, "ath_date": btc.ath_date},
            )
        )
    since = _since_fact(record, week.btc, btc, week.period.start)
    if since:
        facts.append(since)
    for horizon in ("change_24h", "change_7d"):
        alt = _alt_fact(moves, horizon)
        if alt:
            facts.append(alt)

    if week.liquidations is not None:
        liq = week.liquidations
        values: dict[str, Any] = {"total": read(record, "week.liquidations.total_24h_usd", "usd")}
        if liq.long_24h_usd is not None:
            values["long_share"] = combine(
                "share_pct",
                "pct",
                read(record, "week.liquidations.long_24h_usd", "usd"),
                values["total"],
            )
        if len(liq.daily) >= 7:
            days = [
                total(
                    [
                        read(record, f"week.liquidations.daily[{i}].{side}_usd", "usd")
                        for side in ("long", "short")
                    ],
                    "usd",
                )
                for i in range(len(liq.daily))
            ]
            average = combine("mean", "usd", *days)
            values["average"] = average
            values["vs_average"] = combine("ratio", "plain", values["total"], average)
            values["days"] = count(record, "week.liquidations.daily")
        facts.append(
            Fact("liquidations", _score(liq.total_24h_usd, SCALE_LIQUIDATIONS_USD), values)
        )

    derivatives = week.derivatives
    if derivatives and derivatives.basis:
        now = read(record, "week.derivatives.basis.now_pct", "pct")
        before = read(record, "week.derivatives.basis.week_ago_pct", "pct")
        change = diff(now, before)
        facts.append(
            Fact(
                "basis",
                _score(change.value, SCALE_BASIS_PP),
                {"now": now, "before": before, "change": change},
            )
        )
    if derivatives and derivatives.funding:
        latest = read(record, "week.derivatives.funding.latest_8h_pct", "pct")
        mean = (
            read(record, "week.derivatives.funding.week_mean_8h_pct", "pct")
            if derivatives.funding.week_mean_8h_pct is not None
            else None
        )
        facts.append(
            Fact("funding", 1.5 if latest.value < 0 else 0.5, {"latest": latest, "mean": mean})
        )
    if derivatives and derivatives.open_interest:
        facts.append(
            Fact(
                "open_interest",
                0.5,
                {"usd": read(record, "week.derivatives.open_interest.usd", "usd")},
            )
        )

    sentiment = week.sentiment
    if sentiment and sentiment.fear_greed:
        fg = sentiment.fear_greed
        value = read(record, "week.sentiment.fear_greed.value", "index")
        values = {"value": value, "classification": fg.classification, "date": fg.date}
        week_ago = fg.date - timedelta(days=7)
        offset = (week_ago - fg.series.start).days
        if 0 <= offset < len(fg.series.values) and fg.series.values[offset] is not None:
            before = read(record, f"week.sentiment.fear_greed.series.values[{offset}]", "index")
            values.update(before=before, before_date=week_ago, change=diff(value, before))
        distance = abs(fg.value - 50)
        change_size = abs(values["change"].value) if "change" in values else 0
        facts.append(
            Fact(
                "fear_greed",
                _score(max(distance - 10, 0) + change_size / 2, SCALE_FEAR_GREED_DISTANCE),
                values,
            )
        )
    for i, market in enumerate(sentiment.prediction_markets or [] if sentiment else []):
        now = read(record, f"week.sentiment.prediction_markets[{i}].odds_now_pct", "pct")
        before = read(record, f"week.sentiment.prediction_markets[{i}].odds_before_pct", "pct")
        change = diff(now, before)
        facts.append(
            Fact(
                "prediction_market",
                _score(change.value, SCALE_ODDS_PP),
                {"market": market, "now": now, "before": before, "change": change},
            )
        )

    incidents = _incidents(record, edition)
    if incidents:
        facts.append(incidents)

    if edition.editorial and edition.editorial.drivers:
        facts.append(
            Fact("drivers", SCORE_EDITORIAL_DRIVERS, {"drivers": edition.editorial.drivers})
        )

    ranked = sorted(facts, key=lambda f: (-f.score, f.kind))
    return Facts(
        edition=edition,
        record=record,
        assets=moves,
        ranked=ranked,
        week_over_week=_week_over_week(record, week, previous) if previous else None,
    )
