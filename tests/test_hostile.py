"""Hostile text through every untrusted field: gathered from the APIs and written in the
editorial file, built into the page, the digest, the email and the site, and opened in
Chromium with every element hovered and clicked. Nothing runs, and the layout holds.

Every hostile string here is SYNTHETIC, made up for this test; the market data around it is
the real series the other tests use.
"""

from __future__ import annotations

import asyncio
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from report.edition import Edition
from report.gather import default_sources, gather, validated, write_week
from report.mail import Sender, compose_digest, message_body
from report.site import build_site
from tests.api_answers import answer
from tests.conftest import ROOT, WEEKS, derive_module, edition_of
from tests.test_browser import CHROMIUM, FLAGS, serve
from tests.test_gather import FAST, W45_LATER
from tests.test_site import site_folder

PAYLOADS = [
    "{onmouseover=alert(document.domain)}",
    '{: onclick="alert(1)" }',
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "[click](javascript:alert(1))",
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "---\ntitle: owned\n---",
    "| a | b |\n|---|---|",
    "# Heading\n## Second",
    "\u202e$1.5 million",
    "zero\u200bwidth\u200d\ufeff",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "`code` *bold* _em_",
    "line\nbreak\r\nmore",
    "- item",
    "<!-- comment -->",
    "{{ jinja }} {% raw %}",
]
HOSTILE = PAYLOADS  # each alone in its own field, so each also ends a block, as attacks do
BENIGN = [f"plain words {n}" for n in range(len(PAYLOADS))]  # the same fields, harmless
INVISIBLE = ("\u202e", "\u200b", "\u200d", "\ufeff")


def answers(words: list[str]) -> Any:
    """The real series' answers, with one of `words` in each place an API sends text."""

    def respond(request: httpx.Request) -> httpx.Response:
        response = answer(request, W45_LATER.date())
        path = request.url.path
        if path.endswith("/fng/"):
            body = response.json()
            for reading in body["data"]:
                reading["value_classification"] = words[0][:40]
            return httpx.Response(200, json=body)
        if path.endswith("/hacks"):
            body = response.json()
            for n, hack in enumerate(body):
                hack["name"] = f"{hack['name']} {words[n % len(words)]}"[:200]
                hack["classification"] = words[(n + 1) % len(words)]
                hack["technique"] = words[(n + 2) % len(words)]
                hack["targetType"] = "DeFi Protocol"
            return httpx.Response(200, json=body)
        if "/v5/market/tickers" in path:
            return httpx.Response(403, text=" ".join(words))  # an error page reaches `missing`
        return response

    return respond


def editorial(week: str, words: list[str]) -> dict[str, Any]:
    """An editorial file with one of `words` in every field a person writes."""

    def source(word: str) -> dict[str, str]:
        return {"name": word[:200], "published_at": "2025-11-04", "note": word}

    return {
        "schema": 1,
        "week": week,
        "drivers": [{"text": word, "source": source(word)} for word in words],
        "quotes": [
            {"text": word, "who": word, "role": word, "org": word, "source": source(word)}
            for word in words
        ],
        "outlook": {"text": words[-1], "source": source(words[0])},
        "incidents": [
            {
                "protocol": word[:200],
                "date": "2025-11-04",
                "loss_usd": 93000000,
                "kind": word,
                "venue": "defi",
                "source": source(word),
            }
            for word in words[:4]
        ],
        "figures": [
            {"label": word, "value": 284000000, "unit": "usd", "source": source(word)}
            for word in words
        ],
    }


def weeks_with(words: list[str], folder: Path) -> Path:
    """2025-W45 gathered with `words` in every API text, its editorial file the same, W44,
    and 2020-W11 with `words[0]` as its Fear & Greed reading."""
    folder.mkdir(parents=True, exist_ok=True)
    transport = httpx.MockTransport(answers(words))
    gathered = asyncio.run(
        gather("2025-W45", W45_LATER, {}, default_sources(), FAST, transport=transport)
    )
    path = write_week(gathered, validated(gathered), folder, None)
    side = path.with_name("2025-W45.editorial.yaml")
    side.write_text(yaml.safe_dump(editorial("2025-W45", words)), encoding="utf-8")
    (folder / "2025-W44.yaml").write_bytes((WEEKS / "2025-W44.yaml").read_bytes())
    # A real week whose headline ends on the index's reading, as the attack that ran did.
    derive = derive_module(folder)
    crash = derive.gather_from_series("2020-W11")
    crash["sentiment"]["fear_greed"]["classification"] = words[0][:40]
    derive.write(crash)
    return folder


@pytest.fixture(scope="module")
def hostile_weeks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return weeks_with(HOSTILE, tmp_path_factory.mktemp("hostile-weeks"))


@pytest.fixture(scope="module")
def hostile_edition(hostile_weeks: Path) -> Edition:
    edition: Edition = edition_of(hostile_weeks / "2025-W45.yaml")  # verified as it is built
    return edition


def test_the_hostile_text_reached_every_output(hostile_edition: Edition) -> None:
    """Else the test would prove nothing: the payloads are there, made inert."""
    for text in (hostile_edition.page, hostile_edition.digest):
        assert "alert(1)" in text
        assert "\\{onmouseover=alert(document.domain)\\}" in text
        assert "&lt;script&gt;" in text and "<script>" not in text


