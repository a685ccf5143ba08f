"""The `report` command: a thin layer that loads, calls one stage and says what it wrote.

Each command imports the parts of the program it uses when it runs: loading all of them (the
schema, Altair, mkdocs, the HTTP client) takes most of a second, which `report --help` and most
commands need not pay, and which `report site` spends while its chart drawer starts up.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar, cast

import typer
from rich.console import Console

from report.errors import ReportError
from report.paths import (
    CONFIG,
    DIGESTS_DIR,
    GATHER_DEADLINE_S,
    HISTORY,
    LEDGER,
    OUTBOX,
    PAGES_DIR,
    PUBLIC,
    SERIES,
    WEEKS_DIR,
)
from report.svgdraw import DRAWING_HELPERS, SvgDrawer

app = typer.Typer(
    help="The weekly crypto market report: weeks of record in, checked pages out.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)

WeekFiles = Annotated[
    list[Path] | None,
    typer.Argument(help="Week files (data/weeks/2025-W45.yaml); default: every committed week."),
]
WeeksDir = Annotated[Path, typer.Option(help="Folder of the weeks of record.")]
SiteUrl = Annotated[str, typer.Option(help="Public URL of the site, for the digest's link.")]
PagesDir = Annotated[Path, typer.Option("--pages", help="Folder of the week pages.")]
DigestsDir = Annotated[Path, typer.Option("--digests", help="Folder of the digests.")]
HistoryDir = Annotated[
    Path, typer.Option(help="The history store: years of daily prices and stated highs.")
]
DRY_RUN_SENDER = "weekly-report@example.org"  # a placeholder for previews without settings


def _paths(files: list[Path] | None, weeks_dir: Path) -> list[Path]:
    from report.weekfile import week_paths

    paths = files or week_paths(weeks_dir)
    if not paths:
        raise ReportError(f"no weeks of record in {weeks_dir}")
    return paths


def _fail(exc: ReportError) -> NoReturn:
    for line in str(exc).splitlines():
        err.print(f"[red]error:[/red] {line}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(1)


Command = TypeVar("Command", bound=Callable[..., None])


def command(epilog: str) -> Callable[[Command], Command]:
    """A subcommand inside the program's one error boundary: a `ReportError` (bad data, a wrong
    setting, a failed stage) or the operating system refusing a file becomes its message and
    exit status 1, never a traceback. Anything else is a bug, and shows as one."""

    def register(function: Command) -> Command:
        @functools.wraps(function)
        def bounded(*args: Any, **kwargs: Any) -> None:
            try:
                function(*args, **kwargs)
            except ReportError as exc:
                _fail(exc)
            except OSError as exc:
                where = f"{exc.filename}: " if exc.filename else ""
                _fail(ReportError(f"{where}{exc.strerror or exc}"))

        app.command(epilog=epilog)(bounded)
        return cast(Command, bounded)

    return register


@command(epilog="Example: report build data/weeks/2025-W45.yaml")
def build(
    files: WeekFiles = None,
    weeks_dir: WeeksDir = WEEKS_DIR,
    pages: PagesDir = PAGES_DIR,
    digests: DigestsDir = DIGESTS_DIR,
    site_url: SiteUrl = "",
    history_dir: HistoryDir = HISTORY,
) -> None:
    """Write each week's page and digest, verified; on any problem, write nothing."""
    from report.build import build_weeks
    from report.history import HistoryStore

    paths = _paths(files, weeks_dir)
    outputs = build_weeks(paths, pages, digests, site_url, HistoryStore(history_dir))
    for output in outputs:
        out.print(
            f"{output.week}: wrote {output.page} and {output.digest}",
            highlight=False,
            soft_wrap=True,
        )


@command(epilog="Example: report site && python3 -m http.server -d public")
def site(
    files: WeekFiles = None,
    weeks_dir: WeeksDir = WEEKS_DIR,
    config: Annotated[Path, typer.Option(help="The MkDocs configuration.")] = CONFIG,
    public: Annotated[Path, typer.Option(help="Where the built site goes.")] = PUBLIC,
    history_dir: HistoryDir = HISTORY,
) -> None:
    """Build the website: week pages with charts, archive, feed, data; mkdocs --strict."""
    with SvgDrawer(helpers=DRAWING_HELPERS) as drawer:
        drawer.start()  # a new week's charts will want it: it starts while the program loads
        from report.history import HistoryStore
        from report.site import build_site

        paths = _paths(files, weeks_dir)
        built = build_site(paths, config, public, drawer, HistoryStore(history_dir))
    how = "incrementally" if built.incremental else "in full"
    out.print(
        f"built {len(built.weeks)} week(s) into {public}/ {how}, {len(built.sources_written)} "
        f"source file(s) changed (latest: {built.weeks[-1].week})",
        highlight=False,
        soft_wrap=True,
    )


