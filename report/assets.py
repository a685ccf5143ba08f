"""The assets a week tracks by default, with each provider's name for them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Asset:
    symbol: str
    name: str
    coingecko_id: str
    coinpaprika_id: str  # the keyless fallback names coins its own way


DEFAULT_ASSETS = (
    Asset("BTC", "Bitcoin", "bitcoin", "btc-bitcoin"),
    Asset("ETH", "Ethereum", "ethereum", "eth-ethereum"),
    Asset("XRP", "XRP", "ripple", "xrp-xrp"),
    Asset("BNB", "BNB", "binancecoin", "bnb-binance-coin"),
    Asset("SOL", "Solana", "solana", "sol-solana"),
)


NAMES = {a.symbol: a.name for a in DEFAULT_ASSETS}


@dataclass(frozen=True)
class OtherMarket:
    """A market beyond crypto that a week sets Bitcoin against, by its FRED series id. An
    index is read in points, a yield in percent."""

    series: str
    name: str
    unit: str  # "index" or "yield"


OTHER_MARKETS = (
    OtherMarket("SP500", "S&P 500", "index"),
    OtherMarket("NASDAQCOM", "Nasdaq Composite", "index"),
    OtherMarket("DGS10", "10-year Treasury yield", "yield"),
    OtherMarket("DTWEXBGS", "broad dollar index", "index"),
)
MARKET_NAMES = {m.series: m.name for m in OTHER_MARKETS}

__all__ = ["DEFAULT_ASSETS", "MARKET_NAMES", "NAMES", "OTHER_MARKETS", "Asset", "OtherMarket"]
