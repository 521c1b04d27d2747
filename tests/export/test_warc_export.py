"""``govwatch export --warc``: stored pages as WARC 1.1 that read back, with warcio, as the bytes and
headers the store holds; pages stored before evidence was kept as ``resource`` records."""

from __future__ import annotations

import json
import subprocess
import sys
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database
from warcio.archiveiterator import ArchiveIterator

from crawler.export.warc import WarcExport, true_headers, warc_date
from crawler.model import Fetch
from crawler.store import Store
from crawler.store.codec import compress, content_hash
from crawler.store.schema import MIGRATIONS
from tests.helpers import env_with
from tests.records import BODY, INDEX_NO, SPAM, URL, page, release

OLD_URL = "http://www.qz.gov.cn/art/2021/1/1/art_1_1.html"
OLD_KEY = "11330800002618015K/2021-000001"
OLD_BODY = "<html><head><title>旧版本</title></head><body><p>迁移之前保存的页面。</p></body></html>".encode()
WIRE = [
    ("Server", "nginx"),
    ("Content-Type", "text/html; charset=utf-8"),
    ("Content-Encoding", "gzip"),
    ("Transfer-Encoding", "chunked"),
    ("Content-Length", "999"),
    ("ETag", '"abc"'),
]
REQUEST = [("User-Agent", "govwatch/0.1.0"), ("Accept-Encoding", "gzip, deflate")]


