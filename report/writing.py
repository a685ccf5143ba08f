"""Turn facts and story into the week's page and digest (Jinja2 templates in templates/)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel

from report.cache import TemplateBytecode
from report.errors import RenderError
from report.facts import Fact, Facts
from report.formatting import FILTERS, direction, link
from report.model import Source
from report.story import Story, classify_story
from report.weekfile import previous_week

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# Facts about the same thing; the summary names each topic once, by its most notable fact.
TOPIC = {
    "btc_7d": "price",
    "btc_24h": "price",
    "since": "price",
    "drawdown": "price",
    "record_high": "price",
    "alts_change_24h": "alts",
    "alts_change_7d": "alts",
}
SUMMARY_BULLETS = 3
HEADLINE_TAIL_SCORE = 1.5  # a fact this notable earns the headline's second clause


@dataclass(frozen=True)
class Written:
    page: str
    digest: str


def by_topic(facts: Facts) -> list[Fact]:
    """The most notable fact of each topic, most notable first."""
    seen: set[str] = set()
    chosen = []
    for fact in facts.ranked:
        topic = TOPIC.get(fact.kind, fact.kind)
        if topic not in seen:
            seen.add(topic)
            chosen.append(fact)
    return chosen


def sources(facts: Facts) -> list[Source]:
    """Every source the week and its editorial file cite, once each, in order of appearance."""
    found: dict[tuple[str, str | None], Source] = {}

    def walk(node: Any) -> None:
        if isinstance(node, Source):
            found.setdefault((node.name, node.url), node)
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)
        elif isinstance(node, BaseModel):
            for name in type(node).model_fields:
                walk(getattr(node, name))

    walk(facts.edition.week)
    walk(facts.edition.editorial)
    return list(found.values())


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        bytecode_cache=TemplateBytecode(),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown out; untrusted text goes through the `text` filter
    )
    env.filters.update(FILTERS)
    env.globals.update(link=link, direction=direction)
    return env


_ENV = _environment()


def context(facts: Facts, site_url: str = "") -> dict[str, Any]:
    story = classify_story(facts)
    topics = by_topic(facts)
    cited = sources(facts)
    price_first = sorted(topics, key=lambda f: TOPIC.get(f.kind) != "price")
    return {
        "facts": facts,
        "week": facts.edition.week,
        "editorial": facts.edition.editorial,
        "story": story,
        "Story": Story,
        "btc": facts.btc,
        "bullets": topics[:SUMMARY_BULLETS],
        "takeaways": price_first[:SUMMARY_BULLETS],
        "tail": next(
            (
                f
                for f in topics
                if TOPIC.get(f.kind) not in ("price", "alts") and f.score >= HEADLINE_TAIL_SCORE
            ),
            None,
        ),
        "previous_week": previous_week(facts.edition.week.week),
        "sources": cited,
        # CoinGecko asks for a visible credit wherever its prices are shown.
        "credit_coingecko": any("CoinGecko" in s.name for s in cited),
        "page_url": f"{site_url.rstrip('/')}/weeks/{facts.edition.week.week}.html"
        if site_url
        else f"weeks/{facts.edition.week.week}.md",
    }


def _block(line: str) -> str:
    """What kind of Markdown block a line belongs to."""
    if not line.strip():
        return "blank"
    if line.startswith("#"):
        return "heading"
    if line.startswith("- "):
        return "list"
    if line.startswith("|"):
        return "table"
    if line.startswith(">"):
        return "quote"
    return "text"


def tidy_markdown(text: str) -> str:
    """Join macro continuations, and give headings, lists and tables one blank line around them.

    Templates stay readable with one sentence per macro; the page still comes out as clean
    Markdown with consecutive text lines kept as one paragraph.
    """
    lines: list[str] = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.startswith(" ") and lines and lines[-1]:
            lines[-1] += " " + line.strip()
            continue
        line = line.strip() if _block(line) == "text" else line
        if lines and line and lines[-1]:
            before, now = _block(lines[-1]), _block(line)
            if before != now or now == "heading":
                lines.append("")
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip() + "\n"


def render(template: str, values: dict[str, Any]) -> str:
    try:
        text = _ENV.get_template(template).render(values)
    except jinja2.TemplateError as exc:
        raise RenderError(f"templates/{template}: {exc}") from exc
    return tidy_markdown(text)


def write_story(facts: Facts, site_url: str = "") -> Written:
    """The week's narrative page and its email digest, as Markdown."""
    values = context(facts, site_url)
    return Written(page=render("page.md.j2", values), digest=render("digest.md.j2", values))
