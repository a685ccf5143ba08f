"""The truth check: every number in a written page traces back to the week of record.

A number on the page passes when it is
- a value of the record (or of its editorial file), shown at the page's precision;
- a traced value of the facts step (a change, a ratio, a sum…) that `report.trace.evaluate`
  recomputes from the record alone, shown at the page's precision;
- a number written inside a text of the record (a quote, a market's question), as written;
- a date or time that the record holds.
"Shown at the page's precision" means rounded, rounded down or rounded up to the last digit
shown ($104K is 103,849 rounded up to the thousand). Anything else is named with its line.

A value that belongs to one asset or one incident (its price, its change, its loss; or a traced
value computed from that one alone) has a subject. When a line names assets or protocols, a
number in it must be a value of one of those it names, or of no one in particular: a line about
Ethereum cannot show Bitcoin's price unnoticed. A line that names none ("Its daily close…") is
checked by value alone.

The words are checked too. Each kind of claim declares the phrases that state it ("a record",
"for the first time since", "every altcoin"): a line that uses one needs a claim of the
edition that licenses it, about a subject the line names (or about the market). Untrusted text
quoted on the page (a protocol's name, the desk's notes) is left out of that check. And every
claim is re-derived from the record: `Claim.check` recomputes it and tests its condition.
"""

from __future__ import annotations

import bisect
import html
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from report import prose
from report.claims import KINDS, Claim, make_inputs
from report.formatting import text as inert
from report.history import HistoryStore
from report.prose import MONTHS
from report.trace import Traced, describe, evaluate, path_parts
from report.weekfile import previous_week

if TYPE_CHECKING:
    from report.edition import Edition

_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
_BARE_URL = re.compile(r"https?://[^\s)>]+")
_HTML_ADDRESS = re.compile(r'\b(?:src|href|data-spec|width)="[^"]*"')
_DATES = re.compile(
    rf"(?P<part>early |mid-|late )?(?P<month>{MONTHS})"
    r"(?: (?P<day>\d{1,2})(?!\d))?(?:,? (?P<year>\d{4}))?"
    r"|(?P<iso>\d{4}-\d{2}-\d{2})"
    r"|(?P<week>\d{4}-W\d{2})"
    r"|(?P<time>\d{2}:\d{2}) UTC"
)
# Names of horizons and conventions, not data: "24 hours", "a day closes at 24:00 UTC".
_VOCABULARY = re.compile(
    r"24:00 UTC|\b24-hour\b|\b24 hours\b|\b24h\b|\b7 days\b|\b8 hours\b|\b30 days\b|\b90 days\b"
)
_NUMBER = re.compile(
    r"(?P<dollar>\$)?(?P<sign>[−+-])?(?P<digits>\d+(?:,\d{3})*(?:\.\d+)?)"
    r"(?P<suffix>K\b|(?i: billion\b| million\b)|%| percentage points\b| times\b)?"
)
_SCALE = {"K": 1e3, " billion": 1e9, " million": 1e6}
# Which kinds of value a number on the page may be, by how it is written.
_UNITS_FOR = {
    "usd": {"usd"},
    "pct": {"pct", "pp"},
    "pp": {"pp", "pct", "index"},
    "times": {"plain"},
    "bare": {"index", "count", "plain", "pp"},
}


# The lists whose items are subjects, and the field that names each: an asset, an incident,
# a market beyond crypto.
SUBJECT_LISTS = {"assets": "symbol", "incidents": "protocol", "markets": "series"}


@dataclass(frozen=True)
class Candidate:
    value: float
    unit: str
    subject: str | None = None  # the asset's symbol or the incident's protocol it belongs to


