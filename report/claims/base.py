"""A claim: one thing a page may say, of one kind, about one subject, and why it is true.

A kind is declared once, as a subclass of `Claim`:

- `kind`, `label` (the lead of a summary bullet) and `topic` (claims of one topic are said
  together; the summary names each topic once);
- `find(inputs)`: how it is computed from the record, as traced values;
- `condition()`: the test its words stand on, checked on its own values ("the week's high is
  above every earlier high"); `find` only makes claims whose condition holds, and verification
  recomputes each claim from the record and checks it again;
- `PHRASES`: the words that state this kind of claim ("a record", "for the first time since"),
  with `phrases()` naming the ones a claim licenses. A page line that uses such words needs a
  claim of that kind behind it, or verification fails;
- its sentences, in `templates/claims/<kind>.md.j2` (one macro per sentence; `sentence` is
  required). A test checks that every kind has them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from report.trace import Traced

if TYPE_CHECKING:
    from report.claims.inputs import Inputs

KINDS: dict[str, type[Claim]] = {}
MAX_SCORE = 3.0


def score(size: float, scale: float) -> float:
    """How notable a size is, where `scale` scores 1 ("worth a line") and 3 leads the page."""
    return round(min(abs(size) / scale, MAX_SCORE), 3)


def sign(value: Traced | None) -> int:
    """The direction a change is written in: -1, +1, or 0 when it rounds to flat."""
    if value is None or math.isclose(round(value.value, 1), 0.0):
        return 0
    return -1 if value.value < 0 else 1


@dataclass(frozen=True, kw_only=True)
class Claim:
    kind: ClassVar[str]
    label: ClassVar[str]
    topic: ClassVar[str]
    PHRASES: ClassVar[dict[str, str]] = {}  # name: regular expression of words that state it

    subject: str | None = None  # the asset's symbol or the incident's protocol; None: the market
    score: float = 0.0

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" in cls.__dict__:
            if cls.kind in KINDS:
                raise TypeError(f"claim kind {cls.kind} is declared twice")
            KINDS[cls.kind] = cls

    @classmethod
    def find(cls, inputs: Inputs) -> Iterable[Claim]:
        raise NotImplementedError

    def condition(self) -> str | None:
        """Why the claim's words would be false, or None when they hold."""
        return None

    @property
    def key(self) -> tuple[Any, ...]:
        """What tells two claims of one kind apart (a horizon, a question)."""
        return (self.subject,)

    @property
    def direction(self) -> int:
        """The way the claim says a price went (-1, +1), or 0 when it says no move."""
        return 0

    @property
    def lead(self) -> str:
        """The words before a summary bullet: the kind's label, unless the claim's own
        condition changes what may be said."""
        return self.label

    def phrases(self) -> set[str]:
        """The names of the phrases (of `PHRASES`) this claim licenses."""
        return set(self.PHRASES)

    def check(self, inputs: Inputs) -> list[str]:
        """Re-derive the claim from the record alone: it must be what the record gives, and
        its condition must hold."""
        what = f"the {self.kind} claim about {self.subject or 'the market'}"
        problem = self.condition()
        if problem:
            return [f"{what} is false: {problem}"]
        again = [c for c in inputs.found(type(self)) if c.key == self.key]
        if not again:
            return [f"{what} does not follow from the record"]
        if again[0] != self:
            return [f"{what} differs from what the record gives"]
        return []

    def traced(self) -> list[Traced]:
        return list(_walk(self, Traced))

    def dates(self) -> list[date]:
        return [d.date() if isinstance(d, datetime) else d for d in _walk(self, date)]


def _walk(node: Any, wanted: type) -> Iterable[Any]:
    if isinstance(node, wanted):
        yield node
        if not isinstance(node, Traced):
            return
    if isinstance(node, Traced):
        return
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            yield from _walk(getattr(node, f.name), wanted)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _walk(item, wanted)
    elif isinstance(node, dict):
        for item in node.values():
            yield from _walk(item, wanted)
