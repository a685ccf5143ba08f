"""An independent check of what a page claims, against the raw series.

It does not use the program's claims code: it reads the committed Binance daily series
(data/series/binance_spot_1d), the providers' stated all-time highs (data/history/highs.csv),
DefiLlama's hacks list as copied (data/series/defillama_hacks_derived.csv) and the week file's
own quote, and tests the sentences a page writes, as a reader would, one pattern at a time. It
knows both the present wording and the wording of the program before claims were checked, so
that the same check counts false claims before and after.

    python -m tests.oracle PAGES_FOLDER WEEKS_FOLDER      # counts, and every false claim
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SERIES = ROOT / "data" / "series"
OPEN_CANDLE = date(2026, 2, 21)
ALTS = ("ETH", "XRP", "BNB", "SOL")
NAMES = {"Bitcoin": "BTC", "Ethereum": "ETH", "XRP": "XRP", "BNB": "BNB", "Solana": "SOL"}
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE = rf"(?:{MONTHS}) \d{{1,2}}, \d{{4}}"
SHORT_DATE = rf"(?:{MONTHS}) \d{{1,2}}"
MONEY = r"\$[\d,]+(?:\.\d+)?(?:K| million| billion)?"


@cache
def daily(symbol: str) -> dict[date, tuple[float, float]]:
    """Binance's (high, close) by day, as the committed series hold them."""
    with (SERIES / "binance_spot_1d" / f"{symbol}.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    return {
        date.fromisoformat(r["t"]): (float(r["h"]), float(r["c"]))
        for r in rows
        if date.fromisoformat(r["t"]) < OPEN_CANDLE
    }


@cache
def stated() -> list[tuple[str, float, date, date]]:
    """(symbol, price, day, observed) of each provider's stated all-time high."""
    with (ROOT / "data" / "history" / "highs.csv").open(newline="") as f:
        return [
            (
                r["symbol"],
                float(r["price"]),
                date.fromisoformat(r["date"]),
                datetime.fromisoformat(r["observed_at"]).date(),
            )
            for r in csv.DictReader(f)
        ]


@cache
def basis_rows() -> list[dict[str, str]]:
    with (SERIES / "btc_quarterly_basis_2025.csv").open(newline="") as f:
        return list(csv.DictReader(f))


@cache
def hacks() -> list[tuple[date, str, float | None]]:
    with (SERIES / "defillama_hacks_derived.csv").open(newline="") as f:
        return [
            (
                date.fromisoformat(r["exploit_date"][:10]),
                r["protocol_name_raw"],
                float(r["loss_usd"]) if r["loss_usd"] else None,
            )
            for r in csv.DictReader(f)
        ]


def money(text: str) -> float:
    number = float(re.sub(r"[^\d.]", "", text.split(" ")[0].removesuffix("K")))
    if text.endswith("K"):
        return number * 1e3
    if text.endswith("million"):
        return number * 1e6
    if text.endswith("billion"):
        return number * 1e9
    return number


def day_of(text: str, year: int | None = None) -> date:
    if year is not None and not re.search(r"\d{4}$", text):
        text = f"{text}, {year}"
    return datetime.strptime(f"{text} +0000", "%B %d, %Y %z").date()


def shown(value: float, text: str) -> bool:
    """Is `value` what `text` shows, at the precision shown (rounded, up or down)?"""
    target = money(text) if "$" in text else float(text.replace(",", "").rstrip("%"))
    body = text.split(" ")[0].lstrip("$").removesuffix("K").removesuffix("%")
    decimals = len(body.split(".")[1]) if "." in body else 0
    scale = (
        1e3 if text.endswith("K") else 1e6 if "million" in text else 1e9 if "billion" in text else 1
    )
    step = 10.0**-decimals * scale
    return abs(abs(value) - target) <= step * 1.0001


@dataclass
class Week:
    """What the raw series say of one week."""

    label: str
    start: date
    through: date  # the last complete day when the week was quoted
    price: float  # Bitcoin's quote, from the week file
    change_7d: float | None
    reading_day: date | None = None  # the day of the week file's Fear & Greed reading
    losses: float | None = None  # what the week file's (and its desk's) incidents lost

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.through - self.start).days + 1)]


