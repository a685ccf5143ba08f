"""The RSS 2.0 feed of the recent weeks, newest first: each with its headline, its summary in
full and its card image, and a self link and build date (the newest week's time, so the feed
changes only when a week does)."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from email.utils import format_datetime

from report.weekpages import WeekOutput

FEED_TITLE = "The Weekly Crypto Market Report"
FEED_ITEMS = 20  # a reader's feed shows the recent weeks; the archive holds them all
ATOM = "http://www.w3.org/2005/Atom"


def _html(week: WeekOutput, image: str | None) -> str:
    """What a feed reader shows of a week, as HTML: its card, its description, its summary."""
    parts = [f'<p><img src="{html.escape(image)}" alt="" width="600"></p>'] if image else []
    parts.append(f"<p><em>{html.escape(week.description, quote=False)}</em></p>")
    parts.append(f"<p>{html.escape(week.summary, quote=False)}</p>")
    return "".join(parts)


def render_feed(weeks: list[WeekOutput], site_url: str) -> str:
    base = site_url.rstrip("/") + "/" if site_url else ""
    ET.register_namespace("atom", ATOM)
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = FEED_TITLE
    ET.SubElement(channel, "link").text = base or "./"
    ET.SubElement(channel, "description").text = "What the crypto market did each week, and why."
    if base:
        ET.SubElement(
            channel,
            f"{{{ATOM}}}link",
            href=f"{base}feed.xml",
            rel="self",
            type="application/rss+xml",
        )
    if weeks:
        ET.SubElement(channel, "lastBuildDate").text = format_datetime(weeks[-1].published)
    for week in reversed(weeks[-FEED_ITEMS:]):
        link = f"{base}weeks/{week.week}.html"
        card = f"{base}{week.card}" if base and week.card else None
        item = ET.SubElement(channel, "item")
        # Feed readers show a description as HTML, and some a title too: what the week's text
        # holds is escaped for HTML here, then for XML by the serializer.
        ET.SubElement(item, "title").text = week.title.replace("<", "&lt;").replace(">", "&gt;")
        ET.SubElement(item, "link").text = link
        ET.SubElement(item, "guid", isPermaLink="true").text = link
        ET.SubElement(item, "pubDate").text = format_datetime(week.published)
        ET.SubElement(item, "description").text = _html(week, card)
    ET.indent(rss)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(rss, encoding="unicode") + "\n"