def _subject_at(record: dict[str, Any], parts: tuple[str, ...]) -> str | None:
    """Whose value lies at this path: `week.assets[2]…` is that asset's (by its symbol),
    `week.incidents[0]…` or `editorial.incidents[0]…` that incident's (by its protocol)."""
    if len(parts) < 3 or parts[1] not in SUBJECT_LISTS or not parts[2].isdigit():
        return None
    item = record.get(parts[0], {}).get(parts[1], [])[int(parts[2])]
    return str(item.get(SUBJECT_LISTS[parts[1]]))


def _traced_subject(record: dict[str, Any], traced: Traced) -> str | None:
    """The one subject a traced value is computed from; none for a value of several, or for
    a total or an average, which speaks for no one even when it holds one value."""
    if traced.op in ("sum", "mean", "count"):
        return None
    if traced.op == "read":
        return _subject_at(record, path_parts(str(traced.args[0])))
    subjects = {_traced_subject(record, a) for a in traced.args if isinstance(a, Traced)}
    return subjects.pop() if len(subjects) == 1 else None


def _subject_names(record: dict[str, Any]) -> dict[str, re.Pattern[str]]:
    """How a line names each subject: an asset by symbol or name, an incident by protocol."""
    names: dict[str, list[str]] = {}
    for part in ("week", "editorial"):
        for asset in (record.get(part) or {}).get("assets", []):
            names[asset["symbol"]] = [asset["symbol"], asset["name"]]
        for incident in (record.get(part) or {}).get("incidents") or []:
            names[incident["protocol"]] = [incident["protocol"]]
        for market in (record.get(part) or {}).get("markets") or []:
            names[market["series"]] = [market["name"]]
    # A name without a letter or digit (untrusted text may be anything) could match anywhere.
    return {
        subject: re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in named))
        for subject, alternatives in names.items()
        if (named := [n for n in alternatives if re.search(r"\w", n)])
    }


def _leaf_unit(path: tuple[str, ...]) -> str:
    names = [p for p in path if not p.isdigit()]
    last = names[-1] if names else ""
    if "fear_greed" in names:
        return "index"
    if last.endswith("_usd") or last == "price" or "closes" in names:
        return "usd"
    if last.endswith("_pct"):
        return "pct"
    return "plain"


class _Record:
    """What the record holds: numbers with units, dates, times, and numbers inside its texts.

    Last week's record (`previous`) lends its dates and times only: its numbers reach the page
    through the traced week-over-week comparison, never on their own.
    """

    def __init__(self, record: dict[str, Any]) -> None:
        self._root = record
        self.numbers: list[Candidate] = []
        self.dates: set[date] = set()
        self.times: set[str] = set()
        self.literals: set[str] = set()
        self.texts: set[str] = set()
        # The history's and the archive's values reach the page only through traced claims,
        # never on their own.
        own = {k: v for k, v in record.items() if k not in ("previous", "history", "archive")}
        self._walk(own, ())
        if record.get("previous"):
            numbers, literals = len(self.numbers), set(self.literals)
            self._walk(record["previous"], ("previous",))
            del self.numbers[numbers:]
            self.literals = literals

    def _walk(self, node: Any, path: tuple[str, ...]) -> None:
        if isinstance(node, dict):
            if "start" in node and "values" in node and isinstance(node["start"], date):
                start, length = node["start"], len(node["values"])
                self.dates.update(start + timedelta(days=i) for i in range(length))
            for key, value in node.items():
                self._walk(value, (*path, str(key)))
        elif isinstance(node, list):
            if node and all(type(v) in (int, float) or v is None for v in node):
                # A daily series: one unit and one subject for all its values.
                first = (*path, "0")
                unit, subject = _leaf_unit(first), _subject_at(self._root, first)
                self.numbers += [Candidate(float(v), unit, subject) for v in node if v is not None]
                return
            for index, item in enumerate(node):
                self._walk(item, (*path, str(index)))
        elif isinstance(node, bool):
            return
        elif isinstance(node, int | float):
            subject = _subject_at(self._root, path)
            self.numbers.append(Candidate(float(node), _leaf_unit(path), subject))
        elif isinstance(node, datetime):
            self.dates.add(node.date())
            self.times.add(f"{node:%H:%M}")
        elif isinstance(node, date):
            self.dates.add(node)
        elif isinstance(node, str):
            self.texts.add(node)
            self.literals.update(m.group(0) for m in _DATES.finditer(node))
            self.literals.update(m.group(0) for m in _NUMBER.finditer(node))
            self.literals.update(m.group("digits") for m in _NUMBER.finditer(node))


