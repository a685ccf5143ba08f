"""Deliver the digest over SMTP, one connection for every recipient, each served at most once.

Settings come from the environment only:

    SMTP_HOST, SMTP_PORT (default 587, or 465 with SSL), SMTP_SECURITY (starttls or ssl),
    SMTP_USERNAME, SMTP_PASSWORD, SMTP_CA_FILE (a private CA to trust, optional),
    REPORT_MAIL_FROM (the sender), REPORT_UNSUBSCRIBE_URL (optional)

The password is never printed: every message that leaves this module has it redacted. A
recipient the server refuses is listed and the others still get theirs. When the connection
drops, the run reconnects once and goes on; if that fails it stops, and the recipients not yet
served are listed, so that the next run (the ledger knows who was served) sends only to them.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from report.errors import ConfigError
from report.ledger import Ledger
from report.mail import Sender, addressed
from report.subscribers import ADDRESS

SECURITY = ("starttls", "ssl")
TIMEOUT_S = 30.0


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    username: str | None
    password: str | None
    ca_file: str | None

    def redact(self, text: str) -> str:
        return text.replace(self.password, "[redacted]") if self.password else text

    def describe(self) -> str:
        user = f" as {self.username}" if self.username else ""
        return f"{self.host}:{self.port} ({self.security}){user}"


_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def _is_host(host: str) -> bool:
    """A DNS name in ASCII (labels of letters, digits and inner hyphens) or an IP address."""
    with contextlib.suppress(ValueError):
        ipaddress.ip_address(host)
        return True
    labels = host.removesuffix(".").split(".")
    return len(host) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in labels)


def settings_from(env: Mapping[str, str]) -> tuple[SmtpSettings, Sender]:
    """The SMTP settings and the sender, or a clear error naming what is missing."""
    host, sender = env.get("SMTP_HOST", ""), env.get("REPORT_MAIL_FROM", "")
    missing = [
        name for name, value in (("SMTP_HOST", host), ("REPORT_MAIL_FROM", sender)) if not value
    ]
    if missing:
        raise ConfigError(f"set {' and '.join(missing)} to send (see the README: Email)")
    if not ADDRESS.match(sender):
        raise ConfigError(f"REPORT_MAIL_FROM is not an email address: {sender[:80]!r}")
    if not _is_host(host):
        raise ConfigError(f"SMTP_HOST is not a host name or an IP address: {host[:80]!r}")
    security = env.get("SMTP_SECURITY", "starttls").lower()
    if security not in SECURITY:
        raise ConfigError(f"SMTP_SECURITY must be starttls or ssl, not {security[:20]!r}")
    port_text = env.get("SMTP_PORT") or ("465" if security == "ssl" else "587")
    if not (port_text.isascii() and port_text.isdigit() and 0 < int(port_text) < 65536):
        raise ConfigError(f"SMTP_PORT must be a port number (1 to 65535), not {port_text[:20]!r}")
    smtp = SmtpSettings(
        host=host,
        port=int(port_text),
        security=security,
        username=env.get("SMTP_USERNAME") or None,
        password=env.get("SMTP_PASSWORD") or None,
        ca_file=env.get("SMTP_CA_FILE") or None,
    )
    return smtp, Sender(sender, env.get("REPORT_UNSUBSCRIBE_URL") or None)


def connect(settings: SmtpSettings) -> smtplib.SMTP:
    """An authenticated connection; TLS is always verified against the system's CAs or
    SMTP_CA_FILE."""
    context = ssl.create_default_context(cafile=settings.ca_file)
    smtp: smtplib.SMTP
    if settings.security == "ssl":
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT_S, context=context)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_S)
    try:
        if settings.security == "starttls":
            smtp.starttls(context=context)
        if settings.username and settings.password:
            smtp.login(settings.username, settings.password)
    except BaseException:
        smtp.close()
        raise
    return smtp


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # served by an earlier run
    refused: dict[str, str] = field(default_factory=dict)
    unsent: list[str] = field(default_factory=list)  # the connection failed before them
    failure: str | None = None

    @property
    def complete(self) -> bool:
        return not self.unsent


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return f"{code} {_text(text)}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return str(exc) or type(exc).__name__


def deliver(
    body: bytes,
    week: str,
    recipients: list[str],
    sender: Sender,
    settings: SmtpSettings,
    ledger: Ledger,
    force: bool = False,
    opener: Callable[[SmtpSettings], smtplib.SMTP] = connect,
) -> SendReport:
    report = SendReport()
    pending: list[str] = []
    for address in recipients:
        (pending if force or not ledger.served(address) else report.already).append(address)
    if not pending:
        return report
    smtp: smtplib.SMTP | None = None
    done = 0  # recipients dealt with (sent or refused)
    try:
        for address in pending:
            for attempt in (1, 2):
                try:
                    if smtp is None:
                        smtp = opener(settings)
                    smtp.sendmail(sender.address, [address], addressed(body, address, week, sender))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                    report.refused[address] = settings.redact(_reason(exc))
                except (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError) as exc:
                    if smtp is not None:
                        smtp.close()
                    smtp = None  # reconnect once, then give up
                    if attempt == 2:
                        raise
                    report.failure = settings.redact(_reason(exc))
                    continue
                else:
                    ledger.record(address)
                    report.sent.append(address)
                break
            done += 1
    except (smtplib.SMTPException, OSError) as exc:
        report.failure = settings.redact(f"{settings.describe()}: {_reason(exc)}")
        report.unsent = pending[done:]
    finally:
        if smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.quit()
    if report.complete:
        report.failure = None
    return report


def write_outbox(
    body: bytes, week: str, recipients: list[str], sender: Sender, folder: Path
) -> list[Path]:
    """--dry-run: each recipient's message as an .eml file, nothing sent, the ledger untouched."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, address in enumerate(recipients, start=1):
        path = folder / f"{week}-{n:04d}.eml"
        path.write_bytes(addressed(body, address, week, sender))
        paths.append(path)
    return paths
