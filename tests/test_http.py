"""The one HTTP client, against a real server on 127.0.0.1 that misbehaves on purpose."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from report.http import USER_AGENT, FetchError, HttpPolicy, open_fetcher
from tests.local_server import LocalServer, local_server

FAST = HttpPolicy(timeout_s=0.5, attempts=3, backoff_s=0.01, max_wait_s=2)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with local_server() as running:
        yield running


def get(url: str, policy: HttpPolicy = FAST, secrets: tuple[str, ...] = ()) -> tuple[Any, int]:
    async def run() -> tuple[Any, int]:
        async with open_fetcher(policy, secrets) as fetcher:
            try:
                return await fetcher.get_json(url), fetcher.requests
            except FetchError as exc:
                return exc, fetcher.requests

    return asyncio.run(run())


def test_json_comes_back_with_our_user_agent(server: LocalServer) -> None:
    body, requests = get(f"{server.url}/slow/0")
    assert body == {"ok": True, "path": "/slow/0"} and requests == 1
    assert server.agents == [USER_AGENT]


def test_a_server_error_is_retried_until_it_answers(server: LocalServer) -> None:
    body, requests = get(f"{server.url}/flaky/2/503")
    assert body["ok"] and requests == 3


def test_a_server_that_keeps_failing_gives_a_reason_for_missing(server: LocalServer) -> None:
    error, requests = get(f"{server.url}/status/502")
    assert isinstance(error, FetchError) and requests == 3
    assert str(error) == f"HTTP 502, 3 tries ({server.url}/status/502)"


def test_429_waits_as_long_as_retry_after_says(server: LocalServer) -> None:
    # One 429 with "Retry-After: 0"; then a real wait of one second, asked for by the server.
    body, _ = get(f"{server.url}/flaky/1/429")
    assert body["ok"]
    start = time.monotonic()
    error, requests = get(f"{server.url}/retry-after/1", HttpPolicy(attempts=2, max_wait_s=5))
    assert time.monotonic() - start >= 1.0
    assert requests == 2 and "HTTP 429 (rate limited), 2 tries" in str(error)


def test_429_with_a_date_or_too_long_a_wait_is_not_waited_for(server: LocalServer) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    for value in ("3600", later.replace(" ", "%20")):
        start = time.monotonic()
        error, requests = get(f"{server.url}/retry-after/{value}")
        assert time.monotonic() - start < 1.0 and requests == 1
        assert "HTTP 429, asked to wait" in str(error) and "more than we wait" in str(error)


def test_a_client_error_is_not_retried_and_keeps_the_servers_words(server: LocalServer) -> None:
    error, requests = get(f"{server.url}/status/451")
    assert requests == 1
    assert 'HTTP 451: {"msg": "Service unavailable from a restricted location"}' in str(error)


def test_timeouts_and_resets_are_retried_then_reported(server: LocalServer) -> None:
    start = time.monotonic()
    error, requests = get(f"{server.url}/slow/3000")
    assert requests == 3 and time.monotonic() - start < 3.0
    assert str(error).startswith("timed out after 0.5 s, 3 tries")
    error, requests = get(f"{server.url}/reset")
    assert requests == 3 and str(error).startswith("connection failed (")


def test_malformed_json_is_a_clear_error(server: LocalServer) -> None:
    error, requests = get(f"{server.url}/malformed")
    assert requests == 1 and str(error).startswith("malformed JSON: ")


def test_keys_never_reach_the_message(server: LocalServer) -> None:
    error, _ = get(f"{server.url}/status/401/SECRET-KEY-123", secrets=("SECRET-KEY-123",))
    assert "SECRET-KEY-123" not in str(error) and "/status/401/***" in str(error)


def test_requests_to_one_host_are_limited(server: LocalServer) -> None:
    """Six requests of 300 ms with at most two at a time take three rounds."""

    async def run() -> float:
        async with open_fetcher(HttpPolicy(per_host=2)) as fetcher:
            start = time.monotonic()
            await asyncio.gather(*(fetcher.get_json(f"{server.url}/slow/300") for _ in range(6)))
            return time.monotonic() - start

    elapsed = asyncio.run(run())
    assert 0.9 <= elapsed < 1.5


def headers_after(url: str, key: str) -> dict[str, str] | FetchError:
    """The headers a server received at the end of `url`'s redirects, a key sent at the start."""

    async def run() -> Any:
        async with open_fetcher(FAST, (key,)) as fetcher:
            try:
                return await fetcher.get_json(url, headers={"x-cg-demo-api-key": key})
            except FetchError as exc:
                return exc

    return asyncio.run(run())  # type: ignore[no-any-return]


def test_a_key_is_never_sent_to_another_host(server: LocalServer) -> None:
    """A 302 to another host is followed without the key (it once followed the redirect)."""
    key = "SYNTHETIC-KEY-0123"
    port = server.server_port
    seen = headers_after(f"http://127.0.0.1:{port}/moved/localhost/headers", key)
    assert isinstance(seen, dict) and seen["Host"] == f"localhost:{port}"
    assert key not in str(seen) and "x-cg-demo-api-key" not in {h.lower() for h in seen}
    assert seen["User-Agent"] == USER_AGENT  # the client's own headers still go
    home = headers_after(f"http://127.0.0.1:{port}/moved/127.0.0.1/headers", key)
    assert isinstance(home, dict) and home["x-cg-demo-api-key"] == key  # same host: kept


def test_a_redirect_loop_is_a_clear_error(server: LocalServer) -> None:
    error, tries = get(f"{server.url}/loop")
    assert isinstance(error, FetchError) and "more than 5 redirects" in str(error)
    assert tries == 1 and server.hits["/loop"] == 6


def test_a_server_dripping_bytes_is_cut_off_at_the_tries_time(server: LocalServer) -> None:
    """A byte every 100 ms never trips a read timeout of 0.5 s; the try's total time does."""
    started = time.monotonic()
    error, tries = get(f"{server.url}/drip/100")
    elapsed = time.monotonic() - started
    assert isinstance(error, FetchError) and "timed out after 0.5 s, 3 tries" in str(error)
    assert tries == 3 and elapsed < 3
