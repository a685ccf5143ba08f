"""Claims about the markets beyond crypto: how stocks, the 10-year Treasury yield and the
dollar moved over the week, whether Bitcoin moved with stocks or against them, and how closely
their daily moves went together over the last 30 days.

A market's week runs from its last value before the week to its last value in it: stock and
bond markets do not trade at weekends, so that is Friday to Friday. Bitcoin is measured between
the same two days' closes, so that the two changes cover the same span. A weekday without a
value is a day the market was closed when a later day has one; at the end of the week it is a
day FRED had not published when the week was gathered, and is said as such, never filled.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from report.claims.base import Claim, score, sign
from report.claims.inputs import Inputs, last_complete_day
from report.trace import Traced, combine, diff, pct_change, read, resolve

# A week's move worth a line: 2% in the S&P 500, 3% in the livelier Nasdaq.
SCALE_PCT = {"SP500": 2.0, "NASDAQCOM": 3.0}
SCALE_YIELD_PP = 0.15
SCALE_DOLLAR_PCT = 1.0
MAX_MARKET_SCORE = 2.0  # other markets explain the week; they do not lead it
STOCKS = "SP500"  # Bitcoin is set against it: "the same way as" or "the opposite way from" stocks
CORRELATED_WITH = "SP500"
CORRELATION_DAYS = 30
MIN_RETURNS = 15  # fewer daily returns than this measure no correlation worth a number
STRENGTHS = ((0.7, "strong"), (0.4, "moderate"), (0.2, "weak"), (0.0, "little"))
MIN_TOGETHER_PCT = 0.5  # a smaller move in stocks is no direction for Bitcoin to share or oppose
MIN_BTC_PCT = 1.0  # nor is a smaller move in Bitcoin
PUBLISHED_WITHIN = timedelta(days=2)  # FRED has a trading day's value by then


def _scale(series: str, unit: str) -> float:
    if unit == "yield":
        return SCALE_YIELD_PP
    return SCALE_PCT.get(series, SCALE_DOLLAR_PCT)


class MarketDays:
    """One market's daily values in the record, each read traced: an index in points, a
    yield in percent."""

    def __init__(self, record: dict[str, Any], index: int) -> None:
        market = record["week"]["markets"][index]
        self._record = record
        self.path = f"week.markets[{index}].daily.values"
        self.series: str = market["series"]
        self.name: str = market["name"]
        self.unit: str = market["unit"]
        self.start: date = market["daily"]["start"]
        self.values: list[float | None] = market["daily"]["values"]
        source = market["daily"]["source"]
        moment = source.get("fetched_at") or source.get("published_at")
        self.read_on: date = moment.date() if isinstance(moment, datetime) else moment

    @property
    def days(self) -> list[date]:
        """The days with a value, oldest first."""
        return [self.start + timedelta(days=i) for i, v in enumerate(self.values) if v is not None]

    def value(self, day: date) -> Traced:
        i = (day - self.start).days
        return read(self._record, f"{self.path}[{i}]", "pct" if self.unit == "yield" else "index")


@dataclass(frozen=True, kw_only=True)
class MarketMove(Claim):
    """A market's move over the week (an index in percent, a yield in percentage points),
    with Bitcoin's over the same two days. Without a value both before and in the week it
    says when the market's latest value is from."""

    kind = "market_move"
    label = "Other markets"
    topic = "markets"
    PHRASES: ClassVar[dict[str, str]] = {
        "with stocks": r"\bthe same way as (?:U\.S\. )?stocks\b",
        "against stocks": r"\bthe opposite way from (?:U\.S\. )?stocks\b",
    }

    name: str
    unit: str
    latest_day: date
    latest: Traced
    start_day: date | None = None
    start: Traced | None = None
    change: Traced | None = None
    btc: Traced | None = None  # Bitcoin's change between the same two days' closes
    together: int = 0  # +1: Bitcoin moved as stocks did; -1: the other way; 0: not said
    closed: tuple[date, ...] = ()  # weekdays of the week the market did not trade
    unpublished: tuple[date, ...] = ()  # weekdays of the week FRED had no value for yet

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[MarketMove]:
        week = inputs.week
        last = min(week.period.end, last_complete_day(week.as_of))
        for i in range(len(week.markets or [])):
            market = MarketDays(inputs.record, i)
            days = [d for d in market.days if d <= last]
            if not days:
                continue
            latest_day = days[-1]
            weekdays = [
                d
                for k in range((last - week.period.start).days + 1)
                if (d := week.period.start + timedelta(days=k)).weekday() < 5
                and d not in market.days
            ]
            # A day without a value is a closed market's when a later day has one, or when the
            # series was read long enough after it for FRED to have published it.
            read_on = market.read_on
            extra: dict[str, Any] = {
                "closed": tuple(
                    d for d in weekdays if d < latest_day or read_on - d >= PUBLISHED_WITHIN
                ),
                "unpublished": tuple(
                    d for d in weekdays if d > latest_day and read_on - d < PUBLISHED_WITHIN
                ),
            }
            before = [d for d in days if d < week.period.start]
            size = 0.0
            if latest_day >= week.period.start and before:
                start, end = market.value(before[-1]), market.value(latest_day)
                change = diff(end, start) if market.unit == "yield" else pct_change(end, start)
                extra.update(start_day=before[-1], start=start, change=change)
                size = change.value / _scale(market.series, market.unit)
                prices = inputs.prices("BTC")
                then, now = prices.close(before[-1]), prices.close(latest_day)
                if then is not None and now is not None:
                    btc = pct_change(now, then)
                    extra["btc"] = btc
                    if (
                        market.series == STOCKS
                        and abs(btc.value) >= MIN_BTC_PCT
                        and abs(change.value) >= MIN_TOGETHER_PCT
                    ):
                        extra["together"] = 1 if sign(btc) == sign(change) else -1
            yield cls(
                subject=market.series,
                # A move smaller than its market's scale is told in the section, never the
                # summary: other markets explain crypto's week only when they moved too.
                score=min(score(size, 1.0), MAX_MARKET_SCORE) if abs(size) >= 1 else 0.0,
                name=market.name,
                unit=market.unit,
                latest_day=latest_day,
                latest=market.value(latest_day),
                **extra,
            )

    def condition(self) -> str | None:
        if self.together and (self.btc is None or self.change is None):
            return "Bitcoin and the market are not both measured over the same days"
        if self.together and self.btc is not None and self.change is not None:
            same = (self.btc.value < 0) == (self.change.value < 0)
            if same != (self.together > 0):
                return "Bitcoin did not move the way the claim says, against stocks"
        return None

    def phrases(self) -> set[str]:
        if self.together > 0:
            return {"with stocks"}
        if self.together < 0:
            return {"against stocks"}
        return set()


