"""new → unchanged → changed → removed (two runs) → restored, and failures in between."""

from __future__ import annotations

from tests.records import BODY, INDEX_NO, URL, fetch, ok, release, types


def counts(store) -> dict[str, int]:
    return {t: store.db[t].count for t in ("releases", "versions", "events", "fetches", "release_urls")}


def test_full_lifecycle(store):
    r1 = store.start_run("quzhou")
    events = ok(store, release(), r1, baseline=True)
    assert types(events) == ["new"]
    assert events[0].baseline is True and events[0].version == 1 and events[0].id is not None
    assert events[0].key == INDEX_NO and events[0].index_no == INDEX_NO and events[0].column == "发布实录"

    r2 = store.start_run("quzhou")
    assert ok(store, release(), r2) == []  # unchanged: nothing
    assert store.db["versions"].count == 1

    r3 = store.start_run("quzhou")
    edited = release(paragraphs=[BODY[0], BODY[1].replace("四省边际", "四省边际中心"), BODY[2]])
    events = ok(store, edited, r3)
    assert types(events) == ["changed"]
    assert events[0].version == 2 and events[0].version_before == 1
    assert "{+中心+}" in events[0].details["diff"]
    assert events[0].details["fields"] == ["paragraphs"]

    r4 = store.start_run("quzhou")
    assert store.record(fetch(URL, outcome="gone", run_id=r4), None, []) == []  # first gone run: not yet
    assert store.release(INDEX_NO)["status"] == "live"
    r5 = store.start_run("quzhou")
    events = store.record(fetch(URL, outcome="gone", run_id=r5), None, [])
    assert types(events) == ["removed"]
    assert store.release(INDEX_NO)["status"] == "removed"
    r6 = store.start_run("quzhou")
    assert store.record(fetch(URL, outcome="gone", run_id=r6), None, []) == []  # removed once only

    r7 = store.start_run("quzhou")
    events = ok(store, edited, r7)
    assert types(events) == ["restored"]
    assert store.release(INDEX_NO)["status"] == "live"
    assert [v["version"] for v in store.history(URL)] == [1, 2]
    assert [e.type for e in store.events()] == ["new", "changed", "removed", "restored"]


def test_same_content_twice_is_idempotent(store):
    assert types(ok(store, release())) == ["new"]
    before = counts(store)
    assert ok(store, release()) == []
    after = counts(store)
    assert after["versions"] == before["versions"] and after["events"] == before["events"]
    assert after["fetches"] == before["fetches"] + 1


def test_failed_fetch_leaves_everything_as_it_was(store):
    ok(store, release())
    rel_before = store.release(INDEX_NO)
    versions_before = store.history(INDEX_NO)
    run = store.start_run("quzhou")
    assert store.record(fetch(URL, outcome="error", run_id=run), None, []) == []
    not_release = release()
    not_release.kind, not_release.not_release_reason = "not_release", "waf"
    assert store.record(fetch(URL, run_id=run, body=b"<html>waf</html>"), not_release, []) == []
    assert store.release(INDEX_NO) == rel_before
    assert store.history(INDEX_NO) == versions_before
    assert store.db["events"].count == 1
    outcomes = [r["outcome"] for r in store.db.query("SELECT outcome FROM fetches ORDER BY id")]
    assert outcomes == ["ok", "error", "error"]


def test_failed_runs_neither_count_nor_reset_gone(store):
    ok(store, release())
    for outcome in ("gone", "error", "error", "gone"):
        run = store.start_run("quzhou")
        events = store.record(fetch(URL, outcome=outcome, run_id=run), None, [])
    assert types(events) == ["removed"]


def test_one_gone_run_then_ok_resets(store):
    ok(store, release())
    store.record(fetch(URL, outcome="gone", run_id=store.start_run("quzhou")), None, [])
    ok(store, release(), store.start_run("quzhou"))
    events = store.record(fetch(URL, outcome="gone", run_id=store.start_run("quzhou")), None, [])
    assert events == []
    assert store.release(URL)["status"] == "live"


