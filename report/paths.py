"""Where the program reads and writes by default, relative to the folder it runs in (the
project's root), and how long a gather may take. Kept in a module of their own so that the
command line can name them without loading the rest of the program."""

from __future__ import annotations

from pathlib import Path

WEEKS_DIR = Path("data/weeks")  # the weeks of record and their editorial files
HISTORY = Path("data/history")  # daily closes kept from past gathers
SERIES = Path("data/series")  # the committed daily series weeks are rebuilt from
LEDGER = Path("data/sent")  # who was sent which week's digest (hashed)
PAGES_DIR = Path("build/pages")
DIGESTS_DIR = Path("build/digests")
OUTBOX = Path("build/outbox")  # messages written by `report send --dry-run`
CONFIG = Path("mkdocs.yml")
PUBLIC = Path("public")  # the built site
GATHER_DEADLINE_S = 120.0  # a whole gather: a normal one takes seconds, a hung source no longer
