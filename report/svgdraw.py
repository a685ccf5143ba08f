"""Static SVGs of the charts, drawn by vl-convert in a helper process.

vl-convert's first drawing in a process costs about 0.8 s (its JavaScript engine starting up),
and it holds the GIL while it draws, so a thread cannot hide that. A build that is about to
compute a week starts the helper at once: the helper pays that start on another core while this
process computes the week, and is ready by the time the week's SVGs are wanted. That start is
most of what adding one week to the site would otherwise cost.

The two processes speak over the helper's stdin and stdout: each message is an 8-byte length
and then its bytes. A request starts with b"s" (draw an SVG) or b"p" (a PNG at twice its size,
for the cards shared pages show); a reply starts with b"+" (the drawing follows) or b"-"
(vl-convert's error).
"""

from __future__ import annotations

import json
import subprocess
import sys
from types import TracebackType
from typing import IO

from report.errors import RenderError

FORMS = {"svg": b"s", "png": b"p"}
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


class SvgDrawer:
    """Draws Vega-Lite specifications as SVG in a helper process, started on first need (or
    earlier, by `start`) and stopped on leaving the `with` block."""

    def __init__(self) -> None:
        self._helper: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the helper now, so that it is warm when the first chart comes."""
        if self._helper is None:
            self._helper = subprocess.Popen(
                [sys.executable, "-m", "report.svgdraw"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )

    def draw(self, spec: str, form: str = "svg") -> bytes:
        """The SVG (or, with form "png", the PNG) of one Vega-Lite specification (JSON text)."""
        self.start()
        assert self._helper is not None and self._helper.stdin and self._helper.stdout
        try:
            _send(self._helper.stdin, FORMS[form] + spec.encode())
            reply = _receive(self._helper.stdout)
        except BrokenPipeError:
            reply = None
        if reply is None:
            raise RenderError(f"the chart-drawing process stopped (exit status {self._stop()})")
        if reply[:1] != b"+":
            raise RenderError(f"vl-convert could not draw a chart: {reply[1:].decode()}")
        return reply[1:]

    def _stop(self) -> int | None:
        """Stop the helper (it keeps nothing worth waiting for); its exit status."""
        helper, self._helper = self._helper, None
        if helper is None:
            return None
        helper.kill()
        helper.communicate()
        return helper.returncode

    def __enter__(self) -> SvgDrawer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop()


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """The helper's loop: warm up, then draw each specification until the input ends."""
    import vl_convert  # only the helper loads the engine

    vl_convert.vegalite_to_svg(WARM_UP)
    while (request := _receive(requests)) is not None:
        form, spec = request[:1], json.loads(request[1:])
        try:
            if form == FORMS["png"]:
                reply = b"+" + vl_convert.vegalite_to_png(spec, scale=2)
            else:
                reply = b"+" + vl_convert.vegalite_to_svg(spec).encode()
        except (ValueError, RuntimeError) as exc:
            reply = b"-" + str(exc).encode()
        _send(replies, reply)


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
