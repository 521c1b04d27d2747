"""How download failures read (crawler/crawl/fetchresult.py), for Scrapy's own exception classes
(Scrapy >= 2.13 wraps Twisted's) as well as Twisted's: every failed fetch carries a kind that says
why, never a bare class name."""

from __future__ import annotations

import pytest
from scrapy import exceptions as sx
from scrapy.exceptions import IgnoreRequest
from twisted.internet import error as terr
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

from crawler.crawl.fetchresult import classify_failure


def wrapped(outer: type[Exception], inner: Exception, message: str = "") -> Exception:
    try:
        try:
            raise inner
        except Exception as exc:
            raise outer(message) from exc
    except Exception as exc:
        return exc


CASES = [
    (getattr(sx, "ResponseDataLossError", None), "truncated"),
    (getattr(sx, "DownloadTimeoutError", None), "timeout"),
    (getattr(sx, "CannotResolveHostError", None), "dns"),
    (getattr(sx, "DownloadConnectionRefusedError", None), "connection"),
    (getattr(sx, "DownloadCancelledError", None), "too_large"),
]


@pytest.mark.parametrize(("cls", "kind"), CASES, ids=[k for _, k in CASES])
def test_scrapy_download_errors(cls: type[Exception] | None, kind: str) -> None:
    if cls is None:
        pytest.skip("this Scrapy has no such exception")
    assert classify_failure(Failure(cls())) == kind


def test_a_reset_mid_answer_is_a_connection_error() -> None:
    cls = getattr(sx, "DownloadFailedError", None)
    if cls is None:
        pytest.skip("this Scrapy has no DownloadFailedError")
    exc = wrapped(cls, ResponseFailed([Failure(terr.ConnectionLost())]), "connection lost")
    assert classify_failure(Failure(exc)) == "connection"


def test_twisted_errors() -> None:
    assert classify_failure(Failure(terr.TimeoutError())) == "timeout"
    assert classify_failure(Failure(terr.DNSLookupError())) == "dns"
    assert classify_failure(Failure(terr.ConnectionRefusedError())) == "connection"
    assert classify_failure(Failure(IgnoreRequest("Forbidden by robots.txt"))) == "robots"
