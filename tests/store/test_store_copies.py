"""One 索引号 at two URLs: one release, current version follows the first URL, one conflict."""

from __future__ import annotations

from tests.records import INDEX_NO, MIRROR, URL, fetch, ok, release, types


def test_same_content_at_two_urls_is_one_release_without_events(store):
    ok(store, release())
    assert ok(store, release(url=MIRROR), store.start_run("quzhou")) == []
    assert store.db["releases"].count == 1
    urls = sorted(r["url"] for r in store.db["release_urls"].rows_where("key = ?", [INDEX_NO]))
    assert urls == sorted([URL, MIRROR])
    assert store.resolve(MIRROR) == INDEX_NO


def test_different_content_at_second_url_is_one_conflict_ever(store):
    ok(store, release())
    other = release(url=MIRROR, title="另一个标题")
    events = ok(store, other, store.start_run("quzhou"))
    assert types(events) == ["conflict"]
    assert events[0].details["first_url"] == URL and events[0].details["other_url"] == MIRROR
    assert "另一个标题" in events[0].details["diff"]
    assert ok(store, other, store.start_run("quzhou")) == []  # not per run
    assert ok(store, release(), store.start_run("quzhou")) == []
    assert store.db["versions"].count == 1
    assert store.release(INDEX_NO)["url"] == URL
    assert store.release(INDEX_NO)["title"] == release().title
    assert len(store.events(types=["conflict"])) == 1


def test_current_version_follows_first_url(store):
    ok(store, release(url=MIRROR))  # first seen at the mirror
    events = ok(store, release(title="改过的标题"))  # the other URL differs: conflict, no version
    assert types(events) == ["conflict"]
    events = ok(store, release(url=MIRROR, title="镜像改了"))
    assert types(events) == ["changed"] and events[0].version == 2


def test_removed_only_when_every_url_is_gone(store):
    ok(store, release())
    ok(store, release(url=MIRROR))
    for _ in range(3):
        run = store.start_run("quzhou")
        assert store.record(fetch(URL, outcome="gone", run_id=run), None, []) == []
        ok(store, release(url=MIRROR), run)
    run = store.start_run("quzhou")
    store.record(fetch(URL, outcome="gone", run_id=run), None, [])
    assert store.record(fetch(MIRROR, outcome="gone", run_id=run), None, []) == []
    run = store.start_run("quzhou")
    store.record(fetch(URL, outcome="gone", run_id=run), None, [])
    events = store.record(fetch(MIRROR, outcome="gone", run_id=run), None, [])
    assert types(events) == ["removed"]
