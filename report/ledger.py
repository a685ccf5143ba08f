"""The send ledger: what became of each recipient's copy of a week, so that no one gets a week
twice, even when a run is killed or the connection drops mid-message.

One file a week, `data/sent/<week>.txt`, kept beside the weeks of record and committed by the
scheduled build. It holds no address, only a hash of each (addresses are personal data and the
repository may be public): `sha256(week + address in lower case)`. It is a log, one line per
event, each written and flushed to disk before the program goes on:

    sending <hash>   the server took the DATA command: the message is about to go
    sent <hash>      the server accepted it
    failed <hash>    the server said no, so it was not delivered (it may be sent again)

The last line of a hash is its state. `sending` with nothing after it means the outcome is
unknown (killed, or the connection dropped, between the message and the server's answer): it
may have arrived, so it is never sent again on its own. A bare hash is an older ledger's `sent`.
"""

from __future__ import annotations

import hashlib
import os
from enum import StrEnum
from pathlib import Path

from report.paths import LEDGER


class State(StrEnum):
    SENDING = "sending"  # ... and no outcome after it: unknown
    SENT = "sent"
    FAILED = "failed"


def _state_of(word: str) -> State:
    """A ledger line's word as a state: none is an older ledger's `sent`; a word this program
    does not know is taken for the cautious one, `sending` (the outcome is unknown)."""
    if not word:
        return State.SENT
    try:
        return State(word)
    except ValueError:
        return State.SENDING


class Ledger:
    def __init__(self, week: str, folder: Path = LEDGER) -> None:
        self.week = week
        self.path = folder / f"{week}.txt"
        self._states: dict[str, State] = {}
        lines = self.path.read_text(encoding="ascii").splitlines() if self.path.exists() else []
        for line in lines:
            word, _, key = line.strip().rpartition(" ")
            if key:
                self._states[key] = _state_of(word)

    def _key(self, address: str) -> str:
        return hashlib.sha256(f"{self.week}\n{address.lower()}".encode()).hexdigest()

    def state(self, address: str) -> State | None:
        """What became of this address's copy: None if it was never attempted."""
        return self._states.get(self._key(address))

    def served(self, address: str) -> bool:
        return self.state(address) is State.SENT

    def _log(self, address: str, state: State) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        key = self._key(address)
        with self.path.open("a", encoding="ascii") as f:
            f.write(f"{state} {key}\n")
            f.flush()
            os.fsync(f.fileno())
        self._states[key] = state

    def sending(self, address: str) -> None:
        """Said before the message goes: from here until `sent` or `failed`, it may arrive."""
        self._log(address, State.SENDING)

    def sent(self, address: str) -> None:
        self._log(address, State.SENT)

    def failed(self, address: str) -> None:
        self._log(address, State.FAILED)
