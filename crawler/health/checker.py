"""Check one URL politely: HEAD, then GET when HEAD fails or is refused; the site's delay between two
requests to one host; the govwatch User-Agent; redirects followed (a few), each hop checked again.

Every request goes through the URL policy (``crawler.net``): http(s) only, and public addresses only
unless the site opts in (``link_check: {allow_private: true}``) — a link planted on a defaced page
cannot make govwatch probe the machine it runs on or its network. ``timeout`` is the whole check's
deadline (HEAD, GET and every redirect), never a per-read timeout a drip-feeding server could stretch;
``check(url, deadline=…)`` also stops at the run's own deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from crawler.net.guarded import GuardedClient, Resolver
from crawler.net.urlpolicy import AddressBlocked, AllowPrivate, UrlRejected, check_url, target

#: HEAD answers after which a GET is tried (servers that refuse or mishandle HEAD)
RETRY_WITH_GET = {400, 403, 404, 405, 406, 410, 500, 501, 502, 503}
MAX_REDIRECTS = 5
REDIRECT_STATUSES = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class CheckResult:
    url: str
    ok: bool
    status: int | None
    method: str
    error: str | None
    elapsed: float


class _TooManyRedirects(Exception):
    pass


class _OutOfTime(Exception):
    pass


def _error_kind(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException | _OutOfTime):
        return "timeout"
    if isinstance(exc, _TooManyRedirects):
        return "redirect_loop"
    if isinstance(exc, AddressBlocked):
        return f"blocked_address: {exc}"[:200]
    if isinstance(exc, UrlRejected):
        return f"blocked_url: {exc}"[:200]
    if isinstance(exc, httpx.ConnectError):
        return "connect_error"
    if isinstance(exc, httpx.HTTPError):
        return type(exc).__name__
    return f"{type(exc).__name__}: {exc}"[:200]


class LinkChecker:
    """One HTTP client for a run's checks; ``delay`` seconds between two requests to one host;
    ``timeout`` seconds for a whole check."""

    def __init__(
        self,
        user_agent: str,
        timeout: float,
        delay: float,
        *,
        allow_private: AllowPrivate = False,
        resolver: Resolver | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.delay = delay
        self.timeout = timeout
        self._sleep = sleep
        self._clock = clock
        self._last: dict[str, float] = {}
        self._own: float | None = None  # this check's deadline (politeness waits do not count)
        self._run: float | None = None  # the run's deadline
        self.requests = 0
        self.client = GuardedClient(
            allow_private=allow_private,
            timeout=timeout,
            headers={"User-Agent": user_agent, "Accept": "*/*"},
            resolver=resolver,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> LinkChecker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _set_deadline(self) -> None:
        found = [d for d in (self._own, self._run) if d is not None]
        self.client.deadline = min(found) if found else None

    def _wait(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None and self.delay > 0:
            remaining = self.delay - (self._clock() - last)
            if remaining > 0:
                if self._run is not None and time.monotonic() + remaining >= self._run:
                    raise _OutOfTime()
                self._sleep(remaining)
                if self._own is not None:  # waiting to be polite is not the server's time
                    self._own += remaining
                    self._set_deadline()
        self._last[host] = self._clock()

    def _send(self, method: str, url: str) -> httpx.Response:
        self._wait(target(url).host)
        self.requests += 1
        request = self.client.build_request(method, url)
        response = self.client.send(request, stream=True)  # the status is enough: the body is not read
        response.close()
        return response

    def _status(self, method: str, url: str) -> int:
        """The status after following at most ``MAX_REDIRECTS`` redirects, each hop checked again."""
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url)
            response = self._send(method, url)
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return response.status_code
            url = urljoin(url, location.strip())
        raise _TooManyRedirects()

    def check(self, url: str, deadline: float | None = None) -> CheckResult:
        """``deadline``: a ``time.monotonic()`` instant the check must not outlast (the run's)."""
        started = time.monotonic()
        self._own, self._run = started + self.timeout, deadline
        self._set_deadline()
        method, status, error = "HEAD", None, None
        try:
            try:
                status = self._status("HEAD", url)
            except (httpx.TimeoutException, _OutOfTime, AddressBlocked, UrlRejected) as exc:
                error = _error_kind(exc)  # a GET would meet the same timeout or the same refusal
            except Exception as exc:  # noqa: BLE001 - any other failure of HEAD is worth a GET
                error = _error_kind(exc)
                status = None
            retry = error is None and status in RETRY_WITH_GET
            retry = retry or (status is None and error is not None and not _final(error))
            if retry:
                method, status, error = "GET", None, None
                try:
                    status = self._status("GET", url)
                except Exception as exc:  # noqa: BLE001 - recorded, never raised
                    error = _error_kind(exc)
        finally:
            self._own = self._run = None
            self._set_deadline()
        ok = error is None and status is not None and status < 400
        return CheckResult(url, ok, status, method, error, round(time.monotonic() - started, 3))


def _final(error: str) -> bool:
    """Errors a GET would meet again: out of time, or refused by the URL policy."""
    return error == "timeout" or error.startswith(("blocked_address", "blocked_url"))
