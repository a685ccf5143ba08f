"""A content-addressed cache in build/cache: slow results kept by the hash of their input.

Keys include `code_version()`, so a change to the program, its templates or the libraries that
draw the charts makes new entries instead of serving stale ones.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from functools import cache
from importlib.metadata import version
from pathlib import Path

from jinja2 import BytecodeCache, FileSystemBytecodeCache
from jinja2.bccache import Bucket

CACHE = Path("build/cache")
PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE.parent / "templates"
# Libraries whose output ends up in the cached files.
LIBRARIES = ("altair", "vl-convert-python", "jinja2", "pydantic", "pyyaml")


def digest(*parts: str | bytes) -> str:
    """One hash of several inputs; each part is length-prefixed so parts cannot run together."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()[:32]


@cache
def code_version() -> str:
    """The hash of this package's code, its templates and the versions of the libraries above."""
    files = sorted([*PACKAGE.rglob("*.py"), *TEMPLATES.rglob("*.j2")])
    parts: list[str | bytes] = [f"{name}=={version(name)}" for name in LIBRARIES]
    for path in files:
        parts += [path.relative_to(PACKAGE.parent).as_posix(), path.read_bytes()]
    return digest(*parts)


def _plain_mode() -> int:
    """The mode `open()` gives a new file here (mkstemp's files are private)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


PLAIN_MODE = _plain_mode()


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file,
    and a file hard-linked elsewhere is replaced, never written through."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, PLAIN_MODE)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _entry(key: str, suffix: str) -> Path:
    return CACHE / f"{digest(key)}{suffix}"


def is_cached(key: str, suffix: str) -> bool:
    return _entry(key, suffix).exists()


def cached(key: str, make: Callable[[], bytes], suffix: str) -> bytes:
    """`make()`'s result for `key`, made once and then read back from the cache folder."""
    path = _entry(key, suffix)
    if path.exists():
        return path.read_bytes()
    data = make()
    write_atomically(path, data)
    return data


class TemplateBytecode(BytecodeCache):
    """Compiled Jinja templates, kept in the cache folder between runs: compiling a template
    costs far more than rendering it once. Jinja keys each entry by the template's name and
    the checksum of its source, so an edited template compiles anew. The folder is looked up
    at each use, so that it follows `CACHE` when a test or benchmark moves it."""

    def _folder(self) -> FileSystemBytecodeCache:
        folder = CACHE / "jinja"
        folder.mkdir(parents=True, exist_ok=True)
        return FileSystemBytecodeCache(str(folder))

    def load_bytecode(self, bucket: Bucket) -> None:
        self._folder().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._folder().dump_bytecode(bucket)
