"""Every fault a government server can serve, at once, on known releases of one real local site,
for ``fail_after`` runs in a row: no content event, nothing stored changes, each fault is a failed
fetch with its error kind, one ``fetch_failed`` per URL on the third run, one ``fetch_recovered``
when it answers again. Wrong and missing charsets, deep nesting and broken markup are not faults
at all: the same release, the same content hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.demo.server import serve
from tests.helpers import run_crawl, site_entry, write_config
from tests.reliability.kit import (
    BENIGN_FAULTS,
    DETAIL_FAULTS,
    FAULT_RUN_DURATION,
    content_events,
    fault_site,
    rows,
    run_fetches,
    snapshot,
)

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes

FAIL_AFTER = 3
NOW = "2022-09-15T09:00:00+08:00"  # the site's own time: no column is stale


@pytest.mark.timeout(900)
def test_faults_never_become_alerts_nor_lose_what_is_stored(tmp_path: Path) -> None:
    site = fault_site(26)
    news, notices = list(site.columns)
    with serve(site) as server:
        config = write_config(
            tmp_path,
            [
                site_entry(
                    server.url, site, revisit="always", max_duration=FAULT_RUN_DURATION, fail_after=FAIL_AFTER
                )
            ],
        )
        db = tmp_path / "govwatch.db"
        base = run_crawl(config, now=NOW)
        assert base.returncode == 0 and base.run["status"] == "ok", base
        assert base.types().count("new") == 26, base
        before = snapshot(db)

        pages = [p for col in site.columns.values() for p in col.pages]
        url = {p.id: server.url + site.page_path(p) for p in pages}
        sticky = dict(zip([p.id for p in pages], DETAIL_FAULTS, strict=False))
        benign = dict(zip([p.id for p in pages[len(sticky) :]], BENIGN_FAULTS, strict=False))
        burst_ok, burst_fail = pages[len(sticky) + len(benign) : len(sticky) + len(benign) + 2]
        for pid, kind in sticky.items():
            site.fault(site.page_path(site.page(pid)), sticky=kind)
        for pid, kind in benign.items():
            site.fault(site.page_path(site.page(pid)), sticky=kind)
        list_path = site.column_url(notices)
        site.fault(list_path, sticky="500")
        # 5xx bursts: two 503s are absorbed by the retries, three outlast them (first faulty run only)
        site.fault(site.page_path(burst_ok), "503", "503")
        site.fault(site.page_path(burst_fail), "503", "503", "503")

        faulty = [run_crawl(config, now=NOW, timeout=600) for _ in range(FAIL_AFTER)]
        for n, run in enumerate(faulty, 1):
            assert run.returncode == 0 and run.run["status"] == "partial", (n, run)
            assert content_events(run.events) == [], (n, run)
            assert snapshot(db) == before, n  # no version made, none lost, the last good stays current
            fetched = run_fetches(db, run.run["id"])
            for pid, kind in sticky.items():
                row = fetched.get(url[pid])
                assert row is not None, (kind, n)
                want_kind, want_reason = DETAIL_FAULTS[kind]
                assert (row["outcome"], row["error_kind"]) == ("error", want_kind), (kind, row)
                if want_reason:
                    assert row["not_release_reason"] == want_reason, (kind, row)
            for pid, kind in benign.items():
                assert fetched[url[pid]]["outcome"] == "ok", (kind, fetched[url[pid]])
            assert fetched[url[burst_ok.id]]["outcome"] == "ok"
            burst = fetched[url[burst_fail.id]]
            assert (burst["outcome"], burst["error_kind"]) == (
                ("error", "http_503") if n == 1 else ("ok", None)
            )
            column_fetch = fetched.get(server.url + list_path)
            assert column_fetch is not None and column_fetch["outcome"] == "error", (n, column_fetch)
            assert column_fetch["error_kind"] == "http_500"

        # the third run in a row reports each persistent fault once: every URL, and the column
        reported = [e for e in faulty[-1].events if e["type"] == "fetch_failed"]
        assert sorted(e["url"] for e in reported) == sorted(
            [url[pid] for pid in sticky] + [server.url + list_path]
        ), faulty[-1]
        assert [e for r in faulty[:-1] for e in r.events] == [], faulty[:-1]
        assert {e["type"] for e in faulty[-1].events} == {"fetch_failed"}, faulty[-1]

        fourth = run_crawl(config, now=NOW, timeout=600)  # still failing: said once, not per run
        assert fourth.events == [], fourth

        site.clear_faults()
        back = run_crawl(config, now=NOW)
        assert back.run["status"] == "ok", back
        assert back.types() == ["fetch_recovered"] * (len(sticky) + 1), back
        quiet = run_crawl(config, now=NOW)
        assert quiet.events == [] and quiet.run["status"] == "ok", quiet
        assert snapshot(db) == before
        failed = rows(db, "SELECT count(*) AS n FROM fetches WHERE outcome = 'error' AND error_kind IS NULL")
        assert failed[0]["n"] == 0  # every failed fetch says why