def week_of(path: Path) -> Week:
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    btc = next(a for a in record["assets"] if a["symbol"] == "BTC")
    as_of = record["as_of"]
    if isinstance(as_of, str):
        as_of = datetime.fromisoformat(as_of)
    through = as_of.date() - timedelta(days=1)
    price = float(btc["quote"]["price"])
    quoted = btc["quote"].get("change_7d_pct")
    before = daily("BTC").get(as_of.date() - timedelta(days=8))
    change = quoted if quoted is not None else ((price / before[1] - 1) * 100 if before else None)
    reading = (record.get("sentiment") or {}).get("fear_greed")
    incidents = record.get("incidents")
    side = path.with_name(f"{path.stem}.editorial.yaml")
    if incidents is not None and side.exists():
        incidents = incidents + yaml.safe_load(side.read_text(encoding="utf-8")).get(
            "incidents", []
        )
    losses = sum(i.get("loss_usd") or 0.0 for i in incidents) if incidents is not None else None
    return Week(
        record["week"],
        record["period"]["start"],
        through,
        price,
        change,
        reading["date"] if reading else None,
        losses,
    )


@cache
def fear_greed() -> dict[date, int]:
    """alternative.me's daily readings, as the committed series hold them."""
    with (SERIES / "fear_greed_alternative_me.csv").open(newline="") as f:
        return {date.fromisoformat(r["date"]): int(float(r["value"])) for r in csv.DictReader(f)}


def weekly(week: Week) -> float | None:
    """Bitcoin's move from the close before the week to its last close, once the week is over."""
    btc = daily("BTC")
    before, end = week.start - timedelta(days=1), week.end
    if week.through < end or before not in btc or end not in btc:
        return None
    return (btc[end][1] / btc[before][1] - 1) * 100


def readings(week: Week) -> list[tuple[date, int]]:
    """The daily Fear & Greed readings of the week's days, up to the week's own reading."""
    if week.reading_day is None:
        return []
    last = min(week.end, week.reading_day)
    days = [week.start + timedelta(days=i) for i in range((last - week.start).days + 1)]
    return [(d, fear_greed()[d]) for d in days if d in fear_greed()]


def fg_low(week: Week) -> int | None:
    return min((v for _, v in readings(week)), default=None)


def fg_high(week: Week) -> int | None:
    return max((v for _, v in readings(week)), default=None)


def spread_of(week: Week) -> float | None:
    """How far the week's highest daily close, counting the close before it, was above its
    lowest, once the week is over."""
    if week.through < week.end:
        return None
    closes = [c for _, c in _closes("BTC", [week.start - timedelta(days=1), *week.days()])]
    return (max(closes) / min(closes) - 1) * 100 if len(closes) > 1 else None


LINKED = rf"\[the week of ({DATE})\]\([^)]*weeks/(\d{{4}}-W\d{{2}})\.md\)"
ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth"


def _run_before(week: Week, archive: list[Week]) -> list[Week]:
    """The archive's weeks before `week`, newest first, while they run on without a gap."""
    run, expected = [], week.start - timedelta(days=7)
    for other in sorted((w for w in archive if w.start < week.start), key=lambda w: w.start)[::-1]:
        if other.start != expected:
            break
        run.append(other)
        expected -= timedelta(days=7)
    return run


def _record_since(
    text: str, week: Week, run: list[Week], value: float | None, of, beats, shown_as: str
) -> bool:
    """A "since the week of D (link), when it was X" claim: the week linked is the week of D,
    the latest in the run that went as far, X is its value, and every week after it did not."""
    m = re.search(LINKED, text)
    if m is None or value is None:
        return False
    named = next((w for w in run if w.label == m[2]), None)
    if named is None or named.start != day_of(m[1]) or of(named) is None:
        return False
    between = run[: run.index(named)]
    return (
        beats(of(named), value)
        and all(of(w) is not None and not beats(of(w), value) for w in between)
        and shown(of(named), shown_as)
    )


