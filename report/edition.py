"""A week's edition, built once: its claims, story, headline, summary, sections, charts, the
page and the digest rendered from them, and their verification. Every output (the pages and
digests `report build` writes, the site, the email, `report verify`) takes what it needs from
here; none reads another's rendered text back.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from report.archive import WeekFacts
from report.charts import Chart, build_charts
from report.claims import Claim, Inputs, find_claims, make_inputs
from report.claims.base import KINDS
from report.errors import VerifyError
from report.formatting import ROOT
from report.history import HistoryStore
from report.model import Week
from report.prose import plain
from report.story import Story, classify_story, contradicts
from report.verify import verify_edition
from report.weekfile import WeekFiles, previous_week
from report.writing import AFTER_CHARTS, Writer

SUMMARY_BULLETS = 3
HEADLINE_TAIL_SCORE = 1.5  # a claim this notable earns the headline's second clause
MAX_HEADLINE_WORDS = 14
LEVEL_NEWS_DAYS = 90  # a level last crossed sooner than this is no headline
BIG_MOVE_PCT = 10  # a weekly move this large outranks a level crossed within the year
# Claims that are told in their sections but never lead a summary bullet.
NOT_IN_SUMMARY = {
    "week_over_week",
    "open_interest",
    "week_range",
    "best_day",
    "worst_day",
    "loss_record",  # told with the week's hacks, whose own line gives the total
    "headlines",  # someone else's words: quoted in their section, never a summary bullet
}
# The topic a story's summary leads with, when the story is about it.
LEAD_TOPIC = {
    Story.RECORD_HIGH: "price",
    Story.RECORD_REVERSAL: "price",
    Story.CRASH: "price",
    Story.CRISIS: "defi",
}
PRICE_KINDS = ("record_high", "level_cross", "drawdown")  # told with the price, first found
DOWNLOADS = "downloads"
EMAIL_CHARTS = ("btc-closes",)


@dataclass(frozen=True)
class Bullet:
    label: str
    text: str  # Markdown


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    body: str  # Markdown


@dataclass(frozen=True)
class Edition:
    """One week as every output shows it."""

    inputs: Inputs
    claims: tuple[Claim, ...]
    story: Story
    headline: str
    summary: tuple[Bullet, ...]
    takeaways: tuple[Bullet, ...]
    description: str
    sections: tuple[Section, ...]
    charts: tuple[Chart, ...]
    site_url: str
    said: dict[tuple[Any, ...], str] = field(default_factory=dict)  # by (kind, key): its sentence
    page: str = ""  # Markdown; links to the site's files start with ROOT
    digest: str = ""  # Markdown, as the email's text part
    email_digest: str = ""  # the same with the charts placed, for the email's HTML part

    @property
    def week(self) -> Week:
        return self.inputs.week

    @property
    def label(self) -> str:
        return self.week.week

    @property
    def page_url(self) -> str:
        base = self.site_url.rstrip("/")
        return f"{base}/weeks/{self.label}.html" if base else f"weeks/{self.label}.html"

    def claim(self, kind: str) -> Claim | None:
        return next((c for c in self.claims if c.kind == kind), None)

    @property
    def summary_text(self) -> str:
        """The summary bullets as plain sentences (for the feed and search)."""
        return " ".join(plain(f"{b.label}: {b.text}") for b in self.summary)

    @property
    def title(self) -> str:
        return plain(self.headline)

    @property
    def email_charts(self) -> tuple[Chart, ...]:
        """The charts the email carries: the price chart alone keeps a message small (the
        page has the others)."""
        return tuple(c for c in self.charts if c.name in EMAIL_CHARTS)


def _topics(claims: list[Claim]) -> list[Claim]:
    """The most notable claim of each topic, most notable first."""
    seen: set[str] = set()
    chosen = []
    for claim in claims:
        if claim.topic not in seen:
            seen.add(claim.topic)
            chosen.append(claim)
    return chosen


def _summary_claims(claims: list[Claim], story: Story) -> list[Claim]:
    candidates = [
        c
        for c in claims
        if c.kind not in NOT_IN_SUMMARY
        and (c.score > 0 or c.topic == "price")
        and not contradicts(c, claims)
        and (c.kind != "drawdown" or c.subject == "BTC")
    ]
    chosen = _topics(candidates)
    lead = LEAD_TOPIC.get(story)
    chosen.sort(key=lambda c: c.topic != lead)
    # Every week's summary states Bitcoin's price: second at the latest.
    price = next((c for c in chosen if c.topic == "price"), None)
    if price is not None and chosen.index(price) > 1:
        chosen.remove(price)
        chosen.insert(1, price)
    return chosen


class Composer:
    """Chooses what the edition says where, and has the writer say it."""

    def __init__(self, inputs: Inputs, claims: list[Claim], story: Story, site_url: str) -> None:
        self.inputs, self.claims, self.story = inputs, claims, story
        self.writer = Writer(inputs, claims, story, site_url)

    def get(self, kind: str) -> Claim | None:
        return self.writer.claim(kind)

    def bullet(self, claim: Claim) -> Bullet:
        """A summary bullet, which states its claims for the whole page. The price topic's says
        Bitcoin's price and moves, and the one price claim that matters most, under its lead."""
        if claim.topic != "price":
            return Bullet(claim.lead, self.writer.tell(claim))
        text = self.writer.price_sentence()
        extra = next((c for k in PRICE_KINDS if (c := self.get(k))), None)
        if extra is None:
            return Bullet(claim.lead, text)
        return Bullet(extra.lead, f"{text} {self.writer.tell(extra)}")

    def summary(self) -> tuple[Bullet, ...]:
        return tuple(
            self.bullet(c) for c in _summary_claims(self.claims, self.story)[:SUMMARY_BULLETS]
        )

    def takeaways(self) -> tuple[Bullet, ...]:
        """What the week means and what to watch: each notable topic's own takeaway sentence,
        never a sentence the page states elsewhere."""
        chosen = [
            c
            for c in _summary_claims(self.claims, self.story)
            if self.writer.has(c, "takeaway") and self.writer.say(c, "takeaway")
        ]
        return tuple(
            Bullet(c.lead, self.writer.say(c, "takeaway")) for c in chosen[:SUMMARY_BULLETS]
        )

    def headline(self) -> str:
        lead = self._lead()
        text = self.writer.say(lead, "headline", self.story.value)
        if self.story == Story.RECORD_REVERSAL and (move := self.get("week_move")):
            text += f", {self.writer.say(move, 'reversal')}"
        tail = self._record_tail(lead) or self._tail()
        if tail is not None:
            words = self.writer.say(tail, "tail")
            with_tail = f"{text}{'' if words.startswith(',') else ' '}{words}"
            if len(plain(with_tail).split()) <= MAX_HEADLINE_WORDS:
                text = with_tail
        return text

    def _record_tail(self, lead: Claim) -> Claim | None:
        """A headline led by the week's move ends with the archive's record of it, when it
        has one ("…, Its Largest Weekly Fall Since May 2021")."""
        record = self.get("move_record")
        if (
            lead.kind == "week_move"
            and record is not None
            and getattr(record, "since", None) is not None
            and record.direction == lead.direction
        ):
            return record
        return None

    def _lead(self) -> Claim:
        record = self.get("record_high")
        if self.story in (Story.RECORD_HIGH, Story.RECORD_REVERSAL) and record:
            return record
        level = self.get("level_cross")
        if level is not None and level.phrases() != {"in history"} and self._level_is_news(level):
            falling = self.story.falling or self.story in (Story.QUIET, Story.MIXED)
            if (level.direction < 0 and falling and self.story != Story.RALLY) or (
                level.direction > 0 and not self.story.falling
            ):
                return level
        move = self.get("week_move") or self.get("day_move") or self.get("price")
        assert move is not None  # every week has Bitcoin's price
        return move

    def _level_is_news(self, level: Claim) -> bool:
        """A level leads the headline when crossing it is the week's news: not when its "since"
        is only weeks ago, nor when a move of 10% or more is the bigger story and the level had
        been crossed within the year."""
        gap = getattr(level, "gap_days", 0)
        if getattr(level, "since", None) is None:
            return True  # first time ever, or in all the prices we hold
        move = self.get("week_move")
        big_move = move is not None and abs(move.change.value) >= BIG_MOVE_PCT  # type: ignore[attr-defined]
        return bool(gap >= LEVEL_NEWS_DAYS and not (big_move and gap < 365))

    def _tail(self) -> Claim | None:
        for claim in _topics(self.claims):
            if (
                claim.topic not in ("price", "alts", "days", "range", "rarity", "week_over_week")
                and claim.score >= HEADLINE_TAIL_SCORE
                and not contradicts(claim, self.claims)
                and self.writer.has(claim, "tail")
                and self.writer.say(claim, "tail")
            ):
                return claim
        return None


