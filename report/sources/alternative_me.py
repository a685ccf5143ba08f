"""alternative.me's Crypto Fear & Greed Index: the reading at the week's end and 30 days before.

Keyless. `/fng/?limit=N` returns the newest N daily readings, values as strings; a past week
asks for enough days to reach back 30 days before its end.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from report.http import Fetcher
from report.model import DailySeries, FearGreed
from report.sources import Found, SourceError, Want, utc_from_seconds

NAME = "alternative.me Crypto Fear & Greed Index"
BASE_URL = "https://api.alternative.me"
SERIES_DAYS = 30


class Reading(BaseModel):
    model_config = ConfigDict(extra="ignore")

    value: Annotated[int, Field(ge=0, le=100)]
    value_classification: Annotated[str, Field(min_length=1, max_length=40)]
    timestamp: int

    @property
    def day(self) -> date:
        return utc_from_seconds(self.timestamp).date()


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    data: list[Reading] = Field(min_length=1)


class AlternativeMe:
    name = NAME
    blocks: tuple[str, ...] = ("sentiment.fear_greed",)

    def __init__(self, base_url: str = BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")

    async def gather(self, fetcher: Fetcher, want: Want) -> Found:
        last = min(want.as_of.date(), want.end)
        first = last - timedelta(days=SERIES_DAYS)
        url = f"{self.base_url}/fng/"
        days = (want.fetched_at.date() - first).days + 2
        raw = await fetcher.get_json(url, params={"limit": days, "format": "json"})
        readings = {r.day: r for r in Answer.model_validate(raw).data}
        if any(d > want.fetched_at.date() for d in readings):
            raise SourceError("a reading is dated after the time it was fetched")
        in_week = [d for d in readings if want.start <= d <= last]
        if not in_week:
            raise SourceError(f"no reading between {want.start} and {last}")
        reading = readings[max(in_week)]
        values = [
            readings[d].value if (d := first + timedelta(days=i)) in readings else None
            for i in range((reading.day - first).days + 1)
        ]
        series = DailySeries(start=first, values=values, source=want.source(NAME, url))
        fear_greed = FearGreed(
            value=reading.value,
            classification=reading.value_classification,
            date=reading.day,
            series=series,
        )
        return Found(blocks={"sentiment.fear_greed": fear_greed.model_dump(exclude_none=True)})