def _record_in_all(text: str, week: Week, run: list[Week], archive: list[Week], value, of, beats):
    """An "in every week we report, back to the week of D (link)" claim: the run reaches the
    archive's first week, D, and no week in it went as far."""
    m = re.search(LINKED, text)
    first = min(archive, key=lambda w: w.start)
    return (
        m is not None
        and value is not None
        and bool(run)
        and run[-1] is first
        and m[2] == first.label
        and first.start == day_of(m[1])
        and all(of(w) is not None and not beats(of(w), value) for w in run)
    )


def _moved(week: Week, falling: bool) -> bool:
    """Whether Bitcoin fell (or rose) over the week, by at least the 0.1% a page shows."""
    change = weekly(week)
    return change is not None and round(change, 1) != 0 and (change < 0) == falling


def _record(
    m: re.Match[str],
    since_at: int,
    week: Week,
    run: list[Week],
    archive: list[Week],
    value: float | None,
    of,
    beats,
) -> bool:  # type: ignore[no-untyped-def]
    """A record's "since the week of D (link), when it was X" (groups since_at to since_at+2)
    or "in any week we report, back to the week of D (link)" (the next two)."""
    if m[since_at + 1]:
        return _record_since(m[0], week, run, value, of, beats, m[since_at + 2])
    return _record_in_all(m[0], week, run, archive, value, of, beats)


def check_records(text: str, week: Week, archive: list[Week], verdicts: Verdicts) -> None:
    """The records a page claims across weeks, against every week's own figures, each measured
    from the raw series: the close-to-close move, the spread of the closes, the lowest and
    highest daily Fear & Greed readings, and the listed hacks' losses."""
    label, run = week.label, _run_before(week, archive)
    more = lambda a, b: a >= b  # noqa: E731
    less = lambda a, b: a <= b  # noqa: E731
    tail = (
        rf"(?:since {LINKED}, when (?:it|they) (?:also )?\w+ ([\d.]+%?)"
        rf"|in any week we report, back to {LINKED})"
    )
    for m in re.finditer(
        rf"Bitcoin's ([\d.]+%) (fall|gain) over the week, from the close before it to Sunday's"
        rf" close, was its largest in (?:a week )?{tail}",
        text,
    ):
        beats = more if m[2] == "gain" else less
        own = weekly(week)
        ok = (
            own is not None
            and shown(own, m[1])
            and _record(m, 3, week, run, archive, own, weekly, beats)
        )
        verdicts.judge("weekly move record", ok, label, m[0])
    for m in re.finditer(rf"Its Largest Weekly (Fall|Gain) Since ((?:{MONTHS}) \d{{4}})", text):
        # The headline's record: the week the body names, falling (or rising) as it says.
        beats = more if m[1] == "Gain" else less
        named = [
            w
            for w in run
            if w.start.strftime("%B %Y") == m[2]
            and _record_since(
                f"[the week of {w.start:%B %-d, %Y}](weeks/{w.label}.md)",
                week,
                run,
                weekly(week),
                weekly,
                beats,
                f"{abs(weekly(w) or 0):.1f}%",
            )
        ]
        verdicts.judge("headline move record", bool(named), label, m[0])
    for m in re.finditer(
        rf"closes spanned ([\d.]+%) from lowest to highest,"
        rf" its (widest|tightest) weekly range {tail}",
        text,
    ):
        beats = more if m[2] == "widest" else less
        own = spread_of(week)
        ok = (
            own is not None
            and shown(own, m[1])
            and _record(m, 3, week, run, archive, own, spread_of, beats)
        )
        if ok and m[2] == "widest":  # said only of a week that swung, not of a one-way week
            ok = abs(own - abs(weekly(week) or 0.0)) >= 1.0
        verdicts.judge("weekly range record", ok, label, m[0])
    for m in re.finditer(rf"its (lowest|highest) reading {tail}", text):
        highest = m[1] == "highest"
        of, beats = (fg_high, more) if highest else (fg_low, less)
        own = of(week)
        ok = _record(m, 2, week, run, archive, own, of, beats)
        stated = re.search(
            rf"(?:rose|fell) to (\d+),? on ({SHORT_DATE})[,:] {re.escape(m[0])}", text
        )
        if stated:  # the day and value it names are the week's extreme
            on = day_of(stated[2], week.start.year)
            ok = ok and int(stated[1]) == own and (on, own) in readings(week)
        verdicts.judge("fear and greed record", ok, label, m[0])
    losses = lambda w: w.losses  # noqa: E731
    for m in re.finditer(
        rf"most lost to listed hacks in a week since {LINKED}, when ({MONEY})", text
    ):
        ok = _record_since(m[0], week, run, week.losses, losses, more, m[3])
        verdicts.judge("hack losses record", ok, label, m[0])
    for m in re.finditer(
        rf"This week was Bitcoin's (\w+) (losing|winning) week in a row, counting from {LINKED}",
        text,
    ):
        count = ORDINALS.split().index(m[1]) + 1 if m[1] in ORDINALS.split() else 0
        falling = m[2] == "losing"
        streak = [week, *run][:count]
        ok = (
            count >= 3
            and len(run) >= count  # the week before the streak is held: the count is exact
            and all(_moved(w, falling) for w in streak)
            and not _moved(run[count - 1], falling)
            and streak[-1].label == m[4]
            and streak[-1].start == day_of(m[3])
        )
        verdicts.judge("streak", ok, label, m[0])


