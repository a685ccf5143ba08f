"""Claims about the week's hacks, exploits and losses, said for what each victim was.

A DeFi protocol, a centralised venue (an exchange, a custodian, a payment processor) and a
victim the source does not describe are three kinds of claim, each with its own total: an
exchange's hack is never counted, or headlined, as a DeFi loss.

What a victim was, first match wins (`venue_of`):
1. the incident's own `venue`, which a person sets (the editorial file's incidents carry it);
2. the editorial file's `venues`, a person's classification of an incident an API listed;
3. the source's `target`: DefiLlama's targetType "DeFi Protocol" or "Bridge" is DeFi, "CEX"
   and other centralised businesses are centralised, anything else (a game, a wallet) other;
4. a DefiLlama protocol id: DefiLlama tracks the victim as a DeFi protocol;
5. otherwise unclassified, said as a hack of no stated kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from report.claims.base import Claim, score
from report.claims.inputs import Inputs
from report.model import Editorial, Incident
from report.trace import Traced, pct_change, read, total

SCALE_INCIDENTS_USD = 50e6
DEFI_TARGETS = ("defi", "bridge", "dex", "lending", "protocol")
CENTRALISED_TARGETS = ("cex", "exchange", "custod", "payment", "cefi", "centrali", "broker")


def venue_of(incident: Incident, editorial: Editorial | None) -> str | None:
    if incident.venue:
        return incident.venue
    for note in editorial.venues if editorial else []:
        if note.protocol == incident.protocol:
            return note.venue
    if incident.target:
        target = incident.target.lower()
        if any(word in target for word in CENTRALISED_TARGETS):
            return "centralised"
        if any(word in target for word in DEFI_TARGETS):
            return "defi"
        return "other"
    if incident.protocol_id:
        return "defi"
    return None


@dataclass(frozen=True)
class Listed:
    """One incident with its traced loss and the change of its protocol's TVL."""

    incident: Incident
    loss: Traced | None
    tvl_change: Traced | None


def listed_incidents(inputs: Inputs) -> list[tuple[Listed, str | None]]:
    """Every incident of the week and of its editorial file, largest loss first, with where
    it was read and what the victim was."""
    week, editorial, record = inputs.week, inputs.files.editorial, inputs.record
    found: list[tuple[Listed, str | None]] = []
    sources = [("week.incidents", week.incidents or [])]
    sources.append(("editorial.incidents", editorial.incidents if editorial else []))
    for base, incidents in sources:
        for i, incident in enumerate(incidents):
            path = f"{base}[{i}]"
            loss = read(record, f"{path}.loss_usd", "usd") if incident.loss_usd else None
            tvl = incident.tvl
            change = (
                pct_change(
                    read(record, f"{path}.tvl.after_usd", "usd"),
                    read(record, f"{path}.tvl.before_usd", "usd"),
                )
                if tvl and tvl.before_usd > 0
                else None
            )
            found.append((Listed(incident, loss, change), venue_of(incident, editorial)))
    return sorted(found, key=lambda p: -(p[0].incident.loss_usd or 0))


@dataclass(frozen=True, kw_only=True)
class IncidentGroup(Claim):
    """The incidents of one kind of victim, their number and their total loss."""

    venues: ClassVar[tuple[str | None, ...]]

    incidents: tuple[Listed, ...]
    loss: Traced | None

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[IncidentGroup]:
        mine = tuple(listed for listed, venue in listed_incidents(inputs) if venue in cls.venues)
        if not mine:
            return
        losses = [item.loss for item in mine if item.loss]
        loss = total(losses, "usd") if losses else None
        yield cls(
            score=score(loss.value if loss else 0, SCALE_INCIDENTS_USD),
            incidents=mine,
            loss=loss,
        )

    def condition(self) -> str | None:
        return None if self.incidents else "no incident of this kind"

    @property
    def largest(self) -> tuple[Listed, ...]:
        """The incident of the largest loss, or all of them when they lost the same."""
        top = self.incidents[0].incident.loss_usd
        return tuple(item for item in self.incidents if item.incident.loss_usd == top)

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.kind,)


@dataclass(frozen=True, kw_only=True)
class DefiExploits(IncidentGroup):
    kind = "defi_exploits"
    label = "DeFi losses"
    topic = "defi"
    PHRASES: ClassVar[dict[str, str]] = {"DeFi": r"\bDeFi\b"}
    venues = ("defi",)


@dataclass(frozen=True, kw_only=True)
class CentralisedFailures(IncidentGroup):
    kind = "centralised_failures"
    label = "Exchanges and custodians"
    topic = "centralised"
    PHRASES: ClassVar[dict[str, str]] = {"centralised": r"\b[Cc]entrali[sz]ed\b"}
    venues = ("centralised",)


@dataclass(frozen=True, kw_only=True)
class OtherHacks(IncidentGroup):
    kind = "other_hacks"
    label = "Hacks"
    topic = "hacks"
    venues = ("other", None)
