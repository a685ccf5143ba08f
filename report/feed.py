"""The RSS 2.0 feed of the weeks, newest first."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from email.utils import format_datetime

from report.weekpages import WeekOutput

FEED_TITLE = "The Weekly Crypto Market Report"


def render_feed(weeks: list[WeekOutput], site_url: str) -> str:
    base = site_url.rstrip("/") + "/" if site_url else ""
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = FEED_TITLE
    ET.SubElement(channel, "link").text = base or "./"
    ET.SubElement(channel, "description").text = "What the crypto market did each week, and why."
    for week in reversed(weeks):
        link = f"{base}weeks/{week.week}.html"
        item = ET.SubElement(channel, "item")
        # Feed readers show a description as HTML, and some a title too: what the week's text
        # holds is escaped for HTML here, then for XML by the serializer.
        ET.SubElement(item, "title").text = week.title.replace("<", "&lt;").replace(">", "&gt;")
        ET.SubElement(item, "link").text = link
        ET.SubElement(item, "guid", isPermaLink="true").text = link
        ET.SubElement(item, "pubDate").text = format_datetime(week.published)
        ET.SubElement(item, "description").text = html.escape(week.summary, quote=False)
    ET.indent(rss)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(rss, encoding="unicode") + "\n"