def _figure_candidates(record: dict[str, Any]) -> list[Candidate]:
    """Editorial figures carry their unit beside the value."""
    figures = record.get("editorial", {}).get("figures", [])
    return [Candidate(float(f["value"]), f["unit"]) for f in figures]


def _shown_as(candidate: float, shown: float, step: float) -> bool:
    """Is `shown` the candidate rounded, rounded down or rounded up to `step`?"""
    scaled = abs(candidate) / step
    target = shown / step
    return any(
        math.isclose(r, target, rel_tol=1e-9, abs_tol=1e-6)
        for r in (round(scaled), math.floor(scaled + 1e-9), math.ceil(scaled - 1e-9))
    )


def _is_dated(match: re.Match[str]) -> bool:
    """A bare month name ("since June") carries no number to check."""
    return bool(match["day"] or match["year"] or match["iso"] or match["time"])


def _date_known(match: re.Match[str], record: _Record) -> bool:
    if match["iso"]:
        return date.fromisoformat(match["iso"]) in record.dates
    if match["week"]:
        return True  # checked against the record's week label below
    if match["time"]:
        return match["time"] in record.times
    month = MONTHS.split("|").index(match["month"]) + 1
    days = [d for d in record.dates if d.month == month]
    if match["year"]:
        days = [d for d in days if d.year == int(match["year"])]
    if match["day"]:
        days = [d for d in days if d.day == int(match["day"])]
    return bool(days)


_DAY_READ = re.compile(r"history\.(\w+)\.(?:closes|highs)\[(\d+)\]")


def _days_read(record: dict[str, Any], traced: list[Traced]) -> set[date]:
    """The days of the history values read by traced values: a page may name their dates."""
    days = set()
    for value in traced:
        if value.op == "read" and (m := _DAY_READ.fullmatch(str(value.args[0]))):
            days.add(record["history"][m[1]]["start"] + timedelta(days=int(m[2])))
    return days


