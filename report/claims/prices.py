"""Claims about Bitcoin's price (and each asset's distance from its high).

A day's close is its price at 24:00 UTC. "The week" runs from its Monday to its last complete
day when the week was quoted; "before the week" is every day held before that Monday.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import ClassVar

from report.claims.base import Claim, score, sign
from report.claims.inputs import (
    AssetMove,
    DailyPrices,
    Inputs,
    highest_before,
    years_held,
)
from report.trace import Traced, pct_change, read, round_to

SCALE_WEEK_PCT = 4.0
SCALE_DAY_PCT = 2.5
SCALE_DRAWDOWN_PCT = 10.0
SCALE_SINCE_DAYS = 60
MIN_SINCE_DAYS = 21  # a level crossed back within three weeks is noise, not news
SCALE_DAILY_MOVE_PCT = 3.0
MIN_DAILY_MOVE_PCT = 3.0  # a worst (best) day worth naming
MIN_DAYS_FOR_EXTREMES = 3  # "its worst day" needs a few days to choose from
MIN_RARE_MOVE_PCT = 10.0  # a seven-day move worth setting against history
MIN_RARE_DAYS = 180
# The words of a high that is the highest in the prices we hold, not known to be ever.
HIGHEST_HELD = (
    r"\b[Hh]ighest (?:(?:price|close) )?in (?:the|more than|[Oo]ur [Pp]rice [Hh]istory)\b"
)
QUIET_RANGE_PCT = 6.0  # a week whose closes stay this close is worth calling tight
# "In the N years of prices we hold" is worth saying only once they reach back a year.
MIN_HISTORY_DAYS = 365


def _long_enough(first: date, start: date) -> bool:
    return (start - first).days >= MIN_HISTORY_DAYS


def _days_of_week(inputs: Inputs, prices: DailyPrices) -> list[date]:
    """The week's days with a close held, Monday to its last complete day."""
    start, last = inputs.week.period.start, prices.through
    days = [start + timedelta(days=i) for i in range((last - start).days + 1)]
    return [d for d in days if prices.close(d) is not None]


@dataclass(frozen=True, kw_only=True)
class Quote(Claim):
    """Bitcoin's price as quoted, with its moves: what every page says first."""

    kind = "price"
    label = "Price"
    topic = "price"

    move: AssetMove

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[Quote]:
        yield cls(subject="BTC", move=inputs.btc)


@dataclass(frozen=True, kw_only=True)
class _Move(Claim):
    """Bitcoin's change over one horizon (the quote's own, or against a close before)."""

    label = "Price"
    topic = "price"
    horizon: ClassVar[str]  # the AssetMove field
    scale: ClassVar[float]

    move: AssetMove
    change: Traced

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[_Move]:
        change = getattr(inputs.btc, cls.horizon)
        if change is not None:
            yield cls(
                subject="BTC", score=score(change.value, cls.scale), move=inputs.btc, change=change
            )

    @property
    def direction(self) -> int:
        return sign(self.change)


@dataclass(frozen=True, kw_only=True)
class WeekMove(_Move):
    kind = "week_move"
    horizon = "change_7d"
    scale = SCALE_WEEK_PCT


@dataclass(frozen=True, kw_only=True)
class DayMove(_Move):
    kind = "day_move"
    horizon = "change_24h"
    scale = SCALE_DAY_PCT


def _week_peak(inputs: Inputs, prices: DailyPrices) -> tuple[Traced, date, str] | None:
    """The week's highest price: a day's high (or close), the quote, or the provider's own
    all-time high when it says the week set it; with its day and what kind of price it is."""
    week = inputs.week
    points: list[tuple[Traced, date, str]] = []
    for day in _days_of_week(inputs, prices):
        peak = prices.peak(day)
        assert peak is not None  # the day has a close
        i = prices.position(day)
        closing = prices.high(day) is None and prices.peaks[i] == prices.closes[i]
        points.append((peak, day, "close" if closing else "high"))
    move = next(m for m in inputs.moves if m.symbol == prices.symbol)
    points.append((move.price, move.at.date(), "quote"))
    asset = week.asset(prices.symbol)
    if asset and asset.ath and week.period.start <= asset.ath.date <= week.as_of.date():
        ath = read(inputs.record, f"week.assets[{prices.index}].ath.price", "usd")
        points.append((ath, asset.ath.date, "high"))
    return max(points, key=lambda p: p[0].value) if points else None


