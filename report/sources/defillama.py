"""DefiLlama's list of hacks: the DeFi incidents dated in the week, and what happened to the
total value locked (TVL) of each protocol hit.

Keyless at api.llama.fi/hacks (documented as a Pro endpoint, so it may go away; the Pro URL
takes the key in its path: set the base URL). Names come from the list as they are: the page
escapes them, and a person reviews them in the editorial file. What each victim was comes
with it: `targetType` ("DeFi Protocol", "CEX", "Bridge"…) and, for a protocol DefiLlama
tracks, its `defillamaId`; the pages tell DeFi apart from centralised venues by them
(report/claims/incidents.py), and the editorial file can say otherwise. A protocol's TVL comes from
`/protocol/{slug}`, its slug being its name in lower case with dashes (DefiLlama's own rule for
most protocols); one that has no such page keeps its incident, and the gap says so.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from report.http import Fetcher, FetchError
from report.model import Incident, ProtocolTvl
from report.sources import Found, SourceError, Want, describe_error, utc_from_seconds

NAME = "DefiLlama hacks"
BASE_URL = "https://api.llama.fi"
LINK = re.compile(r"https?://\S{1,1900}")
MAX_LOSS_USD = 50e9  # larger than any loss on record by far: a unit error, not a hack
MAX_TVL_LOOKUPS = 8  # the largest losses first: one request each
TVL_FRESH_DAYS = 7  # a "before" older than this describes another time, not the incident


class Hack(BaseModel):
    model_config = ConfigDict(extra="ignore")

    date: int
    name: Annotated[str, Field(min_length=1, max_length=200)]
    classification: str | None = None
    technique: str | None = None
    amount: Annotated[float, Field(ge=0, le=MAX_LOSS_USD)] | None = None
    source: str | None = None
    targetType: Annotated[str, Field(max_length=100)] | None = None  # "DeFi Protocol", "CEX"…
    defillamaId: Annotated[str, Field(max_length=100)] | None = None  # set for DeFi protocols

    @property
    def day(self) -> dt.date:
        return utc_from_seconds(self.date).date()


class TvlPoint(BaseModel):
    model_config = ConfigDict(extra="ignore")

    date: int
    totalLiquidityUSD: Annotated[float, Field(ge=0)]

    @property
    def day(self) -> dt.date:
        return utc_from_seconds(self.date).date()


class ProtocolAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    tvl: list[TvlPoint] = Field(min_length=1)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", name.lower()).strip("-")


class DefiLlama:
    name = NAME
    blocks: tuple[str, ...] = ("incidents",)

    def __init__(self, base_url: str = BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")

    async def gather(self, fetcher: Fetcher, want: Want) -> Found:
        url = f"{self.base_url}/hacks"
        raw = await fetcher.get_json(url)
        if not isinstance(raw, list):
            raise SourceError("the hacks list did not come as a list")
        hacks = [Hack.model_validate(item) for item in raw]
        last = min(want.end, want.as_of.date())
        incidents = [
            Incident(
                protocol=hack.name,
                date=hack.day,
                loss_usd=hack.amount or None,
                kind=(hack.classification or hack.technique or "exploit").lower(),
                url=hack.source if LINK.fullmatch(hack.source or "") else None,
                source=want.source(NAME, url),
                target=hack.targetType or None,
                protocol_id=hack.defillamaId or None,
            )
            for hack in hacks
            if want.start <= hack.day <= last
        ]
        incidents.sort(key=lambda i: (i.date, i.protocol))
        found = Found()
        largest = sorted(incidents, key=lambda i: -(i.loss_usd or 0))[:MAX_TVL_LOOKUPS]
        answers = await asyncio.gather(
            *(self._tvl(fetcher, want, i) for i in largest), return_exceptions=True
        )
        tvl = {}
        failed = []
        for incident, answer in zip(largest, answers, strict=True):
            if isinstance(answer, ProtocolTvl):
                tvl[incident.protocol] = answer
            elif isinstance(answer, FetchError | SourceError | ValidationError):
                failed.append(f"{incident.protocol}: {describe_error(answer)}")
            elif isinstance(answer, BaseException):
                raise answer
        if failed:
            found.missing["incidents.tvl"] = f"{NAME}: no TVL for " + "; ".join(failed)
        found.blocks["incidents"] = [
            i.model_copy(update={"tvl": tvl.get(i.protocol)}).model_dump(exclude_none=True)
            for i in incidents
        ]
        return found

    async def _tvl(self, fetcher: Fetcher, want: Want, incident: Incident) -> ProtocolTvl:
        """The protocol's TVL on the day before the incident and on the week's last day."""
        url = f"{self.base_url}/protocol/{slug(incident.protocol)}"
        points = ProtocolAnswer.model_validate(await fetcher.get_json(url)).tvl
        by_day = {p.day: p.totalLiquidityUSD for p in points}
        last = min(want.end, (want.as_of - dt.timedelta(days=1)).date())
        early = incident.date - dt.timedelta(days=TVL_FRESH_DAYS)
        before = [d for d in by_day if early <= d < incident.date]
        after = [d for d in by_day if incident.date <= d <= last]
        if not before or not after:
            raise SourceError(f"no daily TVL on both sides of {incident.date} ({url})")
        return ProtocolTvl(
            before_usd=by_day[max(before)],
            before_date=max(before),
            after_usd=by_day[max(after)],
            after_date=max(after),
            source=want.source("DefiLlama", url, "total value locked, daily"),
        )
