"""Claims about the market beyond Bitcoin: the altcoins, leverage, sentiment, the week before."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

from report.claims.base import Claim, score, sign
from report.claims.inputs import AssetMove, Inputs
from report.model import FearGreed, PredictionMarket, Week
from report.trace import Traced, combine, count, diff, read, total

SCALE_ALT_MEAN_PCT = 7.0
MAX_ALT_SCORE = 2.0  # altcoins support the story; they do not lead it
SCALE_LIQUIDATIONS_USD = 500e6
SCALE_BASIS_PP = 1.0
SCALE_FEAR_GREED_DISTANCE = 20.0
SCALE_ODDS_PP = 10.0
HORIZONS = {"change_24h": "over the last day", "change_7d": "over seven days"}


@dataclass(frozen=True, kw_only=True)
class Breadth(Claim):
    """How the altcoins moved over one horizon. "Every altcoin we track fell" needs every
    altcoin the week tracks to have a change, all of them below zero."""

    kind = "breadth"
    label = "Altcoins"
    topic = "alts"
    PHRASES: ClassVar[dict[str, str]] = {
        "every altcoin": r"\b([Ee]very|[Ee]ach) altcoin\b|\b[Aa]ll (of )?the altcoins\b"
    }

    horizon: str
    movers: tuple[tuple[AssetMove, Traced], ...]  # lowest change first
    low: Traced
    high: Traced
    mean: Traced
    all_down: bool
    all_up: bool
    tracked: int  # the altcoins the week tracks, with a price or not

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[Breadth]:
        tracked = len(inputs.tracked_altcoins())
        for horizon in HORIZONS:
            moved = [(m, getattr(m, horizon)) for m in inputs.moves[1:]]
            movers = tuple(sorted(((m, c) for m, c in moved if c), key=lambda p: p[1].value))
            if len(movers) < 2:
                continue
            changes = [c for _, c in movers]
            complete = len(movers) == tracked
            mean = combine("mean", "pct", *changes)
            yield cls(
                score=min(score(mean.value, SCALE_ALT_MEAN_PCT), MAX_ALT_SCORE),
                horizon=horizon,
                movers=movers,
                low=movers[0][1],
                high=movers[-1][1],
                mean=mean,
                all_down=complete and all(c.value < 0 for c in changes),
                all_up=complete and all(c.value > 0 for c in changes),
                tracked=tracked,
            )

    def condition(self) -> str | None:
        changes = [c.value for _, c in self.movers]
        if (self.all_down or self.all_up) and len(changes) != self.tracked:
            return f"only {len(changes)} of the {self.tracked} altcoins tracked have a change"
        if self.all_down and not all(c < 0 for c in changes):
            return "not every altcoin fell"
        if self.all_up and not all(c > 0 for c in changes):
            return "not every altcoin rose"
        return None

    def phrases(self) -> set[str]:
        return set(self.PHRASES) if self.all_down or self.all_up else set()

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.subject, self.horizon)

    @property
    def direction(self) -> int:
        return -1 if self.all_down else 1 if self.all_up else sign(self.mean)


@dataclass(frozen=True, kw_only=True)
class Liquidations(Claim):
    kind = "liquidations"
    label = "Leverage flush"
    topic = "leverage"

    total: Traced
    long_share: Traced | None = None
    average: Traced | None = None
    vs_average: Traced | None = None
    days: Traced | None = None

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[Liquidations]:
        liq, record = inputs.week.liquidations, inputs.record
        if liq is None:
            return
        whole = read(record, "week.liquidations.total_24h_usd", "usd")
        extra: dict[str, Any] = {}
        if liq.long_24h_usd is not None:
            longs = read(record, "week.liquidations.long_24h_usd", "usd")
            extra["long_share"] = combine("share_pct", "pct", longs, whole)
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
            extra.update(
                average=average,
                vs_average=combine("ratio", "plain", whole, average),
                days=count(record, "week.liquidations.daily"),
            )
        yield cls(score=score(whole.value, SCALE_LIQUIDATIONS_USD), total=whole, **extra)


@dataclass(frozen=True, kw_only=True)
class Basis(Claim):
    kind = "basis"
    label = "Futures premium"
    topic = "basis"

    now: Traced
    before: Traced
    change: Traced

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[Basis]:
        derivatives = inputs.week.derivatives
        if derivatives and derivatives.basis:
            now = read(inputs.record, "week.derivatives.basis.now_pct", "pct")
            before = read(inputs.record, "week.derivatives.basis.week_ago_pct", "pct")
            change = diff(now, before)
            yield cls(
                score=score(change.value, SCALE_BASIS_PP), now=now, before=before, change=change
            )


@dataclass(frozen=True, kw_only=True)
class Funding(Claim):
    kind = "funding"
    label = "Funding"
    topic = "funding"

    latest: Traced
    mean: Traced | None

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[Funding]:
        derivatives = inputs.week.derivatives
        if derivatives and derivatives.funding:
            base = "week.derivatives.funding"
            latest = read(inputs.record, f"{base}.latest_8h_pct", "pct")
            mean = (
                read(inputs.record, f"{base}.week_mean_8h_pct", "pct")
                if derivatives.funding.week_mean_8h_pct is not None
                else None
            )
            # Shorts paying longs, at the last reset and over the week, is worth a headline.
            below = latest.value < 0 and mean is not None and mean.value < 0
            yield cls(score=1.5 if below else 0.5, latest=latest, mean=mean)


@dataclass(frozen=True, kw_only=True)
class OpenInterest(Claim):
    kind = "open_interest"
    label = "Open interest"
    topic = "open_interest"

    usd: Traced

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[OpenInterest]:
        derivatives = inputs.week.derivatives
        if derivatives and derivatives.open_interest:
            usd = read(inputs.record, "week.derivatives.open_interest.usd", "usd")
            yield cls(score=0.5, usd=usd)


@dataclass(frozen=True, kw_only=True)
class FearGreedReading(Claim):
    kind = "fear_greed"
    label = "Sentiment"
    topic = "sentiment"

    reading: FearGreed
    value: Traced
    before: Traced | None = None
    before_date: date | None = None
    change: Traced | None = None

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[FearGreedReading]:
        sentiment = inputs.week.sentiment
        if not (sentiment and sentiment.fear_greed):
            return
        fg, record = sentiment.fear_greed, inputs.record
        value = read(record, "week.sentiment.fear_greed.value", "index")
        extra: dict[str, Any] = {}
        week_ago = fg.date - timedelta(days=7)
        offset = (week_ago - fg.series.start).days
        if 0 <= offset < len(fg.series.values) and fg.series.values[offset] is not None:
            before = read(record, f"week.sentiment.fear_greed.series.values[{offset}]", "index")
            extra = {"before": before, "before_date": week_ago, "change": diff(value, before)}
        distance = abs(fg.value - 50)
        moved = abs(extra["change"].value) if extra else 0
        yield cls(
            score=score(max(distance - 10, 0) + moved / 2, SCALE_FEAR_GREED_DISTANCE),
            reading=fg,
            value=value,
            **extra,
        )


@dataclass(frozen=True, kw_only=True)
class PredictionOdds(Claim):
    kind = "prediction_market"
    label = "Prediction markets"
    topic = "prediction_market"

    market: PredictionMarket
    index: int
    now: Traced
    before: Traced
    change: Traced

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[PredictionOdds]:
        sentiment = inputs.week.sentiment
        for i, market in enumerate(sentiment.prediction_markets or [] if sentiment else []):
            base = f"week.sentiment.prediction_markets[{i}]"
            now = read(inputs.record, f"{base}.odds_now_pct", "pct")
            before = read(inputs.record, f"{base}.odds_before_pct", "pct")
            change = diff(now, before)
            yield cls(
                score=score(change.value, SCALE_ODDS_PP),
                market=market,
                index=i,
                now=now,
                before=before,
                change=change,
            )

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.subject, self.index)


@dataclass(frozen=True)
class Comparison:
    """One measure this week against last week's. A side is None when its record lacks the
    measure; `change` needs both. Labels are words beside the number (Fear, Greed)."""

    now: Traced | None
    before: Traced | None
    change: Traced | None
    now_label: str | None = None
    before_label: str | None = None


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


@dataclass(frozen=True, kw_only=True)
class WeekOverWeek(Claim):
    """This week against the week of record before it: price, liquidations and sentiment."""

    kind = "week_over_week"
    label = "Against last week"
    topic = "week_over_week"

    previous: str
    price: Comparison
    liquidations: Comparison
    fear_greed: Comparison

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[WeekOverWeek]:
        week, previous, record = inputs.week, inputs.previous, inputs.record
        if previous is None:
            return

        def liquidations(w: Week) -> str | None:
            return "liquidations.total_24h_usd" if w.liquidations else None

        def fear_greed(w: Week) -> FearGreed | None:
            return w.sentiment.fear_greed if w.sentiment else None

        fg_now, fg_before = fear_greed(week), fear_greed(previous)
        path = "sentiment.fear_greed.value"
        sentiment = _compare(
            record, path if fg_now else None, path if fg_before else None, "index", "diff"
        )
        yield cls(
            previous=previous.week,
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

    def comparisons(self) -> list[Comparison]:
        return [self.price, self.liquidations, self.fear_greed]
