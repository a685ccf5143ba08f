"""How numbers, dates and untrusted text are written on the page (Jinja filters).

The formats here are the ones `report.verify` reads back, so the two change together.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from typing import Any

from report.readers import reader_url
from report.trace import Traced

Number = Traced | float | int


def _value(x: Number) -> float:
    return float(x.value) if isinstance(x, Traced) else float(x)


def usd(x: Number) -> str:
    """$1.37 billion, $93 million, $103,849, $948.25, $0.5012."""
    v = abs(_value(x))
    if v >= 1e9:
        return f"${v / 1e9:.2f} billion"
    if v >= 1e6:
        text = f"{v / 1e6:.1f}".removesuffix(".0")
        return f"${text} million"
    if v >= 1000:
        return f"${v:,.0f}"
    if v >= 1:
        return f"${v:,.2f}"
    return f"${v:.4f}"


def usd_level(x: Number) -> str:
    """A round level as a writer names it: $104K, $3,500."""
    v = _value(x)
    if v >= 10_000 and v % 1000 == 0:
        return f"${v / 1000:.0f}K"
    return usd(v)


def usd_near(x: Number) -> str:
    """A price as a writer rounds it after "near": $30K, $7.2K, $948.25."""
    v = abs(_value(x))
    if v >= 10_000:
        return f"${v / 1000:.0f}K"
    if v >= 1000:
        return f"${v / 1000:.1f}K"
    return usd(v)


def pct(x: Number, digits: int = 1) -> str:
    """An unsigned percentage; the sentence says the direction."""
    return f"{abs(_value(x)):.{digits}f}%"


def signed_pct(x: Number) -> str:
    """A signed percentage for tables: +10.4%, −3.2%."""
    v = _value(x)
    if round(v, 1) == 0:
        return "0.0%"
    return f"{'+' if v > 0 else '−'}{abs(v):.1f}%"


def points(x: Number, digits: int = 1) -> str:
    """A change between two percentages or index readings, unsigned."""
    return f"{abs(_value(x)):.{digits}f}"


def signed_integer(x: Number) -> str:
    """A signed whole change for tables: +4, −16, 0."""
    v = round(_value(x))
    return f"{'+' if v > 0 else '−' if v < 0 else ''}{abs(v)}"


def level(x: Number) -> str:
    """An index level: 6,729 points, or 121.8 below a thousand."""
    v = abs(_value(x))
    return f"{v:,.0f}" if v >= 1000 else f"{v:,.1f}"


def peg_price(x: Number) -> str:
    """A stablecoin's price, to the hundredth of a cent its peg is read at: $0.9650."""
    return f"${abs(_value(x)):.4f}"


def correlation(x: Number) -> str:
    """A correlation coefficient: 0.45, −0.12."""
    return f"{_value(x):.2f}".replace("-", "−")


def integer(x: Number) -> str:
    return f"{_value(x):.0f}"


def rate(x: Number) -> str:
    """A small rate, like funding per 8 hours: 0.0045%."""
    return f"{_value(x):.4f}%".replace("-", "−")


def ratio(x: Number) -> str:
    return f"{_value(x):.1f}"


def long_date(d: date | datetime) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def short_date(d: date | datetime) -> str:
    return f"{d:%B} {d.day}"


def period(p: Any) -> str:
    """A week's dates, with the year where it changes: "November 3 to November 9, 2025",
    "December 30, 2024 to January 5, 2025"."""
    start = long_date(p.start) if p.start.year != p.end.year else short_date(p.start)
    return f"{start} to {long_date(p.end)}"


def utc_time(d: datetime) -> str:
    return f"{d:%H:%M} UTC"


def weekday(d: date) -> str:
    return f"{d:%A}"


_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]