class Evidence:
    """Everything a page may cite for one week, indexed for quick look-up: the record, the
    traced values of its claims, the dates they name, and the claims themselves."""

    def __init__(
        self,
        record: dict[str, Any],
        traced: list[Traced],
        claims: list[Claim] | tuple[Claim, ...] = (),
    ) -> None:
        self.record = _Record(record)
        self.week = record["week"]["week"]
        self.weeks = {self.week, previous_week(self.week)}  # "no data for 2025-W44" is fine
        self.problems: list[str] = []
        candidates = self.record.numbers + _figure_candidates(record)
        for value in traced:
            recomputed = evaluate(value, record)
            if not math.isclose(recomputed, value.value, rel_tol=1e-9, abs_tol=1e-9):
                self.problems.append(
                    f"the fact {describe(value)} = {value.value} does not follow"
                    f" from the record (recomputed {recomputed})"
                )
            subject = _traced_subject(record, value)
            candidates.append(Candidate(value.value, value.unit, subject))
        for claim in claims:
            self.record.dates.update(claim.dates())
        self.record.dates.update(_days_read(record, traced))
        self.subjects = _subject_names(record)
        # By unit: the candidates' absolute values, sorted, and beside them their subjects.
        self._by_unit: dict[str, tuple[list[float], list[str | None]]] = {}
        for unit in {c.unit for c in candidates}:
            ordered = sorted((abs(c.value), c.subject or "") for c in candidates if c.unit == unit)
            self._by_unit[unit] = ([v for v, _ in ordered], [s or None for _, s in ordered])
        self.licences = _licences(claims)
        self._lines: dict[str, list[str]] = {}
        # Untrusted text as the page shows it, longest first: blanked before the words check.
        self.quoted = sorted(
            {inert(t) for t in self.record.texts if len(t) > 1}, key=len, reverse=True
        )

    @classmethod
    def of(cls, edition: Edition) -> Evidence:
        traced = [v for claim in edition.claims for v in claim.traced()]
        for move in edition.inputs.moves:
            traced += [v for v in (move.price, move.change_24h, move.change_7d) if v]
        for chart in edition.charts:
            traced += chart.traced
        return cls(edition.inputs.record, traced, edition.claims)

    def named_in(self, line: str) -> set[str]:
        """The subjects a line names."""
        plain = html.unescape(line.replace("\\", ""))
        return {subject for subject, names in self.subjects.items() if names.search(plain)}

    def traces(self, shown: float, step: float, units: set[str]) -> list[str | None]:
        """The subjects of the candidates of these units that `shown` is at precision `step`
        (None for a value of no one in particular); empty when it is none of them."""
        found: list[str | None] = []
        for unit in units:
            values, subjects = self._by_unit.get(unit, ([], []))
            # Rounded, floored or ceiled to `step`, a candidate lies within one step of `shown`.
            low = bisect.bisect_left(values, shown - step * 1.000001)
            high = bisect.bisect_right(values, shown + step * 1.000001)
            found += [subjects[i] for i in range(low, high) if _shown_as(values[i], shown, step)]
        return found

    def check_line(self, line: str) -> list[str]:
        """The problems of a line, worked out once however many texts carry it."""
        if line not in self._lines:
            self._lines[line] = _check_line(line, self)
        return self._lines[line]

    def unquoted(self, line: str) -> str:
        for quoted in self.quoted:
            if quoted in line:
                line = line.replace(quoted, " ")
        return line


def _phrases() -> dict[str, re.Pattern[str]]:
    """Every phrase any kind of claim declares, by its regular expression."""
    return {
        pattern: re.compile(pattern) for kind in KINDS.values() for pattern in kind.PHRASES.values()
    }


def _licences(claims: list[Claim] | tuple[Claim, ...]) -> dict[str, list[str | None]]:
    """For each phrase, the subjects of the claims that license it."""
    licences: dict[str, list[str | None]] = {}
    for claim in claims:
        for name in claim.phrases():
            licences.setdefault(claim.PHRASES[name], []).append(claim.subject)
    return licences


def _words(line: str, named: set[str], evidence: Evidence) -> list[str]:
    """Problems with the claims a line's words state."""
    problems: list[str] = []
    if not _ANY_PHRASE.search(line):
        return problems
    unquoted: str | None = None
    for pattern, phrase in _PHRASES.items():
        if not phrase.search(line):
            continue
        unquoted = evidence.unquoted(line) if unquoted is None else unquoted
        found = phrase.search(unquoted)
        if not found:
            continue
        subjects = evidence.licences.get(pattern)
        if not subjects:
            problems.append(f"says {found.group(0)!r}, a claim the week does not make")
        elif whose := _said_of_others(subjects, named):
            problems.append(
                f"says {found.group(0)!r}, which is true of {whose}, not of"
                f" {', '.join(sorted(named))}"
            )
    return problems


def _said_of_others(subjects: list[str | None], named: set[str]) -> str:
    """Whose the value or claim is, when the line names subjects and none of them is its own
    (a value of no one in particular belongs to every line); empty when all is well."""
    if not named or any(s is None or s in named for s in subjects):
        return ""
    return ", ".join(sorted({s for s in subjects if s}))


def verify_text(text: str, evidence: Evidence, name: str) -> list[str]:
    """Problems with the numbers and words of one written file; empty when all is true."""
    problems = [f"{name}: {problem}" for problem in evidence.problems]
    for number, line in enumerate(text.splitlines(), start=1):
        problems += [f"{name}:{number}: {p}" for p in evidence.check_line(line)]
    return problems


