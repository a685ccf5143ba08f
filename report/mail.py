"""The week's digest as an email: the verified Markdown as text/plain, the same rendered as HTML
with inline styles (mail clients drop style sheets), the charts as inline PNG images referenced
by Content-ID, a link to the week's page, and a way to unsubscribe in a header and in the text.

The message is built and serialized once; each recipient's copy is that body with its own `To`
and `Message-ID` headers in front, so a thousand copies cost a thousand small byte joins.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

import markdown
import vl_convert

from report.edition import Edition

STYLES = {
    "h1": "font-size:22px;line-height:1.3;margin:0 0 12px",
    "h2": "font-size:17px;margin:20px 0 8px",
    "p": "margin:0 0 12px",
    "li": "margin:0 0 6px",
    "table": "border-collapse:collapse;margin:0 0 12px",
    "th": "border-bottom:1px solid #999;padding:4px 8px;text-align:left",
    "td": "border-bottom:1px solid #ddd;padding:4px 8px",
    "img": "max-width:100%;height:auto",
}
BODY_STYLE = "font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;"
BODY_STYLE += "line-height:1.5;color:#1a1a1a;max-width:640px;margin:0 auto;padding:16px"


@dataclass(frozen=True)
class InlineImage:
    cid: str  # without angle brackets
    png: bytes
    alt: str
    title: str


@dataclass(frozen=True)
class Digest:
    week: str
    subject: str
    text: str
    html: str
    images: list[InlineImage]


@dataclass(frozen=True)
class Sender:
    address: str
    unsubscribe_url: str | None = None  # an https page; a mailto to the sender is always given

    @property
    def unsubscribe_header(self) -> str:
        links = [f"<mailto:{self.address}?subject=unsubscribe>"]
        if self.unsubscribe_url:
            links.insert(0, f"<{self.unsubscribe_url}>")
        return ", ".join(links)

    @property
    def unsubscribe_line(self) -> str:
        where = f" or visit {self.unsubscribe_url}" if self.unsubscribe_url else ""
        return f"To unsubscribe, reply with the word unsubscribe{where}."


def _styled(html: str) -> str:
    """Inline styles on the tags Markdown writes; an existing style (a column's alignment) is
    kept after ours."""

    def tag(match: re.Match[str]) -> str:
        name, rest = match[1], match[2] or ""
        style = STYLES[name]
        found = re.search(r'\sstyle="([^"]*)"', rest)
        if found:
            style = f"{style};{found[1]}"
            rest = rest.replace(found[0], "")
        return f'<{name} style="{style}"{rest}>'

    return re.sub(r"<(h1|h2|p|li|table|th|td|img)(\s[^>]*)?>", tag, html)


def _attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def chart_cid(edition: Edition, name: str) -> str:
    """The Content-ID the email digest's template gives a chart (digest_email.md.j2)."""
    return f"{edition.label}-{name}@chart.invalid"


def compose_digest(edition: Edition, sender: Sender) -> Digest:
    """The week's digest as an email: the edition's digest as text, its email digest (the
    same, with the charts placed) as HTML, the charts drawn as PNG."""
    images = [
        InlineImage(
            cid=chart_cid(edition, c.name),
            png=vl_convert.vegalite_to_png(c.to_dict(validate=False), scale=2),
            alt=c.alt_text,
            title=c.title,
        )
        for c in edition.charts
    ]
    render = markdown.Markdown(extensions=["tables"]).convert
    html_body = render(edition.email_digest) + f"<p>{_attr(sender.unsubscribe_line)}</p>"
    html = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        f'<body style="{BODY_STYLE}">{_styled(html_body)}</body></html>'
    )
    subject = edition.title  # the headline, as on the page, its tab, search and the feed
    text = f"{edition.digest.rstrip()}\n\n{sender.unsubscribe_line}\n"
    return Digest(edition.label, subject, text, html, images)


def message_body(digest: Digest, sender: Sender, now: datetime | None = None) -> bytes:
    """Every header but To and Message-ID, and the body, serialized for SMTP (CRLF)."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender.address
    msg["Subject"] = digest.subject
    msg["Date"] = format_datetime(now or datetime.now(UTC))
    msg["List-Unsubscribe"] = sender.unsubscribe_header
    if sender.unsubscribe_url:
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(digest.text, cte="quoted-printable")
    msg.add_alternative(digest.html, subtype="html", cte="quoted-printable")
    html_part = msg.get_body(("html",))
    assert isinstance(html_part, EmailMessage)
    for image in digest.images:
        html_part.add_related(
            image.png, "image", "png", cid=f"<{image.cid}>", filename=f"{image.cid}.png"
        )
    return msg.as_bytes(policy=SMTP)


def addressed(body: bytes, to: str, week: str, sender: Sender) -> bytes:
    """One recipient's copy: the shared body behind its own To and a Message-ID fixed by the
    week and the recipient, so that a copy sent twice (`--force`) is known by mail software
    as the same message."""
    domain = sender.address.rsplit("@", 1)[-1]
    token = hashlib.sha256(f"{week}\n{to.lower()}".encode()).hexdigest()[:32]
    message_id = f"<{week.lower()}.{token}@{domain}>"
    return f"To: {to}\r\nMessage-ID: {message_id}\r\n".encode("ascii") + body