@command(epilog="Example: report validate data/weeks/2025-W45.yaml")
def validate(files: WeekFiles = None, weeks_dir: WeeksDir = WEEKS_DIR) -> None:
    """Check weeks of record (and their editorial files) against the schema."""
    from report.weekfile import load_all_week_files

    editions = load_all_week_files(_paths(files, weeks_dir))
    for edition in editions:
        gaps = ", ".join(g.field for g in edition.week.missing) or "none"
        out.print(f"{edition.path}: valid (missing: {gaps})", highlight=False, soft_wrap=True)


@command(epilog="Example: report digest data/weeks/2025-W45.yaml > digest.md")
def digest(
    file: Annotated[Path, typer.Argument(help="The week file.")],
    site_url: SiteUrl = "",
    history_dir: HistoryDir = HISTORY,
) -> None:
    """Print one week's email digest (Markdown) to standard output."""
    from report.build import build_editions
    from report.history import HistoryStore
    from report.weekfile import load_all_week_files

    loaded = load_all_week_files([file])
    (edition,) = build_editions(loaded, site_url, HistoryStore(history_dir))
    sys.stdout.write(edition.digest)


@command(epilog="Example: report build && report verify")
def verify(
    files: WeekFiles = None,
    weeks_dir: WeeksDir = WEEKS_DIR,
    pages: PagesDir = PAGES_DIR,
    digests: DigestsDir = DIGESTS_DIR,
    history_dir: HistoryDir = HISTORY,
) -> None:
    """Prove the written pages and digests are their weeks' editions: every claim re-derived
    from the week of record and the price history, every number traced, every word checked."""
    from report.build import build_editions, written_page
    from report.history import HistoryStore
    from report.verify import Evidence, verify_text
    from report.weekfile import load_all_week_files

    loaded = load_all_week_files(_paths(files, weeks_dir))
    editions = build_editions(loaded, history=HistoryStore(history_dir))
    problems: list[str] = []
    for edition in editions:
        label = edition.label
        expected = {
            pages / f"{label}.md": written_page(edition),
            digests / f"{label}.md": edition.digest,
        }
        for written, text in expected.items():
            if not written.exists():
                problems.append(f"{written}: not written yet (run report build)")
                continue
            found = written.read_text(encoding="utf-8")
            if found != text:
                problems += verify_text(found, Evidence.of(edition), str(written)) or [
                    f"{written}: differs from what its week gives (run report build)"
                ]
    if problems:
        raise ReportError("\n".join(problems))
    out.print(
        f"verified {len(editions)} week(s): every claim, number and date follows from its week"
    )


def _base_urls(pairs: list[str]) -> dict[str, str]:
    urls = {}
    for pair in pairs:
        name, sep, url = pair.partition("=")
        if not sep or not url.startswith(("http://", "https://")):
            raise ReportError(
                f"--base-url takes NAME=URL, e.g. coingecko=http://127.0.0.1:8000: {pair}"
            )
        urls[name] = url
    return urls