@dataclass(frozen=True, kw_only=True)
class RecordHigh(Claim):
    """The week's high is above every earlier price, those of the week's days before it
    included. `all_time` when a provider's stated all-time high reaches over the days before
    the prices we hold; otherwise the words say "the highest price in the N years of prices we
    hold"."""

    kind = "record_high"
    label = "Record high"
    topic = "price"
    PHRASES: ClassVar[dict[str, str]] = {
        "record": r"\b[Rr]ecords?\b",
        "all-time high": r"\b[Aa]ll-[Tt]ime [Hh]igh\b",
        "highest in history": HIGHEST_HELD,
    }

    high: Traced
    day: date
    basis: str  # "high": a day's high; "close"; "quote": the price quoted
    before: Traced
    before_day: date
    all_time: bool
    before_all_time: bool  # whether the earlier high is known to be the highest ever
    held_from: date
    held: int  # months of prices held

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[RecordHigh]:
        prices = inputs.prices("BTC")
        peak = _week_peak(inputs, prices)
        first = prices.first_day
        if peak is None or first is None:
            return
        high, day, basis = peak
        # Above every price before its own day, the days of the week before it included.
        earlier = highest_before(prices, day, inputs.record)
        if earlier is None:
            return
        start = inputs.week.period.start
        # A provider's statement of a high set this week reaches back over all before it too.
        all_time = earlier.all_time or any(
            prices.stated_on(d) for d in _days_of_week(inputs, prices)
        )
        if high.value > earlier.price.value and (all_time or _long_enough(first, start)):
            yield cls(
                subject="BTC",
                score=3.0 if all_time else 2.0,
                high=high,
                day=day,
                basis=basis,
                before=earlier.price,
                before_day=earlier.day,
                all_time=all_time,
                before_all_time=earlier.all_time,
                held_from=first,
                held=years_held(first, prices.through),
            )

    def condition(self) -> str | None:
        if not self.high.value > self.before.value:
            return f"{self.high.value} is not above the earlier high {self.before.value}"
        return None

    def phrases(self) -> set[str]:
        return {"record", "all-time high"} if self.all_time else {"highest in history"}

    @property
    def lead(self) -> str:
        return self.label if self.all_time else "New high"

    @property
    def direction(self) -> int:
        return 1


@dataclass(frozen=True, kw_only=True)
class Drawdown(Claim):
    """How far an asset's price sits below the highest price before it. `all_time` as for a
    record; the subject is the asset."""

    kind = "drawdown"
    label = "Price"
    topic = "price"
    PHRASES: ClassVar[dict[str, str]] = {
        "below all-time high": r"\bbelow (its|the) all-time high\b",
        "all-time high": r"\b[Aa]ll-[Tt]ime [Hh]igh\b",
        "highest in history": HIGHEST_HELD,
    }

    move: AssetMove
    high: Traced
    high_day: date
    source: str
    below: Traced  # the price's change from the high, in percent (negative)
    all_time: bool
    held: int  # months of prices held

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[Drawdown]:
        for move in inputs.moves:
            prices = inputs.prices(move.symbol)
            first = prices.first_day
            highest = highest_before(prices, prices.through + timedelta(days=1), inputs.record)
            if highest is None or first is None or not move.price.value < highest.price.value:
                continue
            if not highest.all_time and not _long_enough(first, prices.through):
                continue
            below = pct_change(move.price, highest.price)
            yield cls(
                subject=move.symbol,
                score=score(below.value, SCALE_DRAWDOWN_PCT) if move.symbol == "BTC" else 0.0,
                move=move,
                high=highest.price,
                high_day=highest.day,
                source=highest.source,
                below=below,
                all_time=highest.all_time,
                held=years_held(first, prices.through),
            )

    def condition(self) -> str | None:
        if not self.below.value < 0:
            return "the price is not below the high"
        return None

    def phrases(self) -> set[str]:
        return {"below all-time high", "all-time high"} if self.all_time else {"highest in history"}

    @property
    def direction(self) -> int:
        return -1


