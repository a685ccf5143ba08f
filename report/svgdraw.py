"""Static SVGs of the charts, drawn by vl-convert in a helper process.

vl-convert's first drawing in a process costs about 0.8 s (its JavaScript engine starting up),
and it holds the GIL while it draws, so a thread cannot hide that. A build that is about to
compute a week starts the helper at once: the helper pays that start on another core while this
process computes the week, and is ready by the time the week's SVGs are wanted. That start is
most of what adding one week to the site would otherwise cost.

A build with many charts to draw asks for them ahead (`prefetch`) and, on a machine with two
cores, shares them between two helpers while it goes on computing pages. The processes speak
over each helper's stdin and stdout: each message is an 8-byte length
and then its bytes. A request starts with b"s" (draw an SVG) or b"p" (a PNG at twice its size,
for the cards shared pages show); a reply starts with b"+" (the drawing follows) or b"-"
(vl-convert's error).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import deque
from concurrent.futures import Future
from types import TracebackType
from typing import IO, Any

from report.errors import RenderError

FORMS = {"svg": b"s", "png": b"p"}
DRAWING_HELPERS = min(os.cpu_count() or 1, 2)  # the processes a build's drawings are shared out to
# The smallest chart: drawing it brings the engine up before the first real chart arrives.
WARM_UP = {"data": {"values": [{"x": 1}]}, "mark": "point", "encoding": {"x": {"field": "x"}}}


def _send(stream: IO[bytes], data: bytes) -> None:
    stream.write(len(data).to_bytes(8, "big") + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> bytes | None:
    """The next message, or None when the other side has closed the stream."""
    head = stream.read(8)
    if len(head) < 8:
        return None
    size = int.from_bytes(head, "big")
    data = stream.read(size)
    return data if len(data) == size else None


class _Helper:
    """One drawing process, and a thread that reads its replies as they come, each to the
    request it answers (a process answers in the order it was asked)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "report.svgdraw"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        self.waiting: deque[Future[bytes | None]] = deque()
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def ask(self, request: bytes) -> Future[bytes | None]:
        answer: Future[bytes | None] = Future()
        assert self.process.stdin is not None
        with self.lock:
            self.waiting.append(answer)
        try:
            _send(self.process.stdin, request)
        except (BrokenPipeError, ValueError):
            self._fail_all()
        return answer

    def _read(self) -> None:
        assert self.process.stdout is not None
        while (reply := _receive(self.process.stdout)) is not None:
            with self.lock:
                answer = self.waiting.popleft() if self.waiting else None
            if answer is not None:
                answer.set_result(reply)
        self._fail_all()

    def _fail_all(self) -> None:
        """The process is gone: every question still open gets no answer (None)."""
        with self.lock:
            waiting, self.waiting = list(self.waiting), deque()
        for answer in waiting:
            if not answer.done():
                answer.set_result(None)

    def stop(self) -> int | None:
        self.process.kill()
        self.process.communicate()
        self.reader.join(timeout=5)
        self._fail_all()
        return self.process.returncode


class SvgDrawer:
    """Draws Vega-Lite specifications as SVG (or PNG) in helper processes, the first started
    on first need (or earlier, by `start`), all stopped on leaving the `with` block.

    `prefetch` asks for a drawing without waiting for it, so that a build can go on computing
    while another core draws; `draw` then takes it, or asks and waits. With `helpers` above one,
    drawings asked ahead are shared out between that many processes."""

    def __init__(self, helpers: int = 1) -> None:
        self._most = max(helpers, 1)
        self._helpers: list[_Helper] = []
        self._asked: dict[tuple[str, str], Future[bytes | None]] = {}

    def start(self) -> None:
        """Start the first helper now, so that it is warm when the first chart comes."""
        if not self._helpers:
            self._helpers.append(_Helper())

    def _least_busy(self) -> _Helper:
        self.start()
        if len(self._helpers) < self._most and all(h.waiting for h in self._helpers):
            self._helpers.append(_Helper())
        return min(self._helpers, key=lambda h: len(h.waiting))

    def prefetch(self, spec: str, form: str = "svg") -> None:
        """Ask for a drawing that `draw` will want, without waiting for it."""
        if (form, spec) not in self._asked:
            self._asked[(form, spec)] = self._least_busy().ask(FORMS[form] + spec.encode())

    def draw(self, spec: str, form: str = "svg") -> bytes:
        """The SVG (or, with form "png", the PNG) of one Vega-Lite specification (JSON text)."""
        self.prefetch(spec, form)
        reply = self._asked.pop((form, spec)).result()
        if reply is None:
            raise RenderError(f"the chart-drawing process stopped (exit status {self._stop()})")
        if reply[:1] != b"+":
            raise RenderError(f"vl-convert could not draw a chart: {reply[1:].decode()}")
        return reply[1:]

    def _stop(self) -> int | None:
        """Stop the helpers (they keep nothing worth waiting for); the first one's exit status."""
        helpers, self._helpers = self._helpers, []
        self._asked.clear()
        statuses = [h.stop() for h in helpers]
        return statuses[0] if statuses else None

    def __enter__(self) -> SvgDrawer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop()


class _Compiled:
    """Vega-Lite compiled to Vega once per chart shape. A week's charts share their shape's
    specification and differ only in their named datasets' rows (report/charts.py), so the
    shape, with the datasets' names but not their rows, keys the compiled Vega, and each
    drawing fills the rows into it: compiling is about a quarter of a drawing's time."""

    def __init__(self) -> None:
        self._vega: dict[str, str] = {}

    def vega(self, spec: dict[str, Any]) -> dict[str, Any]:
        import vl_convert

        datasets = spec.get("datasets", {})
        shape = json.dumps({**spec, "datasets": sorted(datasets)}, sort_keys=True)
        if shape not in self._vega:
            self._vega[shape] = json.dumps(vl_convert.vegalite_to_vega(spec))
        vega: dict[str, Any] = json.loads(self._vega[shape])
        for entry in vega.get("data", []):
            if entry.get("name") in datasets:
                entry["values"] = datasets[entry["name"]]
        return vega


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """The helper's loop: warm up, then draw each specification until the input ends."""
    import vl_convert  # only the helper loads the engine

    vl_convert.vegalite_to_svg(WARM_UP)
    compiled = _Compiled()
    while (request := _receive(requests)) is not None:
        form, spec = request[:1], json.loads(request[1:])
        try:
            vega = compiled.vega(spec)
            if form == FORMS["png"]:
                reply = b"+" + vl_convert.vega_to_png(vega, scale=2)
            else:
                reply = b"+" + vl_convert.vega_to_svg(vega).encode()
        except (ValueError, RuntimeError) as exc:
            reply = b"-" + str(exc).encode()
        _send(replies, reply)


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
