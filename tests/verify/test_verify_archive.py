"""``verify`` against a real store: which release a copy claims to be (索引号, URL, title and date),
which version it is closest to, and where it is served from."""

from __future__ import annotations

import pytest

from crawler.model import Fetch, Release
from crawler.store import Store
from crawler.verify import VerifyError, verify
from crawler.verify.identify import url_variants

INDEX = "11330800002618015K/2024-00001"
URL = "https://www.qz.gov.cn/art/2024/3/1/art_1229037214_1.html"
TITLE = "关于开展春季植树活动的通知"
V1 = ["各县（市、区）人民政府，市直各单位：", "为推进国土绿化，现就开展春季植树活动通知如下。", "特此通知。"]
V2 = [
    "各县（市、区）人民政府，市直各单位：",
    "为推进国土绿化，现就开展2024年春季植树活动通知如下。",
    "特此通知。",
]


def html(
    paragraphs: list[str],
    *,
    index_no: str | None = INDEX,
    title: str = TITLE,
    url_meta: str | None = None,
    date: str = "2024-03-01",
) -> bytes:
    meta = f'<meta name="Url" content="{url_meta}">' if url_meta else ""
    block = (
        f'<table class="xxgk"><tr><td>索引号：</td><td>{index_no}</td><td>成文日期：</td><td>{date}</td></tr>'
        "<tr><td>发布机构：</td><td>市政府办公室</td><td>文号：</td><td></td></tr></table>"
        if index_no
        else f"<div class='info'>发布日期：{date}</div>"
    )
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title><meta name="ArticleTitle" content="{title}">'
        f'<meta name="SiteDomain" content="www.qz.gov.cn">{meta}</head><body>{block}<h1>{title}</h1>'
        f'<div id="zoom">{body}</div><div class="fx">浏览次数：<span>1234</span></div></body></html>'
    ).encode()


def record(store: Store, body: bytes, when: str, url: str = URL) -> Release:
    release = normalize_page(body, url)
    store.record(
        Fetch(url=url, site="quzhou", outcome="ok", status=200, body=body, fetched_at=when), release, []
    )
    return release


def normalize_page(body: bytes, url: str) -> Release:
    from crawler.normalize import normalize

    release = normalize(body, url)
    assert release.is_release
    return release


@pytest.fixture
def archive(tmp_path):
    store = Store(tmp_path / "govwatch.db")
    record(store, html(V1), "2024-03-01T10:00:00+08:00")
    record(store, html(V1), "2024-03-05T10:00:00+08:00")
    record(store, html(V2), "2024-03-09T10:00:00+08:00")  # edited after archiving: v2
    record(store, html(V2), "2024-03-20T10:00:00+08:00")
    yield store
    store.close()


def test_a_copy_of_the_first_version_matches_it_not_the_latest(archive: Store) -> None:
    verdict = verify(html(V1), None, archive.archive())
    assert verdict.verdict == "faithful" and verdict.exit_code == 0
    assert verdict.version is not None and verdict.version.version == 1
    data = verdict.to_dict()
    assert data["version"] == {
        "number": 1,
        "of": 2,
        "current": False,
        "first_seen": "2024-03-01T10:00:00+08:00",
        "last_seen": "2024-03-05T10:00:00+08:00",
        "replaced_at": "2024-03-09T10:00:00+08:00",
        "url": URL,
        "content_hash": verdict.version.content_hash,
    }
    assert "current v2" in data["summary"]
    assert [(d["version"], d["distance"] > 0) for d in data["versions_compared"]] == [(1, False), (2, True)]
    assert data["match"]["method"] == "index_no" and data["match"]["confidence"] == "high"


def test_a_copy_of_the_latest_with_a_name_altered_differs_from_it(archive: Store) -> None:
    copy = [V2[0], V2[1].replace("国土绿化", "国土美化"), V2[2]]
    verdict = verify(html(copy), None, archive.archive())
    assert verdict.verdict == "differs" and verdict.exit_code == 1
    assert verdict.version is not None and verdict.version.version == 2 and verdict.current
    [passage] = verdict.comparison.passages if verdict.comparison else []
    assert (passage.official, passage.copy) == (V2[1], copy[1])
    assert (passage.deleted_text, passage.inserted_text) == ("绿", "美")


def test_a_copy_with_an_unknown_index_no_is_found_by_the_url_it_names(archive: Store) -> None:
    body = html(V2, index_no="11330800002618015K/2024-99999", url_meta=URL.replace("https:", "http:"))
    verdict = verify(body, "https://copies.example.net/p/1.html", archive.archive())
    assert verdict.match is not None
    assert (verdict.match.method, verdict.match.confidence) == ("url", "high")
    assert "names as its own" in verdict.match.reason
    assert verdict.verdict == "differs"  # it shows another 索引号: that is a difference
    [passage] = verdict.comparison.passages if verdict.comparison else []
    assert (passage.part, passage.official, passage.copy) == (
        "index_no",
        INDEX,
        "11330800002618015K/2024-99999",
    )
    assert verdict.host.elsewhere is True
    assert (
        verdict.host.message
        == "the copy is served from copies.example.net, not the release's host www.qz.gov.cn"
    )


def test_a_copy_without_index_no_is_found_by_the_url_it_was_served_at(archive: Store) -> None:
    verdict = verify(html(V2, index_no=None), URL, archive.archive())
    assert verdict.match is not None and verdict.match.method == "url"
    assert "the URL it was given" in verdict.match.reason
    assert verdict.host.elsewhere is False and verdict.host.message is None


def test_a_copy_with_nothing_but_its_title_and_date_is_found_by_them(archive: Store) -> None:
    verdict = verify(html(V1, index_no=None), None, archive.archive())
    assert verdict.match is not None
    assert (verdict.match.method, verdict.match.confidence) == ("title_date", "medium")
    assert verdict.version is not None and verdict.version.version == 1
    assert verdict.host.elsewhere is None  # served nowhere known: not guessed

    other_day = verify(html(V1, index_no=None, date="2024-04-01"), None, archive.archive())
    assert other_day.match is not None
    assert (other_day.match.method, other_day.match.confidence) == ("title_date", "low")
    assert "only the title agrees" in other_day.match.reason


def test_a_copy_of_nothing_archived_is_not_found(archive: Store) -> None:
    body = html(["完全不同的内容。"], index_no="11330800002618015K/2024-77777", title="另一份文件")
    verdict = verify(body, "https://elsewhere.example/x.html", archive.archive())
    assert verdict.verdict == "not_found" and verdict.exit_code == 3
    data = verdict.to_dict()
    assert data["match"] is None and data["version"] is None and data["passages"] == []


def test_a_page_that_is_not_a_release_is_an_error(archive: Store) -> None:
    with pytest.raises(VerifyError, match="not a release"):
        verify(b"<html><body></body></html>", None, archive.archive())


def test_url_spellings() -> None:
    assert url_variants("HTTP://WWW.QZ.gov.cn:80/a?b=1#top") == [
        "http://www.qz.gov.cn/a?b=1",
        "https://www.qz.gov.cn/a?b=1",
    ]
    assert url_variants("https://h.gov.cn:8443/x") == ["https://h.gov.cn:8443/x", "http://h.gov.cn:8443/x"]
    assert url_variants("javascript:alert(1)") == []
