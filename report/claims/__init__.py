"""The claims a week's pages may make, each kind declared once (see `report.claims.base`)."""

from __future__ import annotations

from report.claims import context, editorial, incidents, market, news, prices, records
from report.claims.base import KINDS, Claim
from report.claims.inputs import Inputs, make_inputs

DECLARED = (
    prices,
    market,
    incidents,
    editorial,
    records,
    context,
    news,
)  # importing them registers their kinds


def find_claims(inputs: Inputs) -> list[Claim]:
    """Every claim the week supports, most notable first (ties by kind, for stable pages)."""
    found = [claim for kind in KINDS.values() for claim in inputs.found(kind)]
    return sorted(found, key=lambda c: (-c.score, c.kind))


__all__ = ["DECLARED", "KINDS", "Claim", "Inputs", "find_claims", "make_inputs"]