def build_edition(
    files: WeekFiles,
    previous: Week | None = None,
    history: HistoryStore | None = None,
    site_url: str = "",
    archive: list[WeekFacts] | None = None,
) -> Edition:
    """Compute, write and verify one week; raise VerifyError when anything on it is false.
    `archive` is the facts of the weeks of record before it (none: no records across weeks)."""
    inputs = make_inputs(files, previous, history, [asdict(f) for f in archive or []])
    claims = find_claims(inputs)
    story = classify_story(claims)
    composer = Composer(inputs, claims, story, site_url)
    writer = composer.writer
    summary = composer.summary()  # first: the summary states its claims for the whole page
    takeaways = composer.takeaways()
    edition = Edition(
        inputs=inputs,
        claims=tuple(claims),
        story=story,
        headline=composer.headline(),
        summary=summary,
        takeaways=takeaways,
        description=writer.description(),
        sections=tuple(Section(*s) for s in writer.sections(takeaways=takeaways)),
        charts=tuple(build_charts(inputs, claims)),
        site_url=site_url,
        said={(c.kind, c.key): writer.say(c) for c in claims},
    )
    before = {s.key for s in edition.sections[: _charts_at(edition.sections)]}
    page = writer.render("page.md.j2", edition=edition, before_charts=before)
    digest = site_links(writer.render("digest.md.j2", edition=edition), site_url)
    email = site_links(writer.render("digest_email.md.j2", edition=edition), site_url)
    edition = dataclasses.replace(edition, page=page, digest=digest, email_digest=email)
    problems = verify_edition(edition, history)
    if problems:
        raise VerifyError(problems)
    return edition


