"""DefiLlama's list of hacks: the DeFi incidents dated in the week.

Keyless at api.llama.fi/hacks (documented as a Pro endpoint, so it may go away; the Pro URL
takes the key in its path: set the base URL). Names come from the list as they are: the page
escapes them, and a person reviews them in the editorial file.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from report.http import Fetcher
from report.model import Incident
from report.sources import Found, SourceError, Want

NAME = "DefiLlama hacks"
BASE_URL = "https://api.llama.fi"
LINK = re.compile(r"https?://\S{1,1900}")
MAX_LOSS_USD = 50e9  # larger than any loss on record by far: a unit error, not a hack


class Hack(BaseModel):
    model_config = ConfigDict(extra="ignore")

    date: int
    name: Annotated[str, Field(min_length=1, max_length=200)]
    classification: str | None = None
    technique: str | None = None
    amount: Annotated[float, Field(ge=0, le=MAX_LOSS_USD)] | None = None
    source: str | None = None

    @property
    def day(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.date, dt.UTC).date()


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
            )
            for hack in hacks
            if want.start <= hack.day <= last
        ]
        incidents.sort(key=lambda i: (i.date, i.protocol))
        return Found(blocks={"incidents": [i.model_dump(exclude_none=True) for i in incidents]})
