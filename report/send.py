"""Deliver the digest over SMTP, one connection for every recipient, each served at most once.

Settings come from the environment only:

    SMTP_HOST, SMTP_PORT (default 587, or 465 with SSL), SMTP_SECURITY (starttls or ssl),
    SMTP_USERNAME, SMTP_PASSWORD, SMTP_CA_FILE (a private CA to trust, optional),
    REPORT_MAIL_FROM (the sender), REPORT_MAIL_NAME (its display name), REPORT_POSTAL_ADDRESS
    (the sender's postal address, shown in the footer, as anti-spam laws ask),
    REPORT_UNSUBSCRIBE_URL (optional, https: one-click unsubscribe),
    SMTP_TIMEOUT, SMTP_DATA_TIMEOUT, SMTP_RETRY_WAIT (seconds; defaults below)

The password is never printed: every message that leaves this module has it redacted. A
recipient the server refuses is listed and the others still get theirs. When the connection
drops, the run reconnects once and goes on; if that fails it stops, and the recipients not yet
served are listed, so that the next run (the ledger knows who was served) sends only to them.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import re
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from report.errors import ConfigError
from report.ledger import Ledger, State
from report.mail import DEFAULT_NAME, Sender, addressed
from report.subscribers import ADDRESS

SECURITY = ("starttls", "ssl")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    username: str | None
    password: str | None
    ca_file: str | None
    timeout_s: float = 30.0  # for connecting and for each command's answer
    data_timeout_s: float = 600.0  # for the answer to a whole message: RFC 5321's 10 minutes
    attempts: int = 3  # for a recipient the server turns away for now (4xx)
    retry_wait_s: float = 30.0  # before the second try; longer before each one after

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


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name)
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= 3600:
        raise ConfigError(f"{name} must be a number of seconds (up to 3600), not {text[:20]!r}")
    return seconds


MAX_NAME = 80
MAX_POSTAL = 200


def sender_from(env: Mapping[str, str], placeholder: str | None = None) -> Sender:
    """Who the digest is from: REPORT_MAIL_FROM (or, for a preview, a placeholder address),
    REPORT_MAIL_NAME (a display name; the report's name by default) and REPORT_UNSUBSCRIBE_URL
    (an https page), each checked. A preview and a real send build the same message."""
    address = env.get("REPORT_MAIL_FROM") or placeholder or ""
    if not address:
        raise ConfigError("set REPORT_MAIL_FROM to send (see the README: Email)")
    if not ADDRESS.match(address):
        raise ConfigError(f"REPORT_MAIL_FROM is not an email address: {address[:80]!r}")
    name = env.get("REPORT_MAIL_NAME", DEFAULT_NAME)
    if len(name) > MAX_NAME or not name.isprintable() or any(c in name for c in '"<>\\'):
        raise ConfigError(
            f"REPORT_MAIL_NAME must be printable, at most {MAX_NAME} characters, without"
            f" quotes, angle brackets or backslashes: {name[:80]!r}"
        )
    unsubscribe = env.get("REPORT_UNSUBSCRIBE_URL") or None
    if unsubscribe is not None and not re.fullmatch(r"https://[^\s<>\"]+", unsubscribe):
        raise ConfigError(f"REPORT_UNSUBSCRIBE_URL must be an https address: {unsubscribe[:80]!r}")
    postal = env.get("REPORT_POSTAL_ADDRESS") or None
    if postal is not None and (len(postal) > MAX_POSTAL or not postal.isprintable()):
        raise ConfigError(
            f"REPORT_POSTAL_ADDRESS must be printable, at most {MAX_POSTAL} characters"
        )
    return Sender(address, unsubscribe, name.strip() or None, postal)


def settings_from(env: Mapping[str, str]) -> tuple[SmtpSettings, Sender]:
    """The SMTP settings and the sender, or a clear error naming what is missing."""
    host, sender = env.get("SMTP_HOST", ""), env.get("REPORT_MAIL_FROM", "")
    missing = [
        name for name, value in (("SMTP_HOST", host), ("REPORT_MAIL_FROM", sender)) if not value
    ]
    if missing:
        raise ConfigError(f"set {' and '.join(missing)} to send (see the README: Email)")
    from_ = sender_from(env)
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
        timeout_s=_seconds(env, "SMTP_TIMEOUT", SmtpSettings.timeout_s),
        data_timeout_s=_seconds(env, "SMTP_DATA_TIMEOUT", SmtpSettings.data_timeout_s),
        retry_wait_s=_seconds(env, "SMTP_RETRY_WAIT", SmtpSettings.retry_wait_s),
    )
    return smtp, from_


def connect(settings: SmtpSettings) -> smtplib.SMTP:
    """An authenticated connection; TLS is always verified against the system's CAs or
    SMTP_CA_FILE."""
    context = ssl.create_default_context(cafile=settings.ca_file)
    smtp: smtplib.SMTP
    if settings.security == "ssl":
        smtp = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout_s, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
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
    refused: dict[str, str] = field(default_factory=dict)  # a permanent no (5xx)
    deferred: dict[str, str] = field(default_factory=dict)  # still a temporary no (4xx)
    unknown: list[str] = field(default_factory=list)  # lost between message and answer, now
    unknown_before: list[str] = field(default_factory=list)  # ... in an earlier run
    unsent: list[str] = field(default_factory=list)  # the connection failed before them
    failure: str | None = None

    @property
    def complete(self) -> bool:
        """Everyone this run could serve was served or refused for good; else the run exits
        non-zero, so that the schedule notices."""
        return not (self.unsent or self.deferred or self.unknown)


class Refused(Exception):
    """The server said no to one recipient's message; `code` says for good (5xx) or not."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}")
        self.code = code

    @property
    def temporary(self) -> bool:
        return 400 <= self.code < 500


class OutcomeUnknown(Exception):
    """The message went, and no answer came back: it may have been delivered."""


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return str(exc) or type(exc).__name__


def _expect(smtp: smtplib.SMTP, reply: tuple[int, bytes], ok: tuple[int, ...]) -> None:
    code, text = reply
    if code == 421:  # the server is closing the connection: not this recipient's refusal
        smtp.close()
        raise smtplib.SMTPServerDisconnected(f"{code} {_text(text)}")
    if code not in ok:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.rset()
        raise Refused(code, _text(text))


def _transmit(
    smtp: smtplib.SMTP,
    sender: str,
    address: str,
    message: bytes,
    ledger: Ledger,
    settings: SmtpSettings,
) -> None:
    """One recipient's message, step by step, so the ledger can say `sending` at the last
    moment it is certainly not delivered: after the server takes DATA, before the message."""
    smtp.ehlo_or_helo_if_needed()
    _expect(smtp, smtp.mail(sender), (250,))
    _expect(smtp, smtp.rcpt(address), (250, 251))
    _expect(smtp, smtp.docmd("DATA"), (354,))
    ledger.sending(address)
    stuffed = re.sub(rb"(?m)^\.", b"..", message)  # a line's leading dot doubled (RFC 5321)
    try:
        smtp.send(stuffed + (b"" if stuffed.endswith(b"\r\n") else b"\r\n") + b".\r\n")
        if smtp.sock is not None:  # RFC 5321 4.5.3.2.6: wait 10 minutes for the answer
            smtp.sock.settimeout(settings.data_timeout_s)
        code, reply = smtp.getreply()
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        raise OutcomeUnknown(_reason(exc)) from exc
    finally:
        if smtp.sock is not None:
            smtp.sock.settimeout(settings.timeout_s)
    if code != 250:
        ledger.failed(address)
        raise Refused(code, _text(reply))
    ledger.sent(address)


def deliver(
    body: bytes,
    week: str,
    recipients: list[str],
    sender: Sender,
    settings: SmtpSettings,
    ledger: Ledger,
    force: bool = False,
    opener: Callable[[SmtpSettings], smtplib.SMTP] = connect,
    sleep: Callable[[float], None] = time.sleep,
) -> SendReport:
    """Send `body` to each recipient the ledger has not seen served (or to all, `force`), at
    most once each: a copy whose outcome is unknown is listed and never sent again unasked. A
    temporary refusal is tried again after a wait; a dropped connection is reopened once."""
    report = SendReport()
    pending: list[str] = []
    for address in recipients:
        state = ledger.state(address)
        if force or state in (None, State.FAILED):
            pending.append(address)
        elif state is State.SENT:
            report.already.append(address)
        else:
            report.unknown_before.append(address)
    if not pending:
        return report
    smtp: smtplib.SMTP | None = None
    done = 0  # recipients dealt with, whatever became of them
    try:
        for address in pending:
            drops, tries = 0, 0
            while True:
                try:
                    if smtp is None:
                        smtp = opener(settings)
                    message = addressed(body, address, week, sender)
                    _transmit(smtp, sender.address, address, message, ledger, settings)
                except Refused as exc:
                    tries += 1
                    if exc.temporary and tries < settings.attempts:
                        sleep(settings.retry_wait_s * tries)
                        continue
                    said = settings.redact(str(exc))
                    (report.deferred if exc.temporary else report.refused)[address] = said
                except OutcomeUnknown as exc:
                    report.unknown.append(address)
                    report.failure = settings.redact(f"{settings.describe()}: {exc}")
                    if smtp is not None:
                        smtp.close()
                    smtp = None
                except (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError) as exc:
                    if smtp is not None:
                        smtp.close()
                    smtp = None
                    drops += 1
                    if drops == 2:  # reconnected once already: give up
                        raise
                    report.failure = settings.redact(_reason(exc))
                    continue
                else:
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
