"""The files under a folder, listed in one pass.

The site build lists folders of thousands of files several times a run (what is generated, what
mkdocs may have written); `os.scandir` learns which entries are files without a system call
each, and each file is then stat'ed once, where pathlib's `rglob` and `is_file` cost several.
"""

from __future__ import annotations

import os
from pathlib import Path


def files_in(folder: Path) -> dict[str, os.stat_result]:
    """Every file under `folder` (following links, as mkdocs does), by its path relative to
    `folder` in POSIX form, with its stat; empty when the folder does not exist."""
    found: dict[str, os.stat_result] = {}

    def walk(directory: str, prefix: str) -> None:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir():
                    walk(entry.path, f"{prefix}{entry.name}/")
                elif entry.is_file():
                    found[prefix + entry.name] = entry.stat()

    if folder.is_dir():
        walk(str(folder), "")
    return found
