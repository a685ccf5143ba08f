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

__all__ = ["DEFAULT_ASSETS", "NAMES", "Asset"]
