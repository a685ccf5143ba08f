"""The words: Jinja2 templates in templates/ turn claims into sentences, sections and pages.

- `templates/claims/<kind>.md.j2`: each kind's sentences, one macro per sentence (`sentence`,
  and where the kind can say it, `headline`, `tail`, `question`, `answer`…).
- `templates/sections/<key>.md.j2`: a section's `title()` and `body()`, in page order.
- `page.md.j2`, `digest.md.j2`, `digest_email.md.j2`: the layouts, which place the edition's
  headline, summary, sections, charts and downloads (the last two in named blocks).
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from pydantic import BaseModel

from report.assets import MARKET_NAMES
from report.cache import TemplateBytecode
from report.claims import Claim, Inputs
from report.errors import RenderError
from report.formatting import (
    FILTERS,
    change_phrase,
    change_span,
    direction,
    link,
    week_of,
)
from report.model import Source
from report.readers import (
    field_name,
    joined,
    missing_sentence,
    provider_name,
    rebuilt_sentence,
)
from report.trace import Traced, path_parts
from report.weekfile import WeekFiles, previous_week

if TYPE_CHECKING:
    from report.story import Story

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SECTIONS = (
    "lead",
    "markets",
    "leverage",
    "incidents",
    "liquidity",
    "sentiment",
    "week_over_week",
    "news",
    "faq",
    "takeaways",
    "conclusion",
    "details",
    "sources",
)
AFTER_CHARTS = "faq"  # the charts come before this section


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        bytecode_cache=TemplateBytecode(),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown out; untrusted text goes through the `text` filter
        extensions=["jinja2.ext.do"],
    )
    env.filters.update(FILTERS)
    env.filters["provider"] = provider_name
    env.globals.update(
        link=link,
        direction=direction,
        change_phrase=change_phrase,
        change_span=change_span,
        week_of=week_of,
        market_name=MARKET_NAMES.get,
    )
    return env


_ENV = _environment()


def sources(files: WeekFiles) -> list[Source]:
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

    walk(files.week)
    walk(files.editorial)
    return list(found.values())


def quote_groups(inputs: Inputs) -> list[dict[str, Any]]:
    """The assets whose quotes share a provider and a moment, named together."""
    groups: dict[tuple[Any, ...], list[str]] = {}
    for asset in inputs.week.assets:
        quote = asset.quote
        changes = provider_name(quote.changes_source) if quote.changes_source else None
        key = (provider_name(quote.source), quote.at, changes)
        groups.setdefault(key, []).append(asset.name)
    return [
        {"names": joined(names), "provider": provider, "at": at, "changes": changes}
        for (provider, at, changes), names in groups.items()
    ]


def _read_paths(value: Traced) -> list[str]:
    """The record paths a traced value reads."""
    if value.op == "read":
        return [str(value.args[0])]
    return [p for a in value.args if isinstance(a, Traced) for p in _read_paths(a)]


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
    if line.startswith("<"):
        return "html"
    return "text"


def tidy_markdown(text: str) -> str:
    """Join macro continuations, and give headings, lists and tables one blank line around them.

    Templates stay readable with one sentence per macro; the page still comes out as clean
    Markdown with consecutive text lines kept as one paragraph.
    """
    lines: list[str] = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.startswith(" ") and lines and lines[-1] and _block(lines[-1]) != "html":
            joined = lines[-1] + " " + line
            lines[-1] = " ".join(joined.split()) if _block(lines[-1]) == "text" else joined
            continue
        line = " ".join(line.split()) if _block(line) == "text" else line
        if lines and line and lines[-1]:
            before, now = _block(lines[-1]), _block(line)
            if (before != now and "html" not in (before, now)) or now == "heading":
                lines.append("")
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip() + "\n"


class Writer:
    """Renders one week's sentences and sections; the claims' macro modules are made once."""

    def __init__(self, inputs: Inputs, claims: list[Claim], story: Story, site_url: str) -> None:
        self.inputs, self.claims, self.story = inputs, claims, story
        cited = sources(inputs.files)
        self.context: dict[str, Any] = {
            "week": inputs.week,
            "editorial": inputs.files.editorial,
            "inputs": inputs,
            "claims": claims,
            "claim": self.claim,
            "say": self.say,
            "tell": self.tell,
            "variant": self.variant,
            "told": self.told,
            "field_name": lambda field: field_name(field, inputs.week),
            "missing_sentence": missing_sentence(inputs.week),
            "rebuilt_sentence": rebuilt_sentence(inputs.week),
            "quote_groups": quote_groups(inputs),
            "story": story.value,
            "btc": inputs.btc,
            "previous_week": previous_week(inputs.week.week),
            "sources": cited,
            "history_sources": self._history_sources(cited),
            # CoinGecko asks for a visible credit wherever its prices are shown.
            "credit_coingecko": any("CoinGecko" in s.name for s in cited),
        }
        self._modules: dict[str, Any] = {}
        self._told: set[tuple[Any, ...]] = set()

    def _history_sources(self, cited: list[Source]) -> list[dict[str, str]]:
        """The sources of the history values the claims read, beyond the week's own, with what
        was taken from each."""
        history = self.inputs.record["history"]
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for claim in self.claims:
            for value in claim.traced():
                for path in _read_paths(value):
                    parts = path_parts(path)
                    if parts[0] != "history":
                        continue
                    view = history[parts[1]]
                    if parts[2] == "stated_highs":
                        stated = view["stated_highs"][int(parts[3])]
                        source = {"name": stated["source"], "url": stated["url"]}
                        used = "the all-time high it stated"
                    else:
                        source = view["sources"][view["source_of"][int(parts[3])]]
                        used = "daily prices before this week"
                    key = (source["name"], source["url"])
                    entry = found.setdefault(key, {**source, "uses": []})
                    if used not in entry["uses"]:
                        entry["uses"].append(used)
        known = {(s.name, s.url) for s in cited}
        return [
            {"name": s["name"], "url": s["url"], "used": " and ".join(s["uses"])}
            for key, s in found.items()
            if key not in known
        ]

    def claim(self, kind: str, subject: str | None = "BTC") -> Claim | None:
        """The most notable claim of a kind (about Bitcoin, or about the market)."""
        return next(
            (c for c in self.claims if c.kind == kind and c.subject in (subject, None)), None
        )

    def _module(self, name: str) -> Any:
        if name not in self._modules:
            try:
                self._modules[name] = _ENV.get_template(name).make_module(self.context)
            except jinja2.TemplateError as exc:
                raise RenderError(f"templates/{name}: {exc}") from exc
        return self._modules[name]

    @staticmethod
    def has_macro(kind: str, macro: str) -> bool:
        try:
            module = _ENV.get_template(f"claims/{kind}.md.j2").module
        except jinja2.TemplateNotFound:
            return False
        return callable(getattr(module, macro, None))

    def has(self, claim: Claim, macro: str) -> bool:
        return self.has_macro(claim.kind, macro)

    def say(self, claim: Claim, macro: str = "sentence", *args: Any) -> str:
        """One of a claim's sentences, by its kind's macro."""
        module = self._module(f"claims/{claim.kind}.md.j2")
        try:
            return " ".join(str(getattr(module, macro)(claim, *args)).split())
        except jinja2.TemplateError as exc:
            raise RenderError(f"templates/claims/{claim.kind}.md.j2: {macro}: {exc}") from exc

    def tell(self, claim: Claim | None, macro: str = "sentence", *args: Any) -> str:
        """A claim's sentence the first time the page states it, and '' after: each thing is
        said once, where it is first said (the summary, then the sections in page order)."""
        if claim is None or self.told(claim):
            return ""
        self._told.add((claim.kind, claim.key))
        return self.say(claim, macro, *args)

    def variant(self, name: str, count: int) -> int:
        """Which of `count` wordings a week uses for one thing: fixed by the week, so a page
        reads the same on every build, and different from week to week."""
        return zlib.crc32(f"{self.inputs.week.week}:{name}".encode()) % count

    def told(self, claim: Claim | None) -> bool:
        return claim is not None and (claim.kind, claim.key) in self._told

    def price_sentence(self) -> str:
        quote = self.claim("price")
        assert quote is not None  # every week has Bitcoin's price
        return self.tell(quote)

    def description(self) -> str:
        module = self._module("stories.md.j2")
        return " ".join(str(module.description()).split())

    def sections(self, **extra: Any) -> list[tuple[str, str, str]]:
        """(key, title, body) of each section with something to say, in page order."""
        found = []
        for key in SECTIONS:
            module: Any = _ENV.get_template(f"sections/{key}.md.j2").make_module(
                {**self.context, **extra}
            )
            body = tidy_markdown(str(module.body())).strip()
            if body:
                found.append((key, " ".join(str(module.title()).split()), body))
        return found

    def render(self, template: str, **values: Any) -> str:
        try:
            text = _ENV.get_template(template).render({**self.context, **values})
        except jinja2.TemplateError as exc:
            raise RenderError(f"templates/{template}: {exc}") from exc
        return tidy_markdown(text)
