"""Hostile input, failing sources, interrupted sends and builds: how each is handled, counted.

    .venv/bin/python bench/reliability.py

Every area tries its cases and prints one row: cases tried, handled cleanly (a named gap or one
clear error line, exit 1, never a traceback), tracebacks, data lost (blocks of sources that did
not fail, missing all the same; weeks or sites lost), duplicate emails sent, secrets leaked
(a key or password in any output, or a key sent to a host not its source's), and the longest
gather. Every fault and every hostile string is SYNTHETIC; the market data around them is the
real series the tests use. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import trustme  # noqa: E402
import yaml  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402

from report.errors import ReportError  # noqa: E402
from report.gather import default_sources, gather, validated  # noqa: E402
from report.http import HttpPolicy  # noqa: E402
from report.ledger import Ledger  # noqa: E402
from report.mail import Sender, compose_digest, message_body  # noqa: E402
from report.send import SmtpSettings, deliver  # noqa: E402
from report.weekfile import dump_yaml  # noqa: E402
from tests.api_answers import answer  # noqa: E402
from tests.conftest import SEED, edition_of  # noqa: E402
from tests.test_cli import SETTINGS_ERRORS  # noqa: E402
from tests.test_hostile import INVISIBLE, PAYLOADS, Markup, weeks_with  # noqa: E402
from tests.test_send import PASSWORD, Mailbox, killed_at_random, start_server  # noqa: E402

REPORT = str(Path(sys.executable).parent / "report")
LIVE = datetime(2025, 11, 10, 0, 10, tzinfo=UTC)  # W45, ten minutes after it ended
KEYS = {"COINGECKO_DEMO_API_KEY": "SYNTHETIC-CG-KEY-0123", "COINALYZE_API_KEY": "SYNTHETIC-CZ-9"}
HOME = {"COINGECKO_DEMO_API_KEY": "api.coingecko.com", "COINALYZE_API_KEY": "api.coinalyze.net"}
HOSTS = {
    "api.coingecko.com": "coingecko",
    "api.alternative.me": "alternative_me",
    "api.llama.fi": "defillama",
    "api.bybit.com": "bybit",
    "www.deribit.com": "deribit",
    "api.coinalyze.net": "coinalyze",
    "api.coinpaprika.com": "coinpaprika",
}
BLOCKS = {  # the blocks each source fills, as the week's `missing` names them
    "coingecko": ("assets",),
    "alternative_me": ("sentiment.fear_greed",),
    "defillama": ("incidents",),
    "bybit": ("derivatives.funding", "derivatives.open_interest"),
    "deribit": ("derivatives.basis",),
    "coinalyze": ("liquidations",),
}


@dataclass
class Row:
    area: str
    cases: int = 0
    clean: int = 0
    tracebacks: int = 0
    data_lost: int = 0
    duplicates: int = 0
    secrets: int = 0
    longest_s: float = 0.0
    problems: list[str] = field(default_factory=list)

    def case(self, clean: bool, traceback: bool = False, name: str = "") -> None:
        self.cases += 1
        self.clean += clean and not traceback
        self.tracebacks += traceback
        if not clean or traceback:
            self.problems.append(name or f"case {self.cases}")


def cli(args: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> tuple[int, str]:
    run = subprocess.run(
        [REPORT, *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return run.returncode, run.stdout + run.stderr


def one_clear_error(code: int, said: str) -> bool:
    lines = [line for line in said.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    return code == 1 and bool(errors) and "Traceback" not in said


# 1. Hostile text ---------------------------------------------------------------------------


def hostile_text(row: Row) -> None:
    """Each payload alone in every text field the APIs and the editorial file have; each of
    the page, the digest, the email's text and its HTML checked inert."""
    sender = Sender("weekly@example.org")
    with tempfile.TemporaryDirectory() as scratch:
        for n, payload in enumerate(PAYLOADS):
            folder = weeks_with([payload] * len(PAYLOADS), Path(scratch) / str(n))
            try:
                edition = edition_of(folder / "2025-W45.yaml")
                digest = compose_digest(edition, sender)
            except Exception:
                for _ in range(4):  # the page, the digest, the email's text and its HTML
                    row.case(False, traceback=True)
                continue
            # The text/plain part is shown as it is, never rendered: markup there is text, and
            # the reader sees it unescaped; only invisible characters must be gone.
            row.case(not any(c in digest.text for c in INVISIBLE))
            for text in (edition.page, edition.digest):
                ours = re.sub(r'<img (class="chart-static"|src="cid:)', "", text)
                inert = not re.search(r"<(script|img|svg|a|iframe)\b", ours)
                inert &= not re.search(r"(?<!\\)\]\(javascript:", text) and "\n---\n" not in text
                inert &= "{on" not in text.replace("\\{on", "") and "{:" not in text.replace(
                    "\\{:", ""
                )
                row.case(inert and not any(c in text for c in INVISIBLE))
            markup = Markup()
            markup.feed(digest.html)
            handlers = [a for a, _ in markup.attributes if a.startswith("on")]
            scripted = [v for _, v in markup.attributes if re.match(r"\s*javascript:", v, re.I)]
            row.case(
                not handlers
                and not scripted
                and markup.tags.count("img") == len(digest.images)
                and "script" not in markup.tags
            )


