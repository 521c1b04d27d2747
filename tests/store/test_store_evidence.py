"""Evidence: every stored page keeps the response as fetched — status, headers as received, request
headers, the resolved IP, the fetch time — once, beside the body it belongs to."""

from __future__ import annotations

from crawler.model import Fetch
from crawler.store import evidence
from crawler.store.codec import content_hash, decompress
from tests.records import BODY, SPAM, URL, fetch, page, release

WIRE = [
    ("Server", "nginx"),
    ("Date", "Tue, 14 Nov 2023 01:02:03 GMT"),
    ("Content-Type", "text/html; charset=utf-8"),
    ("Content-Encoding", "gzip"),
    ("Content-Length", "1234"),
    ("Set-Cookie", "a=1"),
    ("Set-Cookie", "b=2"),
]
REQUEST = [("Accept", "text/html"), ("User-Agent", "govwatch/0.1.0"), ("Accept-Encoding", "gzip, deflate")]


def fetched(rel, at: str | None = None, **kw) -> Fetch:
    f = fetch(rel.url, body=page(rel), **kw)
    f.protocol, f.ip_address, f.wire_headers, f.request_headers = "HTTP/1.1", "203.0.113.7", WIRE, REQUEST
    f.fetched_at = at
    return f


def row(store, sql: str, *params):
    cursor = store.db.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    found = cursor.fetchone()
    return dict(zip(names, found, strict=True)) if found else None


def test_a_new_version_keeps_its_fetch_and_its_body_once(store) -> None:
    rel = release()
    store.record(fetched(rel), rel, [])
    version = row(store, "SELECT fetch_id, raw_html FROM versions WHERE version = 1")
    kept = row(store, "SELECT * FROM fetches WHERE id = ?", version["fetch_id"])
    assert kept is not None and kept["url"] == URL and kept["raw_html"] is None  # the body is the version's
    assert decompress(version["raw_html"]) == page(rel)
    data = evidence.decode(kept["evidence"])
    assert data == {
        "protocol": "HTTP/1.1",
        "status": 200,
        "headers": [list(h) for h in WIRE],  # as received: every value, in order
        "ip": "203.0.113.7",
        "request": [list(h) for h in REQUEST],
    }
    assert len(kept["evidence"]) < 300  # compact: a fixed dictionary of what evidence usually says


def test_a_fetch_of_unchanged_content_keeps_nothing_new(store) -> None:
    rel = release()
    store.record(fetched(rel), rel, [])
    store.record(fetched(rel), rel, [])
    assert store.db.execute("SELECT count(*) FROM fetches WHERE evidence IS NOT NULL").fetchone()[0] == 1


def test_a_tamper_flag_on_unchanged_content_keeps_that_response_too(store) -> None:
    rel = release()
    store.record(fetched(rel), rel, [])
    store.record(fetched(rel), rel, [SPAM])
    kept = row(store, "SELECT raw_html, evidence FROM fetches ORDER BY id DESC LIMIT 1")
    assert decompress(kept["raw_html"]) == page(rel)
    assert evidence.decode(kept["evidence"])["hash"] == content_hash(rel)  # what the page read as


def test_a_changed_version_links_its_own_fetch(store) -> None:
    first, second = release(), release(paragraphs=[*BODY, "新增一段。"])
    store.record(fetched(first), first, [])
    store.record(fetched(second), second, [])
    links = store.db.execute("SELECT version, fetch_id FROM versions ORDER BY version").fetchall()
    assert [v for v, _ in links] == [1, 2] and links[0][1] != links[1][1]
    assert all(fetch_id is not None for _, fetch_id in links)


def test_stored_pages_read_back_with_their_evidence(store) -> None:
    rel = release()
    store.record(fetched(rel, "2024-05-01T10:00:00+08:00"), rel, [])
    store.record(fetched(rel, "2024-05-02T10:00:00+08:00"), rel, [SPAM])
    pages = list(store.stored_pages())
    assert [(p.kind, p.version, p.fetched_at) for p in pages] == [
        ("response", 1, "2024-05-01T10:00:00+08:00"),
        ("response", None, "2024-05-02T10:00:00+08:00"),
    ]
    first, tampered = pages
    assert first.body == page(rel) and first.status == 200 and first.reason == "OK"
    assert first.headers == WIRE and first.request_headers == REQUEST and first.ip_address == "203.0.113.7"
    assert first.fields["title"] == rel.title and first.content_hash == content_hash(rel)
    assert tampered.flags == [SPAM.to_dict()] and tampered.fields["title"] == rel.title
    assert tampered.content_hash == content_hash(rel) and tampered.body == page(rel)
    assert list(store.stored_pages(key="nothing")) == []
    assert list(store.stored_pages(site="elsewhere")) == []
    assert [p.version for p in store.stored_pages(site="quzhou", key=rel.key)] == [1, None]
    assert [p.version for p in store.stored_pages(since="2024-05-02")] == [None]


def test_the_reason_phrase_is_the_standard_one() -> None:
    assert evidence.reason_phrase(200) == "OK" and evidence.reason_phrase(404) == "Not Found"
    assert evidence.reason_phrase(599) == "" and evidence.reason_phrase(None) == ""
