"""The week's digest as an email: the verified Markdown as clean text/plain, the same rendered as
HTML with inline styles (mail clients drop style sheets) on a white ground that dark clients
leave alone, a preheader, a "view in browser" link, the price chart as an inline JPEG (2x for a
600 px column, on white; one chart keeps a message under 150 KB, and the page has the others)
referenced by Content-ID, a footer saying who sends it and why, and a way to unsubscribe in the
headers (one click, RFC 8058, when an https page is set) and in the text.

The message is built and serialized once; each recipient's copy is that body with its own `To`
and `Message-ID` headers in front, so a thousand copies cost a thousand small byte joins.
"""

from __future__ import annotations

import hashlib
import html as html_text
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

import markdown
import vl_convert

from report.charts import on_white
from report.edition import Edition
from report.prose import plain

DEFAULT_NAME = "The Weekly Crypto Market Report"
CHART_WIDTH = 560  # the chart's width in the 600 px column; drawn at twice that
JPEG_QUALITY = 75  # a line chart on white: sharp enough at 2x, a tenth of the PNG's bytes

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
# Text and ground both set, so a dark client that inverts one does not lose the other.
BODY_STYLE = "margin:0;padding:0;background:#ffffff;color:#1a1a1a"
COLUMN_STYLE = "font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;"
COLUMN_STYLE += "line-height:1.5;color:#1a1a1a;background:#ffffff;max-width:600px;margin:0 auto;"
COLUMN_STYLE += "padding:16px"
SMALL = "font-size:12px;color:#555555"
PREHEADER = "display:none;max-height:0;overflow:hidden;opacity:0;color:#ffffff"


@dataclass(frozen=True)
class InlineImage:
    cid: str  # without angle brackets
    jpeg: bytes
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
    name: str | None = None  # the display name in From (checked where it is read)
    postal: str | None = None  # the sender's postal address, which anti-spam laws ask for

    @property
    def from_header(self) -> str:
        """From, with the display name quoted as RFC 5322 needs (the address alone names the
        Message-ID's domain and the unsubscribe mailto)."""
        user, domain = self.address.rsplit("@", 1)
        return str(Address(self.name or "", user, domain))

    @property
    def mailto(self) -> str:
        return f"mailto:{self.address}?subject=unsubscribe"

    @property
    def unsubscribe_header(self) -> str:
        links = [f"<{self.mailto}>"]
        if self.unsubscribe_url:
            links.insert(0, f"<{self.unsubscribe_url}>")
        return ", ".join(links)

    @property
    def unsubscribe_line(self) -> str:
        where = f"visit {self.unsubscribe_url} or " if self.unsubscribe_url else ""
        postal = f"\n{self.postal}" if self.postal else ""
        return f"To unsubscribe, {where}reply with the word unsubscribe.{postal}"

    def masthead_html(self) -> str:
        name = html_text.escape(self.name or DEFAULT_NAME)
        return f'<p style="{SMALL};margin:0 0 4px"><strong>{name}</strong></p>'

    def footer_html(self) -> str:
        """Who sends this and why, and how to stop it, with links."""
        name = html_text.escape(self.name or DEFAULT_NAME)
        postal = f"<br>{html_text.escape(self.postal)}" if self.postal else ""
        stop = f'<a href="{_attr(self.mailto)}">reply with the word unsubscribe</a>'
        if self.unsubscribe_url:
            stop = f'<a href="{_attr(self.unsubscribe_url)}">unsubscribe here</a> or {stop}'
        return (
            f'<p style="{SMALL}">You get this email because you subscribed to {name}, a weekly'
            " report of what the crypto market did, from public data. Not investment advice."
            f" To stop it, {stop}.{postal}</p>"
        )


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
    same, with its chart placed) as HTML, the chart drawn as JPEG."""
    images = [
        InlineImage(
            cid=chart_cid(edition, c.name),
            jpeg=vl_convert.vegalite_to_jpeg(
                on_white(c.to_dict(), CHART_WIDTH), scale=2, quality=JPEG_QUALITY
            ),
            alt=c.alt_text,
            title=c.title,
        )
        for c in edition.email_charts
    ]
    render = markdown.Markdown(extensions=["tables"]).convert
    link = f'<a href="{_attr(edition.page_url)}">View this week in your browser</a>'
    view = f'<p style="{SMALL}">{link}</p>'
    preheader = f'<div style="{PREHEADER}">{html_text.escape(plain(edition.description))}</div>'
    html_body = sender.masthead_html() + view + render(edition.email_digest)
    html = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="color-scheme"'
        ' content="light"><meta name="supported-color-schemes" content="light">'
        f'</head><body style="{BODY_STYLE}">{preheader}<div style="{COLUMN_STYLE}">'
        f"{_styled(html_body)}{sender.footer_html()}</div></body></html>"
    )
    subject = edition.title  # the headline, as on the page, its tab, search and the feed
    text = f"{plain(edition.digest).rstrip()}\n\n{sender.unsubscribe_line}\n"
    return Digest(edition.label, subject, text, html, images)


def message_body(digest: Digest, sender: Sender, now: datetime | None = None) -> bytes:
    """Every header but To and Message-ID, and the body, serialized for SMTP (CRLF)."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender.from_header
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
            image.jpeg, "image", "jpeg", cid=f"<{image.cid}>", disposition="inline"
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
