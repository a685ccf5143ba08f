"""The command as a user runs it: help with examples, clean errors, nothing half-written."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from report.cli import app
from tests.conftest import ROOT, SEED, sample_weeks

runner = CliRunner()
COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands if c.callback)


def test_commands() -> None:
    assert COMMANDS == [
        "build",
        "digest",
        "gather",
        "publish",
        "rebuild",
        "send",
        "site",
        "validate",
        "verify",
    ]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_ends_with_a_runnable_example(command: str) -> None:
    result = runner.invoke(app, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    example = [line.strip() for line in result.output.splitlines() if "Example:" in line]
    assert example and example[0].startswith("Example: report ")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"report {command}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_build_then_verify(tmp_path: Path) -> None:
    pages, digests = tmp_path / "pages", tmp_path / "digests"
    sample_weeks(tmp_path / "weeks")
    args = [
        "--pages",
        str(pages),
        "--digests",
        str(digests),
        "--weeks-dir",
        str(tmp_path / "weeks"),
    ]
    result = runner.invoke(app, ["build", *args])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in pages.iterdir()) == [
        "2025-W19.md",
        "2025-W38.md",
        "2025-W44.md",
        "2025-W45.md",
        "2026-W03.md",
        "2026-W04.md",
    ]
    assert runner.invoke(app, ["verify", *args]).exit_code == 0

    page = pages / "2025-W45.md"
    page.write_text(page.read_text() + "\nA forecast of $250,000.\n")
    result = runner.invoke(app, ["verify", *args])
    assert result.exit_code == 1
    assert f"{page}:" in result.output and "'$250,000'" in result.output


def test_bad_week_exits_non_zero_and_leaves_the_last_good_output(
    tmp_path: Path, week_variant: Callable[..., Path]
) -> None:
    pages, digests = tmp_path / "pages", tmp_path / "digests"
    args = ["--pages", str(pages), "--digests", str(digests)]
    assert runner.invoke(app, ["build", str(SEED), *args]).exit_code == 0
    before = {p: p.read_bytes() for p in [*pages.iterdir(), *digests.iterdir()]}

    def broken(d: dict[str, Any]) -> None:
        d["assets"][0]["quote"]["price"] = -1

    result = runner.invoke(app, ["build", str(week_variant(broken)), *args])
    assert result.exit_code == 1
    assert "assets[0].quote.price: Input should be greater than 0" in result.output
    assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in [*pages.iterdir(), *digests.iterdir()]} == before


def test_digest_prints_markdown() -> None:
    result = runner.invoke(app, ["digest", str(SEED), "--site-url", "https://report.example/"])
    assert result.exit_code == 0
    assert result.output.startswith("# Bitcoin Falls Below $104K")
    assert "https://report.example/weeks/2025-W45.html" in result.output  # the page, as built


def test_installed_command_runs() -> None:
    result = subprocess.run(
        [Path(sys.executable).parent / "report", "validate"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "data/weeks/2025-W45.yaml: valid" in result.stdout


def test_publish_runs_the_weekly_sequence_and_stops_at_the_first_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a copy of the project: a good run builds the site; with a broken week it stops at
    validation, and the site built before is left as it was."""
    from tests.test_site import site_folder

    site_folder(tmp_path)
    sample_weeks(tmp_path / "data" / "weeks")
    monkeypatch.chdir(tmp_path)
    good = CliRunner().invoke(app, ["publish", "--no-gather"])
    assert good.exit_code == 0, good.output
    assert "verified 6 week(s)" in good.output and (tmp_path / "public" / "index.html").exists()
    before = (tmp_path / "public" / "index.html").read_bytes()

    broken = tmp_path / "data" / "weeks" / "2026-W04.yaml"
    broken.write_text(re.sub(r"^schema: \d+", "schema: 99", broken.read_text(), count=1))
    bad = CliRunner().invoke(app, ["publish", "--no-gather", "--send"])
    assert bad.exit_code == 1
    assert "2026-W04.yaml" in bad.output and "report build" not in bad.output
    assert (tmp_path / "public" / "index.html").read_bytes() == before


def test_the_command_line_loads_without_the_heavy_parts() -> None:
    """`report site` starts its chart drawer before loading these (report/cli.py)."""
    heavy = ("altair", "mkdocs", "pydantic", "httpx", "jinja2", "vl_convert")
    code = f"import sys, report.cli; print([m for m in {heavy!r} if m in sys.modules])"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert loaded.stdout.strip() == "[]"


SETTINGS_ERRORS = [
    (["site", "--config", "nope.yml"], {}, "error: --config nope.yml: Config file 'nope.yml'"),
    (["gather", "--week", "../x"], {}, "error: --week: a week looks like 2025-W45, not '../x'"),
    (["gather", "--week", "2025-W99"], {}, "error: --week: 2025-W99 is not an ISO week"),
    (["gather", "--week", "2026-w48"], {}, "error: --week: a week looks like 2025-W45"),
    (["gather", "--week", "0001-W01"], {}, "error: --week: 0001-W01: the year must lie"),
    (["gather", "--week", "2026-W48\n"], {}, "error: --week: a week looks like 2025-W45"),
    (["gather", "--week", "\u0662\u0660\u0662\u0666-W48"], {}, "error: --week: a week looks"),
    (["gather", "--week", "2099-W52"], {}, "error: --week: 2099-W52 has not begun yet"),
    (
        ["gather"],
        {"COINGECKO_DEMO_API_KEY": "\u043a\u043b\u044e\u0447"},
        "error: COINGECKO_DEMO_API_KEY must be printable ASCII",
    ),
    (
        ["send", "--subscribers", "{subscribers}"],
        {"SMTP_HOST": "a..b", "REPORT_MAIL_FROM": "weekly@example.org"},
        "error: SMTP_HOST is not a host name or an IP address: 'a..b'",
    ),
    (
        ["send", "--subscribers", "{subscribers}"],
        {
            "SMTP_HOST": "mail.example.org",
            "SMTP_PORT": "99999",
            "REPORT_MAIL_FROM": "w@example.org",
        },
        "error: SMTP_PORT must be a port number (1 to 65535), not '99999'",
    ),
    (["validate", "nowhere/2025-W45.yaml"], {}, "error: nowhere/2025-W45.yaml: cannot read"),
    (
        ["send", "--subscribers", "{subscribers}", "--dry-run"],
        {"REPORT_MAIL_FROM": "w@example.org", "REPORT_MAIL_NAME": 'Bad "Name"\nBcc: x@y.z'},
        "error: REPORT_MAIL_NAME must be printable",
    ),
    (
        ["send", "--subscribers", "{subscribers}", "--dry-run"],
        {"REPORT_MAIL_FROM": "w@example.org", "REPORT_UNSUBSCRIBE_URL": "http://x.org/u"},
        "error: REPORT_UNSUBSCRIBE_URL must be an https address",
    ),
]


@pytest.mark.parametrize(("args", "env", "said"), SETTINGS_ERRORS)
def test_a_wrong_setting_is_one_line_and_exit_1(
    tmp_path: Path, args: list[str], env: dict[str, str], said: str
) -> None:
    """No traceback, nothing started: the setting named, the program stopped."""
    subscribers = tmp_path / "subscribers.txt"
    subscribers.write_text("reader@example.org\n", encoding="utf-8")
    args = [a.replace("{subscribers}", str(subscribers)) for a in args]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(said), result.output