WORDS = [
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
]


def said_span(said: str, first: date, last: date) -> bool:
    """Is "the five years" / "more than five years" / "the eleven months" what we hold?"""
    months = (last.year - first.year) * 12 + last.month - first.month - (last.day < first.day)
    number = said.split()[-2]
    n = 1 if number == "a" else WORDS.index(number) + 1
    if "month" in said:
        return months == n
    if said.startswith("the "):
        return months == n * 12
    return months // 12 == n and months % 12 > 0


def peaks_before(symbol: str, day: date) -> dict[date, float]:
    """Every price we know of each day before `day`: Binance's high, and a stated high."""
    found = {d: hc[0] for d, hc in daily(symbol).items() if d < day}
    for s, price, d, _ in stated():
        if s == symbol and d < day:
            found[d] = max(found.get(d, 0.0), price)
    return found


def all_time_known(symbol: str, day: date) -> bool:
    """A provider's statement reaches back over the days our series do not."""
    return any(s == symbol and d < day for s, _, d, _ in stated())


def is_high(symbol: str, value: float, on: date, before: date) -> bool:
    """`value` on `on` is the highest price before `before`: a source gives it for that
    day, and no other day before had a price above it."""
    sources = [daily(symbol).get(on, (None, None))[0]] + [
        p for s, p, d, _ in stated() if s == symbol and d == on
    ]
    if not any(v is not None and abs(v - value) < max(0.51, value * 1e-6) for v in sources):
        return False
    others = [v for d, v in peaks_before(symbol, before).items() if d != on]
    return all(v < value - 1e-9 for v in others)


@dataclass
class Verdicts:
    """Each distinct claim of a page is judged once, however often the page repeats it."""

    checked: Counter[str] = field(default_factory=Counter)
    false: list[str] = field(default_factory=list)
    highs: dict[tuple[str, date], set[float]] = field(default_factory=dict)
    seen: set[tuple[str, str, str]] = field(default_factory=set)

    def judge(self, kind: str, ok: bool, week: str, text: str) -> None:
        if (week, kind, text) in self.seen:
            return
        self.seen.add((week, kind, text))
        self.checked[kind] += 1
        if not ok:
            self.false.append(f"{week}: {kind}: {text}")


def _closes(symbol: str, days: list[date]) -> list[tuple[date, float]]:
    return [(d, daily(symbol)[d][1]) for d in days if d in daily(symbol)]


