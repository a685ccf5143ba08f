"""Turn the docs folder into HTML with `mkdocs build --strict`, and publish it atomically.

The HTML is built in a fresh folder beside `public/` and swapped in only when mkdocs passed, so a
failed build leaves the last good site exactly as it was. The swap is one exchange of the two
folders (Linux's renameat2), so a reader never finds the site missing. One build at a time holds
the site's lock; it first clears what a killed build left beside the site.

Incremental builds. A full mkdocs build renders every page: at hundreds of weeks that is most of
the time a weekly run takes, though a new week changes only a few pages (the new one, the one
before it, home, archive). So, when the last build's stamp says the configuration, the theme and
the set of source files are as they were (files may be added, not removed), the fresh folder
starts as a hard-linked copy of the last good site (cheap: no bytes are copied), and mkdocs runs
in its `dirty` mode: it renders only the pages whose source is newer than their HTML. mkdocs
overwrites files in place, which would write through a link into the last good site, so every
file it is about to write (the modified pages and static files, by mkdocs's own reckoning, plus
the 404 page, the sitemap and the search index, which it always writes) is unlinked from the
fresh folder first; a check after the build proves the last good site was not touched. The site
generator rewrites a source only when its bytes change, so timestamps mean what mkdocs takes
them to mean. The search
index is the one thing a dirty build gets wrong (Material then indexes the re-rendered pages
only), so the entries of the untouched pages are carried over from the last index. Anything
else (a new mkdocs.yml, an upgraded theme or a changed template override, a removed page, no
stamp) gets a full build. A test
checks that both ways give the same site.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any, cast

import yaml
from jinja2 import Environment
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, MkDocsException
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from report.cache import TemplateBytecode, cached, digest, write_atomically
from report.errors import ConfigError, PublishError
from report.tree import files_in

STAMP = ".report-build.json"
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, when PyYAML has it
SEARCH_INDEX = Path("search/search_index.json")


def _stamp(
    config: Path, docs: Path, overrides: Path | None, sources: dict[str, os.stat_result] | None
) -> dict[str, Any]:
    """What decides whether the last site can be built on: the configuration, the theme (its
    version and our overrides of its templates, byte for byte) and the set of sources."""
    templates: list[str | bytes] = []
    if overrides is not None and overrides.is_dir():
        for name in sorted(files_in(overrides)):
            templates += [name, (overrides / name).read_bytes()]
    sources = files_in(docs) if sources is None else sources
    return {
        "setup": digest(
            config.read_bytes(), version("mkdocs"), version("mkdocs-material"), *templates
        ),
        "sources": sorted(sources),
        # Every source as it is now: while it stays the same, the last site is this one's.
        # (mkdocs leaves dot files out, as the generator's manifest is.)
        "state": digest(
            *(
                f"{name}:{stat.st_size}:{stat.st_mtime_ns}"
                for name, stat in sorted(sources.items())
                if not Path(name).name.startswith(".")
            )
        ),
    }


def _up_to_date(public: Path, stamp: dict[str, Any]) -> bool:
    """Whether the last good site was built from exactly these sources and this setup."""
    try:
        return bool(json.loads((public / STAMP).read_bytes()) == stamp)
    except (OSError, ValueError):
        return False


def _last_index(public: Path, stamp: dict[str, Any]) -> dict[str, Any] | None:
    """The last good site's search index when this build can be incremental, else None."""
    try:
        last = json.loads((public / STAMP).read_bytes())
        index = json.loads((public / SEARCH_INDEX).read_bytes())
    except (OSError, ValueError):
        return None
    removed = set(last.get("sources", [])) - set(stamp["sources"])
    if last.get("setup") != stamp["setup"] or removed or "docs" not in index:
        return None
    return cast(dict[str, Any], index)


