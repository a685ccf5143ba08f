"""How fast the digest goes out: 1,000 messages through a local SMTP server, one connection.

    .venv/bin/python bench/send.py [count]

The server is aiosmtpd on 127.0.0.1 with STARTTLS and login, as in the tests, and keeps only a
count of what it receives. The addresses are SYNTHETIC (reader0000@example.org …). Prints the
time to compose the digest (its chart as JPEG), the message size, and the sending time,
messages per second and connections opened; the aim is 1,000 messages in under 30 s.
"""

from __future__ import annotations

import logging
import socket
import ssl
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trustme  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult  # noqa: E402

from report import send  # noqa: E402
from report.ledger import Ledger  # noqa: E402
from report.mail import Sender, compose_digest, message_body  # noqa: E402
from tests.conftest import edition_of  # noqa: E402


class Counter:
    def __init__(self) -> None:
        self.messages = 0
        self.bytes = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages += 1
        self.bytes += len(envelope.original_content)
        return "250 OK"


def main() -> None:
    logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd's deprecation chatter
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    sender = Sender("weekly@example.org", "https://example.org/unsubscribe")
    start = time.perf_counter()
    edition = edition_of(ROOT / "data" / "weeks" / "2025-W45.yaml", site_url="https://example.org/")
    digest = compose_digest(edition, sender)
    body = message_body(digest, sender)
    composed = time.perf_counter() - start

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    counter = Counter()
    controller = Controller(
        counter,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=lambda *args: AuthResult(success=True),
        auth_required=True,
        data_size_limit=10_000_000,
    )
    controller.start()
    opened = 0

    def counting(settings: send.SmtpSettings) -> Any:
        nonlocal opened
        opened += 1
        return send.connect(settings)

    try:
        with tempfile.TemporaryDirectory() as tmp:
            ca_file = Path(tmp) / "ca.pem"
            ca.cert_pem.write_to_path(str(ca_file))
            settings = send.SmtpSettings(
                "127.0.0.1", port, "starttls", "bench", "bench-password", str(ca_file)
            )
            recipients = [f"reader{n:04d}@example.org" for n in range(count)]
            ledger = Ledger("2025-W45", Path(tmp) / "sent")
            start = time.perf_counter()
            report = send.deliver(
                body, "2025-W45", recipients, sender, settings, ledger, opener=counting
            )
            elapsed = time.perf_counter() - start
    finally:
        controller.stop()
    print(
        f"composed the digest with {len(digest.images)} JPEG chart(s) in {composed:.2f} s; "
        f"one message is {len(body) / 1024:.0f} KiB"
    )
    print(
        f"sent {len(report.sent)} of {count} in {elapsed:.1f} s: {len(report.sent) / elapsed:.0f} "
        f"messages/s, {counter.bytes / elapsed / 2**20:.0f} MiB/s, {opened} connection(s); "
        f"server received {counter.messages}"
    )


if __name__ == "__main__":
    main()