_SITE_LINK = re.compile(re.escape(ROOT) + r"([\w/.-]+)\.md\b")
_SITE_LINK_MARKDOWN = re.compile(r"\[([^\]]*)\]\(" + re.escape(ROOT) + r"[^)]*\)")


def site_links(markdown: str, site_url: str) -> str:
    """A text read away from the site (a digest, an email) with its links to the site's pages
    made absolute, or, with no site address known, their words kept and the links dropped."""
    if not site_url:
        return _SITE_LINK_MARKDOWN.sub(r"\1", markdown)
    return _SITE_LINK.sub(site_url.rstrip("/") + r"/\1.html", markdown)


def _charts_at(sections: tuple[Section, ...]) -> int:
    """Where the charts go: before the section AFTER_CHARTS names, or at the end."""
    keys = [s.key for s in sections]
    return keys.index(AFTER_CHARTS) if AFTER_CHARTS in keys else len(keys)


def check_kinds() -> list[str]:
    """Kinds declared without what every kind needs: a label, a topic, and a sentence."""
    problems = []
    for name, kind in KINDS.items():
        for attribute in ("label", "topic"):
            if not getattr(kind, attribute, ""):
                problems.append(f"claim kind {name} has no {attribute}")
        if not Writer.has_macro(name, "sentence"):
            problems.append(f"claim kind {name} has no sentence in templates/claims/{name}.md.j2")
    return problems


__all__ = ["ROOT", "Edition", "build_edition", "check_kinds", "previous_week"]
