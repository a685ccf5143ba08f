"""The reader's names for the program's things: a field of the week of record as a reader
calls what it holds ("open-interest figures"), and a source as its provider, linked to a page
a person can open rather than to the API the program reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from report.assets import MARKET_NAMES, NAMES

if TYPE_CHECKING:
    from report.model import Source, Week

# What each block of the week holds, as a reader would name it.
BLOCKS = {
    "liquidations": "liquidation figures",
    "derivatives": "derivatives figures",
    "derivatives.basis": "futures-basis figures",
    "derivatives.funding": "funding rates",
    "derivatives.open_interest": "open-interest figures",
    "sentiment": "sentiment readings",
    "sentiment.fear_greed": "Fear & Greed readings",
    "sentiment.prediction_markets": "prediction-market odds",
    "incidents": "hack and exploit listings",
    "markets": "U.S. market readings",
    "stablecoins": "stablecoin figures",
    "stablecoins.pegs": "stablecoin prices",
    "defi_tvl": "value-locked figures",
    "news": "newsroom headlines",
}
# What an asset's own fields hold: {name} is the asset's name.
ASSET_FIELDS = {
    "": "{name} prices",
    "quote": "live {name} quotes",
    "ath": "all-time-high figures for {name}",
    "closes": "{name}'s daily closes",
    "highs": "{name}'s daily highs",
}
# Providers by the host the program reads: their name and a page a reader can open.
PROVIDERS = {
    "coingecko.com": ("CoinGecko", "https://www.coingecko.com/"),
    "binance.com": ("Binance", "https://www.binance.com/en/markets/overview"),
    "bybit.com": ("Bybit", "https://www.bybit.com/en/announcement-info/fund-rate/"),
    "alternative.me": ("alternative.me", "https://alternative.me/crypto/fear-and-greed-index/"),
    "llama.fi": ("DefiLlama", "https://defillama.com/hacks"),
    "defillama.com": ("DefiLlama", "https://defillama.com/hacks"),
    "coinglass.com": ("CoinGlass", "https://www.coinglass.com/LiquidationData"),
    "coinalyze.net": ("Coinalyze", "https://coinalyze.net/"),
    "coinpaprika.com": ("Coinpaprika", "https://coinpaprika.com/"),
    "deribit.com": ("Deribit", "https://www.deribit.com/"),
    "polymarket.com": ("Polymarket", "https://polymarket.com/"),
    "myriad.markets": ("Myriad", "https://myriad.markets/"),
    "stlouisfed.org": ("FRED", "https://fred.stlouisfed.org/"),
}
_PROGRAM_PAGE = re.compile(
    r"^(?:api|fapi|pro-api|gamma-api|clob|open-api[\w-]*)\.|/api/|/v\d+/|/fredgraph\.csv"
)


def field_name(field: str, week: Week | None = None) -> str:
    """A field of the week (a gap's, a source's place) in a reader's words."""
    if field in BLOCKS:
        return BLOCKS[field]
    parts = field.split(".")
    if parts[0] == "assets" and len(parts) >= 2:
        symbol = parts[1]
        asset = week.asset(symbol) if week is not None else None
        name = asset.name if asset is not None else NAMES.get(symbol, symbol)
        return ASSET_FIELDS.get(".".join(parts[2:3]), "{name} figures").format(name=name)
    if parts[0] == "markets" and len(parts) == 2 and parts[1] in MARKET_NAMES:
        return f"{MARKET_NAMES[parts[1]]} readings"
    top = ".".join(parts[:2])
    return BLOCKS.get(top, BLOCKS.get(parts[0], "some of the week's figures"))


def joined(names: Iterable[str], word: str = "and") -> str:
    """'a', 'a and b', 'a, b and c' (or 'a, b or c')."""
    items = list(dict.fromkeys(names))
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


# The same fields of several assets, named once: {names} are the assets' names.
ASSETS_FIELDS = {
    "quote": "live quotes for {names}",
    "ath": "all-time-high figures for {names}",
    "closes": "daily closes for {names}",
    "highs": "daily highs for {names}",
}


def rebuilt_sentence(week: Week) -> str:
    """For a week rebuilt from daily series: when, and what its prices are."""
    if not week.rebuilt:
        return ""
    return (
        f"This week was rebuilt on {week.origin.at.strftime('%B %-d, %Y')} from daily series:"
        " its prices are daily closes, at 24:00 UTC, not live quotes."
    )


def missing_sentence(week: Week) -> str:
    """The week's gaps, said once, in a reader's words ('' when nothing is missing); the same
    field missing for several assets is named once, with the assets. A rebuilt week's lack of
    live quotes is said by `rebuilt_sentence`."""
    names: list[str] = []
    alike: dict[str, list[str]] = {}  # an asset field: the assets that lack it
    for gap in week.missing:
        parts = gap.field.split(".")
        if week.rebuilt and parts[0] == "assets" and parts[2:] == ["quote"]:
            continue
        if parts[0] == "assets" and len(parts) == 3 and parts[2] in ASSETS_FIELDS:
            if parts[2] not in alike:
                names.append(parts[2])  # its place among the names, filled in below
                alike[parts[2]] = []
            asset = week.asset(parts[1])
            alike[parts[2]].append(asset.name if asset else NAMES.get(parts[1], parts[1]))
        else:
            names.append(field_name(gap.field, week))
    for kind, assets in alike.items():
        one = ASSET_FIELDS[kind].format(name=assets[0])
        names[names.index(kind)] = (
            one if len(assets) == 1 else ASSETS_FIELDS[kind].format(names=joined(assets))
        )
    if not names:
        return ""
    return f"No {joined(names, 'or')} were available this week."


def _provider(url: str | None) -> tuple[str, str] | None:
    host = urlsplit(url or "").hostname or ""
    return next((p for h, p in PROVIDERS.items() if host == h or host.endswith("." + h)), None)


def provider_name(source: Source | Mapping[str, Any] | str) -> str:
    """Who a figure comes from: the provider, not the program's name for its API (a source, or
    a source's name: "Binance spot daily klines (USDT)" is Binance)."""
    if isinstance(source, str):
        names = {name for name, _ in PROVIDERS.values()}
        return next((n for n in names if re.match(rf"{re.escape(n)}\b", source)), source)
    if isinstance(source, Mapping):
        name, url = source["name"], source["url"]
    else:
        name, url = source.name, source.url
    known = _provider(url)
    return known[0] if known else str(name)


def reader_url(url: str | None) -> str | None:
    """A page a person can open: an API address becomes its provider's page."""
    if url and _PROGRAM_PAGE.search(url.split("://", 1)[-1]):
        known = _provider(url)
        return known[1] if known else None
    return url