def _level_step(price: float) -> float:
    """The round level a writer would name: $104K, $87K, $3,500, $950, $2.30."""
    digits = math.floor(math.log10(price))
    return float(10 ** (digits - 2 if digits >= 5 else digits - 1))


def _beyond(value: float, level: float, direction: str) -> bool:
    return value < level if direction == "below" else value > level


def quotes_a_close(inputs: Inputs, prices: DailyPrices) -> bool:
    """Whether the week's quote is its last day's close (a week quoted at its end)."""
    move = inputs.btc
    close = prices.close(prices.through)
    at_midnight = move.at.time() == datetime.min.time()
    return at_midnight and close is not None and close.value == move.price.value


@dataclass(frozen=True, kw_only=True)
class LevelCross(Claim):
    """The seed's "below $104K for the first time since late June", from daily closes.

    The level is the round number just above (below) the price. The week opened on the other
    side of it (the last close before the week). It was crossed this week: by a daily close on
    `crossed_on` (the first of the week beyond it), or by the quote alone. `since` is the last
    close beyond it before that, at least three weeks earlier. With no such close in the prices
    we hold: for a level above, "the first time ever" when no price before had reached it and
    the all-time high is known; otherwise "no daily close in the N years of prices we hold"."""

    kind = "level_cross"
    label = "Price"
    topic = "price"
    PHRASES: ClassVar[dict[str, str]] = {
        "since": (
            r"\b(for the [Ff]irst [Tt]ime [Ss]ince|had not (been|closed) (below|above) since"
            r"|[Hh]ad [Nn]ot [Cc]losed (?:[Bb]elow|[Aa]bove) [Ss]ince"
            r"|first close (below|above) that level since)\b"
        ),
        "ever": r"\b(for the [Ff]irst [Tt]ime [Ee]ver|a level no price had reached before)\b",
        "in history": (
            r"\b(a level no daily close in (?:the|more than)"
            r"|the first close (?:below|above) it in (?:the|more than))\b"
        ),
    }

    direction_word: str  # "below" or "above"
    level: Traced
    price: Traced
    crossed_on: date | None  # the week's first close beyond the level; None: the quote alone
    crossing_close: Traced | None
    by_close: bool  # whether a daily close crossed (or only a quote)
    since: date | None
    since_close: Traced | None
    ever: bool
    held_from: date
    held: int  # months of prices held
    gap_days: int

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[LevelCross]:
        prices = inputs.prices("BTC")
        price = inputs.btc.price
        start = inputs.week.period.start
        opened = prices.last_close_before(start)
        first = prices.first_day
        if opened is None or first is None:
            return
        last_close = opened[1]
        step = _level_step(price.value)
        # The days whose closes come before the quote: the quote of a week quoted at its end
        # is its last close, which then crosses as the quote.
        closing = quotes_a_close(inputs, prices)
        last_day = prices.through - timedelta(days=1) if closing else prices.through
        found = []
        for direction, how in (("below", "up"), ("above", "down")):
            level = round_to(price, step, how)
            if _beyond(last_close.value, level.value, direction):
                continue
            if not _beyond(price.value, level.value, direction):
                continue
            week_days = [start + timedelta(days=i) for i in range((last_day - start).days + 1)]
            crossed_on = next(
                (
                    d
                    for d in week_days
                    if (c := prices.close(d)) is not None
                    and _beyond(c.value, level.value, direction)
                ),
                None,
            )
            crossing = crossed_on or (prices.through if closing else inputs.btc.at.date())
            since = None
            for i in range(min(prices.position(crossing), len(prices.closes)) - 1, -1, -1):
                close = prices.closes[i]
                if close is not None and _beyond(close, level.value, direction):
                    since = prices.day(i)
                    break
            gap = (crossing - since).days if since else (crossing - first).days
            if gap < MIN_SINCE_DAYS:
                continue
            ever = False
            if since is None and direction == "above":
                earlier = highest_before(prices, crossing, inputs.record)
                ever = bool(earlier and earlier.all_time and earlier.price.value < level.value)
            if since is None and not ever and not _long_enough(first, start):
                continue
            found.append(
                cls(
                    subject="BTC",
                    score=2.5 if since is None else score(gap, SCALE_SINCE_DAYS),
                    direction_word=direction,
                    level=level,
                    price=price,
                    crossed_on=crossed_on,
                    crossing_close=prices.close(crossed_on) if crossed_on else None,
                    by_close=crossed_on is not None or closing,
                    since=since,
                    since_close=prices.close(since) if since else None,
                    ever=ever,
                    held_from=first,
                    held=years_held(first, prices.through),
                    gap_days=gap,
                )
            )
        yield from sorted(found, key=lambda c: -c.score)[:1]

    def condition(self) -> str | None:
        if not _beyond(self.price.value, self.level.value, self.direction_word):
            return f"the price is not {self.direction_word} {self.level.value}"
        for close, day in ((self.since_close, self.since), (self.crossing_close, self.crossed_on)):
            if close and not _beyond(close.value, self.level.value, self.direction_word):
                return f"the close on {day} is not {self.direction_word} the level"
        return None

    def phrases(self) -> set[str]:
        if self.since:
            return {"since"}
        return {"ever"} if self.ever else {"in history"}

    @property
    def key(self) -> tuple[object, ...]:
        return (self.subject, self.direction_word)

    @property
    def direction(self) -> int:
        return -1 if self.direction_word == "below" else 1


