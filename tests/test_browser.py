"""The built site in headless Chromium (Debian's), served on 127.0.0.1."""

from __future__ import annotations

import functools
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from report.site import build_site
from tests.conftest import ROOT, sample_weeks
from tests.test_site import site_folder

CHROMIUM = shutil.which("chromium")
SCREENSHOTS = ROOT / "build" / "screenshots"
if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI must have Debian's chromium (see .ci/run)")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(folder: Path) -> tuple[str, Callable[[], None]]:
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_port}/", stop


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield chromium
        chromium.close()


def open_page(browser: Any, url: str, width: int = 1280) -> tuple[Any, list[str], list[str]]:
    """A page with its console errors and every URL it requested."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url, wait_until="networkidle")
    return page, errors, requests


def show_charts(page: Any) -> None:
    """Scroll to the first chart, as a reader would: charts are drawn when they come near."""
    page.evaluate("document.querySelector('.vega-chart')?.scrollIntoView()")
    if page.locator(".vega-chart").count():
        page.wait_for_selector("figure.chart.chart-live", timeout=15000)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    config, public = site_folder(folder)
    build_site(sample_weeks(folder / "weeks"), config, public)
    url, stop = serve(public)
    yield url
    stop()


def test_the_latest_week_renders_its_charts_offline(browser: Any, site: str) -> None:
    home, errors, _ = open_page(browser, site)
    assert home.title().startswith("The Weekly Crypto Market Report")
    assert "Bitcoin Drops 7.5% in a Week" in home.inner_text("h2")  # linked, not copied
    assert home.locator(".vega-chart").count() == 0 and errors == []
    home.close()
    page, errors, requests = open_page(browser, site + "weeks/2026-W04.html")
    assert "Bitcoin Drops 7.5% in a Week" in page.inner_text("h1")
    show_charts(page)
    page.wait_for_selector(".vega-chart svg .mark-line path", timeout=15000)
    charts = page.locator(".vega-chart")
    assert charts.count() == 3
    for i in range(charts.count()):
        assert (
            charts.nth(i).locator("svg [class^='mark-'] path, svg [class^='mark-'] rect").count()
            > 0
        )
    assert errors == []
    assert requests and all(r.startswith(site) for r in requests), requests
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "home-desktop.png"), full_page=False)
    page.close()
    phone, errors, _ = open_page(browser, site + "weeks/2026-W04.html", width=390)
    show_charts(phone)
    phone.wait_for_selector(".vega-chart svg", timeout=15000)
    phone.screenshot(path=str(SCREENSHOTS / "home-phone.png"), full_page=False)
    assert errors == []
    phone.close()


def test_dark_toggle(browser: Any, site: str) -> None:
    page, _, _ = open_page(browser, site)
    before = page.get_attribute("body", "data-md-color-scheme")
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_timeout(200)
    after = page.get_attribute("body", "data-md-color-scheme")
    assert {before, after} == {"default", "slate"}
    page.screenshot(path=str(SCREENSHOTS / "home-dark.png"))
    page.close()


def test_untrusted_text_stays_text(
    browser: Any, tmp_path: Path, week_variant: Callable[..., Path]
) -> None:
    def hostile(d: dict[str, Any]) -> None:
        d["incidents"][0]["protocol"] = "<script>window.pwned=1</script> [x](javascript:alert(1))"

    config, public = site_folder(tmp_path)
    build_site([week_variant(hostile)], config, public)
    url, stop = serve(public)
    try:
        page, _, _ = open_page(browser, url + "weeks/2025-W45.html")
        assert page.evaluate("window.pwned") is None
        assert "<script>window.pwned=1</script> [x](javascript:alert(1))" in page.inner_text("body")
        assert page.locator("a[href^='javascript:']").count() == 0
        page.close()
    finally:
        stop()


def test_charts_follow_the_light_and_dark_palette(browser: Any, site: str) -> None:
    page, errors, _ = open_page(browser, site + "weeks/2026-W04.html")
    show_charts(page)
    page.wait_for_selector(".vega-chart svg .mark-line path", timeout=15000)
    label = ".vega-chart svg .role-axis-label text"
    line = ".vega-chart svg .mark-line path"

    def colours() -> tuple[str | None, str | None]:
        return page.get_attribute(label, "fill"), page.get_attribute(line, "stroke")

    light = colours()
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function(
        f"document.querySelector({line!r}).getAttribute('stroke') !== {light[1]!r}",
        timeout=5000,
    )
    dark = colours()
    assert page.get_attribute("body", "data-md-color-scheme") == "slate"
    assert light[0] != dark[0] and light[1] != dark[1], (light, dark)
    assert dark[1] == "#8ab4e8"  # --report-chart-price of the slate scheme
    page.screenshot(path=str(SCREENSHOTS / "home-dark.png"))
    assert errors == []
    page.close()


READ_CHARTS = (Path(__file__).parent / "read_charts.js").read_text()


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_each_chart_is_seen_once_and_reads_cleanly(
    browser: Any, site: str, width: int, scheme: str
) -> None:
    """What a reader sees: one chart per figure, full width, no axis labels on top of each
    other, a legend in the bars' own colours, the week band and the high line named."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    warnings: list[str] = []
    page.on(
        "console", lambda m: warnings.append(m.text) if m.type in ("warning", "error") else None
    )
    palette = json.dumps({"index": int(scheme == "slate"), "color": {"scheme": scheme}})
    page.add_init_script(f"localStorage.setItem('/.__palette', {json.dumps(palette)})")
    page.goto(site + "weeks/2025-W45.html", wait_until="networkidle")
    show_charts(page)
    page.wait_for_function("document.querySelectorAll('figure.chart.chart-live').length === 3")
    assert page.get_attribute("body", "data-md-color-scheme") == scheme
    figures = page.evaluate(READ_CHARTS)
    assert len(figures) == 3
    for figure in figures:
        assert figure["shown"] == 1, figure  # the live chart, not the static copy under it
        assert figure["liveWidth"] >= 0.9 * figure["figureWidth"], figure
        assert figure["overlaps"] == 0, figure
    price, changes, _ = figures
    assert {"This week", "All-time high"} <= set(price["texts"])
    assert sorted(changes["swatches"]) == sorted(changes["bars"]) and len(changes["bars"]) == 2
    assert warnings == []
    page.screenshot(path=str(SCREENSHOTS / f"week-{scheme}-{width}.png"), full_page=True)
    page.close()


