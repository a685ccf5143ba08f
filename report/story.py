"""Which story a week tells, by written rules over its facts.

The rules, first match wins (BTC changes on the week's 7-day and 24-hour horizons):

| story        | rule                                                                         |
| ------------ | ---------------------------------------------------------------------------- |
| record_high  | Bitcoin's all-time high was set during the week, or the price is at or above it |
| crash        | 7-day change ≤ −15 %, or 24-hour change ≤ −10 %                              |
| crisis       | DeFi incident losses ≥ $100 million and the 7-day change is negative         |
| sell_off     | 7-day change ≤ −5 %, or 24-hour change ≤ −3 % with a negative 7-day change   |
| rally        | 7-day change ≥ +5 %, or 24-hour change ≥ +3 % with a positive 7-day change   |
| quiet        | 7-day change within ±2 %                                                     |
| mixed        | anything else (a drift of 2–5 % either way)                                  |
"""

from __future__ import annotations

from enum import StrEnum

from report.facts import Facts

CRASH_7D_PCT = -15.0
CRASH_24H_PCT = -10.0
CRISIS_LOSS_USD = 100e6
SELL_OFF_7D_PCT = -5.0
SELL_OFF_24H_PCT = -3.0
RALLY_7D_PCT = 5.0
RALLY_24H_PCT = 3.0
QUIET_7D_PCT = 2.0


class Story(StrEnum):
    RECORD_HIGH = "record_high"
    CRASH = "crash"
    CRISIS = "crisis"
    SELL_OFF = "sell_off"
    RALLY = "rally"
    QUIET = "quiet"
    MIXED = "mixed"


def classify_story(facts: Facts) -> Story:
    btc = facts.btc
    week = btc.change_7d.value if btc.change_7d else 0.0
    day = btc.change_24h.value if btc.change_24h else 0.0
    incidents = facts.get("incidents")
    losses = incidents.loss.value if incidents and incidents.loss else 0.0
    if facts.get("record_high"):
        return Story.RECORD_HIGH
    if week <= CRASH_7D_PCT or day <= CRASH_24H_PCT:
        return Story.CRASH
    if losses >= CRISIS_LOSS_USD and week < 0:
        return Story.CRISIS
    if week <= SELL_OFF_7D_PCT or (day <= SELL_OFF_24H_PCT and week < 0):
        return Story.SELL_OFF
    if week >= RALLY_7D_PCT or (day >= RALLY_24H_PCT and week > 0):
        return Story.RALLY
    if abs(week) < QUIET_7D_PCT:
        return Story.QUIET
    return Story.MIXED
