"""The week of record and its editorial companion, as typed, validated models.

Every value sits inside a block that carries its `source` (name, URL, when fetched or
published). A block that could not be had is `null` and must be named in `missing`
with the reason, so a gap is always said, never filled.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

SCHEMA_VERSION = 4  # of the week of record; report/weekfile.py migrates older files on load
EDITORIAL_SCHEMA_VERSION = 1

# An ISO week label, in ASCII digits only (`\d` would take Arabic-Indic ones too); always
# used with fullmatch, so no trailing newline gets through either.
WEEK_PATTERN = re.compile(r"([0-9]{4})-W([0-9]{2})")

# Numbers are strict (`true` is not 1, "5" is not 5) and finite (see Record); each kind has the
# bounds no market figure goes beyond, so an absurd value is refused where it is read.
MAX_USD = 1e13  # ten trillion dollars: more than every crypto asset together has been worth
MAX_PRICE = 1e8  # a hundred million dollars for one coin
Number = Annotated[float, Field(strict=True, ge=-MAX_USD, le=MAX_USD)]
Pct = Annotated[float, Field(strict=True, ge=-100, le=100_000)]
Probability = Annotated[float, Field(strict=True, ge=0, le=100)]
Usd = Annotated[float, Field(strict=True, ge=0, le=MAX_USD)]
Price = Annotated[float, Field(strict=True, gt=0, le=MAX_PRICE)]
FIRST_DAY = date(2009, 1, 3)  # Bitcoin's first block: no market figure is older
LAST_DAY = date(2099, 12, 31)


def _in_era(day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"{day} is not a day of the crypto markets ({FIRST_DAY} to {LAST_DAY})")
    return day


def _utc_in_era(moment: datetime) -> datetime:
    """A moment in UTC, whatever offset it was written with: pages print and compare UTC."""
    utc = moment.astimezone(UTC)
    _in_era(utc.date())
    return utc


Day = Annotated[date, AfterValidator(_in_era)]
MAX_PEG_PRICE = 2.0  # a dollar stablecoin at twice a dollar is a unit error, not a price
MAX_DAYS = 40_000  # a daily series longer than a century is not one
Moment = Annotated[AwareDatetime, AfterValidator(_utc_in_era)]
# A web address: http(s) only, without spaces, quotes or angle brackets.
Url = Annotated[str, Field(pattern=r"^https?://[^\s\"'<>\\`]+$", max_length=2000)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Source(Record):
    """Where a block of values came from."""

    name: Text
    url: Url | None = None
    fetched_at: Moment | None = None
    published_at: Day | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _dated(self) -> Source:
        if self.fetched_at is None and self.published_at is None:
            raise ValueError("a source needs fetched_at or published_at")
        return self


class DailySeries(Record):
    """Consecutive daily values from `start`; null marks a day the source did not have."""

    start: Day
    values: list[Number | None] = Field(min_length=1, max_length=MAX_DAYS)
    source: Source

    def points(self) -> list[tuple[date, float]]:
        return [
            (self.start + timedelta(days=i), v) for i, v in enumerate(self.values) if v is not None
        ]

    @property
    def end(self) -> date:
        return self.start + timedelta(days=len(self.values) - 1)

    @field_validator("values")
    @classmethod
    def _positive(cls, values: list[float | None]) -> list[float | None]:
        for i, v in enumerate(values):
            if v is not None and v < 0:
                raise ValueError(f"value {i} is negative ({v})")
        if all(v is None for v in values):
            raise ValueError("every value is null: leave the series out and say why in missing")
        return values


class PriceQuote(Record):
    """The price at `at`, as the provider quoted it, with the provider's own changes."""

    price: Price
    change_24h_pct: Pct | None = None
    change_7d_pct: Pct | None = None
    at: Moment
    source: Source
    changes_source: Source | None = None  # when the changes were quoted elsewhere than the price


class AllTimeHigh(Record):
    price: Price
    date: Day
    source: Source


class Asset(Record):
    symbol: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,10}$")]
    name: Text
    quote: PriceQuote
    ath: AllTimeHigh | None = None  # the provider's own statement; pages take theirs from history
    closes: DailySeries | None = None
    highs: DailySeries | None = None  # the daily highs of the week's days, when the source has them


class DailyLiquidation(Record):
    date: Day
    long_usd: Usd
    short_usd: Usd


class Liquidations(Record):
    total_24h_usd: Usd
    long_24h_usd: Usd | None = None
    short_24h_usd: Usd | None = None
    daily: list[DailyLiquidation] = []
    source: Source


class Basis(Record):
    """Annualized futures basis of one dated contract against spot, in percent a year."""

    instrument: Text
    now_pct: Pct
    now_date: Day
    week_ago_pct: Pct
    week_ago_date: Day
    source: Source


class Funding(Record):
    """Perpetual funding, in percent per 8 hours."""

    instrument: Text
    latest_8h_pct: Annotated[float, Field(strict=True, ge=-5, le=5)]
    latest_at: Moment
    week_mean_8h_pct: Annotated[float, Field(strict=True, ge=-5, le=5)] | None = None
    source: Source


