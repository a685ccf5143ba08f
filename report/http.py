"""HTTP, done once for every source: timeouts, retries with backoff, 429 `Retry-After`, a limit
on concurrent requests per host, a User-Agent naming the project, and keys kept out of messages.

Sources receive a `Fetcher` and never build a client. Every failure becomes a `FetchError` whose
text is fit for the week's `missing` list: what happened, at which URL, after how many tries.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

MAX_REDIRECTS = 5
USER_AGENT = "weekly-crypto-market-report/0.1 (+https://github.com/; the weekly report's gatherer)"


@dataclass(frozen=True)
class HttpPolicy:
    timeout_s: float = 20.0  # for one try in all: connecting, redirects, the whole answer
    attempts: int = 4
    backoff_s: float = 1.0  # the wait before the second try; it doubles for each try after
    max_wait_s: float = 60.0  # a Retry-After longer than this is not waited for
    per_host: int = 3


class FetchError(Exception):
    """A source could not be read; the message says why, for the week's `missing` list."""


Sleep = Callable[[float], Awaitable[None]]


def _retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


class Fetcher:
    """Reads JSON over one shared client, with the policy above."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        policy: HttpPolicy = HttpPolicy(),
        secrets: Iterable[str] = (),
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.client = client
        self.policy = policy
        self.requests = 0  # every request sent, retries included
        self._secrets = [s for s in secrets if s]
        self._sleep = sleep
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(policy.per_host)
        )

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _fail(self, url: httpx.URL | str, reason: str) -> FetchError:
        return FetchError(self.redact(f"{reason} ({url})"))

    async def get_json(
        self,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """GET `url` and parse its JSON body, retrying what is worth retrying."""
        return await self._get(url, params, headers, _json)

    async def get_text(
        self,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> str:
        """GET `url` and decode its body as text (a CSV file, a feed), retrying the same way."""
        text: str = await self._get(url, params, headers, _text)
        return text

    async def _get(
        self,
        url: str,
        params: dict[str, Any] | None,
        headers: dict[str, str] | None,
        parse: Callable[[httpx.Response], Any],
    ) -> Any:
        request = self.client.build_request("GET", url, params=params, headers=headers)
        shown = request.url  # keys travel in headers, never in the URL; redact() is a backstop
        policy = self.policy
        reason = "no attempt made"
        for attempt in range(1, policy.attempts + 1):
            wait = policy.backoff_s * 2 ** (attempt - 1)
            async with self._hosts[request.url.host]:
                self.requests += 1
                try:
                    response = await self._send(request)
                except (httpx.TimeoutException, TimeoutError):
                    reason = f"timed out after {policy.timeout_s:g} s"
                except httpx.TransportError as exc:
                    reason = f"connection failed ({type(exc).__name__})"
                except FetchError as exc:
                    raise self._fail(shown, str(exc)) from None
                else:
                    status = response.status_code
                    if 200 <= status < 300:
                        try:
                            return parse(response)
                        except ValueError as exc:
                            raise self._fail(shown, str(exc)) from None
                    if status == 429:
                        asked = _retry_after(response.headers.get("Retry-After"), datetime.now(UTC))
                        if asked is not None and asked > policy.max_wait_s:
                            raise self._fail(
                                shown, f"HTTP 429, asked to wait {asked:g} s, more than we wait"
                            )
                        wait = asked if asked is not None else wait
                        reason = "HTTP 429 (rate limited)"
                    elif status >= 500:
                        reason = f"HTTP {status}"
                    else:
                        raise self._fail(shown, f"HTTP {status}{_detail(response)}")
            if attempt < policy.attempts:
                await self._sleep(wait)
        raise self._fail(shown, f"{reason}, {policy.attempts} tries")

    async def _send(self, request: httpx.Request) -> httpx.Response:
        """One try, its redirects included, within the policy's time in all: httpx's timeout
        counts each read, so a server sending a byte every few seconds would hold it forever.
        A redirect to another origin is followed without the request's own headers, where
        the keys travel: a key goes to its source's host and to no other."""
        async with asyncio.timeout(self.policy.timeout_s):
            for _ in range(MAX_REDIRECTS + 1):
                response = await self.client.send(request)
                if not response.has_redirect_location:
                    return response
                target = request.url.join(response.headers["Location"])
                if _origin(target) == _origin(request.url):
                    request = self.client.build_request("GET", target, headers=request.headers)
                else:
                    request = self.client.build_request("GET", target)
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def _json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError as exc:
        raise ValueError(f"malformed JSON: {exc}") from None


def _text(response: httpx.Response) -> str:
    try:
        return response.content.decode(response.encoding or "utf-8")
    except (LookupError, UnicodeDecodeError) as exc:
        raise ValueError(f"undecodable text: {exc}") from None


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


def _detail(response: httpx.Response) -> str:
    """A hint from a refusal's body (451 names the restricted location), kept short."""
    text = " ".join(response.text.split())[:120]
    return f": {text}" if text else ""


@asynccontextmanager
async def open_fetcher(
    policy: HttpPolicy = HttpPolicy(),
    secrets: Iterable[str] = (),
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[Fetcher]:
    """The one client of a gather run (tests pass a MockTransport)."""
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(policy.timeout_s),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        transport=transport,
        follow_redirects=False,  # followed by Fetcher._send, which keeps keys at home
        limits=httpx.Limits(max_connections=32),
    ) as client:
        yield Fetcher(client, policy, secrets)
