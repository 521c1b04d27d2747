"""How an HTTP answer or a download failure reads, before the page itself is judged."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.internet import error as twisted_error
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived


def headers_dict(response: Response) -> dict[str, str]:
    """Response headers as a plain ``{lower-case name: value}`` dict (last value wins)."""
    out: dict[str, str] = {}
    for key, values in response.headers.items():
        if values:
            out[key.decode("latin-1").lower()] = values[-1].decode("latin-1")
    return out


def classify_response(status: int) -> tuple[str, str | None]:
    """``(outcome, error_kind)`` for a status code; 200 is provisional (the page is judged next)."""
    if status == 200:
        return "ok", None
    if status == 304:
        return "not_modified", None
    if status in (404, 410):
        return "gone", None
    if status >= 500:
        return "error", f"http_{status}"
    return "error", f"http_{status}"


def classify_failure(failure: Failure) -> str:
    """A short name for why a download failed (timeouts, resets, truncation, robots.txt …)."""
    exc = failure.value
    name = type(exc).__name__
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots" in text.lower():
            return "robots"
        # a compressed body that grows past DOWNLOAD_MAXSIZE while it is decompressed (a gzip bomb)
        if "DOWNLOAD_MAXSIZE" in text or "max size" in text.lower():
            return "too_large"
        return "ignored"
    if isinstance(exc, twisted_error.TimeoutError | twisted_error.TCPTimedOutError) or "Timeout" in name:
        return "timeout"
    if isinstance(exc, twisted_error.DNSLookupError) or "Resolve" in name:
        return "dns"
    if isinstance(exc, ResponseFailed | ResponseNeverReceived):
        text = repr(getattr(exc, "reasons", exc))
        if "DataLoss" in text or "PotentialDataLoss" in text:
            return "truncated"
        if "ConnectionLost" in text or "ConnectionDone" in text:
            return "connection"
        return "connection"
    # Scrapy >= 2.13 wraps Twisted's errors in its own (scrapy.exceptions): ResponseDataLossError
    # (a body shorter than its Content-Length), DownloadFailedError (a ResponseFailed: the
    # connection reset or lost mid-answer), DownloadCancelledError (DOWNLOAD_MAXSIZE, …)
    if "DataLoss" in name:
        return "truncated"
    if name == "DownloadFailedError":
        inner = getattr(exc, "__cause__", None)
        cause = f"{exc} {inner!r} {getattr(inner, 'reasons', '')!r}"
        return "truncated" if "DataLoss" in cause else "connection"
    if isinstance(exc, twisted_error.ConnectError | twisted_error.ConnectionLost) or "Connection" in name:
        return "connection"
    # DOWNLOAD_MAXSIZE: an announced length over it is refused with a "max size" message; a body
    # that grows past it mid-stream is cancelled with none (the only cancellation Scrapy makes)
    text = str(exc).lower()
    if "maxsize" in text or "max size" in text or "Cancelled" in name:
        return "too_large"
    return name.lower() or "error"
