"""Polymarket (keyless): the odds of the prediction-market questions the desk follows, at the
week's end and seven days before.

Which questions matter is an editorial choice, so they are named in a file
(`data/prediction-markets.yaml`: each a market slug, as in polymarket.com/event/<slug>, and the
outcome to quote). For each, the Gamma API's `/markets/slug/{slug}` gives the question, its
outcomes and their CLOB token ids, both as JSON text inside the JSON; the CLOB's
`/prices-history` gives the outcome's price over the week, which is its implied probability.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from report.errors import DataError
from report.http import Fetcher
from report.model import PredictionMarket
from report.sources import Found, SourceError, Want, utc_from_seconds

NAME = "Polymarket"
BASE_URL = "https://gamma-api.polymarket.com"
CLOB_URL = "https://clob.polymarket.com"
QUESTIONS = Path("data/prediction-markets.yaml")
BLOCK = "sentiment.prediction_markets"


class Question(BaseModel):
    """A question the desk follows: the market's slug and the outcome to quote."""

    model_config = ConfigDict(extra="forbid")

    slug: Annotated[str, Field(pattern=r"^[a-z0-9-]{3,200}$")]
    outcome: Annotated[str, Field(min_length=1, max_length=100)] = "Yes"


def load_questions(path: Path) -> list[Question]:
    if not path.exists():
        return []
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return [Question.model_validate(q) for q in raw.get("polymarket") or []]
    except (yaml.YAMLError, ValidationError, AttributeError) as exc:
        raise DataError([f"{path}: {exc}"]) from exc


def _json_list(value: Any) -> list[str]:
    """Gamma sends `outcomes` and `clobTokenIds` as JSON text: parse them a second time."""
    parsed = json.loads(value) if isinstance(value, str) else value
    if not isinstance(parsed, list) or not all(isinstance(v, str) for v in parsed):
        raise ValueError("is not a list of strings")
    return parsed


class Market(BaseModel):
    model_config = ConfigDict(extra="ignore")

    question: Annotated[str, Field(min_length=1, max_length=300)]
    slug: str
    outcomes: list[str]
    clobTokenIds: list[str]

    _lists = field_validator("outcomes", "clobTokenIds", mode="before")(_json_list)


class Point(BaseModel):
    model_config = ConfigDict(extra="ignore")

    t: int
    p: Annotated[float, Field(ge=0, le=1)]


class History(BaseModel):
    model_config = ConfigDict(extra="ignore")

    history: list[Point]


class Polymarket:
    name = NAME
    blocks: tuple[str, ...] = (BLOCK,)

    def __init__(
        self, base_url: str = BASE_URL, clob_url: str | None = None, questions: Path = QUESTIONS
    ) -> None:
        self.base_url = base_url.rstrip("/")
        # One URL given (a proxy, a test server) serves both APIs.
        self.clob_url = (clob_url or (CLOB_URL if base_url == BASE_URL else base_url)).rstrip("/")
        self.questions_file = questions
        self.questions = load_questions(questions)  # a bad file fails before any request

    async def _odds(self, fetcher: Fetcher, want: Want, question: Question) -> dict[str, Any]:
        url = f"{self.base_url}/markets/slug/{question.slug}"
        market = Market.model_validate(await fetcher.get_json(url))
        if question.outcome not in market.outcomes:
            raise SourceError(f"{question.slug} has no outcome {question.outcome!r} ({url})")
        if len(market.outcomes) != len(market.clobTokenIds):
            raise SourceError(f"{question.slug}: outcomes and token ids differ in number")
        token = market.clobTokenIds[market.outcomes.index(question.outcome)]
        week_ago = want.as_of - timedelta(days=7)
        history_url = f"{self.clob_url}/prices-history"
        params = {
            "market": token,
            "startTs": int((week_ago - timedelta(days=1)).timestamp()),
            "endTs": int(want.as_of.timestamp()),
            "fidelity": 60,
        }
        points = History.model_validate(await fetcher.get_json(history_url, params=params)).history
        if any(p.t > want.fetched_at.timestamp() for p in points):
            raise SourceError(f"{question.slug}: a price is dated after the time it was fetched")
        now = [p for p in points if p.t <= want.as_of.timestamp()]
        before = [p for p in points if p.t <= week_ago.timestamp()]
        if not now or not before:
            raise SourceError(
                f"{question.slug}: no price at {want.as_of:%Y-%m-%d} and a week before"
            )
        then = max(before, key=lambda p: p.t)
        odds = PredictionMarket(
            platform=NAME,
            question=market.question,
            outcome=question.outcome,
            odds_now_pct=round(max(now, key=lambda p: p.t).p * 100, 1),
            odds_before_pct=round(then.p * 100, 1),
            before_date=utc_from_seconds(then.t).date(),
            source=want.source(
                NAME, f"https://polymarket.com/event/{question.slug}", "outcome price as odds"
            ),
        )
        return odds.model_dump(exclude_none=True)

    async def gather(self, fetcher: Fetcher, want: Want) -> Found:
        if not self.questions:
            why = f"no prediction-market question is listed in {self.questions_file}"
            return Found(missing={BLOCK: why})
        answers = await asyncio.gather(*(self._odds(fetcher, want, q) for q in self.questions))
        return Found(blocks={BLOCK: list(answers)})