@command(epilog="Example: report gather --week 2025-W45 --dry-run")
def gather(
    week: Annotated[
        str | None, typer.Option(help="ISO week, e.g. 2025-W45; default: the last complete week.")
    ] = None,
    weeks_dir: WeeksDir = WEEKS_DIR,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the week file instead of writing it.")
    ] = False,
    base_url: Annotated[
        list[str] | None,
        typer.Option(help="Point a source elsewhere: NAME=URL (coingecko, alternative_me, …)."),
    ] = None,
    history_dir: Annotated[
        Path, typer.Option(help="The history store: daily closes the vendors stop serving.")
    ] = HISTORY,
    deadline: Annotated[
        float,
        typer.Option(
            min=1,
            help="Seconds the whole gather may take; a source still running "
            "then is stopped and named missing.",
        ),
    ] = GATHER_DEADLINE_S,
) -> None:
    """Fetch a week from the market APIs into data/weeks/<week>.yaml; every gap is named."""
    import asyncio
    from datetime import UTC, datetime

    from rich.progress import Progress, SpinnerColumn, TextColumn

    from report.gather import (
        Outcome,
        api_keys,
        default_sources,
        validated,
        wanted_week,
        write_week,
    )
    from report.gather import gather as run_gather
    from report.history import HistoryStore
    from report.weekfile import dump_yaml

    store = HistoryStore(history_dir)
    sources = default_sources(_base_urls(base_url or []))
    wanted_week(week, datetime.now(UTC))  # a wrong setting is said before any work starts
    api_keys(os.environ)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=err, transient=True
    ) as progress:
        task = progress.add_task(f"gathering from {len(sources)} sources", total=len(sources))

        def done(outcome: Outcome) -> None:
            state = "ok" if outcome.ok else f"{len(outcome.missing)} missing"
            state = "ran out of time" if outcome.ran_out else state
            progress.console.print(
                f"  {outcome.source}: {state} ({outcome.seconds:.1f} s)", highlight=False
            )
            progress.advance(task)

        now = datetime.now(UTC)
        gathered = asyncio.run(
            run_gather(
                week, now, os.environ, sources, done=done, history=store, deadline_s=deadline
            )
        )
    checked = validated(gathered)
    for gap in checked.missing:
        err.print(f"  missing {gap.field}: {gap.reason}", highlight=False, soft_wrap=True)
    if dry_run:
        sys.stdout.write(dump_yaml(gathered.record))
        return
    path = write_week(gathered, checked, weeks_dir, store)
    out.print(
        f"wrote {path} ({gathered.requests} requests, {len(checked.missing)} missing)",
        highlight=False,
        soft_wrap=True,
    )


@command(epilog="Example: report rebuild --from 2020-W02 --to 2020-W52")
def rebuild(
    first: Annotated[
        str | None,
        typer.Option("--from", help="First ISO week; default: the first the series give."),
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="Last ISO week; default: the last the series give.")
    ] = None,
    weeks_dir: WeeksDir = WEEKS_DIR,
    history_dir: HistoryDir = HISTORY,
    series: Annotated[Path, typer.Option(help="The committed daily series.")] = SERIES,
) -> None:
    """Rebuild every week the committed daily series give as weeks of record, gathered weeks
    kept; each says it was rebuilt, when, and what daily series cannot give."""
    from datetime import UTC, datetime

    from report.history import HistoryStore
    from report.model import week_start
    from report.rebuild import FIRST_WEEK, rebuild_weeks, rebuildable_weeks

    store = HistoryStore(history_dir)
    try:
        lo = week_start(first or FIRST_WEEK)
        hi = week_start(last) if last else None
    except ValueError as exc:
        raise ReportError(f"--from/--to: {exc}") from None
    weeks = [
        w
        for w in rebuildable_weeks(store, series=series)
        if lo <= week_start(w) and (hi is None or week_start(w) <= hi)
    ]
    if not weeks:
        raise ReportError(
            "no week in that span has its closes in the daily series and the history store"
        )
    done = rebuild_weeks(weeks, weeks_dir, datetime.now(UTC), store, series)
    for path in done.gathered:
        out.print(f"kept {path}: it was gathered, not rebuilt", highlight=False, soft_wrap=True)
    out.print(
        f"rebuilt {len(weeks)} week(s), {weeks[0]} to {weeks[-1]}: {len(done.written)} written, "
        f"{len(done.unchanged)} unchanged, {len(done.gathered)} gathered kept",
        highlight=False,
        soft_wrap=True,
    )


def _latest(files: list[Path] | None, weeks_dir: Path) -> Path:
    return _paths(files, weeks_dir)[-1]