def check_page(text: str, week: Week, verdicts: Verdicts, seed: bool = False) -> None:
    """Judge every claim the page's words make that this checker knows how to read."""
    btc = daily("BTC")
    label = week.label
    closes = _closes("BTC", week.days())
    # The week's closes with the one before it, where its seven-day move starts.
    spread = _closes("BTC", [week.start - timedelta(days=1), *week.days()])
    first_line = text.splitlines()[0]

    # Records: "Hits a Record $X" / "set a record of $X on D" (and the old "Sets a Record at $X").
    for m in re.finditer(rf"[Rr]ecord(?: close)? (?:of |at )?({MONEY})(?: on ({DATE}))?", text):
        value = money(m[1])
        peaks = [p for d, p in peaks_before("BTC", week.start).items()]
        above = value > max(peaks) if peaks else False
        in_week = any(
            abs(v - value) < max(0.51, value * 1e-6)
            for d in [*week.days(), week.through + timedelta(days=1)]
            for v in (
                [*btc.get(d, (None, None)), week.price]
                + [p for s, p, sd, _ in stated() if s == "BTC" and sd == d]
            )
            if v is not None
        )
        # A provider's statement of a high set before the week ends covers all days before it.
        known = all_time_known("BTC", week.through + timedelta(days=1))
        verdicts.judge("record high", above and in_week and known, label, m[0])
    # Highs in the prices we hold, not known to be highs ever.
    held = r"in (the \w+ (?:months?|years?)|more than (?:a year|\w+ years)) of prices we hold"
    pattern = (
        rf"Bitcoin reached ({MONEY}) on ({DATE}), the highest (?:price|close) {held}, which begin"
        rf" on ({DATE}); its earlier high there was ({MONEY}) on ({DATE})"
    )
    for m in re.finditer(pattern, text):
        value, on, first = money(m[1]), day_of(m[2]), day_of(m[4])
        ok = (
            on in week.days()
            and is_high("BTC", value, on, on + timedelta(days=1))
            and first == min(btc)
            and said_span(m[3], first, week.through)
            and is_high("BTC", money(m[5]), day_of(m[6]), week.start)
        )
        verdicts.judge("highest held", ok, label, m[0])
    pattern = rf"(\w+) sat ([\d.]+)% below ({MONEY}), the highest price {held}, set on ({DATE})"
    for m in re.finditer(pattern, text):
        symbol, high, on = NAMES.get(m[1], m[1]), money(m[3]), day_of(m[5])
        if symbol != "BTC":
            continue
        ok = (
            is_high("BTC", high, on, week.through + timedelta(days=1))
            and said_span(m[4], min(btc), week.through)
            and shown((week.price / high - 1) * 100, m[2] + "%")
        )
        verdicts.judge("below the highest held", ok, label, m[0])
    # The high a record beat: the highest before its day, the week's earlier days included.
    pattern = (
        rf"record(?: close)? of ({MONEY}) on ({DATE}), above (?:its earlier all-time high of"
        rf" ({MONEY}) from ({DATE})|({MONEY}) on ({DATE}), the highest price before it)"
    )
    for m in re.finditer(pattern, text):
        on = day_of(m[2])
        beaten, beaten_on = money(m[3] or m[5]), day_of(m[4] or m[6])
        verdicts.judge("high beaten", is_high("BTC", beaten, beaten_on, on), label, m[0])

    # The old "at or above its all-time high of $H".
    for m in re.finditer(rf"at or above its all-time high of ({MONEY})", text):
        verdicts.judge("at or above the high", week.price >= money(m[1]), label, m[0])

    # "N% below its all-time high of $H, set on D" (and the old "(D)" form).
    pattern = rf"(\w+) sat ([\d.]+)% below its all-time high of ({MONEY}),? (?:set on |\()({DATE})"
    for m in re.finditer(pattern, text):
        symbol, high, on = NAMES.get(m[1], m[1]), money(m[3]), day_of(m[4])
        verdicts.highs.setdefault((symbol, on), set()).add(high)
        if symbol != "BTC":
            continue
        ok = (
            is_high("BTC", high, on, week.through + timedelta(days=1))
            and all_time_known("BTC", week.through)
            and shown((week.price / high - 1) * 100, m[2] + "%")
        )
        verdicts.judge("all-time high", ok, label, m[0])

    # Levels, from daily closes: the quote crosses ("below $L, a level its daily close had not
    # been below since D", or the old "since our record began on D"), or a close of the week
    # did first ("Its daily close first went below $L on W, D2, the first close below that
    # level since D"). Either way D is the last close beyond $L before the crossing.
    close_quote = week.through in btc and abs(btc[week.through][1] - week.price) < 1e-9
    quote_day = week.through if close_quote else week.through + timedelta(days=1)
    last_before = max((d for d in btc if d < week.start), default=None)

    def crossing(direction: str, level: float, by: date | None) -> tuple[bool, date]:
        """Whether the week opened on the other side and the price is beyond; the crossing."""

        def beyond(v: float) -> bool:
            return v < level if direction == "below" else v > level

        opened = last_before is not None and not beyond(btc[last_before][1])
        first = next(
            (d for d in week.days() if d < quote_day and d in btc and beyond(btc[d][1])), None
        )
        crossed = first or quote_day
        return opened and beyond(week.price) and (by is None or by == first), crossed

    def last_beyond(direction: str, level: float, before: date) -> date | None:
        found = [
            d
            for d, (_, c) in btc.items()
            if d < before and (c < level if direction == "below" else c > level)
        ]
        return max(found) if found else None

    pattern = (
        rf"(below|above) ({MONEY}), a level its daily close had not been (?:below|above) since"
        rf" (our record began on )?({DATE})"
    )
    for m in re.finditer(pattern, text):
        direction, level, since = m[1], money(m[2]), day_of(m[4])
        ok, crossed = crossing(direction, level, None)
        if m[3]:  # "since our record began": a claim about all the history there is
            ok = ok and last_beyond(direction, level, since) is None and since <= min(btc)
        else:
            ok = ok and crossed == quote_day and last_beyond(direction, level, crossed) == since
        verdicts.judge("level since", ok, label, m[0])
    pattern = (
        rf"(?:Its|Bitcoin.s) daily close first went (below|above) ({MONEY}) on \w+, ({SHORT_DATE}),"
        rf" the first close (?:below|above) that level since ({DATE})"
    )
    for m in re.finditer(pattern, text):
        direction, level, since = m[1], money(m[2]), day_of(m[4])
        on = day_of(m[3], week.start.year if not m[3].startswith("January") else week.through.year)
        ok, crossed = crossing(direction, level, on)
        ok = ok and last_beyond(direction, level, crossed) == since
        verdicts.judge("level since", ok, label, m[0])
    ever = (
        rf"above ({MONEY}) for the first time ever"
        rf"|above ({MONEY}) on \w+, ({SHORT_DATE}), a level no price had reached before"
    )
    for m in re.finditer(ever, text):
        level = money(m[1] or m[2])
        on = day_of(m[3], week.through.year) if m[3] else None
        ok, crossed = crossing("above", level, on)
        ok = ok and all(v < level for v in peaks_before("BTC", crossed).values())
        verdicts.judge("first time ever", ok and all_time_known("BTC", crossed), label, m[0])

    pattern = (
        rf"(below|above) ({MONEY}), a level no daily close {held} had been (?:below|above);"
        rf" they begin on ({DATE})"
        rf"|(below|above) ({MONEY}) on \w+, ({SHORT_DATE}), the first close (?:below|above) it"
        rf" {held}, which begin on ({DATE})"
    )
    for m in re.finditer(pattern, text):
        direction = m[1] or m[5]
        level = money(m[2] or m[6])
        said = m[3] or m[8]
        on = day_of(m[7], week.through.year) if m[7] else None
        ok, crossed = crossing(direction, level, on)
        ok = ok and last_beyond(direction, level, crossed) is None
        ok = ok and said_span(said, min(btc), week.through)
        verdicts.judge("first time in history", ok, label, m[0])

    # The week's move: the price sentence, and the headline's.
    for m in re.finditer(r"Bitcoin stood at [^.]*?, (down|up) ([\d.]+)% over seven days", text):
        ok = week.change_7d is not None and shown(week.change_7d, m[2] + "%")
        ok = ok and (week.change_7d < 0) == (m[1] == "down")
        verdicts.judge("seven-day move", ok, label, m[0])
    move = re.match(
        r"# Bitcoin (Falls|Plunges|Gains|Drifts|Ends a Volatile Week) ([\d.]+)%"
        r" (in a Week|Lower|Higher)",
        first_line,
    )
    if move and week.change_7d is not None and move[3] != "in a Day":
        down = move[1] in ("Falls", "Plunges") or move[3] == "Lower"
        ok = shown(week.change_7d, move[2] + "%") and (week.change_7d < 0) == down
        if move[1].startswith("Ends a Volatile"):
            width = (max(c for _, c in spread) / min(c for _, c in spread) - 1) * 100
            ok = ok and width > 6 and width > 2 * abs(week.change_7d)
        verdicts.judge("headline move", ok, label, move[0])
    quiet = re.match(r"# Bitcoin Holds Near (\$[\d,.]+K?) in a Quiet Week", first_line)
    if quiet and week.change_7d is not None:
        width = (max(c for _, c in spread) / min(c for _, c in spread) - 1) * 100
        ok = abs(week.change_7d) < 2 and width <= 6 and shown(week.price, quiet[1])
        verdicts.judge("quiet week", ok, label, quiet[0])
    tone = re.search(
        r"^\*(Sellers had the week|Buyers had the week|A week that drifted (lower|higher))",
        text,
        re.M,
    )
    if tone and week.change_7d is not None:
        if tone[1].startswith("Sellers"):
            ok = week.change_7d <= -5
        elif tone[1].startswith("Buyers"):
            ok = week.change_7d >= 5
        else:
            ok = (week.change_7d < 0) == (tone[2] == "lower")
        verdicts.judge("tone", ok, label, tone[1])

    # Breadth: "Every altcoin we track fell over seven days, by between A% (X) and B% (Y)".
    pattern = r"Every altcoin we track (fell|rose) over (seven days|the last day)"
    for m in re.finditer(pattern, text):
        days = 7 if m[2] == "seven days" else 1
        moves = []
        for symbol in ALTS:
            now = daily(symbol).get(week.through)
            then = daily(symbol).get(week.through - timedelta(days=days))
            moves.append((now[1] / then[1] - 1) if now and then else None)
        if seed and days == 1:
            ok = True  # the seed's 24-hour changes are CoinGecko's, quoted: not in the series
        else:
            ok = all(v is not None and (v < 0 if m[1] == "fell" else v > 0) for v in moves)
        verdicts.judge("every altcoin", ok, label, m[0])

    # The week's worst and best day, low and range, from its daily closes.
    changes = [
        (d, (btc[d][1] / btc[d - timedelta(days=1)][1] - 1) * 100)
        for d in week.days()
        if d in btc and d - timedelta(days=1) in btc
    ]
    for m in re.finditer(
        rf"(?:Its|Bitcoin.s) (worst|best) day was \w+, ({SHORT_DATE}), when it closed ([\d.]+)%",
        text,
    ):
        on = day_of(m[2], week.start.year if m[2].split()[0] != "January" else week.through.year)
        pick = min if m[1] == "worst" else max
        extreme = pick(changes, key=lambda c: c[1]) if changes else None
        ok = extreme is not None and extreme[0] == on and shown(extreme[1], m[3] + "%")
        verdicts.judge(f"{m[1]} day", ok, label, m[0])
    for m in re.finditer(
        rf"(?:Its|Bitcoin.s) lowest close of the week was ({MONEY}), on \w+, ({SHORT_DATE})", text
    ):
        low = min(closes, key=lambda c: c[1]) if closes else None
        ok = low is not None and shown(low[1], m[1]) and low[0].strftime("%B %-d") == m[2]
        verdicts.judge("week's low", ok, label, m[0])
    pattern = (  # either wording of the range
        rf"(?:within a ([\d.]+)% range, between|spanned ([\d.]+)%: from) ({MONEY}) on"
        rf" ({SHORT_DATE}) (?:and|to) ({MONEY}) on ({SHORT_DATE})"
    )
    for m in re.finditer(pattern, text):
        low, high = min(c for _, c in spread), max(c for _, c in spread)
        width = m[1] or m[2]
        ok = shown(low, m[3]) and shown(high, m[5]) and shown((high / low - 1) * 100, width + "%")
        verdicts.judge("week's range", ok, label, m[0])

    # Rarity: "its steepest seven-day fall since the seven days to D".
    pattern = rf"(steepest seven-day fall|biggest seven-day gain) since the seven days to ({DATE})"
    for m in re.finditer(pattern, text):
        since = day_of(m[2])
        falling = m[1].startswith("steepest")
        change = week.change_7d or 0.0
        windows = {
            d: (btc[d][1] / btc[d - timedelta(days=7)][1] - 1) * 100
            for d in btc
            if d < week.start and d - timedelta(days=7) in btc
        }
        beyond = [d for d, w in windows.items() if (w <= change if falling else w >= change)]
        verdicts.judge("rarity", bool(beyond) and max(beyond) == since, label, m[0])

    pattern = rf"(steepest seven-day fall|biggest seven-day gain) {held}, which begin on ({DATE})"
    for m in re.finditer(pattern, text):
        falling = m[1].startswith("steepest")
        change = week.change_7d or 0.0
        beyond = [
            d
            for d in btc
            if d < week.start
            and d - timedelta(days=7) in btc
            and (
                (btc[d][1] / btc[d - timedelta(days=7)][1] - 1) * 100 <= change
                if falling
                else (btc[d][1] / btc[d - timedelta(days=7)][1] - 1) * 100 >= change
            )
        ]
        verdicts.judge("rarity in history", not beyond, label, m[0])

    # The futures premium: one contract, on both days.
    pattern = (
        rf"premium of the (BTCUSDT\\?_\d+) quarterly future over spot \w+(?: \w+)?"
        rf" from ([\d.]+)% on ({SHORT_DATE}) to ([\d.]+)% on ({SHORT_DATE})"
    )
    for m in re.finditer(pattern, text):
        symbol = m[1].replace("\\", "")
        then, now = day_of(m[3], week.through.year), day_of(m[5], week.through.year)
        if then > now:
            then = then.replace(year=then.year - 1)
        basis = {(r["symbol"], r["date"][:10]): float(r["ann_basis"]) * 100 for r in basis_rows()}
        a, b = basis.get((symbol, then.isoformat())), basis.get((symbol, now.isoformat()))
        ok = a is not None and b is not None and shown(a, m[2] + "%") and shown(b, m[4] + "%")
        verdicts.judge("futures premium", ok, label, m[0])

    # DeFi: the hacks list as copied says no victim's kind; only the seed week's desk does.
    for m in re.finditer(r"DeFi (?:protocols lost|incidents?|Losses Reach|losses)", text):
        verdicts.judge("DeFi losses", seed, label, m[0])
    for m in re.finditer(rf"Hacks and exploits (?:took|lost) ({MONEY}) in (\w+) incidents?", text):
        listed = [loss or 0.0 for day, _, loss in hacks() if week.start <= day <= week.end]
        verdicts.judge("hacks total", shown(sum(listed), m[1]), label, m[0])

    # A summary never leads with a move against the week's.
    bullets = [line for line in text.splitlines() if line.startswith("- **")]
    if bullets and week.change_7d is not None and abs(week.change_7d) >= 2:
        lead = bullets[0]
        against = ("rose over the last day" in lead and week.change_7d < 0) or (
            "fell over the last day" in lead and week.change_7d > 0
        )
        verdicts.judge("summary lead", not against, label, lead[:90])


def check_highs(verdicts: Verdicts) -> None:
    """One all-time high per asset and day across all the pages."""
    for (symbol, on), values in sorted(verdicts.highs.items()):
        verdicts.judge(
            "one high per day",
            len(values) == 1,
            "all weeks",
            f"{symbol} on {on}: {sorted(values)}",
        )


def main() -> None:
    pages, weeks = Path(sys.argv[1]), Path(sys.argv[2])
    verdicts = Verdicts()
    for page in sorted(pages.glob("*.md")):
        week = week_of(weeks / f"{page.stem}.yaml")
        check_page(page.read_text(encoding="utf-8"), week, verdicts, seed=page.stem == "2025-W45")
    check_highs(verdicts)
    print(f"claims checked: {sum(verdicts.checked.values())} ({dict(verdicts.checked)})")
    print(f"false: {len(verdicts.false)}")
    kinds = Counter(line.split(": ")[1] for line in verdicts.false)
    print(f"false by kind: {dict(kinds)}")
    for line in verdicts.false:
        print("  " + line)


if __name__ == "__main__":
    main()
