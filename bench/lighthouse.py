"""Lighthouse (mobile) on the built site, served on 127.0.0.1, with Debian's Chromium.

    .venv/bin/report site && .venv/bin/python bench/lighthouse.py

Lighthouse is an npm package: it is installed once into build/lighthouse (npm from the package
registry; set LIGHTHOUSE to use another install). The local server compresses text as GitHub
Pages does. Prints the four category scores of the home
page, a week page and the archive, and the audits that cost points. Figures, not a pass/fail.
"""

from __future__ import annotations

import functools
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = ROOT / "public"
TOOLS = ROOT / "build" / "lighthouse"
VERSION = "12"
PAGES = ("index.html", "weeks/2025-W45.html", "archive.html")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


COMPRESSED = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt")


class AsPagesServe(SimpleHTTPRequestHandler):
    """The site as GitHub Pages serves it: text gzip-compressed when the browser accepts it
    (the search index of hundreds of weeks is a megabyte uncompressed, a fraction of it sent)."""

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        wants = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants and path.suffix in COMPRESSED and path.is_file()):
            return super().send_head()
        body = gzip.compress(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def lighthouse() -> str:
    given = os.environ.get("LIGHTHOUSE")
    if given:
        return given
    binary = TOOLS / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        subprocess.run(
            ["npm", "install", "--prefix", str(TOOLS), f"lighthouse@{VERSION}"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return str(binary)


def audit(tool: str, url: str, chromium: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "report.json"
        subprocess.run(
            [
                tool,
                url,
                "--quiet",
                "--output=json",
                f"--output-path={out}",
                "--form-factor=mobile",
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            ],
            check=True,
            env={**os.environ, "CHROME_PATH": chromium},
        )
        report: dict[str, Any] = json.loads(out.read_text())
        return report


def main() -> None:
    chromium = shutil.which("chromium")
    if chromium is None or not (PUBLIC / "index.html").exists():
        sys.exit("needs Debian's chromium and a built site (report site)")
    tool = lighthouse()
    handler = functools.partial(AsPagesServe, directory=str(PUBLIC))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    print(f"{'page':24} " + " ".join(f"{c:>15}" for c in CATEGORIES))
    try:
        for page in PAGES:
            report = audit(tool, base + page, chromium)
            scores = [round(report["categories"][c]["score"] * 100) for c in CATEGORIES]
            print(f"{page:24} " + " ".join(f"{s:>15}" for s in scores))
            lost = [
                f"{a['id']} ({a['score']:.2f})"
                for a in report["audits"].values()
                if a.get("score") is not None
                and a["score"] < 0.9
                and a.get("scoreDisplayMode") in ("binary", "numeric")
            ]
            if lost:
                print(f"  below 0.9: {', '.join(lost[:12])}")
            paint = report["audits"]["largest-contentful-paint"]["displayValue"]
            print(f"  largest contentful paint: {paint}")
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