@command(epilog="Example: report send --subscribers subscribers.txt --dry-run")
def send(
    files: WeekFiles = None,
    weeks_dir: WeeksDir = WEEKS_DIR,
    subscribers: Annotated[
        Path | None,
        typer.Option(envvar="REPORT_SUBSCRIBERS", help="One address a line; # for comments."),
    ] = None,
    ledger_dir: Annotated[Path, typer.Option(help="The send ledger's folder.")] = LEDGER,
    config: Annotated[Path, typer.Option(help="The MkDocs configuration (site URL).")] = CONFIG,
    force: Annotated[bool, typer.Option("--force", help="Send again to those served.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Write .eml files to --outbox; send nothing.")
    ] = False,
    outbox: Annotated[Path, typer.Option(help="Where --dry-run writes.")] = OUTBOX,
    history_dir: HistoryDir = HISTORY,
) -> None:
    """Email the latest week's digest (or the week given) to every subscriber, once each."""
    from report.build import build_editions
    from report.history import HistoryStore
    from report.htmlbuild import mkdocs_config
    from report.ledger import Ledger
    from report.mail import compose_digest, message_body
    from report.send import deliver, sender_from, settings_from, write_outbox
    from report.subscribers import read_subscribers
    from report.weekfile import load_all_week_files

    if subscribers is None:
        raise ReportError("name the subscribers file: --subscribers FILE or REPORT_SUBSCRIBERS")
    readers = read_subscribers(subscribers)
    for problem in readers.invalid:
        err.print(f"  skipped {problem}", highlight=False, soft_wrap=True)
    if dry_run:  # the same message a real send builds, from the same settings
        smtp, sender = None, sender_from(os.environ, placeholder=DRY_RUN_SENDER)
    else:
        smtp, sender = settings_from(os.environ)
    site_url = mkdocs_config(config)["site_url"] or ""
    loaded = load_all_week_files([_latest(files, weeks_dir)])
    (edition,) = build_editions(loaded, site_url, HistoryStore(history_dir))
    week = edition.label
    body = message_body(compose_digest(edition, sender), sender)
    if smtp is None:
        written = write_outbox(body, week, readers.addresses, sender, outbox)
        out.print(
            f"{week}: wrote {len(written)} message(s) to {outbox}/, sent none", highlight=False
        )
        return
    report = deliver(body, week, readers.addresses, sender, smtp, Ledger(week, ledger_dir), force)
    said = [
        *(f"refused {address}: {why}" for address, why in report.refused.items()),
        *(f"turned away for now {address}: {why}" for address, why in report.deferred.items()),
        *(f"outcome unknown {address}: lost after the message went" for address in report.unknown),
        *(
            f"outcome unknown {address} (an earlier run): not sent again; --force would"
            for address in report.unknown_before
        ),
    ]
    for line in said:
        err.print(f"  {line}", highlight=False, soft_wrap=True)
    counts = {
        "outcome unknown": len(report.unknown) + len(report.unknown_before),
        "refused": len(report.refused),
        "turned away for now": len(report.deferred),
        "invalid": len(readers.invalid),
    }
    others = "".join(f", {what} {n}" for what, n in counts.items() if n)
    out.print(
        f"{week}: sent {len(report.sent)}, already served {len(report.already)}{others} "
        f"(via {smtp.describe()})",
        highlight=False,
        soft_wrap=True,
    )
    problems = []
    if report.unsent:
        problems.append(f"stopped with {len(report.unsent)} not served ({report.failure})")
    if report.deferred:
        problems.append(f"{len(report.deferred)} turned away for now after every try")
    if report.unknown:
        problems.append(
            f"{len(report.unknown)} may or may not have received it ({report.failure}): they "
            "are not sent again; the mail server's log can tell"
        )
    if problems:
        raise ReportError("; ".join(problems) + "; run again to send to those not served only")


@command(epilog="Example: report publish --week 2025-W45 --send --subscribers subs.txt")
def publish(
    week: Annotated[
        str | None, typer.Option(help="ISO week to gather; default: the last complete week.")
    ] = None,
    gather_week: Annotated[
        bool,
        typer.Option("--gather/--no-gather", help="Gather first, or use the weeks as they are."),
    ] = True,
    send_digest: Annotated[
        bool, typer.Option("--send", help="Email the digest at the end.")
    ] = False,
    subscribers: Annotated[
        Path | None, typer.Option(envvar="REPORT_SUBSCRIBERS", help="For --send.")
    ] = None,
) -> None:
    """The scheduled build's sequence on this machine: gather, validate, write and verify,
    build the site, and with --send email the digest. The first failure stops the rest."""
    steps: list[tuple[str, Callable[[], None]]] = []
    if gather_week:
        steps.append(("gather", lambda: gather(week=week)))
    steps += [("validate", validate), ("build", build), ("verify", verify), ("site", site)]
    if send_digest:
        steps.append(("send", lambda: send(subscribers=subscribers)))
    for name, step in steps:
        err.print(f"[bold]report {name}[/bold]", highlight=False)
        step()


if __name__ == "__main__":
    app()