# 2. Week files and settings ----------------------------------------------------------------


def _raw(change: Callable[[dict[str, Any]], None]) -> str:
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    change(data)
    return yaml.safe_dump(data, sort_keys=False)


def _bomb() -> str:
    lines = ['a0: &a0 ["SYNTHETIC"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 10)]
    return "\n".join(lines) + "\n"


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


WEEK_FILES: dict[str, Callable[[], str | bytes]] = {
    "NaN price": lambda: _raw(_set(("assets", 0, "quote", "price"), math.nan)),
    "infinite sum": lambda: _raw(_set(("liquidations", "total_24h_usd"), math.inf)),
    "true as a price": lambda: _raw(_set(("assets", 0, "quote", "price"), True)),
    "a trillion-dollar coin": lambda: _raw(_set(("assets", 0, "quote", "price"), 1e12)),
    "a close of NaN": lambda: _raw(_set(("assets", 0, "closes", "values", 3), math.nan)),
    "start in 9999": lambda: _raw(_set(("assets", 0, "closes", "start"), "9999-12-01")),
    "1e308 liquidations": lambda: _raw(_set(("liquidations", "total_24h_usd"), 1e308)),
    "every close null": lambda: _raw(_set(("assets", 0, "closes", "values"), [None] * 365)),
    "a second assets key": lambda: SEED.read_text() + "assets: [{symbol: BTC}]\n",
    "an alias bomb": _bomb,
    "a merge key": lambda: "schema: 1\nweek: 2025-W45\n<<: {as_of: 2025-11-10}\n",
    "50 MB": lambda: b"#" * 50_000_000,
    "invalid UTF-8": lambda: b"schema: 1\nweek: \xff\xfe\n",
    "nested 100,000 deep": lambda: "[" * 100_000 + "]" * 100_000,
    "a bidi key": lambda: SEED.read_text() + "k\u202eey: 1\n",
    "named for another week": lambda: SEED.read_text(),
}


def week_files(row: Row) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        for name, make in WEEK_FILES.items():
            folder = Path(scratch) / str(row.cases)
            folder.mkdir()
            label = "2025-W46" if name == "named for another week" else "2025-W45"
            path = folder / f"{label}.yaml"
            content = make()
            path.write_bytes(content if isinstance(content, bytes) else content.encode())
            started = time.perf_counter()
            code, said = cli(["validate", str(path)])
            quick = time.perf_counter() - started < 10
            row.case(one_clear_error(code, said) and quick, traceback="Traceback" in said)
        twice = Path(scratch) / "twice"
        twice.mkdir()
        (twice / "2025-W45.yaml").write_bytes(SEED.read_bytes())
        (twice / "copy.yaml").write_bytes(SEED.read_bytes())
        code, said = cli(["validate", "--weeks-dir", str(twice)])
        row.case(one_clear_error(code, said), traceback="Traceback" in said)


def settings(row: Row) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        readers = Path(scratch) / "subscribers.txt"
        readers.write_text("reader@example.org\n")
        for args, env, said_first in SETTINGS_ERRORS:
            args = [a.replace("{subscribers}", str(readers)) for a in args]
            code, said = cli(args, env)
            row.case(
                one_clear_error(code, said) and said.strip().startswith(said_first),
                traceback="Traceback" in said,
            )


# 3. Sources --------------------------------------------------------------------------------


async def _drip() -> AsyncIterator[bytes]:
    for _ in range(200):
        await asyncio.sleep(0.3)
        yield b" "


def _walk(value: Any, number: Callable[[Any], Any], string: Callable[[str], Any]) -> Any:
    if isinstance(value, dict):
        return {k: _walk(v, number, string) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, number, string) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return number(value)
    return string(value)


def _mutated(response: httpx.Response, number: Any, string: Any) -> httpx.Response:
    body = _walk(response.json(), number, string)
    return httpx.Response(200, content=json.dumps(body, allow_nan=True).encode())


FAULTS: dict[str, Callable[[httpx.Request, httpx.Response], Any]] = {
    "hangs": lambda r, good: asyncio.sleep(3600),
    "drips a byte every 0.3 s": lambda r, good: httpx.Response(200, content=_drip()),
    "HTTP 500": lambda r, good: httpx.Response(500, text="SYNTHETIC outage"),
    "429, retry in an hour": lambda r, good: httpx.Response(429, headers={"Retry-After": "3600"}),
    "malformed JSON": lambda r, good: httpx.Response(200, content=b'{"data": ['),
    "an empty object": lambda r, good: httpx.Response(200, json={}),
    "a 100 KB error page": lambda r, good: httpx.Response(403, text="SYNTHETIC " * 10_000),
    "302 to another host": lambda r, good: httpx.Response(
        302, headers={"Location": "https://collector.example/steal"}
    ),
    "every number 1e300 times": lambda r, good: _mutated(good, lambda v: v * 1e300, str),
    "every number NaN": lambda r, good: _mutated(good, lambda v: math.nan, str),
    "every number 0": lambda r, good: _mutated(good, lambda v: 0, str),
    "every number negative": lambda r, good: _mutated(good, lambda v: -abs(v) - 1, str),
    "every string hostile": lambda r, good: _mutated(
        good, lambda v: v, lambda s: "{onmouseover=alert(1)}\u202e<script>"
    ),
}


def _liquidations(request: httpx.Request) -> httpx.Response:
    day = int(datetime(2025, 11, 9, tzinfo=UTC).timestamp())  # SYNTHETIC liquidations
    history = [{"t": day, "l": 2e8, "s": 5e7}]
    return httpx.Response(200, json=[{"symbol": "BTCUSDT_PERP.A", "history": history}])


async def _gather(faulty: str | None, fault: str | None, stolen: list[str]) -> tuple[Any, float]:
    async def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        sent = set(request.headers.values())
        stolen.extend(host for name, key in KEYS.items() if key in sent and host != HOME[name])
        if host == "collector.example":
            return httpx.Response(200, json={})
        source = HOSTS.get(host)
        good = (
            _liquidations(request)
            if request.url.path.endswith("/liquidation-history")
            else answer(request, LIVE.date())
        )
        if source == faulty and fault is not None:
            made = FAULTS[fault](request, good)
            return await made if asyncio.iscoroutine(made) else made  # type: ignore[no-any-return]
        return good

    started = time.perf_counter()
    policy = HttpPolicy(timeout_s=3.0, attempts=2, backoff_s=0.1, max_wait_s=2)
    gathered = await gather(
        "2025-W45",
        LIVE,
        KEYS,
        default_sources(),
        policy,
        transport=httpx.MockTransport(handler),
        deadline_s=15.0,
    )
    return gathered, time.perf_counter() - started


def _landed(gathered: Any) -> set[str]:
    """The blocks a gathered week holds (a block named missing does not count)."""
    missing = {g["field"] for g in gathered.record["missing"]}
    held = set()
    for source, blocks in BLOCKS.items():
        for block in blocks:
            top = block.split(".")[0]
            if gathered.record.get(top) is not None and block not in missing and top not in missing:
                held.add(f"{source}:{block}")
    return held


def sources(row: Row) -> None:
    stolen: list[str] = []
    baseline, seconds = asyncio.run(_gather(None, None, stolen))
    expected = _landed(baseline)
    row.longest_s = seconds
    for source in BLOCKS:
        for fault in FAULTS:
            stolen.clear()
            try:
                gathered, seconds = asyncio.run(_gather(source, fault, stolen))
            except ReportError:
                row.case(True)  # refused with a clear error (say, no Bitcoin price at all)
                continue
            except Exception as exc:
                row.case(False, traceback=True, name=f"{source} {fault}: {exc!r}")
                continue
            row.longest_s = max(row.longest_s, seconds)
            landed = _landed(gathered)
            others = {b for b in expected if not b.startswith(f"{source}:")}
            lost = others - landed
            row.data_lost += len(lost)
            text = dump_yaml(gathered.record)
            leaked = bool(stolen) or any(k in text for k in KEYS.values())
            row.secrets += leaked
            try:
                usable = validated(gathered) is not None
            except ReportError:  # without Bitcoin's price there is no week: said, and exit 1
                usable = source == "coingecko"
            gaps = {g["field"] for g in gathered.record["missing"]}
            said = all(
                f"{source}:{block}" in landed or block in gaps or block.split(".")[0] in gaps
                for block in BLOCKS[source]
            )
            why = f"{source} {fault}: usable={usable} said={said} lost={lost} leaked={leaked}"
            row.case(usable and said and not lost and not leaked, name=why)


# 4. Email ----------------------------------------------------------------------------------


def _smtp(box: Mailbox) -> tuple[Controller, SmtpSettings, str]:
    ca = trustme.CA()
    controller, port = start_server(box, ca)
    ca_file = str(Path(tempfile.mkdtemp()) / "ca.pem")
    ca.cert_pem.write_to_path(ca_file)
    settings = SmtpSettings(
        "127.0.0.1", port, "starttls", "report", PASSWORD, ca_file, 0.5, 2.0, 3, 0.05
    )
    return controller, settings, ca_file


EMAIL_FAULTS: dict[str, Callable[[Mailbox], None]] = {
    "drops after the 3rd message": lambda b: setattr(b, "drop_after", 3),
    "answers a message in 1 s (commands wait 0.5 s)": lambda b: setattr(b, "stall_s", 1.0),
    "answers a message in 3 s (messages wait 2 s)": lambda b: setattr(b, "stall_s", 3.0),
    "keeps the message, loses the answer": lambda b: setattr(b, "lose_answer", True),
    "busy (450) twice for everyone": lambda b: setattr(
        b, "busy", {f"reader{n}@example.org": 2 for n in range(8)}
    ),
    "busy (450) for good for one": lambda b: setattr(b, "busy", {"reader3@example.org": 99}),
    "refuses one (550)": lambda b: setattr(b, "refuse", {"reader5@example.org"}),
}


def email(row: Row) -> None:
    sender = Sender("weekly@example.org")
    body = message_body(compose_digest(edition_of(SEED), sender), sender)
    readers = [f"reader{n}@example.org" for n in range(8)]
    for fault in EMAIL_FAULTS.values():
        box = Mailbox()
        fault(box)
        controller, settings, ca_file = _smtp(box)
        with tempfile.TemporaryDirectory() as ledger_dir:
            try:
                said = []
                for _ in range(3):  # the run, then reruns as the schedule would
                    ledger = Ledger("2025-W45", Path(ledger_dir))
                    report = deliver(body, "2025-W45", readers, sender, settings, ledger)
                    said.append(repr(report))
                    box.drop_after, box.closed, box.lose_answer, box.stall_s = None, False, False, 0
                copies = Counter(box.to())
                row.duplicates += sum(n - 1 for n in copies.values() if n > 1)
                row.secrets += any(PASSWORD in s for s in said)
                row.case(max(copies.values(), default=1) == 1)
            except Exception:
                row.case(False, traceback=True)
            finally:
                controller.stop()
                shutil.rmtree(Path(ca_file).parent)
    kills(row)


def kills(row: Row, runs: int = 16) -> None:
    """`report send` to 120 readers, SIGKILLed at random moments, then run to the end."""
    box = Mailbox()
    box.stall_s = 0.03  # as the kill test: a window between acceptance and answer to kill in
    controller, settings, ca_file = _smtp(box)
    env = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(settings.port),
        "SMTP_USERNAME": "report",
        "SMTP_PASSWORD": PASSWORD,
        "SMTP_CA_FILE": ca_file,
        "REPORT_MAIL_FROM": "weekly@example.org",
    }
    chance = random.Random(13)
    with tempfile.TemporaryDirectory() as scratch:
        readers = Path(scratch) / "subscribers.txt"
        readers.write_text("".join(f"reader{n:03d}@example.org\n" for n in range(120)))
        command = [REPORT, "send", str(SEED), "--subscribers", str(readers)]
        command += ["--ledger-dir", str(Path(scratch) / "sent")]
        killed_at_random(command, env, runs, chance)
        row.cases += runs
        _, said = cli(command[1:], env)
        copies = Counter(box.to())
        duplicates = sum(n - 1 for n in copies.values() if n > 1)
        row.duplicates += duplicates
        row.secrets += PASSWORD in said
        row.clean += runs if duplicates == 0 and "Traceback" not in said else 0
    controller.stop()
    shutil.rmtree(Path(ca_file).parent)