def strength_of(correlation: float) -> str:
    """The word for a correlation as the page prints it, to two decimals."""
    shown = abs(round(correlation, 2))
    return next(word for floor, word in STRENGTHS if shown >= floor)


@dataclass(frozen=True, kw_only=True)
class Correlation(Claim):
    """How closely Bitcoin's daily moves and the S&P 500's went together over the last 30 days:
    Pearson's correlation of their returns between consecutive trading days, Bitcoin's taken
    between the same days' closes."""

    kind = "correlation"
    label = "Bitcoin and stocks"
    topic = "markets"

    market: str  # the market's series
    first: date  # the first day of the window
    last: date  # the last trading day in it
    value: Traced
    returns: int  # pairs of returns measured
    strength: str  # strong, moderate, weak or little

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[Correlation]:
        week = inputs.week
        index = next(
            (i for i, m in enumerate(week.markets or []) if m.series == CORRELATED_WITH), None
        )
        if index is None:
            return
        market = MarketDays(inputs.record, index)
        end = min(week.period.end, last_complete_day(week.as_of))
        first = end - timedelta(days=CORRELATION_DAYS - 1)
        days = [d for d in market.days if first - timedelta(days=5) <= d <= end]
        prices = inputs.prices("BTC")
        btc: list[Traced] = []
        other: list[Traced] = []
        for before, day in itertools.pairwise(days):
            if day < first:
                continue
            then, now = prices.close(before), prices.close(day)
            if then is None or now is None:
                continue
            btc.append(pct_change(now, then))
            other.append(pct_change(market.value(day), market.value(before)))
        if len(btc) < MIN_RETURNS:
            return
        xs, ys = [b.value for b in btc], [o.value for o in other]
        if len(set(xs)) < 2 or len(set(ys)) < 2:
            return  # a series that never moved has no correlation
        value = combine("correlation", "plain", *btc, *other)
        strength = strength_of(value.value)
        yield cls(
            score=0.5,
            market=market.series,
            first=first,
            last=days[-1],
            value=value,
            returns=len(btc),
            strength=strength,
        )

    def condition(self) -> str | None:
        if not -1 <= self.value.value <= 1 or math.isnan(self.value.value):
            return f"{self.value.value} is no correlation"
        expected = strength_of(self.value.value)
        if self.strength != expected:
            return f"a correlation of {self.value.value:.2f} is {expected}, not {self.strength}"
        return None


SCALE_SUPPLY_PCT = 1.0  # stablecoin supply grows slowly: 1% in a week is worth a line
SCALE_TVL_PCT = 5.0
PEG_BAND = 0.005  # a dollar stablecoin more than half a percent from $1 is off its peg
MAX_CONTEXT_SCORE = 1.5


