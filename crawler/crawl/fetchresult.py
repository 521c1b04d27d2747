"""How an HTTP answer or a download failure reads, before the page itself is judged."""

from __future__ import annotations

from typing import Any

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


def header_list(headers: Any) -> list[tuple[str, str]]:
    """Scrapy headers as ``(name, value)`` pairs, every value, in order (latin-1 text)."""
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values or ()
    ]


def evidence_of(response: Response) -> dict[str, Any]:
    """The evidence fields of a :class:`~crawler.model.Fetch`: protocol, resolved IP, headers as
    received (before content decoding, see ``WireHeadersMiddleware``), the request's method and
    headers as sent."""
    request = response.request
    ip = getattr(response, "ip_address", None)
    return {
        "protocol": getattr(response, "protocol", None),
        "ip_address": str(ip) if ip is not None else None,
        "wire_headers": response.meta.get("gw_wire_headers") or header_list(response.headers),
        "method": request.method if request is not None else "GET",
        "request_headers": header_list(request.headers) if request is not None else [],
    }


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


#: what a failure kind means, in the words of a log line or the crawl's reason column
KIND_WORDS = {
    "robots": "forbidden by robots.txt",
    "dns": "DNS lookup failed (no such host)",
    "timeout": "no answer in time",
    "truncated": "the answer was cut short",
    "too_large": "larger than 20 MB",
    "connection": "connection lost",
    "redirect_offsite": "redirected to another site",
    "redirect_loop": "too many redirects",
    "offsite_next_page": "its next page is on another site",
    "waf": "a firewall (WAF) page instead of the list",
    "captcha": "a captcha page instead of the list",
    "login": "a login page instead of the list",
    "no_datastore": "no Hanweb record store on the page (is it a Hanweb column?)",
    "not_a_list": "no list on the page",
    "empty_body": "an empty answer",
    "parse_error": "the list page could not be read",
    "storage_fault": "the database could not be written",
}
_TLS = ("ssl", "tls", "certificate", "handshake")


def describe_kind(kind: str | None) -> str:
    """A failure kind (``http_500``, ``dns`` …) in words (``HTTP 500``, ``DNS lookup failed …``)."""
    if not kind:
        return "failed"
    if kind.startswith("http_") and kind[5:].isdigit():
        return f"HTTP {kind[5:]}"
    return KIND_WORDS.get(kind, kind.replace("_", " "))


def describe_failure(failure: Failure) -> str:
    """Why a download failed, in a few words: ``connection refused``, ``TLS error: …``, ``DNS lookup
    failed (no such host)``, ``forbidden by robots.txt`` …"""
    exc = failure.value
    cause = getattr(exc, "__cause__", None)
    detail = f"{exc} {cause!r} {getattr(exc, 'reasons', '')!r} {getattr(cause, 'reasons', '')!r}"
    lowered = detail.lower()
    kind = classify_failure(failure)
    if kind not in ("robots", "dns", "too_large") and any(word in lowered for word in _TLS):
        return "TLS error (the site's certificate or its TLS setup)"
    if kind == "connection" and "refused" in lowered:
        return "connection refused"
    if kind == "connection" and "reset" in lowered:
        return "connection reset"
    return describe_kind(kind)
