"""Releases and fetches made directly (no normalizer), recorded in a real ``Store``: the builders of
the store and report tests."""

from __future__ import annotations

from crawler.model import Fetch, Flag, Release

#: the moment the store and report tests run at (the ``fixed_clock`` fixture)
NOW = "2026-11-28T09:00:00+08:00"
SITE = "quzhou"
INDEX_NO = "11330800002618015K/2022-134528"
URL = "http://www.qz.gov.cn/art/2022/9/14/art_1229037214_59011309.html"
COLUMN_URL = "http://www.qz.gov.cn/col/col1229037214/index.html"
MIRROR = "http://fgw.qz.gov.cn/art/2022/9/15/art_1229037214_1.html"
BODY = [
    "9月13日下午，市政府新闻办召开“‘浙’十年·衢州”主题新闻发布会。",
    "衢州市深入推进数字化改革，打造四省边际中心城市。",
    "发布会上，有关负责人回答了记者提问。",
]


def release(
    *,
    index_no: str | None = INDEX_NO,
    url: str = URL,
    title: str = "“‘浙’十年·衢州”主题新闻发布会答问实录",
    paragraphs: list[str] | None = None,
    normalizer_version: int = 1,
    content_hash: str | None = None,
) -> Release:
    return Release(
        kind="release",
        url=url,
        index_no=index_no,
        title=title,
        publisher="市政府办公室",
        written_date="2022-09-14",
        published_at="2022-09-14T09:12:00+08:00",
        site_name="衢州市人民政府",
        column="发布实录",
        paragraphs=list(BODY if paragraphs is None else paragraphs),
        normalizer_version=normalizer_version,
        content_hash=content_hash,
    )


def page(rel: Release) -> bytes:
    """Raw HTML standing in for the page a release came from."""
    body = "".join(f"<p>{p}</p>" for p in rel.paragraphs)
    return f"<html><head><title>{rel.title}</title></head><body>{body}</body></html>".encode()


def fetch(
    url: str = URL,
    *,
    outcome: str = "ok",
    run_id: int | None = None,
    body: bytes | None = None,
    status: int | None = None,
    baseline: bool = False,
    error_kind: str | None = None,
) -> Fetch:
    if status is None:
        status = {"ok": 200, "not_modified": 304, "gone": 404, "error": 503}[outcome]
    return Fetch(
        url=url,
        site=SITE,
        outcome=outcome,
        status=status,
        body=body,
        run_id=run_id,
        column="发布实录",
        column_url=COLUMN_URL,
        list_date="2022-09-14",
        baseline=baseline,
        error_kind=error_kind or ("http_5xx" if outcome == "error" else None),
    )


def ok(store, rel: Release, run_id: int | None = None, flags: list[Flag] | None = None, **kw):
    """Record an ok fetch of ``rel`` at its URL (``kw``: :func:`fetch`'s); returns the events the store
    raised."""
    return store.record(fetch(rel.url, run_id=run_id, body=page(rel), **kw), rel, flags or [])


def types(events) -> list[str]:
    return [e.type for e in events]


SPAM = Flag(rule="hidden_offsite_link", severity="critical", evidence="365bet.example", location="body > div")