class OpenInterest(Record):
    usd: Annotated[float, Field(strict=True, gt=0, le=MAX_USD)]
    at: Moment
    source: Source


class Derivatives(Record):
    basis: Basis | None = None
    funding: Funding | None = None
    open_interest: OpenInterest | None = None


class FearGreed(Record):
    value: Annotated[int, Field(strict=True, ge=0, le=100)]
    classification: Text
    date: Day
    series: DailySeries


class PredictionMarket(Record):
    platform: Text
    question: Text
    outcome: Text
    odds_now_pct: Probability
    odds_before_pct: Probability
    before_date: Day
    source: Source


class Sentiment(Record):
    fear_greed: FearGreed | None = None
    prediction_markets: list[PredictionMarket] | None = None


class ProtocolTvl(Record):
    """A protocol's total value locked the day before an incident and at the week's end."""

    before_usd: Usd
    before_date: Day
    after_usd: Usd
    after_date: Day
    source: Source

    @model_validator(mode="after")
    def _ordered(self) -> ProtocolTvl:
        if self.after_date <= self.before_date:
            raise ValueError("after_date must come after before_date")
        return self


Venue = Literal["defi", "centralised", "other"]


class Incident(Record):
    """A hack, exploit or loss. `target` is the source's own word for what was hit (DefiLlama's
    targetType: "DeFi Protocol", "CEX", "Bridge"…) and `protocol_id` its protocol id, when it
    tracks the victim as a DeFi protocol; `venue` is a person's classification, which wins."""

    protocol: Text
    date: Day
    loss_usd: Usd | None = None
    kind: Text
    url: Url | None = None
    source: Source
    tvl: ProtocolTvl | None = None
    target: Text | None = None
    protocol_id: Annotated[str, Field(max_length=100)] | None = None
    venue: Venue | None = None


class Market(Record):
    """A market beyond crypto (stocks, Treasury yields, the dollar), as FRED publishes it:
    `series` is FRED's id and `daily` its values by calendar day, an index's closes or a
    yield in percent. A day is null when the market did not trade (weekends, holidays) or
    FRED had not published it yet: never filled in."""

    series: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,20}$")]
    name: Text
    unit: Literal["index", "yield"]
    daily: DailySeries


class Peg(Record):
    """A major dollar stablecoin's daily price over the week, as DefiLlama gives it."""

    symbol: Annotated[str, Field(pattern=r"^[A-Za-z0-9.$-]{2,15}$")]
    name: Text
    prices: DailySeries

    @field_validator("prices")
    @classmethod
    def _near_a_dollar(cls, prices: DailySeries) -> DailySeries:
        if any(v is not None and not 0 < v <= MAX_PEG_PRICE for v in prices.values):
            raise ValueError(f"a dollar stablecoin's price lies between 0 and {MAX_PEG_PRICE}")
        return prices


class Stablecoins(Record):
    """The dollar value of every stablecoin in circulation by day (DefiLlama's total), and the
    daily prices of the major dollar stablecoins, for their pegs."""

    supply: DailySeries
    pegs: list[Peg] | None = None


class Headline(Record):
    """A headline a newsroom's feed carried in the week: someone else's words, kept as they
    came (the pages quote it, attributed and linked, never as our prose or as a number's
    source)."""

    title: Annotated[str, Field(min_length=1, max_length=300)]
    outlet: Text
    published_at: Moment
    url: Url
    source: Source


class Gap(Record):
    """A value the week should have and does not, and why."""

    field: Annotated[str, Field(pattern=r"^[a-z_]+(\.[A-Za-z0-9_]+)*$")]
    reason: Text


class Period(Record):
    start: Day
    end: Day


class Origin(Record):
    """How the week came to be: `gathered` from the providers at the time (or compiled from
    what they published then), or `rebuilt` later from their daily series (`report rebuild`),
    which have no intraday figures. A rebuilt week may be rebuilt again; a gathered one never
    is. `at` is when it was gathered or rebuilt."""

    method: Literal["gathered", "rebuilt"]
    at: Moment


def _schema_check(version: int) -> Any:
    def check(value: Any) -> Any:
        if value != version:
            raise ValueError(f"unknown schema version {value!r}: this program reads {version}")
        return value

    return check


def week_start(week: str) -> date:
    """The Monday of an ISO week label such as 2025-W45, or a ValueError saying why the label
    is not one: the form, ASCII digits, a week the year has, a year of the crypto markets."""
    match = WEEK_PATTERN.fullmatch(week)
    if not match:
        raise ValueError(f"a week looks like 2025-W45, not {week[:40]!r}")
    year, number = int(match[1]), int(match[2])
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise ValueError(f"{week}: the year must lie between {FIRST_DAY.year} and {LAST_DAY.year}")
    try:
        return date.fromisocalendar(year, number, 1)
    except ValueError:
        raise ValueError(f"{week} is not an ISO week: {year} has no week {number}") from None


def is_week_label(name: str) -> bool:
    try:
        week_start(name)
    except ValueError:
        return False
    return True


