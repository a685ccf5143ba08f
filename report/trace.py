"""Traced numbers: every number the text may print, with how it follows from the record.

A `Traced` value is either a value read at a path of the record (`week.assets[0].quote.price`)
or one of a few operations over other traced values. `evaluate` recomputes a traced value from
the record alone, so `report verify` can prove that the facts step did not invent anything.
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass
from typing import Any

_PATH_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


@dataclass(frozen=True)
class Traced:
    """`unit` is what the number measures (usd, pct, pp, index, count, plain); verify
    matches "$…" only to usd, "…%" only to pct or pp, and so on."""

    value: float
    unit: str
    op: str
    args: tuple[Traced | str, ...] = ()

    def __float__(self) -> float:
        return float(self.value)


def path_parts(path: str) -> tuple[str, ...]:
    """`week.assets[0].quote.price` as ("week", "assets", "0", "quote", "price")."""
    return tuple(name or index for name, index in _PATH_PART.findall(path))


def resolve(record: dict[str, Any], path: str) -> Any:
    """The value at a dotted path with [index] parts, e.g. `week.assets[0].quote.price`."""
    node: Any = record
    for part in path_parts(path):
        node = node[int(part)] if part.isdigit() else node[part]
    return node


def read(record: dict[str, Any], path: str, unit: str) -> Traced:
    value = resolve(record, path)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"{path} is not a number: {value!r}")
    return Traced(float(value), unit, "read", (path,))


def count(record: dict[str, Any], path: str) -> Traced:
    return Traced(float(len(resolve(record, path))), "count", "count", (path,))


ROUNDINGS = ("round_up", "round_down", "round_near")


def _apply(op: str, values: list[float], step: float = 1.0) -> float:
    if op == "round_up":
        return math.ceil(values[0] / step) * step
    if op == "round_down":
        return math.floor(values[0] / step) * step
    if op == "round_near":
        return math.floor(values[0] / step + 0.5) * step
    if op == "pct_change":
        new, old = values
        return (new / old - 1) * 100
    if op == "diff":
        return values[0] - values[1]
    if op == "ratio":
        return values[0] / values[1]
    if op == "share_pct":
        return values[0] / values[1] * 100
    if op == "sum":
        return math.fsum(values)
    if op == "mean":
        return math.fsum(values) / len(values)
    if op == "min":
        return min(values)
    if op == "max":
        return max(values)
    if op == "abs":
        return abs(values[0])
    if op == "correlation":  # Pearson's, of the first half of the values with the second
        half = len(values) // 2
        return statistics.correlation(values[:half], values[half:])
    raise ValueError(f"unknown operation {op}")


def combine(op: str, unit: str, *args: Traced) -> Traced:
    return Traced(_apply(op, [a.value for a in args]), unit, op, args)


def round_to(value: Traced, step: float, how: str) -> Traced:
    """A round level by a value: "up" ($104K above $103,849), "down", or "near" ($30K for
    $30,084). The step is part of the formula, written into it, never evidence by itself."""
    op = f"round_{how}"
    assert op in ROUNDINGS, how
    return Traced(_apply(op, [value.value], step), value.unit, op, (value, repr(step)))


def pct_change(new: Traced, old: Traced) -> Traced:
    return combine("pct_change", "pct", new, old)


def diff(a: Traced, b: Traced) -> Traced:
    return combine("diff", "pp" if a.unit == "pct" else a.unit, a, b)


def total(values: list[Traced], unit: str) -> Traced:
    return combine("sum", unit, *values)


def evaluate(traced: Traced, record: dict[str, Any]) -> float:
    """Recompute a traced value from the record alone."""
    if traced.op == "read":
        return float(resolve(record, str(traced.args[0])))
    if traced.op == "count":
        return float(len(resolve(record, str(traced.args[0]))))
    values = [evaluate(a, record) for a in traced.args if isinstance(a, Traced)]
    if traced.op in ROUNDINGS:
        return _apply(traced.op, values, float(str(traced.args[1])))
    return _apply(traced.op, values)


def describe(traced: Traced) -> str:
    """A readable formula, for verify's report."""
    if traced.op in ("read", "count"):
        return f"{traced.op}({traced.args[0]})"
    inner = ", ".join(describe(a) if isinstance(a, Traced) else a for a in traced.args)
    return f"{traced.op}({inner})"