def fetched(rel, at: str) -> Fetch:
    return Fetch(
        url=rel.url,
        site="quzhou",
        outcome="ok",
        status=200,
        body=page(rel),
        fetched_at=at,
        protocol="HTTP/1.1",
        ip_address="203.0.113.7",
        wire_headers=WIRE,
        request_headers=REQUEST,
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database written before evidence was kept (one version, its body), then used by this govwatch:
    a version, a changed version, and a tamper flag on unchanged content."""
    path = tmp_path / "govwatch.db"
    old = Database(path)
    MIGRATIONS.apply(old, stop_before="m008_evidence")
    ts = "2021-01-01T08:00:00+08:00"
    fields = {"title": "旧版本", "paragraphs": ["迁移之前保存的页面。"], "encoding": "utf-8"}
    old["releases"].insert(
        {
            "key": OLD_KEY,
            "url": OLD_URL,
            "site": "quzhou",
            "first_seen": ts,
            "last_seen": ts,
            "current_version": 1,
            "content_hash": "sha256:old",
            "title": "旧版本",
        }  # fmt: skip
    )
    old["versions"].insert(
        {
            "key": OLD_KEY,
            "version": 1,
            "content_hash": "sha256:old",
            "fields": json.dumps(fields, ensure_ascii=False),
            "raw_html": compress(OLD_BODY),
            "first_seen": ts,
            "last_seen": ts,
            "url": OLD_URL,
        }  # fmt: skip
    )
    old["release_urls"].insert(
        {"url": OLD_URL, "key": OLD_KEY, "site": "quzhou", "first_seen": ts, "last_seen": ts}
    )
    old.close()
    with Store(path) as store:
        first, second = release(), release(paragraphs=[*BODY, "新增一段。"])
        store.record(fetched(first, "2024-05-01T10:00:00+08:00"), first, [])
        store.record(fetched(second, "2024-05-02T10:00:00+08:00"), second, [])
        store.record(fetched(second, "2024-05-03T10:00:00+08:00"), second, [SPAM])
    return path


def read(data: bytes) -> list[dict[str, Any]]:
    records = []
    for record in ArchiveIterator(BytesIO(data)):
        records.append(
            {
                "type": record.rec_type,
                "headers": dict(record.rec_headers.headers),
                "http": record.http_headers,
                "body": record.content_stream().read(),
            }
        )
    return records


def export(db: Path, **filters: Any) -> bytes:
    out = BytesIO()
    with Store(db, read_only=True) as store:
        WarcExport(out).add_all(store.stored_pages(**filters))
    return out.getvalue()


def test_every_stored_page_round_trips(db: Path) -> None:
    records = read(export(db))
    assert [r["type"] for r in records] == [
        "warcinfo",
        "resource", "metadata",  # stored before evidence was kept: its body, no response
        "response", "request", "metadata",
        "response", "request", "metadata",
        "response", "request", "metadata",  # the tamper flag on unchanged content
    ]  # fmt: skip
    assert records[0]["headers"]["WARC-Type"] == "warcinfo"
    assert all(r["headers"].get("WARC-Record-ID") for r in records)

    old, old_meta = records[1], records[2]
    assert old["body"] == OLD_BODY and old["headers"]["WARC-Target-URI"] == OLD_URL
    assert old["headers"]["Content-Type"] == "text/html; charset=utf-8"
    assert old["headers"]["WARC-Date"] == "2021-01-01T00:00:00Z"
    meta = json.loads(old_meta["body"])
    assert meta["record"] == "resource" and meta["key"] == OLD_KEY and meta["fields"]["title"] == "旧版本"
    assert old_meta["headers"]["WARC-Concurrent-To"] == old["headers"]["WARC-Record-ID"]

    with Store(db, read_only=True) as store:
        stored = [store.raw_html(INDEX_NO, 1), store.raw_html(INDEX_NO, 2)]
    for n, (response, request, metadata) in enumerate(
        zip(records[3::3], records[4::3], records[5::3], strict=True)
    ):
        body = stored[min(n, 1)]
        assert response["body"] == body  # the bytes as stored, after transfer and content decoding
        assert response["http"].protocol == "HTTP/1.1" and response["http"].get_statuscode() == "200"
        assert response["http"].headers == [
            ("Server", "nginx"),
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),  # recomputed; Content-Encoding, Transfer-Encoding dropped
            ("ETag", '"abc"'),
        ]
        assert response["headers"]["WARC-IP-Address"] == "203.0.113.7"
        assert response["headers"]["WARC-Target-URI"] == URL
        assert request["headers"]["WARC-Concurrent-To"] == response["headers"]["WARC-Record-ID"]
        assert request["http"].protocol == "GET" and request["http"].statusline.startswith("/art/2022/9/14/")
        assert request["http"].get_header("Host") == "www.qz.gov.cn"
        assert request["http"].get_header("User-Agent") == "govwatch/0.1.0"
        meta = json.loads(metadata["body"])
        assert metadata["headers"]["WARC-Concurrent-To"] == response["headers"]["WARC-Record-ID"]
        assert meta["original_headers"] == {
            "Content-Encoding": ["gzip"],
            "Transfer-Encoding": ["chunked"],
            "Content-Length": ["999"],
        }
        assert meta["key"] == INDEX_NO and meta["fields"]["index_no"] == INDEX_NO
    dates = [r["headers"]["WARC-Date"] for r in records[3::3]]
    assert dates == ["2024-05-01T02:00:00Z", "2024-05-02T02:00:00Z", "2024-05-03T02:00:00Z"]
    versions = [json.loads(m["body"]) for m in records[5::3]]
    assert [v["version"] for v in versions] == [1, 2, None]
    second = release(paragraphs=[*BODY, "新增一段。"])
    assert versions[2]["content_hash"] == content_hash(second) and versions[2]["flags"] == [SPAM.to_dict()]
    assert versions[2]["fields"]["paragraphs"][-1] == "新增一段。"


def test_filters(db: Path) -> None:
    def kinds(**filters: Any) -> list[str]:
        return [r["type"] for r in read(export(db, **filters)) if r["type"] in ("resource", "response")]

    assert kinds(key=OLD_KEY) == ["resource"]
    assert kinds(key=INDEX_NO) == ["response"] * 3
    assert kinds(since="2024-05-02") == ["response"] * 2
    assert kinds(site="elsewhere") == []


def test_headers_true_to_the_stored_bytes() -> None:
    headers, original = true_headers(
        [("content-length", "10"), ("X-A", "1"), ("Content-Length", "11")], b"abc"
    )
    assert headers == [("content-length", "3"), ("X-A", "1")]
    assert original == {"content-length": ["10"], "Content-Length": ["11"]}
    assert true_headers([("Server", "x")], b"ab")[0] == [("Server", "x"), ("Content-Length", "2")]
    assert warc_date("2024-05-01T10:00:00.250000+08:00") == "2024-05-01T02:00:00.250000Z"
    assert warc_date("2024-05-01") == "2024-04-30T16:00:00Z"  # a date is China time


@pytest.mark.slow
def test_the_command_writes_a_warc_that_warcio_checks(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "archive.warc.gz"
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "export", "--warc", str(out), "--db", str(db)],
        capture_output=True, text=True, timeout=120, env=env_with(),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "wrote 4 page(s), 12 WARC record(s)" in proc.stderr
    warcio = Path(sys.executable).with_name("warcio")
    check = subprocess.run(
        [str(warcio), "check", "-v", str(out)], capture_output=True, text=True, timeout=120
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("digest pass") == 12 and "fail" not in check.stdout.lower()
    index = subprocess.run(
        [str(warcio), "index", "-f", "warc-type,warc-target-uri,http:status", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    lines = [json.loads(line) for line in index.stdout.splitlines()]
    assert [line["warc-type"] for line in lines].count("response") == 3
    assert {line.get("http:status") for line in lines if line["warc-type"] == "response"} == {"200"}
    assert out.read_bytes()[:2] == b"\x1f\x8b"  # .gz: gzipped per record

    plain = tmp_path / "archive.warc"
    one = subprocess.run(
        [sys.executable, "-m", "crawler", "export", "--warc", str(plain), "--db", str(db), "--key", OLD_URL],
        capture_output=True, text=True, timeout=120, env=env_with(),
    )  # fmt: skip
    assert one.returncode == 0, one.stderr
    assert plain.read_bytes().startswith(b"WARC/1.1\r\n")
    assert [r["type"] for r in read(plain.read_bytes())] == ["warcinfo", "resource", "metadata"]

    for args, message in (
        (["--key", "no-such-release"], "no release with key or URL 'no-such-release'"),
        (["--since", "last tuesday"], "'last tuesday' is not a date"),
        (["--warc", str(tmp_path / "no" / "such" / "dir.warc")], "cannot write"),
    ):
        bad = subprocess.run(
            [sys.executable, "-m", "crawler", "export", "--warc", str(tmp_path / "x.warc"), "--db", str(db), *args],
            capture_output=True, text=True, timeout=120, env=env_with(),
        )  # fmt: skip
        assert bad.returncode == 2 and message in bad.stderr, (args, bad.stderr)
        assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
        assert bad.stderr.startswith("govwatch: error: ")