def _daily_changes(inputs: Inputs, prices: DailyPrices) -> list[tuple[date, Traced, Traced]]:
    """Each day of the week with a close and a close the day before: (day, change, close)."""
    changes = []
    for day in _days_of_week(inputs, prices):
        close, before = prices.close(day), prices.close(day - timedelta(days=1))
        if close and before:
            changes.append((day, pct_change(close, before), close))
    return changes


@dataclass(frozen=True, kw_only=True)
class _ExtremeDay(Claim):
    """The week's largest one-day move one way, close to close, once it has a few days."""

    topic = "days"
    way: ClassVar[int]  # -1: the largest fall; +1: the largest gain

    day: date
    change: Traced
    close: Traced

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[_ExtremeDay]:
        changes = _daily_changes(inputs, inputs.prices("BTC"))
        if len(changes) >= MIN_DAYS_FOR_EXTREMES:
            day, change, close = max(changes, key=lambda c: cls.way * c[1].value)
            if cls.way * change.value >= MIN_DAILY_MOVE_PCT:
                yield cls(
                    subject="BTC",
                    score=score(change.value, SCALE_DAILY_MOVE_PCT),
                    day=day,
                    change=change,
                    close=close,
                )

    def condition(self) -> str | None:
        return None if self.way * self.change.value > 0 else "the day did not move that way"

    @property
    def direction(self) -> int:
        return self.way


@dataclass(frozen=True, kw_only=True)
class WorstDay(_ExtremeDay):
    kind = "worst_day"
    label = "Worst day"
    PHRASES: ClassVar[dict[str, str]] = {"worst day": r"\b[Ww]orst day\b"}
    way = -1


@dataclass(frozen=True, kw_only=True)
class BestDay(_ExtremeDay):
    kind = "best_day"
    label = "Best day"
    PHRASES: ClassVar[dict[str, str]] = {"best day": r"\b[Bb]est day\b"}
    way = 1


