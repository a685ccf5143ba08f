"""How a page reads, measured: its sentences, the ones said twice, the program's words that
reached a reader, and each sentence's shape with its numbers and dates masked.

The verification refuses a page or digest with a sentence said twice or an internal identifier
in it; `bench/prose.py` measures the rest (headline length, sameness between weeks) over every
week the committed series can give.
"""

from __future__ import annotations

import re
from collections.abc import Callable

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\]\\])*)\]\(([^)\s]*)\)")  # [label](url), [ unescaped
_MARKUP = re.compile(r"\\(?=[\\`*_\[\]{}#!|<>+.()-])|\*\*")
_SPLIT = re.compile(r"(?<=[.!?”])\s+(?=[A-Z“\"$(])")
OWN_CHARS = 40
_LABEL = re.compile(r"^\*\*[^*]+:\*\*\s*")  # a bullet's bold label, "**Price:** "

# What a reader should never see: the program's names for things.
_IDENTIFIERS = {
    "field path": re.compile(
        r"\b(?:assets|derivatives|liquidations|sentiment|incidents|history|prediction_markets"
        r"|market|missing|editorial|quote|closes|highs)\.[A-Za-z_]+"
    ),
    "file path": re.compile(r"(?<![\w/])[\w./-]+\.(?:md|ya?ml|py|j2|txt)\b|\bdata/\w+"),
    "repository": re.compile(r"\b[A-Za-z0-9-]{3,}/[a-z0-9-]*_[A-Za-z0-9_.-]+\b|\bgithub\b", re.I),
    "API endpoint": re.compile(r"(?:^|\s)/(?:coins|api|fapi|v\d|hacks|fng)\b|\bklines\b"),
    "program word": re.compile(
        r"\bsample series\b|\bkeyless\b|\bthis week's record\b|\bweek of record\b|\bschema\b"
        r"|\bnull\b|\bNone\b|\bendpoint\b|\bshared sources\b|\bPROVENANCE\b|\b[A-Z]+_[A-Z]+\b"
        r"|\b[A-Z]{6,}_\d+\b|\bn/a\b"
    ),
    "name said twice": re.compile(r"\b([A-Z][A-Za-z]+) \(\1\)"),
}
_API_HOST = re.compile(r"^https?://(?:api|fapi|pro-api)\.|/api/v\d|/v\d/|/fapi/")
_MASKS = (
    (re.compile(rf"\b(?:{MONTHS})(?: \d{{1,2}})?(?:, \d{{4}})?"), "<date>"),
    (re.compile(r"\b\d{4}-W\d{2}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{2}:\d{2} UTC"), "<date>"),
    (re.compile(r"[−+-]?\$?\d+(?:,\d{3})*(?:\.\d+)?(?:K\b| billion| million|%)?"), "#"),
)


def _reader_text(markdown: str) -> list[str]:
    """The lines a reader reads as prose: no tables, no quotes, no HTML, no chart data."""
    lines, hidden = [], False
    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped.startswith("<details"):
            hidden = True
        if hidden:
            hidden = not stripped.startswith("</details")
            continue
        if not stripped or stripped[0] in "|><" or stripped.startswith("---"):
            continue
        lines.append(stripped)
    return lines


def plain(markdown: str) -> str:
    """Our own sentence without its Markdown: escapes and bold marks dropped, links kept as
    their labels, the HTML escapes of `text` undone."""
    text = _LINK.sub(r"\1", markdown)
    return _MARKUP.sub("", text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain_line(line: str) -> str:
    """A Markdown line as read: list marks, heading marks, bold labels and italics gone too."""
    line = re.sub(r"^(?:#+|-|\d+\.)\s+", "", line)
    return plain(_LABEL.sub("", line)).replace("*", "").strip()


def _same(line: str) -> str:
    return line


def sentences(
    markdown: str, headings: bool = True, unquote: Callable[[str], str] = _same
) -> list[str]:
    """Every sentence a reader reads, in order; headings (questions too) unless left out.

    `unquote` takes the text quoted from the sources out of a sentence: one left with fewer
    than OWN_CHARS characters of ours is the source's words more than ours (two incidents a
    source lists alike read alike), and is left out."""
    found = []
    for line in _reader_text(markdown):
        if headings or not line.startswith("#"):
            for raw in _SPLIT.split(line):
                read, own = plain_line(raw), " ".join(plain_line(unquote(raw)).split())
                if len(read.split()) > 2 and (own == read or len(own) >= OWN_CHARS):
                    found.append(read)
    return found


def repeated(markdown: str, unquote: Callable[[str], str] = _same) -> list[str]:
    """The sentences said more than once."""
    seen: set[str] = set()
    twice = []
    for sentence in sentences(markdown, unquote=unquote):
        if sentence in seen and sentence not in twice:
            twice.append(sentence)
        seen.add(sentence)
    return twice


def identifiers(markdown: str, unquote: Callable[[str], str] = _same) -> list[str]:
    """Internal identifiers a reader would see: field and file paths, repositories, endpoints
    (as words or as link targets) and program words."""
    found = []
    for line in _reader_text(markdown):
        for _label, url in _LINK.findall(line):
            if _API_HOST.search(url):
                found.append(f"API endpoint as a link: {url}")
        read = unquote(_LINK.sub(r"\1", line)).replace("\\_", "_")
        for name, pattern in _IDENTIFIERS.items():
            found += [f"{name}: {m.group(0)}" for m in pattern.finditer(read)]
    return found


def shape(sentence: str) -> str:
    """A sentence with its dates and numbers masked: what stays the same from week to week."""
    for pattern, mask in _MASKS:
        sentence = pattern.sub(mask, sentence)
    return sentence
