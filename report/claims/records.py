"""Records across weeks: what only an archive of weeks lets a page say.

Each compares the week with the weeks of record before it (`record["archive"]`, each week's
facts as its own page gives them, report/archive.py), walking back week by week: "the largest
weekly fall since the week of May 10, 2021" names the latest week that went as far, and every
week between is in the archive and went less far. A gap in the archive (a week not held, or a
week without the figure) ends the walk: what lies beyond it is not known, so nothing is said.
"In every week we report" needs the walk to reach the archive's first week, a year back at
least. Each claim names its week by its dates, and the page links to that week's page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

from report.claims.base import Claim, score, sign
from report.claims.inputs import Inputs
from report.claims.prices import WeekRange
from report.model import week_start
from report.trace import Traced, pct_change, read, total
from report.weekfile import previous_week

MIN_RECORD_WEEKS = 26  # a "since" less than half a year back is not worth a line
MIN_ARCHIVE_WEEKS = 52  # "in every week we report" needs a year of weeks at least
MIN_MOVE_PCT = 5.0  # a smaller weekly move is no record, however long since
ONE_WAY_PP = 1.0  # a range within this of the week's move: the week went one way
MIN_STREAK = 3  # weeks in a row
MAX_STREAK = 12  # ordinals are written as words, up to "twelfth"
RECORD_SCALE_WEEKS = 78  # a record a year and a half long scores 1; four and a half, the most
IN_EVERY_WEEK_SCORE = 2.5  # beyond every week of the archive


@dataclass(frozen=True)
class Walk:
    """How far back the week's value stands out: the archive index of the latest week that
    went as far (None: none did), and the weeks walked before it."""

    since: int | None
    weeks: int
    reached_start: bool  # the walk ran to the archive's first week without meeting one


def walk_back(inputs: Inputs, measure: str, beats: Callable[[float], bool]) -> Walk | None:
    """Walk the archive back from the week before this one while the weeks run on without a
    gap and have the figure; stop at the first week whose figure `beats` this week's. None
    when the week before is not in the archive."""
    archive: list[dict[str, Any]] = inputs.record["archive"]
    expected = previous_week(inputs.week.week)
    weeks = 0
    for i in range(len(archive) - 1, -1, -1):
        entry = archive[i]
        if entry["week"] != expected or entry[measure] is None:
            return Walk(None, weeks, False) if weeks else None
        if beats(entry[measure]):
            return Walk(i, weeks, False)
        weeks += 1
        expected = previous_week(expected)
    return Walk(None, weeks, True) if weeks else None


@dataclass(frozen=True, kw_only=True)
class ArchiveRecord(Claim):
    """The week's figure set against the weeks before it: the most (or least) since `since`,
    the Monday of the week named, or in every week held since `first`."""

    measure: ClassVar[str]  # the field of the archive's facts
    unit: ClassVar[str]
    PHRASES: ClassVar[dict[str, str]] = {}

    value: Traced
    on: date | None = None  # the day of the week's own figure, where it is a day's
    highest: bool  # the most since (a rise, the widest, the greediest, the largest losses)
    since: date | None
    since_week: str | None
    since_value: Traced | None
    first: date  # the Monday of the first week walked over
    first_week: str
    weeks: int  # weeks walked before the week named (or the whole walk)

    @classmethod
    def own(cls, inputs: Inputs, highest: bool) -> tuple[Traced, date | None] | None:
        """The week's own figure (and its day), as the archive keeps it for every week."""
        raise NotImplementedError

    @classmethod
    def measure_of(cls, highest: bool) -> str:
        return cls.measure

    @classmethod
    def directions(cls, inputs: Inputs) -> Iterable[bool]:
        """Which ways the week may stand out: True for the most, False for the least."""
        return (True, False)

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[ArchiveRecord]:
        for highest in cls.directions(inputs):
            own = cls.own(inputs, highest)
            found = cls._found(inputs, *own, highest) if own is not None else None
            if found is not None:
                yield found

    @classmethod
    def _found(
        cls, inputs: Inputs, value: Traced, on: date | None, highest: bool
    ) -> ArchiveRecord | None:
        def beats(other: float) -> bool:
            return other >= value.value if highest else other <= value.value

        measure = cls.measure_of(highest)
        walk = walk_back(inputs, measure, beats)
        if walk is None:
            return None
        if walk.since is None and not (walk.reached_start and walk.weeks >= MIN_ARCHIVE_WEEKS):
            return None
        if walk.since is not None and walk.weeks + 1 < MIN_RECORD_WEEKS:
            return None
        archive = inputs.record["archive"]
        first_week = archive[len(archive) - walk.weeks]["week"]
        since_week = archive[walk.since]["week"] if walk.since is not None else None
        since_value = (
            read(inputs.record, f"archive[{walk.since}].{measure}", cls.unit)
            if walk.since is not None
            else None
        )
        reach = (
            IN_EVERY_WEEK_SCORE if walk.since is None else score(walk.weeks + 1, RECORD_SCALE_WEEKS)
        )
        return cls(
            subject=cls.subject_of(),
            score=reach,
            value=value,
            on=on,
            highest=highest,
            since=week_start(since_week) if since_week else None,
            since_week=since_week,
            since_value=since_value,
            first=week_start(first_week),
            first_week=first_week,
            weeks=walk.weeks,
        )

    @classmethod
    def subject_of(cls) -> str | None:
        return None

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.subject, self.highest)

    @property
    def tie(self) -> bool:
        """Whether the week named went exactly as far: "when it also touched 6"."""
        return self.since_value is not None and self.since_value.value == self.value.value

    def condition(self) -> str | None:
        if self.since_value is None:
            return None
        reached = (
            self.since_value.value >= self.value.value
            if self.highest
            else self.since_value.value <= self.value.value
        )
        return None if reached else f"the week of {self.since} did not go as far"

    def phrases(self) -> set[str]:
        return {"since"} if self.since else {"in any week"}


