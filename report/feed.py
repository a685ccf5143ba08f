"""The RSS 2.0 feed of the weeks, newest first."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from email.utils import format_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from report.site import WeekPage

FEED_TITLE = "The Weekly Crypto Market Report"


def _summary(markdown: str) -> str:
    """The page's summary bullets, as plain sentences."""
    bullets = [line[2:] for line in markdown.splitlines() if line.startswith("- **")][:3]
    return " ".join(b.replace("**", "").replace("\\", "") for b in bullets)


def render_feed(pages: list[WeekPage], site_url: str) -> str:
    base = site_url.rstrip("/") + "/" if site_url else ""
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = FEED_TITLE
    ET.SubElement(channel, "link").text = base or "./"
    ET.SubElement(channel, "description").text = "What the crypto market did each week, and why."
    for page in reversed(pages):
        week = page.edition.week
        link = f"{base}weeks/{week.week}.html"
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = page.markdown.splitlines()[0].removeprefix("# ")
        ET.SubElement(item, "link").text = link
        ET.SubElement(item, "guid", isPermaLink="true").text = link
        ET.SubElement(item, "pubDate").text = format_datetime(week.as_of)
        ET.SubElement(item, "description").text = _summary(page.markdown)
    ET.indent(rss)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(rss, encoding="unicode") + "\n"
