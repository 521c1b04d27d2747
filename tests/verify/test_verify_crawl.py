"""End to end: a real crawl of a Hanweb-style site on 127.0.0.1 (answering gzip) archives a release
with the response as fetched; ``govwatch verify`` (a real subprocess) judges copies of it; ``govwatch
export --warc`` hands the archive over as WARC that warcio reads back and checks."""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.demo.server import serve
from crawler.demo.site import Page, Response, SampleSite, build_site
from crawler.store import evidence
from crawler.store.codec import decompress
from tests.helpers import NEWS, env_with, run_crawl, schema, site_entry, write_config

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

BIO = "关于专家组 衢州某某智能科技有限公司执行董事张某某，毕业于某某大学，长期从事数字治理研究。"
PARAGRAPHS = [
    "9月20日上午，市政府召开数字化改革推进会。",
    "市长王浩、副市长李明出席会议并讲话。",
    "会议要求，各地各部门要对标对表，确保改革任务按期完成。",
]


@dataclass
class Crawled:
    site: SampleSite
    url: str  # the server's base URL
    db: Path
    config: Path
    page: Page
    copy: bytes  # the page as a reader saved it after the first crawl
    tmp: Path

    @property
    def page_url(self) -> str:
        return self.url + self.site.page_path(self.page)


