"""The week's headlines, from the public RSS feeds of the newsrooms in `data/newsrooms.yaml`.

Keyless. Each feed is read once, as XML through defusedxml (a feed is untrusted: entity
expansion and external references are refused, not followed). An item is kept when its
`pubDate` falls in the week up to the time it was gathered, with its title and link as the
feed gives them, at most `MAX_PER_FEED` a feed, newest first. A feed that fails is named
missing; the others still land. A feed keeps only its latest items, so a week gathered long
after it ended may find none of its own: it then says there were none in the feed.
"""

from __future__ import annotations

import asyncio
import email.utils
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from xml.etree.ElementTree import Element

import httpx
import yaml
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from report.errors import DataError
from report.http import Fetcher
from report.model import Headline, Url
from report.sources import SOURCE_FAILURES, Found, SourceError, Want, describe_error

NAME = "newsroom feeds"
NEWSROOMS = Path("data/newsrooms.yaml")
MAX_PER_FEED = 30
LINK = re.compile(r"https?://[^\s\"'<>\\`]{1,1900}")


class Newsroom(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, Field(pattern=r"^[a-z0-9_]{2,30}$")]
    outlet: Annotated[str, Field(min_length=1, max_length=100)]
    feed: Url


def load_newsrooms(path: Path = NEWSROOMS) -> list[Newsroom]:
    if not path.exists():
        return []
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return [Newsroom.model_validate(n) for n in raw.get("newsrooms") or []]
    except (yaml.YAMLError, ValidationError, AttributeError) as exc:
        raise DataError([f"{path}: {exc}"]) from exc


def _text(item: Element, tag: str) -> str:
    found = item.find(tag)
    return " ".join((found.text or "").split()) if found is not None else ""


def parse_feed(text: str) -> list[tuple[str, str, datetime]]:
    """(title, link, published) of each RSS item with all three."""
    try:
        root = fromstring(text.encode("utf-8"), forbid_dtd=True)
    except (ParseError, DefusedXmlException) as exc:
        raise SourceError(
            f"the feed is not RSS this program reads ({type(exc).__name__})"
        ) from None
    if root.tag != "rss" or root.find("channel") is None:
        raise SourceError("the feed is not an RSS 2.0 document")
    items = []
    for item in root.iter("item"):
        title, link, published = _text(item, "title"), _text(item, "link"), _text(item, "pubDate")
        if not (title and LINK.fullmatch(link) and published):
            continue
        try:
            moment = email.utils.parsedate_to_datetime(published)
        except (TypeError, ValueError):
            continue
        if moment.tzinfo is None:
            continue
        items.append((title[:300], link, moment.astimezone(UTC)))
    return items


class Newsrooms:
    name = NAME
    blocks: tuple[str, ...] = ("news",)

    def __init__(
        self, base_url: str | None = None, newsrooms: list[Newsroom] | None = None
    ) -> None:
        """`base_url`, when given, replaces each feed's origin (a proxy, a test server): the
        feed `https://cointelegraph.com/rss` is then read at `<base_url>/cointelegraph/rss`."""
        self.base_url = (base_url or "").rstrip("/")
        self.newsrooms = load_newsrooms() if newsrooms is None else newsrooms

    def _url(self, room: Newsroom) -> str:
        if not self.base_url:
            return room.feed
        return f"{self.base_url}/{room.key}{httpx.URL(room.feed).path}"

    async def gather(self, fetcher: Fetcher, want: Want) -> Found:
        if not self.newsrooms:
            return Found(missing={"news": f"{NAME}: no newsroom is named in {NEWSROOMS}"})
        answers = await asyncio.gather(
            *(self._feed(fetcher, want, room) for room in self.newsrooms), return_exceptions=True
        )
        found = Found()
        headlines: list[dict[str, Any]] = []
        for room, answer in zip(self.newsrooms, answers, strict=True):
            if isinstance(answer, list):
                headlines += answer
            elif isinstance(answer, SOURCE_FAILURES):
                found.missing[f"news.{room.key}"] = f"{room.outlet}: {describe_error(answer)}"
            elif isinstance(answer, BaseException):
                raise answer
        if len(found.missing) == len(self.newsrooms):
            return Found(missing={"news": "; ".join(found.missing.values())})
        headlines.sort(key=lambda h: (h["published_at"], h["outlet"]), reverse=True)
        found.blocks["news"] = headlines
        return found

    async def _feed(self, fetcher: Fetcher, want: Want, room: Newsroom) -> list[dict[str, Any]]:
        url = self._url(room)
        items = parse_feed(await fetcher.get_text(url))
        start = datetime.combine(want.start, datetime.min.time(), UTC)
        kept = [(t, link, at) for t, link, at in items if start <= at <= want.as_of]
        kept.sort(key=lambda i: i[2], reverse=True)
        return [
            Headline(
                title=title,
                outlet=room.outlet,
                published_at=at,
                url=link,
                source=want.source(room.outlet, room.feed, "RSS feed"),
            ).model_dump(exclude_none=True)
            for title, link, at in kept[:MAX_PER_FEED]
        ]