class _DirtyNotice(logging.Filter):
    """mkdocs warns on every dirty build, which --strict would turn into a failure. The warning
    is about navigation going stale; our navigation does not change between weeks, and the
    stamp forces a full build when the configuration does."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build is being performed" not in record.getMessage()


@contextmanager
def _dirty_notice_silenced() -> Iterator[None]:
    logger = logging.getLogger("mkdocs.commands.build")
    notice = _DirtyNotice()
    logger.addFilter(notice)
    try:
        yield
    finally:
        logger.removeFilter(notice)


ALWAYS_WRITTEN = ("404.html", "sitemap.xml", "sitemap.xml.gz", SEARCH_INDEX.as_posix())


class _BuildHelper(BasePlugin):  # type: ignore[type-arg,no-untyped-call]  # no config
    """Two jobs at the last moment before mkdocs writes anything (its `env` event):

    - keep the theme's Jinja templates compiled between builds: compiling Material's templates
      costs more than rendering the few pages a new week changes; Jinja keys each compiled
      template by the checksum of its source, so an upgraded theme compiles anew;
    - in an incremental build, unlink every file mkdocs is about to write, as mkdocs itself
      reckons them, so that it never writes through a hard link into the last good site, and
      note which pages it renders again (their search entries are all new).
    """

    def __init__(self, incremental: bool) -> None:
        self.incremental = incremental
        self.rendered: set[str] = set()  # URLs of the pages an incremental build renders
        self.page_order: list[str] = []  # every page's URL, in the order mkdocs renders them

    def on_env(
        self, env: Environment, *, config: MkDocsConfig, files: Files, **_: Any
    ) -> Environment:
        env.bytecode_cache = TemplateBytecode()
        self.page_order = [f.url for f in files.documentation_pages()]
        if self.incremental:
            modified = [f for f in files if f.is_modified()]
            self.rendered = {f.url for f in modified if f.is_documentation_page()}
            _unlink_what_mkdocs_will_write(modified, Path(config.site_dir))
            # The sitemap dates every page by its front matter, which a dirty build reads only
            # for the pages it renders again: read it for the others.
            for file in files.documentation_pages():
                if file.page is not None and not file.page.meta:
                    file.page.meta = front_matter(Path(file.abs_src_path or ""))
        return env


def front_matter(source: Path) -> dict[str, Any]:
    """A page's YAML front matter, read from the head of its file alone."""
    with source.open(encoding="utf-8") as text:
        if text.readline().rstrip("\n") != "---":
            return {}
        lines: list[str] = []
        for line in text:
            if line.rstrip("\n") == "---":
                meta = yaml.load("".join(lines), Loader=_SafeLoader)
                return meta if isinstance(meta, dict) else {}
            lines.append(line)
    return {}


def _unlink_what_mkdocs_will_write(modified: list[File], site: Path) -> None:
    for name in [f.dest_uri for f in modified] + list(ALWAYS_WRITTEN):
        (site / name).unlink(missing_ok=True)


def _link_copy(public: Path, fresh: Path) -> None:
    """A copy of the last good site whose files are hard links to its files."""
    shutil.copytree(public, fresh, dirs_exist_ok=True, copy_function=os.link)


def _filesystem_now(folder: Path) -> int:
    """The time by the filesystem's clock, which is the one file times are set from."""
    with tempfile.NamedTemporaryFile(dir=folder) as probe:
        return os.fstat(probe.fileno()).st_mtime_ns


def _written_through(fresh: Path, since_ns: int) -> list[str]:
    """Files of the new site that still share their inode with the last good site yet were
    modified after `since_ns`: something wrote through a hard link into the last good site."""
    return sorted(
        name
        for name, stat in files_in(fresh).items()
        if stat.st_nlink > 1 and stat.st_mtime_ns >= since_ns
    )


def _page(location: str) -> str:
    return location.split("#", 1)[0]


def _merge_search_index(last: dict[str, Any], site: Path, helper: _BuildHelper) -> None:
    """Keep the last index's entries for the pages this build did not render again (a page
    rendered again may have no entries now: left out of search, say), in the order a full
    build gives: page by page as mkdocs renders them, each page's entries as they were."""
    path = site / SEARCH_INDEX
    index = json.loads(path.read_bytes())
    kept = [entry for entry in last["docs"] if _page(entry["location"]) not in helper.rendered]
    position = {url: n for n, url in enumerate(helper.page_order)}
    index["docs"] = sorted(
        kept + index["docs"], key=lambda entry: position.get(_page(entry["location"]), -1)
    )
    write_atomically(path, json.dumps(index, separators=(",", ":"), default=str).encode())