@pytest.mark.parametrize("part", ["page", "digest", "email_digest"])
def test_no_markup_and_no_invisible_characters_survive(hostile_edition: Edition, part: str) -> None:
    text = getattr(hostile_edition, part)
    for char in INVISIBLE:
        assert char not in text
    ours = re.sub(r'<img (class="chart-static"|src="cid:)', "", text)  # the charts' own images
    assert not re.search(r"<(script|img|svg|a)\b", ours)
    assert not re.search(r"(?<!\\)\]\(javascript:", text) and "\n---\n" not in text
    assert "{onmouseover" not in text.replace("\\{onmouseover", "")


class Markup(HTMLParser):
    """The tags and attributes an HTML document really has (not text that looks like them)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


def test_the_email_is_inert_in_both_parts(hostile_edition: Edition) -> None:
    sender = Sender("weekly@example.org")
    digest = compose_digest(hostile_edition, sender)
    html = digest.html
    markup = Markup()
    markup.feed(html)
    assert "script" not in markup.tags and "svg" not in markup.tags
    assert not [name for name, _ in markup.attributes if name.startswith("on")]
    assert not [v for _, v in markup.attributes if re.match(r"\s*(javascript|vbscript):", v, re.I)]
    assert markup.tags.count("img") == len(digest.images)  # only the charts
    for char in INVISIBLE:
        assert char not in digest.text and char not in html
    message_body(digest, sender).decode("ascii")  # it travels, encoded


def test_the_feed_gives_readers_no_markup(hostile_weeks: Path, tmp_path: Path) -> None:
    """Feed readers render a description as HTML: the text in it is escaped for that, and
    the only markup is ours (the card, the description in italics, the summary)."""
    config, public = site_folder(tmp_path / "feed")
    build_site(sorted(hostile_weeks.glob("20*-W??.yaml")), config, public)
    items = ET.parse(public / "feed.xml").getroot().iter("item")
    ours = {
        "title": ([], set()),
        "description": (["p", "img", "p", "em", "p"], {"src", "alt", "width"}),
    }
    for item in items:
        for part, (tags, attributes) in ours.items():
            shown = item.findtext(part) or ""
            markup = Markup()
            markup.feed(shown)
            assert markup.tags in (tags, [t for t in tags if t != "img"][1:]), (part, shown)
            assert {name for name, _ in markup.attributes} <= attributes, (part, shown)
            assert not any(char in shown for char in INVISIBLE)
            assert "\\" not in shown  # no Markdown escapes left in plain text
    crash = public / "feed.xml"
    assert "{onmouseover=alert(document.domain)}" in crash.read_text()  # said, as text


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_in_chromium_nothing_runs_and_the_layout_holds(hostile_weeks: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    config, public = site_folder(tmp_path / "hostile")
    build_site(sorted(hostile_weeks.glob("20*-W??.yaml")), config, public)
    clean_weeks = weeks_with(BENIGN, tmp_path / "clean-weeks")  # the same week, plain words
    clean_config, clean_public = site_folder(tmp_path / "clean")
    build_site(sorted(clean_weeks.glob("20*-W??.yaml")), clean_config, clean_public)
    pages = ["index.html", "weeks/2025-W45.html", "weeks/2020-W11.html", "archive.html"]
    hostile_url, stop_hostile = serve(public)
    clean_url, stop_clean = serve(clean_public)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for page_name in pages:
                found = _probe(browser, hostile_url + page_name)
                clean = _probe(browser, clean_url + page_name)
                assert found["dialogs"] == [], page_name
                assert found["handlers"] == [] and found["scripted_links"] == [], page_name
                assert found["scripts"] == clean["scripts"], page_name
                assert found["headings"] == clean["headings"], page_name
                assert found["tables"] == clean["tables"], page_name
                assert found["invisible"] is False, page_name
            browser.close()
    finally:
        stop_hostile()
        stop_clean()


PROBE = """() => {
  const all = [...document.querySelectorAll('*')];
  const handlers = [];
  for (const el of all) for (const a of el.attributes)
    if (a.name.toLowerCase().startsWith('on')) handlers.push(el.tagName + ' ' + a.name);
  const scripted = [...document.querySelectorAll('[href],[src],[action],[formaction]')]
    .map(el => el.getAttribute('href') || el.getAttribute('src') || el.getAttribute('action') || '')
    .filter(v => /^\\s*(javascript|vbscript|data):/i.test(v) && !/^data:image\\//i.test(v));
  // Navigation is held back; every other effect of the events happens.
  document.addEventListener('click', e => {
    const a = e.target.closest && e.target.closest('a[href]');
    if (a && !/^\\s*javascript:/i.test(a.getAttribute('href'))) e.preventDefault();
  }, true);
  const events = ['mouseover', 'mouseenter', 'mousemove', 'focus', 'click', 'mouseout'];
  for (const el of all) for (const type of events)
    el.dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true}));
  const text = document.body.innerText;
  return {
    handlers,
    scripted_links: scripted,
    scripts: [...document.scripts].map(s =>
      s.src ? new URL(s.src).pathname.split('/').pop() : 'inline:' + (s.type || 'js')),
    headings: [...document.querySelectorAll('h1, h2')].map(h => h.tagName + ':' +
      (h.tagName === 'H1' ? 'headline' : h.textContent.replace(/\\s+/g, ' ').trim())),
    tables: document.querySelectorAll('table').length,
    invisible: /[\\u202e\\u200b\\u200d\\ufeff]/.test(text),
  };
}"""


def _probe(browser: Any, url: str) -> dict[str, Any]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.goto(url, wait_until="networkidle")
    found: dict[str, Any] = page.evaluate(PROBE)
    page.wait_for_timeout(300)
    found["dialogs"] = dialogs
    page.close()
    return found


__all__ = ["HOSTILE", "ROOT"]