def test_fetch_failed_after_three_runs_then_recovered(store):
    ok(store, release())
    seen = []
    for _ in range(4):
        run = store.start_run("quzhou")
        # twice in one run counts once
        seen += store.record(fetch(URL, outcome="error", run_id=run), None, [])
        seen += store.record(fetch(URL, outcome="error", run_id=run), None, [])
        if not seen:
            assert store.db["events"].count == 1
    assert types(seen) == ["fetch_failed"]
    assert seen[0].version is None and seen[0].details["streak"] == 3
    events = ok(store, release(), store.start_run("quzhou"))
    assert types(events) == ["fetch_recovered"]
    assert ok(store, release(), store.start_run("quzhou")) == []


def test_single_transient_fault_reports_nothing(store):
    ok(store, release())
    store.record(fetch(URL, outcome="error", run_id=store.start_run("quzhou")), None, [])
    assert ok(store, release(), store.start_run("quzhou")) == []
    for _ in range(2):
        store.record(fetch(URL, outcome="error", run_id=store.start_run("quzhou")), None, [])
    assert store.events(types=["fetch_failed", "fetch_recovered"]) == []


def test_not_modified_updates_last_seen_and_resets_streaks(store, monkeypatch):
    ok(store, release())
    store.record(fetch(URL, outcome="gone", run_id=store.start_run("quzhou")), None, [])
    monkeypatch.setenv("GOVWATCH_NOW", "2026-11-29T09:00:00+08:00")
    assert store.record(fetch(URL, outcome="not_modified", run_id=store.start_run("quzhou")), None, []) == []
    row = store.db["release_urls"].get(URL)
    assert row["gone_streak"] == 0 and row["last_ok_at"].startswith("2026-11-29")
    assert store.release(INDEX_NO)["last_seen"].startswith("2026-11-29")
    store.record(fetch(URL, outcome="gone", run_id=store.start_run("quzhou")), None, [])
    assert store.release(INDEX_NO)["status"] == "live"


def test_one_changed_character_is_one_changed_character(store):
    long_para = "衢州市深入推进数字化改革，" * 20
    ok(store, release(paragraphs=[long_para]))
    events = ok(store, release(paragraphs=[long_para[:100] + "杭" + long_para[101:]]))
    diff = events[0].details["diff"]
    assert diff.count("[-") == 1 and diff.count("{+") == 1
    assert f"[-{long_para[100]}-]{{+杭+}}" in diff
    assert len(diff) < 100


def test_revert_to_earlier_content_points_back_without_new_row(store):
    ok(store, release())
    ok(store, release(title="新标题"))
    events = ok(store, release())
    assert types(events) == ["changed"]
    assert events[0].version == 1 and events[0].version_before == 2
    assert store.db["versions"].count == 2
    assert store.release(INDEX_NO)["current_version"] == 1


def test_release_without_index_no_is_keyed_by_url(store):
    events = ok(store, release(index_no=None))
    assert events[0].key == "url:" + URL
    assert store.resolve(URL) == "url:" + URL


def test_known_urls_and_run_bookkeeping(store):
    run = store.start_run("quzhou")
    ok(store, release(), run)
    store.finish_run(run, "ok", {"requests": 3, "bytes": 1234, "failed": 0})
    info = store.run(run)
    assert info["status"] == "ok" and info["requests"] == 3 and info["bytes"] == 1234
    assert info["counts"] == {"new": 1, "failed": 0}
    assert info["finished_at"] == "2026-11-28T09:00:00+08:00"
    states = store.known_urls("quzhou")
    state = states[URL]
    assert state.key == INDEX_NO and state.published == "2022-09-14" and state.status == "live"
    assert state.list_date == "2022-09-14" and state.column_url.endswith("index.html")
    assert store.known_urls("elsewhere") == {}
    assert [e.type for e in store.run_events(run)] == ["new"]


def test_current_release_for_url(store):
    assert store.current_release_for_url(URL) is None
    ok(store, release())
    ok(store, release(title="第二版"))
    current = store.current_release_for_url(URL)
    assert current is not None and current.title == "第二版" and current.paragraphs == BODY