def _check_line(line: str, evidence: Evidence) -> list[str]:
    """Problems with one line: its claim words, dates and numbers. A line is checked by itself
    alone, so the same line gives the same answer wherever it stands."""
    record = evidence.record
    problems = []
    line = _BARE_URL.sub(" ", _LINK_TARGET.sub("]", _HTML_ADDRESS.sub(" ", line)))
    named = evidence.named_in(line)
    problems += _words(line, named, evidence)
    line = _VOCABULARY.sub(" ", line)
    for match in _DATES.finditer(line):
        if match["week"] and match["week"] not in evidence.weeks:
            problems.append(f"week {match['week']!r} is not this week")
        elif (
            _is_dated(match)
            and match.group(0) not in record.literals
            and not _date_known(match, record)
        ):
            problems.append(f"date {match.group(0)!r} is not in the record")
    line = _DATES.sub(" ", line)
    for match in _NUMBER.finditer(line):
        token = match.group(0).strip()
        if token in record.literals:
            continue
        subjects = _traces(match, evidence)
        if not subjects:
            problems.append(f"{token!r} is neither in the week of record nor computed from it")
        elif whose := _said_of_others(subjects, named):
            problems.append(
                f"{token!r} is a value of {whose}, which the line does not"
                f" name (it names {', '.join(sorted(named))})"
            )
    return problems


def _traces(match: re.Match[str], evidence: Evidence) -> list[str | None]:
    digits = match["digits"].replace(",", "")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    suffix = (match["suffix"] or "").strip()
    scale = _SCALE.get((match["suffix"] or "").lower().replace("k", "K"), 1.0)
    shown = float(digits) * scale
    step = 10.0**-decimals * scale
    if match["dollar"]:
        kind = "usd"
    elif suffix == "%":
        kind = "pct"
    elif suffix == "percentage points":
        kind = "pp"
    elif suffix == "times":
        kind = "times"
    else:
        kind = "bare"
    return evidence.traces(shown, step, _UNITS_FOR[kind])


_PHRASES = _phrases()
_ANY_PHRASE = re.compile("|".join(f"(?:{p})" for p in _PHRASES))


def check_claims(edition: Edition, history: HistoryStore | None) -> list[str]:
    """Re-derive every claim of the edition from a record built anew from its files and the
    archive's facts (each computed from its own week's files); a false one is named with the
    lines of the page that say it."""
    inputs = edition.inputs
    fresh = make_inputs(inputs.files, inputs.previous, history, inputs.record["archive"])
    lines = edition.page.splitlines()
    problems = []
    for claim in edition.claims:
        found = claim.check(fresh)
        said = edition.said.get((claim.kind, claim.key), "")
        where = [n for n, line in enumerate(lines, start=1) if said and said in line]
        places = [f"{edition.label} page:{n}" for n in where] or [edition.label]
        problems += [f"{place}: {problem}" for problem in found for place in places]
    return problems


def verify_edition(edition: Edition, history: HistoryStore | None) -> list[str]:
    """Everything false in an edition: its claims re-derived, then every number and claim of
    its page and digests; and what no reader should meet there, a sentence said twice or a
    name only the program uses."""
    problems = check_claims(edition, history)
    evidence = Evidence.of(edition)
    week = edition.label
    for name, text in (
        ("page", edition.page),
        ("digest", edition.digest),
        ("email digest", edition.email_digest),
    ):
        found = verify_text(text, evidence, f"{week} {name}")
        problems += found if name == "page" else [p for p in found if ": the fact " not in p]
        twice = prose.repeated(text, evidence.unquoted)
        problems += [f"{week} {name}: said twice: {s}" for s in twice]
        seen = prose.identifiers(text, evidence.unquoted)
        problems += [f"{week} {name}: a reader would see {i}" for i in seen]
    return problems
