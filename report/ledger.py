"""The send ledger: who has received which week, so that no one gets a week twice.

One file a week, `data/sent/<week>.txt`, kept beside the weeks of record and committed by the
scheduled build. It holds no address, only a keyed hash of each (addresses are personal data and
the repository may be public): `sha256(week + address in lower case)`, one a line, written and
flushed the moment the server accepts the message, so an interrupted run knows exactly whom it
served.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from report.paths import LEDGER


class Ledger:
    def __init__(self, week: str, folder: Path = LEDGER) -> None:
        self.week = week
        self.path = folder / f"{week}.txt"
        self._served = set(self.path.read_text().split()) if self.path.exists() else set()

    def _key(self, address: str) -> str:
        return hashlib.sha256(f"{self.week}\n{address.lower()}".encode()).hexdigest()

    def served(self, address: str) -> bool:
        return self._key(address) in self._served

    def record(self, address: str) -> None:
        key = self._key(address)
        if key in self._served:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="ascii") as f:
            f.write(key + "\n")
            f.flush()
            os.fsync(f.fileno())
        self._served.add(key)