AT_FDCWD = -100
RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux's renameat2 with RENAME_EXCHANGE): at no moment is
    either name missing. False where the system or the filesystem cannot."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _swap(fresh: Path, public: Path) -> None:
    """Put the new site in place of the last one, in one step where the system can; else by
    two renames, between which there is no site for an instant."""
    if public.exists() and _exchange(fresh, public):
        shutil.rmtree(fresh, ignore_errors=True)  # the last site, now under the fresh name
        return
    old = public.with_name(f".{public.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if public.exists():
        public.rename(old)
    fresh.rename(public)
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _only_build(public: Path) -> Iterator[None]:
    """Hold the site's build lock, then clear what a killed build left beside the site (its
    half-built copies): with the lock held, no other build is using them."""
    public.parent.mkdir(parents=True, exist_ok=True)
    with (public.parent / f".{public.name}.lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(f"another build of {public}/ is running; try again later") from None
        for leftover in public.parent.glob(f".{public.name}-*"):
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
        yield


def mkdocs_config(config: Path, **overrides: Any) -> MkDocsConfig:
    """The site's MkDocs configuration, strict, or a `ConfigError` naming the file."""
    try:
        return load_config(str(config), strict=True, **overrides)
    except (MkDocsException, Abort, OSError, ValueError) as exc:
        raise ConfigError(f"--config {config}: {exc}") from None


@dataclass(frozen=True)
class SiteSettings:
    """What the site's build needs of its configuration before mkdocs runs."""

    site_url: str
    docs_dir: str
    custom_dir: str | None


def site_settings(config: Path) -> SiteSettings:
    """The configuration's settings, checked by mkdocs (strictly) the first time a given
    configuration is read and then kept in the cache: loading mkdocs's configuration is a good
    part of a build with nothing to do."""

    def read() -> bytes:
        loaded = mkdocs_config(config)
        custom = loaded["theme"].custom_dir
        settings = SiteSettings(loaded["site_url"] or "", loaded["docs_dir"], custom)
        return json.dumps(asdict(settings)).encode()

    try:
        text = config.read_bytes()
    except OSError:
        return SiteSettings(**json.loads(read()))  # mkdocs says what is wrong with it
    versions = f"{version('mkdocs')}:{version('mkdocs-material')}"
    key = f"settings:{config.resolve()}:{versions}:{digest(text)}"
    return SiteSettings(**json.loads(cached(key, read, ".json")))


def build_html(
    config: Path,
    public: Path,
    settings: SiteSettings | None = None,
    sources: dict[str, os.stat_result] | None = None,
) -> bool:
    """Build the site into `public`; True when it was an incremental build. `settings` are
    the configuration's and `sources` the docs folder's files as they are now, when the caller
    has read them already."""
    with _only_build(public):
        return _build_html(config, public, settings or site_settings(config), sources)


def _build_html(
    config: Path,
    public: Path,
    settings: SiteSettings,
    sources: dict[str, os.stat_result] | None,
) -> bool:
    overrides = settings.custom_dir
    folder = Path(overrides) if overrides else None
    stamp = _stamp(config, Path(settings.docs_dir), folder, sources)
    if _up_to_date(public, stamp):
        return True  # nothing mkdocs reads has changed since the last good site was built
    last_index = _last_index(public, stamp)
    incremental = last_index is not None
    fresh = Path(tempfile.mkdtemp(dir=public.parent, prefix=f".{public.name}-new-"))
    fresh.chmod(0o755)  # mkdtemp makes it private; a web server must be able to read the site
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        built = mkdocs_config(config, site_dir=str(fresh.resolve()))
        helper = _BuildHelper(incremental)
        built.plugins["report/build-helper"] = helper
        if last_index is not None:
            _link_copy(public, fresh)
        started = _filesystem_now(fresh)
        with _dirty_notice_silenced():
            mkdocs_build(built, dirty=incremental)
        if last_index is not None:
            _merge_search_index(last_index, fresh, helper)
        # Written beside and renamed, like the index: a file shared with the last good site
        # must never be written in place.
        write_atomically(fresh / STAMP, json.dumps(stamp).encode())
        if last_index is not None and (damaged := _written_through(fresh, started)):
            raise PublishError(
                f"the incremental build wrote into the last good site ({damaged[0]}…): "
                f"run with {public}/{STAMP} removed for a full build, and report this as a bug"
            )
    except (Abort, MkDocsException, OSError, ValueError) as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        raise PublishError(f"mkdocs build --strict failed: {exc}") from exc
    except BaseException:  # a setting found wrong, an interrupt: the half-built copy goes too
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    _swap(fresh, public)
    return incremental