@dataclass(frozen=True, kw_only=True)
class MoveRecord(ArchiveRecord):
    kind = "move_record"
    label = "How rare"
    topic = "rarity"
    measure = "change_pct"
    unit = "pct"
    PHRASES: ClassVar[dict[str, str]] = {
        "since": r"\bwas its largest in a week since\b"
        r"|\bIts Largest Weekly (?:Fall|Gain) Since\b",
        "in any week": r"\bwas its largest in any week we report\b",
    }

    @classmethod
    def own(cls, inputs: Inputs, highest: bool) -> tuple[Traced, date | None] | None:
        change = weekly_change(inputs)
        return (change, None) if change is not None else None

    @classmethod
    def directions(cls, inputs: Inputs) -> Iterable[bool]:
        change = weekly_change(inputs)
        if change is None or abs(change.value) < MIN_MOVE_PCT:
            return ()
        return (change.value > 0,)

    @classmethod
    def subject_of(cls) -> str | None:
        return "BTC"

    @property
    def direction(self) -> int:
        return sign(self.value)


@dataclass(frozen=True, kw_only=True)
class RangeRecord(ArchiveRecord):
    """The spread of the week's daily closes (counting the close before it): the widest only
    where the week swung, since a week that went one way has its move for its range, which
    the move's own record says."""

    kind = "range_record"
    label = "Range"
    topic = "range"
    measure = "range_pct"
    unit = "pct"
    PHRASES: ClassVar[dict[str, str]] = {
        "since": r"\b(tightest|widest) weekly range since\b",
        "in any week": r"\b(tightest|widest) weekly range in any week we report\b",
    }

    @classmethod
    def own(cls, inputs: Inputs, highest: bool) -> tuple[Traced, date | None] | None:
        width = weekly_range(inputs)
        return (width, None) if width is not None else None

    @classmethod
    def directions(cls, inputs: Inputs) -> Iterable[bool]:
        width, change = weekly_range(inputs), weekly_change(inputs)
        if width is None:
            return ()
        one_way = change is not None and width.value - abs(change.value) < ONE_WAY_PP
        return (False,) if one_way else (True, False)

    @classmethod
    def subject_of(cls) -> str | None:
        return "BTC"


@dataclass(frozen=True, kw_only=True)
class FearGreedRecord(ArchiveRecord):
    """The week's lowest (or highest) daily reading of the index against every week's."""

    kind = "fear_greed_record"
    label = "Sentiment"
    topic = "sentiment"
    unit = "index"
    PHRASES: ClassVar[dict[str, str]] = {
        "since": r"\b(lowest|highest) reading since\b",
        "in any week": r"\b(lowest|highest) reading in any week we report\b",
    }

    @classmethod
    def measure_of(cls, highest: bool) -> str:
        return "fear_greed_high" if highest else "fear_greed_low"

    @classmethod
    def own(cls, inputs: Inputs, highest: bool) -> tuple[Traced, date | None] | None:
        return fear_greed_extreme(inputs, highest)


@dataclass(frozen=True, kw_only=True)
class LossRecord(ArchiveRecord):
    kind = "loss_record"
    label = "Hack losses"
    topic = "hacks"
    measure = "losses_usd"
    unit = "usd"
    PHRASES: ClassVar[dict[str, str]] = {
        "since": r"\bmost lost to (listed )?hacks[^.]* since\b",
    }

    @classmethod
    def own(cls, inputs: Inputs, highest: bool) -> tuple[Traced, date | None] | None:
        losses = week_losses(inputs)
        return (losses, None) if losses is not None and losses.value > 0 else None

    @classmethod
    def directions(cls, inputs: Inputs) -> Iterable[bool]:
        return (True,)

    @classmethod
    def _found(
        cls, inputs: Inputs, value: Traced, on: date | None, highest: bool
    ) -> ArchiveRecord | None:
        found = super()._found(inputs, value, on, highest)
        return found if found is not None and found.since is not None else None


