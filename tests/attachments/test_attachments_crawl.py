"""Attachments watched like the page, end to end on the sample site: real crawls (subprocesses)
against a real HTTP server, files made by maintained libraries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.demo.server import serve
from crawler.demo.site import SampleSite
from tests.attachments import docs
from tests.helpers import NEWS, env_with, rows, run_crawl, site_entry, value, write_config

pytestmark = pytest.mark.slow  # real crawls

T0 = "2022-09-15T09:00:00+08:00"
T1 = "2022-09-15T10:00:00+08:00"
T2 = "2022-09-15T11:00:00+08:00"
T3 = "2022-09-15T12:00:00+08:00"
T4 = "2022-09-15T13:00:00+08:00"

PDF, DOCX = "/module/download/fj/shishi_fangan.pdf", "/module/download/fj/xiangmu_qingdan.docx"
PDF_V1 = ("衢州市数字化改革实施方案", "第一条 预算资金共计三百万元。")
PDF_V2 = ("衢州市数字化改革实施方案", "第一条 预算资金共计五百万元。")
#: 香榧 appears only inside the DOCX (not on the page, not in the PDF)
DOCX_TEXT = ("香榧产业项目清单", "开化县古树保护项目")


def govwatch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args], capture_output=True, text=True, timeout=120, env=env_with()
    )


def _site() -> tuple[SampleSite, int]:
    site = SampleSite()
    site.add_column(NEWS, "发布实录")
    site.add_page(
        NEWS,
        title="关于衢州市政务公开工作的通知",
        paragraphs=["各县（市、区）人民政府：", "现将有关事项通知如下。"],
    )
    page = site.add_page(
        NEWS,
        title="关于印发衢州市数字化改革实施方案的通知",
        paragraphs=["各县（市、区）人民政府，市政府各部门：", "现将实施方案印发给你们，请认真贯彻执行。"],
        attachments=[("实施方案.pdf", PDF), ("项目清单.docx", DOCX)],
    )
    site.add_file(PDF, docs.pdf(*PDF_V1), "application/pdf")
    site.add_file(
        DOCX, docs.docx(*DOCX_TEXT), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    return site, page.id


def test_a_replaced_pdf_is_one_changed_event_and_the_docx_text_is_searchable(tmp_path: Path) -> None:
    site, pid = _site()
    with serve(site) as server:
        config = write_config(tmp_path, [site_entry(server.url, site, revisit="always")])
        db = tmp_path / "govwatch.db"
        first = run_crawl(config, now=T0)
        assert first.returncode == 0 and first.run["status"] == "ok", first
        assert first.types() == ["new", "new"], first
        assert {r["outcome"] for r in rows(db, "SELECT outcome FROM fetches")} == {"ok"}
        assert value(db, "SELECT max(fail_streak) FROM release_urls") == 0

        files = rows(db, "SELECT type, text_status, size, text FROM attachment_files ORDER BY type")
        assert [(f["type"], f["text_status"]) for f in files] == [("docx", "ok"), ("pdf", "ok")]
        assert "三百万元" in files[1]["text"] and "香榧" in files[0]["text"]
        listed = rows(db, "SELECT name, url, sha256, state FROM version_attachments ORDER BY position")
        assert [(a["name"], a["state"]) for a in listed] == [("实施方案.pdf", "ok"), ("项目清单.docx", "ok")]
        assert all(a["sha256"].startswith("sha256:") for a in listed)

        # search: a two-character word only the DOCX holds finds the release, and only it
        found = govwatch("releases", "--db", str(db), "--search", "香榧")
        assert found.returncode == 0, found.stderr
        assert "数字化改革实施方案" in found.stdout and "政务公开" not in found.stdout, found.stdout
        assert "数字化改革" in govwatch("releases", "--db", str(db), "--search", "三百万").stdout

        # an unchanged re-crawl: conditional requests everywhere, no file downloaded again
        served = site.hits[PDF], site.hits[DOCX]
        again = run_crawl(config, now=T1)
        assert again.returncode == 0 and again.run["status"] == "ok", again
        assert again.events == [], again
        assert value(db, "SELECT max(fail_streak) FROM release_urls") == 0
        assert (site.hits[PDF], site.hits[DOCX]) == (served[0] + 1, served[1] + 1)
        assert site.not_modified[PDF] == 1 and site.not_modified[DOCX] == 1
        assert value(db, "SELECT count(*) FROM attachment_files") == 2
        assert value(db, "SELECT count(*) FROM versions") == 2

        # the PDF replaced under the same URL, the page untouched: one changed event naming it
        site.add_file(PDF, docs.pdf(*PDF_V2), "application/pdf")
        third = run_crawl(config, now=T2)
        assert third.returncode == 0, third
        assert third.types() == ["changed"], third
        event = rows(db, "SELECT * FROM events WHERE type = 'changed'")
        assert len(event) == 1
        details = json.loads(event[0]["details"])
        assert [(a["change"], a["name"]) for a in details["attachments"]] == [("replaced", "实施方案.pdf")]
        assert "[-三-]{+五+}" in details["attachments"][0]["diff"]
        assert "附件替换《实施方案.pdf》" in details["diff"]
        assert value(db, "SELECT count(*) FROM attachment_files") == 3  # the DOCX is stored once

        # history shows each version's files
        key = rows(db, "SELECT key FROM releases WHERE title LIKE '%数字化改革%'")[0]["key"]
        history = govwatch("history", key, "--db", str(db))
        assert history.returncode == 0, history.stderr
        assert history.stdout.count("实施方案.pdf") >= 2 and "项目清单.docx" in history.stdout, history.stdout

        # a failing attachment is a failed fetch, never a change nor a removal
        site.fault(PDF, sticky="500")
        fourth = run_crawl(config, now=T3)
        assert fourth.events == [] and fourth.run["status"] == "partial", fourth
        assert value(db, "SELECT state FROM attachment_urls WHERE url LIKE '%shishi%'") == "ok"
        assert value(db, "SELECT fail_streak FROM attachment_urls WHERE url LIKE '%shishi%'") == 1
        assert value(db, "SELECT status FROM releases WHERE key = ?", key) == "live"

        # one file dropped from the page, another added: one changed event naming both
        site.clear_faults()
        xlsx = site.add_file(
            "/module/download/fj/yusuan.xlsx", docs.xlsx([["项目", "预算"], ["城市书房", 35]])
        )
        with site.lock:
            page = site.page(pid)
            page.attachments = [("实施方案.pdf", PDF), ("预算表.xlsx", xlsx)]
            page.version += 1
        fifth = run_crawl(config, now=T4)
        assert fifth.types() == ["changed"], fifth
        details = json.loads(
            rows(db, "SELECT details FROM events WHERE type = 'changed' ORDER BY id DESC")[0]["details"]
        )
        assert sorted((a["change"], a["name"]) for a in details["attachments"]) == [
            ("added", "预算表.xlsx"),
            ("removed", "项目清单.docx"),
        ]
        # the index follows the current version's files: the spreadsheet's words in, the DOCX's out
        assert "数字化改革" in govwatch("releases", "--db", str(db), "--search", "书房").stdout
        assert "数字化改革" not in govwatch("releases", "--db", str(db), "--search", "香榧").stdout


def test_a_200_mb_attachment_is_refused_at_the_cap_without_being_read_whole(tmp_path: Path) -> None:
    site = SampleSite()
    site.add_column(NEWS, "发布实录")
    big, unsized = "/module/download/fj/big.pdf", "/module/download/fj/big_unsized.pdf"
    site.add_stream(big, 200 * 1024 * 1024)
    # no Content-Length, and no 304 either: cut off as it streams, then stopped at its headers
    site.add_stream(unsized, 200 * 1024 * 1024, sized=False, conditional=False)
    site.add_page(
        NEWS,
        title="关于公布全市建设项目清单的通知",
        paragraphs=["现将全市建设项目清单予以公布。"],
        attachments=[("项目清单.pdf", big), ("项目明细.pdf", unsized)],
    )
    with serve(site) as server:
        config = write_config(tmp_path, [site_entry(server.url, site, revisit="always")])
        db = tmp_path / "govwatch.db"
        first = run_crawl(config, now=T0)
        assert first.returncode == 0, first
        assert first.run["status"] == "partial", first
        assert "too large" in first.proc.stderr and "big.pdf" in first.proc.stderr, first
        assert "attachment too large, not stored" in first.run["reason"], first.run
        assert site.bytes_served < 120 * 1024 * 1024, site.bytes_served  # neither was read whole
        states = rows(db, "SELECT url, state, content_length, sha256 FROM attachment_urls ORDER BY url")
        assert [s["state"] for s in states] == ["too_large", "too_large"]
        assert states[0]["content_length"] == 200 * 1024 * 1024 and states[0]["sha256"] is None
        assert value(db, "SELECT count(*) FROM attachment_files") == 0
        notes = json.loads(rows(db, "SELECT notes FROM runs")[0]["notes"])
        assert any("too large" in n for n in notes["partial"])
        assert first.types() == ["new"], first

        # not read again while its validators are unchanged: a 304, or stopped at the same headers
        served = site.bytes_served
        again = run_crawl(config, now=T1)
        assert again.events == [] and again.run["status"] == "ok", again
        assert site.not_modified[big] == 1 and site.hits[unsized] == 2
        assert site.bytes_served - served < 20 * 1024 * 1024, site.bytes_served - served
        assert [s["state"] for s in rows(db, "SELECT state FROM attachment_urls")] == [
            "too_large",
            "too_large",
        ]


def test_files_fetched_for_the_first_time_are_no_change_and_survive_reparse(tmp_path: Path) -> None:
    """A release stored before its files were fetched (an older govwatch, or attachments off) takes
    their digests in place: no event; ``reparse`` keeps them; a later replacement is still news."""
    site, _pid = _site()
    fake = "/module/download/fj/fake.pdf"
    site.add_file(fake, b"<!DOCTYPE html><html><body>404 Not Found</body></html>", "text/html")
    site.add_page(
        NEWS,
        title="关于开展安全生产大检查的通知",
        paragraphs=["各有关单位："],
        attachments=[("检查表.pdf", fake)],
    )
    with serve(site) as server:
        entry = site_entry(server.url, site, revisit="always", attachments={"fetch": False})
        config = write_config(tmp_path, [entry])
        db = tmp_path / "govwatch.db"
        first = run_crawl(config, now=T0)
        assert first.types() == ["new", "new", "new"], first
        assert value(db, "SELECT count(*) FROM attachment_urls") == 0
        assert value(db, "SELECT count(*) FROM attachment_files") == 0

        config = write_config(tmp_path, [{**entry, "attachments": {"fetch": True}}])
        second = run_crawl(config, now=T1)
        assert second.returncode == 0 and second.events == [], second
        assert value(db, "SELECT count(*) FROM attachment_files") == 3
        assert value(db, "SELECT count(*) FROM versions") == 3
        # the HTML served as a .pdf: a warning flag on the version, not an alert
        flags = json.loads(
            rows(
                db,
                "SELECT v.flags FROM versions v JOIN releases r ON r.key = v.key WHERE r.title LIKE '%安全生产%'",
            )[0]["flags"]
        )
        assert {"rule": "attachment_type", "severity": "warning"}.items() <= next(
            f for f in flags if f["rule"] == "attachment_type"
        ).items()
        assert ".pdf is html" in json.dumps(flags, ensure_ascii=False)

        hashes = rows(db, "SELECT key, content_hash FROM releases ORDER BY key")
        reparse = govwatch("reparse", "--db", str(db))
        assert reparse.returncode == 0, reparse.stderr
        assert rows(db, "SELECT key, content_hash FROM releases ORDER BY key") == hashes

        site.add_file(PDF, docs.pdf(*PDF_V2), "application/pdf")
        third = run_crawl(config, now=T2)
        assert third.types() == ["changed"], third


def test_the_link_checker_leaves_fetched_attachments_to_the_crawl(tmp_path: Path) -> None:
    site, _pid = _site()
    with serve(site) as server:
        config = write_config(tmp_path, [site_entry(server.url, site)])
        db = tmp_path / "govwatch.db"
        first = run_crawl(config, now=T0)
        assert first.run["status"] == "ok", first
        assert site.hits[PDF] == 1 and site.hits[DOCX] == 1  # fetched once, not checked again
        checks = rows(db, "SELECT url, method, ok FROM link_checks WHERE kind = 'attachment' ORDER BY url")
        assert [(c["method"], c["ok"]) for c in checks] == [("GET", 1), ("GET", 1)]
        assert value(db, "SELECT count(*) FROM link_status WHERE kind = 'attachment' AND ok = 1") == 2


def test_a_failing_attachment_is_fetch_failed_naming_it_then_recovered(tmp_path: Path) -> None:
    site, _pid = _site()
    with serve(site) as server:
        config = write_config(tmp_path, [site_entry(server.url, site, revisit="always", fail_after=2)])
        db = tmp_path / "govwatch.db"
        assert run_crawl(config, now=T0).run["status"] == "ok"
        site.fault(DOCX, sticky="404")
        first = run_crawl(config, now=T1)
        assert first.events == [] and first.run["status"] == "partial", first
        assert first.run["reason"] == "1 attachment fetch(es) failed", first.run
        second = run_crawl(config, now=T2)
        assert second.types() == ["fetch_failed"], second
        event = rows(db, "SELECT url, details FROM events WHERE type = 'fetch_failed'")[0]
        assert event["url"].endswith(DOCX) and json.loads(event["details"])["attachment"] == "项目清单.docx"
        assert value(db, "SELECT count(*) FROM releases WHERE status = 'removed'") == 0
        site.clear_faults()
        third = run_crawl(config, now=T3)
        assert third.types() == ["fetch_recovered"], third


def test_the_runs_attachment_budget_leaves_files_for_the_next_run(tmp_path: Path) -> None:
    site, _pid = _site()
    with serve(site) as server:
        entry = site_entry(server.url, site, attachments={"run_budget": "1KB"})
        config = write_config(tmp_path, [entry])
        db = tmp_path / "govwatch.db"
        first = run_crawl(config, now=T0)
        assert first.run["status"] == "partial" and "byte budget" in first.run["reason"], first
        assert value(db, "SELECT count(*) FROM attachment_files") == 0
        assert {r["state"] for r in rows(db, "SELECT state FROM version_attachments")} == {"skipped"}
        config = write_config(tmp_path, [{**entry, "attachments": {}, "revisit": "always"}])
        second = run_crawl(config, now=T1)
        assert second.run["status"] == "ok" and second.events == [], second
        assert value(db, "SELECT count(*) FROM attachment_files") == 2