def _check_week(value: str) -> str:
    week_start(value)
    return value


class Week(Record):
    """The week of record: the single input of every page."""

    schema_version: int = Field(alias="schema")
    week: str
    origin: Origin
    period: Period
    as_of: Moment
    assets: list[Asset] = Field(min_length=1)
    liquidations: Liquidations | None = None
    derivatives: Derivatives | None = None
    sentiment: Sentiment | None = None
    incidents: list[Incident] | None = None
    markets: list[Market] | None = None
    stablecoins: Stablecoins | None = None
    defi_tvl: DailySeries | None = None  # DeFi's total value locked by day, all chains
    news: list[Headline] | None = None
    missing: list[Gap] = []

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    _schema = field_validator("schema_version", mode="before")(_schema_check(SCHEMA_VERSION))
    _week = field_validator("week")(_check_week)

    @model_validator(mode="after")
    def _consistent(self) -> Week:
        start = week_start(self.week)
        if self.period.start != start or self.period.end != start + timedelta(days=6):
            raise ValueError(
                f"period {self.period.start}..{self.period.end} is not ISO week {self.week} "
                f"({start}..{start + timedelta(days=6)})"
            )
        if not start <= self.as_of.date() <= self.period.end + timedelta(days=1):
            raise ValueError(f"as_of {self.as_of.isoformat()} falls outside the week {self.week}")
        if self.origin.at < self.as_of:
            raise ValueError(f"origin.at {self.origin.at.isoformat()} comes before as_of")
        symbols = [a.symbol for a in self.assets]
        if "BTC" not in symbols:
            raise ValueError("assets must include BTC: the report is written around it")
        if len(set(symbols)) != len(symbols):
            raise ValueError(f"assets list a symbol twice: {symbols}")
        series = [m.series for m in self.markets or []]
        if len(set(series)) != len(series):
            raise ValueError(f"markets list a series twice: {series}")
        said = {gap.field for gap in self.missing}
        unsaid = [name for name in self.absent_fields() if name not in said]
        if unsaid:
            raise ValueError("these are null but missing[] does not say why: " + ", ".join(unsaid))
        return self

    def absent_fields(self) -> list[str]:
        """Dotted names of the blocks this week does not have."""
        absent = []
        if self.liquidations is None:
            absent.append("liquidations")
        if self.derivatives is None:
            absent.append("derivatives")
        else:
            for name in ("basis", "funding", "open_interest"):
                if getattr(self.derivatives, name) is None:
                    absent.append(f"derivatives.{name}")
        if self.sentiment is None:
            absent.append("sentiment")
        else:
            if self.sentiment.fear_greed is None:
                absent.append("sentiment.fear_greed")
            if self.sentiment.prediction_markets is None:
                absent.append("sentiment.prediction_markets")
        if self.incidents is None:
            absent.append("incidents")
        if self.markets is None:
            absent.append("markets")
        if self.stablecoins is None:
            absent.append("stablecoins")
        elif self.stablecoins.pegs is None:
            absent.append("stablecoins.pegs")
        if self.defi_tvl is None:
            absent.append("defi_tvl")
        if self.news is None:
            absent.append("news")
        return absent

    def asset(self, symbol: str) -> Asset | None:
        return next((a for a in self.assets if a.symbol == symbol), None)

    def market(self, series: str) -> Market | None:
        return next((m for m in self.markets or [] if m.series == series), None)

    @property
    def rebuilt(self) -> bool:
        return self.origin.method == "rebuilt"

    @property
    def btc(self) -> Asset:
        btc = self.asset("BTC")
        assert btc is not None  # guaranteed by validation
        return btc

    def gap(self, field: str) -> Gap | None:
        """The missing[] entry for a field, or for the block that holds it."""
        for gap in self.missing:
            if field == gap.field or field.startswith(gap.field + "."):
                return gap
        return None


class Quotation(Record):
    text: Text
    who: Text
    role: Text
    org: Text
    source: Source


class Figure(Record):
    """A number no API carries (an estimate, a disclosure), with who said it."""

    label: Text
    value: Number
    unit: Annotated[str, Field(pattern=r"^(usd|pct|count)$")]
    source: Source


class Driver(Record):
    text: Text
    source: Source


class Outlook(Record):
    text: Text
    source: Source | None = None


class VenueNote(Record):
    """A person's classification of an incident the week of record lists, by its protocol."""

    protocol: Text
    venue: Venue
    source: Source


class Editorial(Record):
    """What a person adds to a week: drivers, quotes, outlook, off-API incidents and figures,
    and how to classify the incidents an API listed."""

    schema_version: int = Field(alias="schema")
    week: str
    drivers: list[Driver] = []
    quotes: list[Quotation] = []
    outlook: Outlook | None = None
    incidents: list[Incident] = []
    figures: list[Figure] = []
    venues: list[VenueNote] = []

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    _schema = field_validator("schema_version", mode="before")(
        _schema_check(EDITORIAL_SCHEMA_VERSION)
    )
    _week = field_validator("week")(_check_week)