def count_word(n: int) -> str:
    """A small count in words ("three incidents"); larger ones in digits."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


def span(months: int) -> str:
    """How much history we hold, said as it reads after "in": "the eleven months", "the five
    years", "more than a year", "more than five years"."""
    if months < 12:
        return f"the {count_word(months)} month{'s' if months != 1 else ''}"
    years, rest = divmod(months, 12)
    said = "a year" if years == 1 else f"{count_word(years)} years"
    if rest:
        return f"more than {said}"
    return "the one year" if years == 1 else f"the {said}"


# Markdown's punctuation, braces included (an attribute list, `{onclick=…}`, is made of them).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]{}#!|<>])")
# Characters that change how text is shown without being seen: bidirectional overrides and
# isolates (U+202E turns "$1.5 million" into ".noillim 5.1$"), zero-width ones, controls.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160"
    "\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
# What would start a list when the text begins a line (a quote or a heading is escaped above).
_BULLET_START = re.compile(r"^([-+])(?=\s|$)")
_NUMBER_START = re.compile(r"^(\d+)([.)])(?=\s|$)")


def text(value: Any) -> str:
    """Untrusted text made inert wherever it lands (a sentence, a list item, a table cell, a
    heading, an email): invisible and control characters dropped, HTML escaped, Markdown
    punctuation backslashed, whitespace (line breaks included) made one space."""
    shown = _INVISIBLE.sub("", str(value))
    escaped = shown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", escaped)
    escaped = " ".join(escaped.split())
    return _NUMBER_START.sub(r"\1\\\2", _BULLET_START.sub(r"\\\1", escaped))


def link(label: Any, url: str | None) -> str:
    """A Markdown link to an http(s) URL (validated on load), or the plain label; an API
    address is replaced by its provider's page. Characters that could end the link or start a
    title or an attribute are percent-encoded."""
    url = reader_url(url)
    if not url:
        return text(label)
    safe = "".join(_URL_UNSAFE.get(c, c) for c in url)
    return f"[{text(label)}]({safe})"


_URL_UNSAFE = {c: f"%{ord(c):02X}" for c in " \"'<>()[]{}\\`|^"}


def direction(x: Number, down: str, up: str, flat: str = "was flat") -> str:
    v = _value(x)
    if math.isclose(round(v, 1), 0.0):
        return flat
    return down if v < 0 else up


def change_span(since: date | None, at: datetime, days: int) -> str:
    """What a change is measured over: "over seven days" ("over the last day"), or "since its
    close on October 27" when the quote falls between closes and the span is longer."""
    if since is None or at - datetime.combine(since, time(), at.tzinfo) == timedelta(days=days + 1):
        return "over seven days" if days == 7 else "over the last day"
    return f"since its close on {short_date(since)}"


def change_phrase(x: Number) -> str:
    """A change in words: "down 9.0%", "up 1.2%", "flat"."""
    return direction(x, f"down {pct(x)}", f"up {pct(x)}", "flat")


ROOT = "<root>/"  # stands for the path from a page to the site's root; `text` escapes "<"
ORDINALS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
]


def ordinal(n: int) -> str:
    """'third' for 3: the ordinals a streak of weeks needs, as words."""
    return ORDINALS[n - 1]


def week_of(monday: date, label: str) -> str:
    """A link to a week's page, named as a reader names the week: "the week of March 9, 2020".
    Its target starts with ROOT."""
    return f"[the week of {long_date(monday)}]({ROOT}weeks/{label}.md)"


FILTERS = {
    "usd": usd,
    "usd_level": usd_level,
    "usd_near": usd_near,
    "pct": pct,
    "signed_pct": signed_pct,
    "points": points,
    "integer": integer,
    "level": level,
    "correlation": correlation,
    "peg_price": peg_price,
    "signed_integer": signed_integer,
    "rate": rate,
    "ratio": ratio,
    "long_date": long_date,
    "short_date": short_date,
    "utc_time": utc_time,
    "period": period,
    "weekday": weekday,
    "count_word": count_word,
    "span": span,
    "text": text,
    "ordinal": ordinal,
}
