"""Build the static site: week pages with charts, home, archive, feed, data; then MkDocs.

Generated sources go into the docs folder (site/, ignored by git) beside the committed
hand-written pages. A generated file is rewritten only when its bytes change, and the ones no
longer generated are removed, so the folder always mirrors the weeks and its timestamps tell
mkdocs which pages to render again (report/htmlbuild.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import vl_convert
from mkdocs.config import load_config

from report.cache import cached
from report.feed import render_feed
from report.htmlbuild import build_html
from report.weekpages import ROOT, WeekOutput, week_outputs

VL_CONVERT = version("vl-convert-python")  # part of every render's key: a new renderer, new files
CONFIG = Path("mkdocs.yml")
PUBLIC = Path("public")
GENERATED_DIRS = ("weeks", "charts", "data")
BUNDLE = "javascripts/vega-bundle.js"


@dataclass(frozen=True)
class SiteBuild:
    weeks: list[WeekOutput]
    incremental: bool
    sources_written: list[str]


def _script_bundle() -> bytes:
    """Vega, Vega-Lite and Vega-Embed in one file, served by the site itself."""
    bundle: str = vl_convert.javascript_bundle()  # type: ignore[call-arg]  # snippet is optional
    return bundle.encode()


def chart_svg(spec: str) -> bytes:
    return cached(
        f"svg:{VL_CONVERT}:{spec}",
        lambda: vl_convert.vegalite_to_svg(json.loads(spec)).encode(),
        ".svg",
    )


def _neighbours(weeks: list[WeekOutput], i: int, prefix: str) -> str:
    links = []
    if i > 0:
        older = weeks[i - 1].week
        links.append(f"[← {older}]({prefix}weeks/{older}.md)")
    links.append(f"[All weeks]({prefix}archive.md)")
    if i + 1 < len(weeks):
        newer = weeks[i + 1].week
        links.append(f"[{newer} →]({prefix}weeks/{newer}.md)")
    return " · ".join(links)


def week_markdown(weeks: list[WeekOutput], i: int, prefix: str) -> str:
    """The verified page, its links made relative to where it sits, between navigation."""
    nav = _neighbours(weeks, i, prefix)
    return f"{nav}\n\n{weeks[i].body.replace(ROOT, prefix)}\n{nav}\n"


def archive_markdown(weeks: list[WeekOutput]) -> str:
    return (
        "# Archive\n\nEvery week of record, newest first.\n\n"
        "| Week | Dates | Bitcoin | 7 days | Story |\n| --- | --- | ---: | ---: | --- |\n"
        + "\n".join(w.archive_row for w in reversed(weeks))
        + "\n"
    )


def generated_files(weeks: list[WeekOutput], site_url: str) -> dict[str, bytes]:
    """Every generated source, by its path inside the docs folder."""
    files: dict[str, bytes] = {}
    for i, week in enumerate(weeks):
        name = week.week
        files[f"weeks/{name}.md"] = week_markdown(weeks, i, "../").encode()
        for chart, spec in week.charts:
            files[f"charts/{name}-{chart}.json"] = spec.encode()
            files[f"charts/{name}-{chart}.svg"] = chart_svg(spec)
        files[f"data/{name}.json"] = week.record_json.encode()
        files[f"data/{name}-closes.csv"] = week.closes_csv.encode()
    files["index.md"] = week_markdown(weeks, len(weeks) - 1, "").encode()
    files["archive.md"] = archive_markdown(weeks).encode()
    files["feed.xml"] = render_feed(weeks, site_url).encode()
    files[BUNDLE] = cached(f"bundle:{VL_CONVERT}", _script_bundle, ".js")
    return files


def sync_sources(docs: Path, files: dict[str, bytes]) -> list[str]:
    """Write the files whose bytes changed, remove generated files no longer made; return the
    names written."""
    written = []
    for name, data in files.items():
        path = docs / name
        if path.exists() and path.stat().st_size == len(data) and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(name)
    for folder in GENERATED_DIRS:
        for path in (docs / folder).rglob("*"):
            if path.is_file() and path.relative_to(docs).as_posix() not in files:
                path.unlink()
    return written


def build_site(paths: list[Path], config: Path = CONFIG, public: Path = PUBLIC) -> SiteBuild:
    """Generate the sources, build with `mkdocs build --strict`, swap in the new site."""
    mkdocs_config = load_config(str(config), strict=True)
    site_url = mkdocs_config["site_url"] or ""
    weeks = week_outputs(paths, site_url)
    docs = Path(mkdocs_config["docs_dir"])
    written = sync_sources(docs, generated_files(weeks, site_url))
    incremental = build_html(config, public)
    return SiteBuild(weeks, incremental, written)