def weekly_change(inputs: Inputs) -> Traced | None:
    """Bitcoin's move over the week, from the close before it to its last close (Sunday's, at
    24:00 UTC): the one measure every week of the archive shares, whenever its page was
    written. None while the week's last close has not happened."""
    prices = inputs.prices("BTC")
    period = inputs.week.period
    if prices.through < period.end:
        return None
    now, then = prices.close(period.end), prices.close(period.start - timedelta(days=1))
    return pct_change(now, then) if now is not None and then is not None else None


def weekly_range(inputs: Inputs) -> Traced | None:
    """How far the week's highest daily close was above its lowest, counting the close before
    the week; None while the week is not over."""
    if inputs.prices("BTC").through < inputs.week.period.end:
        return None
    ranges = inputs.found(WeekRange)
    return ranges[0].width if ranges else None


def fear_greed_extreme(inputs: Inputs, highest: bool) -> tuple[Traced, date] | None:
    """The index's highest (or lowest) daily reading of the week's days held, and its day (the
    latest such day, when two tie)."""
    sentiment = inputs.week.sentiment
    if not (sentiment and sentiment.fear_greed):
        return None
    series, period = sentiment.fear_greed.series, inputs.week.period
    found: tuple[Traced, date] | None = None
    for i, value in enumerate(series.values):
        day = series.start + timedelta(days=i)
        if value is None or not period.start <= day <= period.end:
            continue
        if found is None or (value >= found[0].value if highest else value <= found[0].value):
            path = f"week.sentiment.fear_greed.series.values[{i}]"
            found = (read(inputs.record, path, "index"), day)
    return found


def week_losses(inputs: Inputs) -> Traced | None:
    """The losses of the incidents the week lists (with the desk's), traced; None when the week
    has no listings. It is what report/archive.py keeps as each week's losses."""
    week = inputs.week
    if week.incidents is None:
        return None
    paths = [f"week.incidents[{i}].loss_usd" for i, x in enumerate(week.incidents) if x.loss_usd]
    editorial = inputs.files.editorial
    if editorial:
        paths += [
            f"editorial.incidents[{i}].loss_usd"
            for i, x in enumerate(editorial.incidents)
            if x.loss_usd
        ]
    if not paths:
        return Traced(0.0, "usd", "sum", ())
    return total([read(inputs.record, p, "usd") for p in paths], "usd")


@dataclass(frozen=True, kw_only=True)
class Streak(Claim):
    """Bitcoin's weeks in a row that moved the same way as this one, this one included, counted
    back to a week of the archive that went the other way (or was flat): past a gap in the
    archive the streak might be longer, and nothing is said."""

    kind = "streak"
    label = "Streak"
    topic = "streak"
    PHRASES: ClassVar[dict[str, str]] = {
        "streak": r"\b(losing|winning|falling|rising) week in a row\b|\bstraight week of\b",
    }

    change: Traced
    weeks: int  # this one included
    changes: tuple[Traced, ...]  # the weeks before, newest first
    first: date  # the Monday of the streak's first week
    first_week: str

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[Streak]:
        change = weekly_change(inputs)
        way = sign(change)
        if change is None or way == 0:
            return
        archive = inputs.record["archive"]
        expected = previous_week(inputs.week.week)
        before: list[Traced] = []
        first_week = inputs.week.week
        ended = False  # on a week that went the other way (or nowhere): the count is exact
        for i in range(len(archive) - 1, -1, -1):
            entry = archive[i]
            if entry["week"] != expected or entry["change_pct"] is None:
                break
            earlier = read(inputs.record, f"archive[{i}].change_pct", "pct")
            if sign(earlier) != way:
                ended = True
                break
            before.append(earlier)
            first_week, expected = expected, previous_week(expected)
        weeks = len(before) + 1
        if not ended or not MIN_STREAK <= weeks <= MAX_STREAK:
            return
        yield cls(
            subject="BTC",
            score=min(0.5 * (weeks - 1), 2.0),
            change=change,
            weeks=weeks,
            changes=tuple(before),
            first=week_start(first_week),
            first_week=first_week,
        )

    def condition(self) -> str | None:
        way = sign(self.change)
        if any(sign(c) != way for c in self.changes):
            return "a week of the streak moved the other way"
        return None

    @property
    def direction(self) -> int:
        return sign(self.change)


__all__ = [
    "FearGreedRecord",
    "LossRecord",
    "MoveRecord",
    "RangeRecord",
    "Streak",
    "fear_greed_extreme",
    "walk_back",
    "week_losses",
    "weekly_change",
    "weekly_range",
]