def test_a_phone_reader_is_told_a_table_goes_on_and_the_site_is_ours(
    browser: Any, site: str
) -> None:
    """At 390 px a table wider than the screen scrolls, with a shadow at the edge that has
    more; the footer says what the site is not and links the feed; the icon is ours."""
    for url in ("weeks/2025-W45.html", "archive.html"):
        page, errors, _ = open_page(browser, site + url, width=390)
        tables = page.evaluate(
            """() => [...document.querySelectorAll('.md-typeset__scrollwrap')].map((w) => ({
                wider: w.scrollWidth > w.clientWidth + 1,
                shadow: getComputedStyle(w).backgroundImage.includes('radial-gradient')}))"""
        )
        assert tables and all(t["shadow"] for t in tables if t["wider"]), (url, tables)
        footer = page.inner_text("footer")
        assert "Not investment advice" in footer and "RSS feed" in footer
        assert page.get_attribute("link[rel=icon]", "href").endswith("assets/favicon.svg")
        assert errors == []
        page.close()


def test_the_chart_bundle_loads_only_where_there_are_charts(browser: Any, site: str) -> None:
    for url, wanted in (
        ("about.html", False),
        ("archive.html", True),  # its chart of every week
        ("weeks/2025-W45.html", True),
    ):
        page, errors, requests = open_page(browser, site + url)
        show_charts(page)
        assert any(r.endswith("vega-bundle.js") for r in requests) == wanted, url
        assert errors == []
        page.close()


def test_a_long_page_fetches_the_chart_bundle_only_when_its_charts_come_near(
    browser: Any, site: str
) -> None:
    page, errors, requests = open_page(browser, site + "weeks/2025-W45.html", width=390)
    assert not any(r.endswith("vega-bundle.js") for r in requests)  # the text came alone
    show_charts(page)
    assert any(r.endswith("vega-bundle.js") for r in requests) and errors == []
    page.close()


@pytest.mark.parametrize("width", [375, 600])
def test_the_email_reads_as_a_newsletter_in_a_real_renderer(
    browser: Any, tmp_path: Path, width: int
) -> None:
    """The HTML part as a mail client shows it (images by Content-ID, here inlined): nothing
    wider than the screen, the chart within the column, text on its own white ground."""
    import base64

    from report.mail import Sender, compose_digest
    from tests.conftest import SEED, edition_of

    sender = Sender("weekly@example.org", "https://example.org/unsubscribe", "The Report")
    digest = compose_digest(edition_of(SEED), sender)
    html = digest.html
    for image in digest.images:
        data = base64.b64encode(image.jpeg).decode()
        html = html.replace(f"cid:{image.cid}", f"data:image/jpeg;base64,{data}")
    (tmp_path / "mail.html").write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto((tmp_path / "mail.html").as_uri())
    seen = page.evaluate(
        """() => ({scroll: document.documentElement.scrollWidth,
                   images: [...document.images].map((i) => [i.getBoundingClientRect().width,
                                                            i.naturalWidth]),
                   body: [getComputedStyle(document.body).color,
                          getComputedStyle(document.body).backgroundColor],
                   links: [...document.links].map((a) => a.textContent)})"""
    )
    assert seen["scroll"] <= width
    assert seen["images"] and all(
        0 < shown <= width and natural >= 2 * 560 for shown, natural in seen["images"]
    )
    assert seen["body"] == ["rgb(26, 26, 26)", "rgb(255, 255, 255)"]
    assert {"View this week in your browser", "unsubscribe here"} <= set(seen["links"])
    page.screenshot(path=str(SCREENSHOTS / f"email-{width}.png"), full_page=True)
    page.close()


def test_the_archive_filters_by_year_and_story_and_its_chart_links_each_week(
    browser: Any, site: str
) -> None:
    page, errors, _ = open_page(browser, site + "archive.html")
    form = page.locator("form.archive-filter")
    assert form.is_visible()  # its script shows it
    assert page.inner_text("form.archive-filter output") == "6 weeks"
    page.select_option("select[name=year]", "2026")
    assert page.inner_text("form.archive-filter output") == "2 weeks"
    assert not page.locator("h2[id='2025']").is_visible()
    assert page.locator("tr[data-year='2026']:visible").count() == 2
    page.select_option("select[name=year]", "")
    page.select_option("select[name=story]", "sell_off")
    shown = page.locator("tr[data-year]:visible")
    assert shown.count() == page.locator("tr[data-story='sell_off']").count() >= 1
    assert all(shown.nth(i).inner_text().endswith("Sell-off") for i in range(shown.count()))
    page.evaluate("document.querySelector('.vega-chart').scrollIntoView()")
    page.wait_for_selector("figure.chart.chart-live", timeout=15000)
    points = page.locator(".vega-chart svg .mark-symbol path")
    assert points.count() == 6  # a point a week, each a link to its page
    points.first.click(force=True)
    page.wait_for_url("**/weeks/2025-W19.html")
    assert errors == []
    page.close()
