"""The week's headlines a page may quote: those that name something its figures are about.

A headline is someone else's words. A page shows it as a headline, in quotation marks, with its
outlet, day and link; never rewritten, never the source of a number. It is chosen when it names
one of the week's assets, a protocol of one of its incidents, a stablecoin that went off its
peg, a record high when the week set one, or the Fed, jobs, inflation or Treasury yields when
stocks or yields moved enough to be worth a line. At most `MAX_HEADLINES`, newest first, one
of each title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from report.claims.base import Claim
from report.claims.context import MarketMove, Pegs
from report.claims.inputs import Inputs
from report.claims.prices import RecordHigh

MAX_HEADLINES = 5
MACRO = r"\bFed\b|Federal Reserve|\bFOMC\b|\bPowell\b|\bjobs\b|payrolls|inflation|\bCPI\b|Treasur"
OTHER_NAMES = {"ETH": ("Ether",)}  # what headlines also call an asset


def _word(name: str, case: bool = True) -> str:
    word = re.escape(name) if case else f"(?i:{re.escape(name)})"
    return rf"(?<![\w$]){word}(?!\w)"


def subjects(inputs: Inputs, claims: list[Claim]) -> dict[str, str]:
    """What a headline may name, as a pattern for each thing the week is about."""
    week, wanted = inputs.week, {}
    for asset in week.assets:
        names = [asset.name, *OTHER_NAMES.get(asset.symbol, ())]
        wanted[asset.name] = "|".join([_word(asset.symbol), *(_word(n, False) for n in names)])
    incidents = [
        *(week.incidents or []),
        *(inputs.files.editorial.incidents if inputs.files.editorial else []),
    ]
    for incident in incidents:
        name = (
            incident.protocol.split(" V")[0]
            if re.search(r"\sV\d+$", incident.protocol)
            else incident.protocol
        )
        if re.search(r"\w{3}", name):
            wanted[incident.protocol] = _word(name, False)
    for claim in claims:
        if isinstance(claim, Pegs):
            for move in claim.off:
                wanted[move.name] = f"{_word(move.symbol)}|{_word(move.name, False)}"
        elif isinstance(claim, RecordHigh):
            wanted["a record high"] = r"\b(?i:record)\b|(?i:all-time high)"
        elif isinstance(claim, MarketMove) and claim.score >= 1:
            wanted["U.S. markets and the Fed"] = MACRO
    return wanted


@dataclass(frozen=True, kw_only=True)
class Headlines(Claim):
    """The headlines chosen, by their place in the week's news, each with what it names."""

    kind = "headlines"
    label = "In the news"
    topic = "news"

    chosen: tuple[tuple[int, str], ...]  # (index in the week's news, what it names)
    outlets: tuple[str, ...]  # the outlets the week's news came from

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[Headlines]:
        news = inputs.week.news
        if news is None:
            return
        others = [c for kind in (MarketMove, Pegs, RecordHigh) for c in inputs.found(kind)]
        wanted = subjects(inputs, others)
        chosen: list[tuple[int, str]] = []
        titles: set[str] = set()
        for i, headline in enumerate(news):
            named = next((what for what, p in wanted.items() if re.search(p, headline.title)), None)
            if named is None or headline.title.casefold() in titles:
                continue
            titles.add(headline.title.casefold())
            chosen.append((i, named))
            if len(chosen) == MAX_HEADLINES:
                break
        outlets = tuple(dict.fromkeys(h.outlet for h in news))
        yield cls(chosen=tuple(chosen), outlets=outlets)
