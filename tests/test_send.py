"""The digest by email, against a real SMTP server (aiosmtpd) on 127.0.0.1: STARTTLS, login."""

from __future__ import annotations

import asyncio
import os
import random
import socket
import ssl
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from typer.testing import CliRunner

from report.cli import app
from report.ledger import Ledger
from report.subscribers import read_subscribers
from tests.conftest import ROOT, SEED, edition_of

PASSWORD = "s3cret-never-printed"
PAGE = "https://example.org/crypto-weekly/weeks/2025-W45.html"  # mkdocs.yml's site_url


@dataclass
class Mailbox:
    """What the server saw, and how it is told to misbehave."""

    received: list[tuple[list[str], bytes]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    drop_after: int | None = None  # drop the connection when this many messages have arrived
    closed: bool = False  # after the drop, refuse every sender: the service is gone
    logins: list[str] = field(default_factory=list)
    tls_sessions: int = 0
    busy: dict[str, int] = field(default_factory=dict)  # address: 450s to give before a 250
    stall_s: float = 0.0  # the wait before answering a whole message
    lose_answer: bool = False  # keep each message, then drop the connection without a word

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        if self.busy.get(address):
            self.busy[address] -= 1
            return "450 4.2.1 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.closed:
            return "421 4.3.2 service shutting down"
        if session.ssl:
            self.tls_sessions += 1
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.drop_after is not None and len(self.received) == self.drop_after:
            self.closed = True
            server.transport.close()  # the message is lost with the connection
            return "421 4.4.2 connection dropped"
        self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        await asyncio.sleep(self.stall_s)
        if self.lose_answer:
            server.transport.close()
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password == PASSWORD.encode()
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535

    def to(self) -> list[str]:
        return [address for rcpt, _ in self.received for address in rcpt]


Server = tuple[Mailbox, dict[str, str]]
Writer = Callable[..., Path]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def start_server(box: Mailbox, ca: trustme.CA) -> tuple[Controller, int]:
    """aiosmtpd on 127.0.0.1 behind `box`: STARTTLS with a certificate from `ca`, login
    required; and its port."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    port = _free_port()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=box.authenticate,
        auth_required=True,
    )
    controller.start()
    return controller, port


@pytest.fixture
def smtp_server(ca: trustme.CA, tmp_path: Path) -> Iterator[tuple[Mailbox, dict[str, str]]]:
    """A STARTTLS server that requires login, and the environment that reaches it."""
    box = Mailbox()
    controller, port = start_server(box, ca)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    env = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_SECURITY": "starttls",
        "SMTP_USERNAME": "report",
        "SMTP_PASSWORD": PASSWORD,
        "SMTP_CA_FILE": str(ca_file),
        "REPORT_MAIL_FROM": "weekly@example.org",
        "REPORT_UNSUBSCRIBE_URL": "https://example.org/unsubscribe",
    }
    try:
        yield box, env
    finally:
        controller.stop()


@pytest.fixture
def subscribers(tmp_path: Path) -> Callable[..., Path]:
    def write(*lines: str) -> Path:
        path = tmp_path / "subscribers.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write


def send(
    env: dict[str, str], subscribers: Path, ledger: Path, *extra: str, week: Path = SEED
) -> Any:
    args = ["send", str(week), "--subscribers", str(subscribers), "--ledger-dir", str(ledger)]
    return CliRunner().invoke(app, [*args, *extra], env=env)


def parsed(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def test_the_digest_arrives_whole(smtp_server: Server, subscribers: Writer, tmp_path: Path) -> None:
    box, env = smtp_server
    readers = subscribers(
        "# readers", "ana@example.org", "ben@example.net  # since May", "nope@", ""
    )
    result = send(env, readers, tmp_path / "sent")
    assert result.exit_code == 0, result.output
    assert sorted(box.to()) == ["ana@example.org", "ben@example.net"]
    assert box.logins == ["report", "report"] or box.logins == ["report"]  # one connection
    assert box.tls_sessions == 2
    assert "sent 2, already served 0, invalid 1" in result.output
    assert "subscribers.txt:4" in result.output  # the invalid line, named
    assert PASSWORD not in result.output

    message = parsed(box.received[0][1])
    assert message["To"] == box.received[0][0][0]
    assert message["From"] == "The Weekly Crypto Market Report <weekly@example.org>"
    assert message["Message-ID"].endswith("@example.org>")  # the address's domain, not the name
    assert message["Subject"] == edition_of(SEED).title  # the headline, as on the page
    assert message["List-Unsubscribe"] == (
        "<https://example.org/unsubscribe>, <mailto:weekly@example.org?subject=unsubscribe>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    text = plain.get_content()
    assert text.startswith("# Bitcoin") and PAGE in text
    assert "To unsubscribe, visit https://example.org/unsubscribe or reply with the word" in text
    assert "&lt;" not in text and "\\" not in text and "**" not in text  # clean text
    page = html.get_content()
    assert '<h1 style="' in page and f'<a href="{PAGE}">View this week' in page
    assert '<a href="https://example.org/unsubscribe">unsubscribe here</a>' in page
    assert "Not investment advice" in page and 'name="color-scheme"' in page
    assert "<strong>The Weekly Crypto Market Report</strong>" in page  # the masthead
    assert "background:#ffffff;color:#1a1a1a" in page  # the ground set with the text
    related = [p for p in message.walk() if p.get_content_maintype() == "image"]
    assert len(related) == 1  # the price chart; the page has the others
    for image in related:
        cid = image["Content-ID"].strip().strip("<>")
        assert f'src="cid:{cid}"' in page
        assert image.get_content()[:3] == b"\xff\xd8\xff"  # a JPEG, drawn on white
        assert image.get_content_disposition() == "inline" and image.get_filename() is None
    assert len(box.received[0][1]) <= 150_000  # a message, image and both parts included
    assert message["Message-ID"] != parsed(box.received[1][1])["Message-ID"]


def test_a_non_ascii_protocol_name_travels_encoded(
    smtp_server: Server,
    subscribers: Writer,
    tmp_path: Path,
    week_variant: Callable[..., Path],
) -> None:
    """A SYNTHETIC name on the seed week's largest incident."""
    box, env = smtp_server

    def rename(data: dict[str, Any]) -> None:
        data["incidents"][0]["protocol"] = "Zürich Ætherië Finance"
        data["incidents"][0]["target"] = "DeFi Protocol"  # still the week's largest DeFi loss

    week = week_variant(rename)
    result = send(env, subscribers("ana@example.org"), tmp_path / "sent", week=week)
    assert result.exit_code == 0, result.output
    raw = box.received[0][1]
    raw.decode("ascii")  # every byte on the wire is ASCII: the text is quoted-printable
    message = parsed(raw)
    assert "Zürich Ætherië Finance" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Zürich Ætherië Finance" in message.get_body(("html",)).get_content()  # type: ignore[union-attr]


def test_a_refused_recipient_does_not_stop_the_others(
    smtp_server: Server, subscribers: Writer, tmp_path: Path
) -> None:
    box, env = smtp_server
    box.refuse = {"gone@example.org"}
    readers = subscribers("ana@example.org", "gone@example.org", "ben@example.net")
    result = send(env, readers, tmp_path / "sent")
    assert result.exit_code == 0, result.output
    assert box.to() == ["ana@example.org", "ben@example.net"]
    assert "refused gone@example.org: 550 5.1.1 mailbox unavailable" in result.output
    ledger = Ledger("2025-W45", tmp_path / "sent")
    assert ledger.served("ana@example.org") and not ledger.served("gone@example.org")


def test_a_dropped_connection_stops_and_the_rerun_sends_no_one_twice(
    smtp_server: Server, subscribers: Writer, tmp_path: Path
) -> None:
    box, env = smtp_server
    names = [f"reader{n}@example.org" for n in range(5)]
    readers = subscribers(*names)
    box.drop_after = 2  # the third message is lost with the connection; then the service is gone
    first = send(env, readers, tmp_path / "sent")
    assert first.exit_code == 1
    assert "outcome unknown reader2@example.org: lost after the message went" in first.output
    assert "stopped with 2 not served" in first.output and "run again" in first.output
    assert "1 may or may not have received it" in first.output
    assert box.to() == names[:2]

    box.drop_after, box.closed = None, False  # the service is back
    second = send(env, readers, tmp_path / "sent")
    assert second.exit_code == 0, second.output
    assert "sent 2, already served 2, outcome unknown 1" in second.output
    assert "outcome unknown reader2@example.org (an earlier run): not sent again" in second.output
    # Everyone at most once: the one whose copy may have arrived is not sent it again.
    assert sorted(box.to()) == sorted(names[:2] + names[3:])

    third = send(env, readers, tmp_path / "sent")
    assert "sent 0, already served 4, outcome unknown 1" in third.output and len(box.to()) == 4
    forced = send(env, readers, tmp_path / "sent", "--force")
    assert "sent 5" in forced.output and len(box.to()) == 9


def test_a_wrong_password_fails_without_printing_it(
    smtp_server: Server, subscribers: Writer, tmp_path: Path
) -> None:
    _, env = smtp_server
    wrong = {**env, "SMTP_PASSWORD": "wrong-" + PASSWORD}
    result = send(wrong, subscribers("ana@example.org"), tmp_path / "sent")
    assert result.exit_code == 1
    assert "535" in result.output and "1 not served" in result.output
    assert PASSWORD not in result.output


def test_dry_run_writes_eml_files_and_sends_nothing(subscribers: Writer, tmp_path: Path) -> None:
    readers = subscribers("ana@example.org", "ben@example.net")
    outbox = tmp_path / "outbox"
    result = send({}, readers, tmp_path / "sent", "--dry-run", "--outbox", str(outbox))
    assert result.exit_code == 0, result.output
    files = sorted(outbox.glob("*.eml"))
    assert [parsed(f.read_bytes())["To"] for f in files] == ["ana@example.org", "ben@example.net"]
    assert not (tmp_path / "sent").exists()  # the ledger is untouched


def test_a_dry_run_writes_the_message_a_real_send_sends(
    smtp_server: Server, subscribers: Writer, tmp_path: Path
) -> None:
    box, env = smtp_server
    readers = subscribers("ana@example.org")
    outbox = tmp_path / "outbox"
    assert send(env, readers, tmp_path / "dry", "--dry-run", "--outbox", str(outbox)).exit_code == 0
    assert send(env, readers, tmp_path / "sent").exit_code == 0
    preview, sent = parsed(next(outbox.glob("*.eml")).read_bytes()), parsed(box.received[0][1])
    for header in (
        "From",
        "To",
        "Subject",
        "Message-ID",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
    ):
        assert preview[header] == sent[header], header
    for kind in ("plain", "html"):
        assert preview.get_body((kind,)).get_content() == sent.get_body((kind,)).get_content()  # type: ignore[union-attr]


def test_sending_without_settings_names_what_is_missing(
    subscribers: Writer, tmp_path: Path
) -> None:
    result = send({}, subscribers("ana@example.org"), tmp_path / "sent")
    assert result.exit_code == 1
    assert "set SMTP_HOST and REPORT_MAIL_FROM" in result.output


def test_the_subscribers_file_skips_comments_repeats_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "subscribers.txt"
    path.write_text(
        "# list\nana@example.org\n\nANA@example.org # again\nno spaces@example.org\nben@x.io\n"
    )
    readers = read_subscribers(path)
    assert readers.addresses == ["ana@example.org", "ben@x.io"]
    assert readers.invalid == [f"{path}:5: 'no spaces@example.org' is not an email address"]


def test_a_mailbox_busy_for_now_is_tried_again_and_then_reported(
    smtp_server: Server, subscribers: Writer, tmp_path: Path
) -> None:
    """A 450 was once counted as refused, and the run exited 0."""
    box, env = smtp_server
    env = {**env, "SMTP_RETRY_WAIT": "0.05"}
    box.busy = {"ana@example.org": 2, "ben@example.net": 5}  # ana gets in on the third try
    readers = subscribers("ana@example.org", "ben@example.net")
    first = send(env, readers, tmp_path / "sent")
    assert first.exit_code == 1
    assert "turned away for now ben@example.net: 450 4.2.1 mailbox busy" in first.output
    assert "1 turned away for now after every try" in first.output
    assert box.to() == ["ana@example.org"]
    second = send(env, readers, tmp_path / "sent")  # two 450s left for ben: the third try lands
    assert second.exit_code == 0, second.output
    assert "sent 1, already served 1" in second.output
    assert box.to() == ["ana@example.org", "ben@example.net"]


def test_a_slow_answer_to_the_message_is_waited_for(
    smtp_server: Server, subscribers: Writer, tmp_path: Path
) -> None:
    """The answer after the final dot comes in 1.5 s, past each command's 0.5 s: RFC 5321
    allows 10 minutes, and giving up sooner once sent the digest twice."""
    box, env = smtp_server
    box.stall_s = 1.5
    readers = subscribers("ana@example.org", "ben@example.net")
    result = send({**env, "SMTP_TIMEOUT": "0.5"}, readers, tmp_path / "sent")
    assert result.exit_code == 0, result.output
    assert "sent 2, already served 0" in result.output
    assert box.to() == ["ana@example.org", "ben@example.net"]
    # Past the answer's own limit, the copy's fate is unknown: listed, and not sent again.
    impatient = {**env, "SMTP_TIMEOUT": "0.5", "SMTP_DATA_TIMEOUT": "0.5"}
    late = send(impatient, subscribers("cy@example.org"), tmp_path / "sent")
    assert late.exit_code == 1 and "outcome unknown cy@example.org" in late.output
    send(env, subscribers("cy@example.org"), tmp_path / "sent")
    assert box.to().count("cy@example.org") == 1


def test_a_message_whose_answer_is_lost_is_never_sent_again_unasked(
    smtp_server: Server, subscribers: Writer, tmp_path: Path
) -> None:
    box, env = smtp_server
    box.lose_answer = True  # the server keeps the message and hangs up before saying so
    readers = subscribers("ana@example.org")
    first = send(env, readers, tmp_path / "sent")
    assert first.exit_code == 1 and "1 may or may not have received it" in first.output
    box.lose_answer = False
    for _ in range(2):
        again = send(env, readers, tmp_path / "sent")
        assert again.exit_code == 0, again.output
        assert "outcome unknown ana@example.org (an earlier run): not sent again" in again.output
    assert box.to() == ["ana@example.org"]  # once, though the program never heard it arrive
    assert Ledger("2025-W45", tmp_path / "sent").state("ana@example.org") == "sending"


def test_each_copy_has_a_message_id_fixed_by_week_and_address(
    smtp_server: Server, subscribers: Writer, tmp_path: Path
) -> None:
    box, env = smtp_server
    readers = subscribers("ana@example.org", "ben@example.net")
    send(env, readers, tmp_path / "sent")
    send(env, readers, tmp_path / "sent", "--force")
    ids = [parsed(raw)["Message-ID"] for _, raw in box.received]
    assert ids[0] == ids[2] and ids[1] == ids[3] and ids[0] != ids[1]
    assert ids[0].startswith("<2025-w45.") and ids[0].endswith("@example.org>")


def killed_at_random(
    command: list[str], env: dict[str, str], runs: int, chance: random.Random
) -> None:
    """Run `command` `runs` times, each SIGKILLed after 2 to 6 s: composing takes about two
    seconds, sending more."""
    for _ in range(runs):
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(chance.uniform(2.0, 6.0))
        process.kill()
        process.wait()


@pytest.mark.slow
def test_killed_at_random_moments_no_one_gets_the_week_twice(
    smtp_server: Server, subscribers: Writer, tmp_path: Path
) -> None:
    """`report send` to 120 readers, killed (SIGKILL) at a random moment, run after run, then
    run to the end: every reader at most once. (Before the ledger said `sending`, 16 such runs
    sent 13 duplicates.)"""
    box, env = smtp_server
    box.stall_s = 0.03  # widen the window between the server's acceptance and its answer
    readers = subscribers(*(f"reader{n:03d}@example.org" for n in range(120)))
    command = [str(Path(sys.executable).parent / "report"), "send", str(SEED)]
    command += ["--subscribers", str(readers), "--ledger-dir", str(tmp_path / "sent")]
    killed_at_random(command, env, 16, random.Random(13))
    final = subprocess.run(
        command, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    copies = Counter(box.to())
    assert max(copies.values()) == 1, [a for a, n in copies.items() if n > 1]
    ledger = Ledger("2025-W45", tmp_path / "sent")
    states = Counter(str(ledger.state(f"reader{n:03d}@example.org")) for n in range(120))
    assert states["sent"] + states["sending"] == 120, (states, final.stdout, final.stderr)
    assert len(copies) >= states["sent"]  # every copy the ledger says was sent, arrived
    assert states["sending"] >= 1  # else no kill fell inside the window, and this proved little


def test_the_postal_address_is_in_both_parts_when_set() -> None:
    from report.mail import compose_digest
    from report.send import sender_from

    env = {"REPORT_MAIL_FROM": "w@example.org", "REPORT_POSTAL_ADDRESS": "1 Example Street, Town"}
    digest = compose_digest(edition_of(SEED), sender_from(env))
    assert "1 Example Street, Town" in digest.text and "1 Example Street, Town" in digest.html
    assert (
        "Example Street"
        not in compose_digest(
            edition_of(SEED), sender_from({**env, "REPORT_POSTAL_ADDRESS": ""})
        ).html
    )
