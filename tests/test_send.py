"""The digest by email, against a real SMTP server (aiosmtpd) on 127.0.0.1: STARTTLS, login."""

from __future__ import annotations

import socket
import ssl
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
from tests.conftest import SEED

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

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
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


@pytest.fixture
def smtp_server(ca: trustme.CA, tmp_path: Path) -> Iterator[tuple[Mailbox, dict[str, str]]]:
    """A STARTTLS server that requires login, and the environment that reaches it."""
    box = Mailbox()
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
    assert "sent 2, already served 0, refused 0, invalid 1" in result.output
    assert "subscribers.txt:4" in result.output  # the invalid line, named
    assert PASSWORD not in result.output

    message = parsed(box.received[0][1])
    assert message["To"] == box.received[0][0][0]
    assert message["From"] == "weekly@example.org"
    assert message["Subject"].endswith("(2025-W45)") and "Bitcoin" in message["Subject"]
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
    assert "To unsubscribe, reply with the word unsubscribe" in text
    page = html.get_content()
    assert '<h1 style="' in page and PAGE in page and "To unsubscribe" in page
    related = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert len(related) == 3
    for image in related:
        cid = image["Content-ID"].strip().strip("<>")
        assert f'src="cid:{cid}"' in page
        assert image.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
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
    assert "stopped with 3 not served" in first.output and "run again" in first.output
    assert box.to() == names[:2]

    box.drop_after, box.closed = None, False  # the service is back
    second = send(env, readers, tmp_path / "sent")
    assert second.exit_code == 0, second.output
    assert "sent 3, already served 2" in second.output
    assert sorted(box.to()) == sorted(names)  # everyone once, no one twice

    third = send(env, readers, tmp_path / "sent")
    assert "sent 0, already served 5" in third.output and len(box.to()) == 5
    forced = send(env, readers, tmp_path / "sent", "--force")
    assert "sent 5" in forced.output and len(box.to()) == 10


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