@dataclass(frozen=True, kw_only=True)
class WeekRange(Claim):
    """The range of the week's daily closes, counted from the close before the week (the one
    its seven-day move starts from); and the week's lowest close, of its own days."""

    kind = "week_range"
    label = "Range"
    topic = "range"
    PHRASES: ClassVar[dict[str, str]] = {"week's low": r"\blowest close of the week\b"}

    low: Traced
    low_day: date
    high: Traced
    high_day: date
    width: Traced  # the high's distance above the low, in percent
    week_low: Traced
    week_low_day: date

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[WeekRange]:
        prices = inputs.prices("BTC")
        days = _days_of_week(inputs, prices)
        before = inputs.week.period.start - timedelta(days=1)
        closes = [(d, c) for d in [before, *days] if (c := prices.close(d)) is not None]
        own = [(d, c) for d, c in closes if d != before]
        if len(own) < 2:
            return
        low_day, low = min(closes, key=lambda c: c[1].value)
        high_day, high = max(closes, key=lambda c: c[1].value)
        week_low_day, week_low = min(own, key=lambda c: c[1].value)
        width = pct_change(high, low)
        yield cls(
            subject="BTC",
            score=1.0 if width.value <= QUIET_RANGE_PCT else 0.5,
            low=low,
            low_day=low_day,
            high=high,
            high_day=high_day,
            width=width,
            week_low=week_low,
            week_low_day=week_low_day,
        )

    def condition(self) -> str | None:
        if not self.low.value <= self.week_low.value <= self.high.value:
            return "the closes' low and high do not bound the week's"
        return None

    def swings(self, net: float) -> bool:
        """Whether the week swung: its closes spread wider than a quiet week's, and more than
        twice as wide as where it ended up (a steady climb is not a swing)."""
        return self.width.value > QUIET_RANGE_PCT and self.width.value > 2 * abs(net)


@dataclass(frozen=True, kw_only=True)
class Rarity(Claim):
    """How rare the seven-day move is: the last time a seven-day window, close to close,
    ending before the week moved as far, or none in the prices we hold."""

    kind = "rarity"
    label = "How rare"
    topic = "rarity"
    PHRASES: ClassVar[dict[str, str]] = {
        "since": r"\b(steepest|biggest) seven-day (fall|gain) since\b",
        "in history": r"\b(steepest|biggest) seven-day (fall|gain) in (?:the|more than)\b",
    }

    change: Traced
    since: date | None
    since_change: Traced | None
    held_from: date
    held: int  # months of prices held

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[Rarity]:
        from report.claims.records import MoveRecord  # records build on this module

        if inputs.found(MoveRecord):
            return  # the archive's weeks say it, and name the week
        change = inputs.btc.change_7d
        prices = inputs.prices("BTC")
        first = prices.first_day
        if change is None or first is None or abs(change.value) < MIN_RARE_MOVE_PCT:
            return
        falling = change.value < 0
        start = inputs.week.period.start
        since = None
        for i in range(min(prices.position(start), len(prices.closes)) - 1, 6, -1):
            now, then = prices.closes[i], prices.closes[i - 7]
            if now is None or then is None:
                continue
            window = (now / then - 1) * 100
            if (window <= change.value) if falling else (window >= change.value):
                since = prices.day(i)
                break
        if since is not None and (start - since).days < MIN_RARE_DAYS:
            return
        # A window that ended inside the week and went further makes this week's move not
        # the one to set against history.
        for i in range(
            max(prices.position(start), 7), min(prices.position(prices.through), len(prices.closes))
        ):
            now, then = prices.closes[i], prices.closes[i - 7]
            if now is not None and then is not None:
                window = (now / then - 1) * 100
                if (window < change.value) if falling else (window > change.value):
                    return
        if since is None and not _long_enough(first, start):
            return
        since_change = None
        if since is not None:
            now_close = prices.close(since)
            then_close = prices.close(since - timedelta(days=7))
            assert now_close and then_close
            since_change = pct_change(now_close, then_close)
        yield cls(
            subject="BTC",
            score=2.5,
            change=change,
            since=since,
            since_change=since_change,
            held_from=first,
            held=years_held(first, prices.through),
        )

    def condition(self) -> str | None:
        if self.since_change is None:
            return None
        beyond = (
            self.since_change.value <= self.change.value
            if self.change.value < 0
            else self.since_change.value >= self.change.value
        )
        return None if beyond else f"the move of {self.since} was smaller"

    def phrases(self) -> set[str]:
        return {"since"} if self.since else {"in history"}

    @property
    def direction(self) -> int:
        return sign(self.change)


__all__ = [
    "BestDay",
    "DayMove",
    "Drawdown",
    "LevelCross",
    "Quote",
    "Rarity",
    "RecordHigh",
    "WeekMove",
    "WeekRange",
    "WorstDay",
]
