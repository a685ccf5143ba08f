"""The subscribers file: one address a line; `#` starts a comment; blank lines are ignored.

Addresses are personal data, so the file is not in the repository: its path comes from
`--subscribers` or the REPORT_SUBSCRIBERS variable (the scheduled build writes it from a secret).
An address that is not valid is reported with its line and skipped; a repeated one is sent once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from report.errors import ReportError

# Deliberately plain: a local part, an @, and a domain with a dot; no spaces, no display names.
ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


@dataclass(frozen=True)
class Subscribers:
    addresses: list[str]
    invalid: list[str]  # "line N: what was there", for the summary


def read_subscribers(path: Path) -> Subscribers:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ReportError(f"cannot read the subscribers file {path}: {exc.strerror}") from exc
    addresses: list[str] = []
    seen: set[str] = set()
    invalid: list[str] = []
    for number, line in enumerate(lines, start=1):
        address = line.split("#", 1)[0].strip()
        if not address:
            continue
        if not ADDRESS.match(address) or len(address) > 254:
            invalid.append(f"{path}:{number}: {address[:80]!r} is not an email address")
            continue
        if address.lower() not in seen:
            seen.add(address.lower())
            addresses.append(address)
    return Subscribers(addresses, invalid)