# 5. Site -----------------------------------------------------------------------------------


def site(row: Row, runs: int = 6) -> None:
    """`report site` killed at random moments in a copy of the project: the last good site is
    there after every kill, and the next build clears what the killed one left."""
    chance = random.Random(7)
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch)
        shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
        shutil.copytree(ROOT / "overrides", project / "overrides")
        shutil.copytree(ROOT / "site", project / "site", ignore=shutil.ignore_patterns("weeks"))
        shutil.copytree(ROOT / "data", project / "data")
        code, said = cli(["site"], cwd=project)
        assert code == 0, said
        for n in range(runs):
            (project / "site" / "about.md").write_text(f"# About\n\nEdition {n}.\n")
            process = subprocess.Popen(
                [REPORT, "site"], cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            time.sleep(chance.uniform(0.5, 4.0))
            process.send_signal(signal.SIGKILL)
            process.wait()
            intact = (project / "public" / "index.html").exists()
            row.data_lost += not intact
            code, said = cli(["site"], cwd=project)
            leftovers = [p.name for p in project.glob(".public-*")]
            row.case(intact and code == 0 and not leftovers, traceback="Traceback" in said)


def main() -> None:
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    areas: list[tuple[str, Callable[[Row], None]]] = [
        ("hostile text", hostile_text),
        ("week files", week_files),
        ("settings", settings),
        ("sources", sources),
        ("email", email),
        ("site builds", site),
    ]
    rows = []
    for name, run in areas:
        row = Row(name)
        started = time.perf_counter()
        run(row)
        rows.append(row)
        print(f"  {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    header = ("area", "cases", "handled", "tracebacks", "data lost", "duplicates", "secrets")
    print("| " + " | ".join(header) + " | longest gather |")
    print("|" + "---|" * (len(header) + 1))
    for r in rows:
        longest = f"{r.longest_s:.1f} s" if r.area == "sources" else ""
        cells = (r.area, r.cases, r.clean, r.tracebacks, r.data_lost, r.duplicates, r.secrets)
        print("| " + " | ".join(str(c) for c in cells) + f" | {longest} |")
    for r in rows:
        for problem in r.problems:
            print(f"  {r.area}: not handled: {problem}", file=sys.stderr)


if __name__ == "__main__":
    main()
