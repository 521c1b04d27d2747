"""Check one URL politely: HEAD, then GET when HEAD fails or is refused; the site's delay between two
requests to one host; the govwatch User-Agent; redirects followed (a few)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

#: HEAD answers after which a GET is tried (servers that refuse or mishandle HEAD)
RETRY_WITH_GET = {400, 403, 404, 405, 406, 410, 500, 501, 502, 503}
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class CheckResult:
    url: str
    ok: bool
    status: int | None
    method: str
    error: str | None
    elapsed: float


def _error_kind(exc: Exception) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.TooManyRedirects):
        return "redirect_loop"
    if isinstance(exc, httpx.ConnectError):
        return "connect_error"
    if isinstance(exc, httpx.HTTPError):
        return type(exc).__name__
    return f"{type(exc).__name__}: {exc}"[:200]


class LinkChecker:
    """One HTTP client for a run's checks; ``delay`` seconds between two requests to one host."""

    def __init__(
        self,
        user_agent: str,
        timeout: float,
        delay: float,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.delay = delay
        self._sleep = sleep
        self._clock = clock
        self._last: dict[str, float] = {}
        self.requests = 0
        self.client = httpx.Client(
            headers={"User-Agent": user_agent, "Accept": "*/*"},
            timeout=timeout,
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> LinkChecker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None and self.delay > 0:
            remaining = self.delay - (self._clock() - last)
            if remaining > 0:
                self._sleep(remaining)
        self._last[host] = self._clock()

    def _request(self, method: str, url: str, host: str) -> httpx.Response:
        self._wait(host)
        self.requests += 1
        if method == "HEAD":
            return self.client.head(url)
        with self.client.stream("GET", url) as response:  # the status is enough: the body is not read
            return response

    def check(self, url: str) -> CheckResult:
        host = (httpx.URL(url).host or "").lower()
        started = time.monotonic()
        method, status, error = "HEAD", None, None
        try:
            status = self._request("HEAD", url, host).status_code
        except httpx.TimeoutException as exc:
            error = _error_kind(exc)  # a host that does not answer HEAD in time will not answer GET either
        except Exception as exc:  # noqa: BLE001 - any failure of HEAD is worth a GET
            error = _error_kind(exc)
            status = None
        if error != "timeout" and (status is None or status in RETRY_WITH_GET):
            method, status, error = "GET", None, None
            try:
                status = self._request("GET", url, host).status_code
            except Exception as exc:  # noqa: BLE001 - recorded, never raised
                error = _error_kind(exc)
        ok = error is None and status is not None and status < 400
        return CheckResult(url, ok, status, method, error, round(time.monotonic() - started, 3))
