"""Which story a week tells, by written rules over its claims.

The rules, first match wins (Bitcoin's changes over seven days and over the last day):

| story           | rule                                                                        |
| --------------- | --------------------------------------------------------------------------- |
| record_reversal | a record high this week, and the 7-day change ≤ −5 %: a record, then a fall |
| record_high     | a record high this week (above every earlier high, known to be all-time)    |
| crash           | 7-day change ≤ −15 %, or 24-hour change ≤ −10 %                             |
| crisis          | DeFi losses ≥ $100 million and the 7-day change is negative                 |
| sell_off        | 7-day change ≤ −5 %, or 24-hour change ≤ −3 % with a negative 7-day change  |
| rally           | 7-day change ≥ +5 %, or 24-hour change ≥ +3 % with a positive 7-day change  |
| quiet           | 7-day change within ±2 %, and the week's closes within a 6 % range          |
| mixed           | anything else (a drift of 2–5 % either way, or a round trip)                |

A story leads with the claims it rests on, and the summary never leads with a move that runs
against the week's (a one-day bounce in a crash week): see `contradicts`.
"""

from __future__ import annotations

from enum import StrEnum

from report.claims import Claim
from report.claims.incidents import DefiExploits
from report.claims.market import Breadth
from report.claims.prices import QUIET_RANGE_PCT, DayMove, RecordHigh, WeekMove, WeekRange

CRASH_7D_PCT = -15.0
CRASH_24H_PCT = -10.0
CRISIS_LOSS_USD = 100e6
SELL_OFF_7D_PCT = -5.0
SELL_OFF_24H_PCT = -3.0
RALLY_7D_PCT = 5.0
RALLY_24H_PCT = 3.0
QUIET_7D_PCT = 2.0


class Story(StrEnum):
    RECORD_REVERSAL = "record_reversal"
    RECORD_HIGH = "record_high"
    CRASH = "crash"
    CRISIS = "crisis"
    SELL_OFF = "sell_off"
    RALLY = "rally"
    QUIET = "quiet"
    MIXED = "mixed"

    @property
    def falling(self) -> bool:
        return self in (Story.CRASH, Story.CRISIS, Story.SELL_OFF, Story.RECORD_REVERSAL)

    @property
    def reader_name(self) -> str:
        """The story as the archive and the methodology name it."""
        return STORY_NAMES[self]


STORY_NAMES = {
    Story.RECORD_REVERSAL: "A record, then a retreat",
    Story.RECORD_HIGH: "Record high",
    Story.CRASH: "Crash",
    Story.CRISIS: "Crisis",
    Story.SELL_OFF: "Sell-off",
    Story.RALLY: "Rally",
    Story.QUIET: "Quiet",
    Story.MIXED: "Mixed",
}


def _first(claims: list[Claim], kind: type[Claim]) -> Claim | None:
    return next((c for c in claims if isinstance(c, kind)), None)


def week_change(claims: list[Claim]) -> float:
    move = _first(claims, WeekMove)
    return move.change.value if isinstance(move, WeekMove) else 0.0


def classify_story(claims: list[Claim]) -> Story:
    week = week_change(claims)
    day_move = _first(claims, DayMove)
    day = day_move.change.value if isinstance(day_move, DayMove) else 0.0
    record = _first(claims, RecordHigh)
    defi = _first(claims, DefiExploits)
    losses = defi.loss.value if isinstance(defi, DefiExploits) and defi.loss else 0.0
    if isinstance(record, RecordHigh) and record.all_time:
        return Story.RECORD_REVERSAL if week <= SELL_OFF_7D_PCT else Story.RECORD_HIGH
    if week <= CRASH_7D_PCT or day <= CRASH_24H_PCT:
        return Story.CRASH
    if losses >= CRISIS_LOSS_USD and week < 0:
        return Story.CRISIS
    if week <= SELL_OFF_7D_PCT or (day <= SELL_OFF_24H_PCT and week < 0):
        return Story.SELL_OFF
    if week >= RALLY_7D_PCT or (day >= RALLY_24H_PCT and week > 0):
        return Story.RALLY
    span = _first(claims, WeekRange)
    wide = isinstance(span, WeekRange) and span.width.value > QUIET_RANGE_PCT
    if abs(week) < QUIET_7D_PCT and not wide:
        return Story.QUIET
    return Story.MIXED


def contradicts(claim: Claim, claims: list[Claim]) -> bool:
    """A move said against the week's own, which may be told in the body but never leads: a
    day's move, or the altcoins' day, the other way from a week that moved at least 2 %."""
    week = week_change(claims)
    if abs(week) < QUIET_7D_PCT or not claim.direction:
        return False
    short = isinstance(claim, DayMove) or (
        isinstance(claim, Breadth) and claim.horizon == "change_24h"
    )
    return short and claim.direction != (1 if week > 0 else -1)