def _week_change(
    inputs: Inputs, path: str, values: list[float | None], start: date
) -> tuple[date, Traced, date, Traced] | None:
    """A daily series' last value in the week against its value the day before the week."""
    week = inputs.week
    last = min(week.period.end, last_complete_day(week.as_of))
    before = week.period.start - timedelta(days=1)
    days = [
        start + timedelta(days=i)
        for i, v in enumerate(values)
        if v is not None and week.period.start <= start + timedelta(days=i) <= last
    ]
    j = (before - start).days
    if not days or not 0 <= j < len(values) or values[j] is None:
        return None
    i = (days[-1] - start).days
    return (
        before,
        read(inputs.record, f"{path}[{j}]", "usd"),
        days[-1],
        read(inputs.record, f"{path}[{i}]", "usd"),
    )


@dataclass(frozen=True, kw_only=True)
class DailyTotal(Claim):
    """A daily total's last value in the week against the day before the week: in dollars
    and in percent. A kind names the series (`PATH`, in the record) and its `SCALE`."""

    PATH: ClassVar[str]
    SCALE: ClassVar[float]

    before_day: date
    before: Traced
    day: date
    now: Traced
    change: Traced
    change_pct: Traced

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[DailyTotal]:
        try:
            series = resolve(inputs.record, cls.PATH)
        except (KeyError, TypeError):  # a block the week does not have
            return
        if series is None:
            return
        found = _week_change(inputs, f"{cls.PATH}.values", series["values"], series["start"])
        if found is None:
            return
        before_day, before, day, now = found
        change_pct = pct_change(now, before)
        yield cls(
            score=min(score(change_pct.value, cls.SCALE), MAX_CONTEXT_SCORE),
            before_day=before_day,
            before=before,
            day=day,
            now=now,
            change=diff(now, before),
            change_pct=change_pct,
        )


@dataclass(frozen=True, kw_only=True)
class StablecoinSupply(DailyTotal):
    """The dollar value of all stablecoins in circulation."""

    kind = "stablecoin_supply"
    label = "Stablecoins"
    topic = "stablecoins"
    PATH = "week.stablecoins.supply"
    SCALE = SCALE_SUPPLY_PCT


@dataclass(frozen=True)
class PegMove:
    """A stablecoin's furthest daily price from $1 in the week, and its day."""

    symbol: str
    name: str
    day: date
    price: Traced
    off: bool  # more than PEG_BAND from $1


@dataclass(frozen=True, kw_only=True)
class Pegs(Claim):
    """How the major dollar stablecoins held their pegs over the week's daily prices: those
    that went more than half a percent from $1, with the day and the price, and those that
    held."""

    kind = "pegs"
    label = "Stablecoin pegs"
    topic = "stablecoins"
    PHRASES: ClassVar[dict[str, str]] = {
        "off its peg": r"\boff (?:its|their) (?:dollar )?pegs?\b",
        "held their pegs": r"\bheld (?:its|their) (?:dollar )?pegs?\b",
    }

    moves: tuple[PegMove, ...]

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[Pegs]:
        coins = inputs.week.stablecoins
        if coins is None or not coins.pegs:
            return
        week = inputs.week
        last = min(week.period.end, last_complete_day(week.as_of))
        moves = []
        for k, peg in enumerate(coins.pegs):
            path = f"week.stablecoins.pegs[{k}].prices.values"
            days = [(d, v) for d, v in peg.prices.points() if week.period.start <= d <= last]
            if not days:
                continue
            day, price = max(days, key=lambda p: abs(p[1] - 1))
            traced = read(inputs.record, f"{path}[{(day - peg.prices.start).days}]", "usd")
            moves.append(PegMove(peg.symbol, peg.name, day, traced, abs(price - 1) > PEG_BAND))
        if not moves:
            return
        worst = max(abs(m.price.value - 1) for m in moves)
        yield cls(
            score=min(score(worst, 0.01), 2.0) if worst > PEG_BAND else 0.0, moves=tuple(moves)
        )

    @property
    def off(self) -> tuple[PegMove, ...]:
        return tuple(m for m in self.moves if m.off)

    def condition(self) -> str | None:
        for move in self.moves:
            if move.off != (abs(move.price.value - 1) > PEG_BAND):
                said = "off" if move.off else "on"
                return f"{move.symbol} at {move.price.value} is said to be {said} its peg"
        return None

    def phrases(self) -> set[str]:
        names = set()
        if self.off:
            names.add("off its peg")
        if any(not m.off for m in self.moves):
            names.add("held their pegs")
        return names


@dataclass(frozen=True, kw_only=True)
class DefiTvl(DailyTotal):
    """Decentralized finance's total value locked, all chains."""

    kind = "defi_tvl"
    label = "Value locked"  # not "DeFi": that word states a claim about DeFi's losses
    topic = "tvl"
    PATH = "week.defi_tvl"
    SCALE = SCALE_TVL_PCT
