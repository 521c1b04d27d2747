"""One page fetched on a person's request (``govwatch parse URL``, ``govwatch check URL``): through the
URL policy, with a deadline and a size cap, redirects followed a hop at a time.

The URL was typed by the person running the command, so private addresses are allowed (an intranet
site); everything else holds as for the crawl: http(s) only at every hop, at most ``MAX_REDIRECTS``
redirects, ``max_bytes`` at most (a page larger is refused, not read), and the whole fetch ends by
``timeout`` however slowly the server answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from crawler.net.guarded import GuardedClient
from crawler.net.urlpolicy import AddressBlocked, UrlRejected, check_url, shown

MAX_REDIRECTS = 5
MAX_BYTES = 20 * 1024 * 1024
REDIRECTS = {301, 302, 303, 307, 308}


class FetchError(Exception):
    """Why a page could not be fetched; ``str()`` is one line naming the URL."""


@dataclass(frozen=True)
class Fetched:
    body: bytes
    headers: dict[str, str]
    url: str  # after redirects
    status: int


def fetch_page(
    url: str,
    *,
    timeout: float = 30.0,
    max_bytes: int = MAX_BYTES,
    user_agent: str | None = None,
    admit: Callable[[str], str | None] | None = None,
) -> Fetched:
    """GET ``url``; ``FetchError`` for a refused URL, a network failure, the deadline or the size cap.
    ``admit(url)``, when given, is asked about every URL requested (the first and each redirect's):
    a reason (one line) refuses it."""
    headers = {"User-Agent": user_agent} if user_agent else {}
    with GuardedClient(allow_private=True, timeout=timeout, headers=headers) as client:
        client.deadline = time.monotonic() + timeout
        current = url
        try:
            for _ in range(MAX_REDIRECTS + 1):
                check_url(current)
                problem = admit(current) if admit is not None else None
                if problem:
                    raise FetchError(f"{shown(current)}: refused: {problem}")
                with client.stream("GET", current) as response:
                    location = response.headers.get("Location")
                    if response.status_code in REDIRECTS and location:
                        current = urljoin(current, location.strip())
                        continue
                    body = _read(response, max_bytes, current)
                    return Fetched(body, dict(response.headers), str(response.url), response.status_code)
            raise FetchError(f"{shown(url)}: more than {MAX_REDIRECTS} redirects")
        except (UrlRejected, AddressBlocked) as exc:
            raise FetchError(f"{shown(url)}: refused: {exc}") from None
        except httpx.TimeoutException:
            raise FetchError(f"{shown(url)}: no complete answer within {timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"{shown(url)}: cannot fetch: {type(exc).__name__}: {exc}") from None


def _read(response: httpx.Response, max_bytes: int, url: str) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"{shown(url)}: larger than {max_bytes // (1024 * 1024)} MB")
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"{shown(url)}: larger than {max_bytes // (1024 * 1024)} MB")
        chunks.append(chunk)
    return b"".join(chunks)