def gzipping(site: SampleSite) -> None:
    """Answer gzip to whoever accepts it, as most government servers do."""
    plain = site.handle

    def handle(
        method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Response:
        resp = plain(method, target, body, headers)
        accepts = {k.lower(): v for k, v in (headers or {}).items()}.get("accept-encoding", "")
        if resp.status == 200 and resp.body and "gzip" in accepts:
            return Response(200, gzip.compress(resp.body), {**resp.headers, "Content-Encoding": "gzip"})
        return resp

    site.handle = handle  # type: ignore[method-assign]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    tmp = tmp_path_factory.mktemp("verify")
    site = build_site(6, per_page=5)
    page = site.add_page(
        NEWS, day=date(2022, 9, 20), title="市政府召开数字化改革推进会", paragraphs=PARAGRAPHS
    )
    gzipping(site)
    with serve(site) as server:
        config = write_config(tmp, [site_entry(server.url, site, revisit="always")])
        first = run_crawl(config)
        assert first.returncode == 0 and first.run["status"] == "ok", first
        with urllib.request.urlopen(server.url + site.page_path(page), timeout=20) as resp:
            copy = resp.read()  # a plain (not gzipped) download: what a reader saves
        yield Crawled(site, server.url, tmp / "govwatch.db", config, page, copy, tmp)


def govwatch(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env_with(),
        cwd=cwd,
    )


def verify(crawled: Crawled, body: bytes | str, name: str, *args: str) -> tuple[int, dict[str, Any]]:
    path = crawled.tmp / name
    if isinstance(body, bytes):
        path.write_bytes(body)
        target = str(path)
    else:
        target = body  # a URL
    proc = govwatch("verify", target, "--json", "--db", str(crawled.db), *args, cwd=crawled.tmp)
    assert proc.returncode in (0, 1, 3), proc.stderr
    data = json.loads(proc.stdout)
    jsonschema.validate(data, schema("verify"))
    return proc.returncode, data


def test_every_stored_page_keeps_the_response_as_fetched(crawled: Crawled) -> None:
    with sqlite3.connect(crawled.db) as conn:
        rows = conn.execute(
            "SELECT v.key, v.raw_html, f.evidence, f.raw_html, f.fetched_at, v.first_seen "
            "FROM versions v JOIN fetches f ON f.id = v.fetch_id"
        ).fetchall()
        versions = conn.execute("SELECT count(*) FROM versions").fetchone()[0]
    assert len(rows) == versions > 0  # every version names the fetch its page came from
    for _key, raw_html, blob, fetch_raw, fetched_at, first_seen in rows:
        assert fetch_raw is None and fetched_at == first_seen  # the body is kept once: in the version
        data = evidence.decode(blob)
        assert data is not None
        body = decompress(raw_html)
        assert body is not None and body.startswith(b"<!DOCTYPE html>")  # decoded, as read
        headers = dict(data["headers"])
        assert data["protocol"] == "HTTP/1.0" and data["status"] == 200 and data["ip"] == "127.0.0.1"
        assert headers["Content-Encoding"] == "gzip"  # as received, before decoding
        assert int(headers["Content-Length"]) == len(gzip.compress(body)) != len(body)
        request = dict(data["request"])
        assert "govwatch" in request["User-Agent"] and "gzip" in request["Accept-Encoding"]


def test_verify_judges_copies(crawled: Crawled) -> None:
    copy = crawled.copy.decode("utf-8")
    key = crawled.page.index_no
    assert key is not None

    # the page as served again later (another visit count, date and nonce), assets moved: faithful
    rehosted = re.sub(r'(src|href)="/', r'\1="static/', copy)
    code, data = verify(
        crawled, rehosted.encode(), "rehosted.html", "--url", "https://copies.example.org/a.html"
    )
    assert (code, data["verdict"]) == (0, "faithful"), data
    assert data["match"]["key"] == key and (data["match"]["method"], data["match"]["confidence"]) == (
        "index_no",
        "high",
    )
    assert data["version"]["number"] == 1 and data["version"]["current"]
    assert data["host"]["elsewhere"] is True and "copies.example.org" in data["host"]["message"]

    # one paragraph inserted: a "关于专家组" bio
    anchor = f"{PARAGRAPHS[1]}</p>"
    inserted = copy.replace(anchor, f'{anchor}\n<p style="text-indent: 2em;">{BIO}</p>')
    code, data = verify(crawled, inserted.encode(), "inserted.html")
    assert (code, data["verdict"]) == (1, "differs")
    assert [(p["change"], p["part"], p["copy"], p["copy_index"]) for p in data["passages"]] == [
        ("inserted", "paragraph", BIO, 3)
    ]

    # one name altered: the official text beside the copy's
    altered = copy.replace("副市长李明", "副市长李鸣")
    code, data = verify(crawled, altered.encode(), "altered.html")
    assert (code, data["verdict"]) == (1, "differs")
    [passage] = data["passages"]
    assert passage["change"] == "altered"
    assert (passage["official"], passage["copy"]) == (PARAGRAPHS[1], PARAGRAPHS[1].replace("李明", "李鸣"))
    assert (passage["deleted"], passage["inserted"]) == ("明", "鸣")

    # the 索引号 unknown to the archive: found by the URL it was served at, the number a difference
    renumbered = copy.replace(key, key[:-3] + "999")
    code, data = verify(crawled, renumbered.encode(), "renumbered.html", "--url", crawled.page_url)
    assert data["match"]["method"] == "url" and data["match"]["key"] == key
    assert (code, [p["part"] for p in data["passages"]]) == (1, ["index_no"])

    # no 索引号 and no URL: found by its title and date
    unnumbered = re.sub(r'<td class="bt">索引号:</td><td class="nr">[^<]*</td>', "", copy)
    code, data = verify(crawled, unnumbered.encode(), "unnumbered.html")
    assert (data["match"]["method"], data["match"]["confidence"]) == ("title_date", "medium")
    assert data["match"]["key"] == key

    # a page the archive never saw
    other = copy.replace(key, key[:-3] + "998").replace("市政府召开数字化改革推进会", "另一份从未发布的文件")
    other = re.sub(r"<p style=\"text-indent: 2em;\">[^<]*</p>", "<p>完全不同的正文。</p>", other)
    code, data = verify(crawled, other.encode(), "other.html")
    assert (code, data["verdict"], data["match"]) == (3, "not_found", None)

    # the live page itself, fetched by URL
    code, data = verify(crawled, crawled.page_url, "-")
    assert (code, data["verdict"], data["copy"]["url"]) == (0, "faithful", crawled.page_url)
    assert data["host"]["elsewhere"] is False


def test_text_output_and_errors(crawled: Crawled) -> None:
    inserted = crawled.copy.decode().replace(f"{PARAGRAPHS[1]}</p>", f"{PARAGRAPHS[1]}</p><p>{BIO}</p>")
    path = crawled.tmp / "inserted-text.html"
    path.write_text(inserted, encoding="utf-8")
    proc = govwatch("verify", str(path), "--db", str(crawled.db), cwd=crawled.tmp)
    assert proc.returncode == 1
    assert proc.stdout.startswith("DIFFERS — differs from v1")
    assert "[inserted] 正文段落: the copy's no. 3" in proc.stdout and BIO in proc.stdout
    for args, message in (
        (["no-such-file.html"], "no-such-file.html: no such file"),
        ([crawled.url + "/no/such/page.html"], "HTTP 404"),
        ([str(crawled.tmp)], "is a directory"),
    ):
        bad = govwatch("verify", *args, "--db", str(crawled.db), cwd=crawled.tmp)
        assert bad.returncode == 2 and message in bad.stderr, (args, bad.stderr)
        assert len(bad.stderr.strip().splitlines()) == 1 and bad.stderr.startswith("govwatch: error: ")

    # the database by the rule every command follows: ./config.yaml names it; else what was tried
    by_config = govwatch("verify", str(path), "--json", cwd=crawled.tmp)
    assert by_config.returncode == 1 and json.loads(by_config.stdout)["verdict"] == "differs"
    elsewhere = crawled.tmp / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    for args in (["verify", str(path)], ["export", "--warc", "out.warc"]):
        lost = govwatch(*args, cwd=elsewhere)
        assert lost.returncode == 2 and lost.stderr.startswith("govwatch: error: database not found"), lost
        assert "tried" in lost.stderr and "./config.yaml (not there)" in lost.stderr
        assert len(lost.stderr.strip().splitlines()) == 1
    assert not (elsewhere / "out.warc").exists()


def test_an_edited_page_and_the_copy_of_what_it_was(crawled: Crawled) -> None:
    crawled.site.edit(crawled.page.id, "确保改革任务按期完成", "确保改革任务年底前完成")
    second = run_crawl(crawled.config)
    assert second.types() == ["changed"], second
    code, data = verify(crawled, crawled.copy, "before-edit.html")
    assert (code, data["verdict"]) == (0, "faithful")
    assert data["version"]["number"] == 1 and data["version"]["of"] == 2 and not data["version"]["current"]
    assert data["version"]["replaced_at"] is not None
    assert [(v["version"], v["distance"] == 0) for v in data["versions_compared"]] == [(1, True), (2, False)]

    # and the WARC of the release: both versions' responses, true to the stored bytes
    out = crawled.tmp / "release.warc.gz"
    proc = govwatch(
        "export", "--warc", str(out), "--key", crawled.page_url, "--db", str(crawled.db), cwd=crawled.tmp
    )
    assert proc.returncode == 0, proc.stderr
    check = subprocess.run(
        [str(Path(sys.executable).with_name("warcio")), "check", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    with sqlite3.connect(crawled.db) as conn:
        stored = [
            decompress(raw)
            for (raw,) in conn.execute(
                "SELECT raw_html FROM versions WHERE key = ? ORDER BY version", [crawled.page.index_no]
            )
        ]
    responses, metadata = [], []
    for record in ArchiveIterator(BytesIO(out.read_bytes())):
        if record.rec_type == "response":
            responses.append((record.http_headers, record.content_stream().read()))
        elif record.rec_type == "metadata":
            metadata.append(json.loads(record.content_stream().read()))
    assert [body for _h, body in responses] == stored
    for headers, body in responses:
        assert headers.get_header("Content-Encoding") is None
        assert headers.get_header("Content-Length") == str(len(body))
    assert [m["original_headers"]["Content-Encoding"] for m in metadata] == [["gzip"], ["gzip"]]
    assert [m["version"] for m in metadata] == [1, 2]
    assert "年底前完成" in " ".join(metadata[1]["fields"]["paragraphs"])
