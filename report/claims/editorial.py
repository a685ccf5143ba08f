"""What a person added to the week: the forces the desk names behind it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from report.claims.base import Claim
from report.claims.inputs import Inputs
from report.model import Driver

SCORE_DRIVERS = 2.5  # a person named what drove the week: worth a summary bullet


@dataclass(frozen=True, kw_only=True)
class Drivers(Claim):
    """The desk's reading of the week, said as the desk's, never as the data's."""

    kind = "drivers"
    label = "What moved it"
    topic = "drivers"

    drivers: tuple[Driver, ...]

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[Drivers]:
        editorial = inputs.files.editorial
        if editorial and editorial.drivers:
            yield cls(score=SCORE_DRIVERS, drivers=tuple(editorial.drivers))
