"""Integrity flags: new critical flags raise `tampered`, also on unchanged content."""

from __future__ import annotations

import zstandard

from crawler.model import Flag
from tests.records import BODY, SPAM, URL, ok, page, release, types

WARNING = Flag(rule="host_mismatch", severity="warning", evidence="x.example")


def test_new_critical_flags_on_unchanged_content_are_one_tampered(store):
    ok(store, release(), store.start_run("quzhou"), flags=[WARNING])
    events = ok(store, release(), store.start_run("quzhou"), flags=[SPAM, WARNING])
    assert types(events) == ["tampered"]
    assert events[0].severity == "critical" and events[0].flags == [SPAM.to_dict()]
    assert events[0].version == 1
    assert store.db["versions"].count == 1
    raw = store.db.execute("SELECT raw_html FROM fetches ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert zstandard.ZstdDecompressor().decompress(raw) == page(release())
    assert ok(store, release(), store.start_run("quzhou"), flags=[SPAM]) == []  # seen before: nothing
    kept = store.db.execute("SELECT count(*) FROM fetches WHERE raw_html IS NOT NULL").fetchone()[0]
    assert kept == 1


def test_first_sight_of_defaced_page_is_new_and_tampered(store):
    events = ok(store, release(), flags=[SPAM])
    assert types(events) == ["new", "tampered"]
    assert events[1].flags == [SPAM.to_dict()]


def test_spam_edit_is_changed_and_tampered(store):
    ok(store, release())
    spammed = release(paragraphs=[*BODY, "365bet 体育投注 官方网站"])
    events = ok(store, spammed, flags=[SPAM])
    assert types(events) == ["changed", "tampered"]
    assert events[1].version == 2
    assert store.db.execute("SELECT count(*) FROM fetches WHERE raw_html IS NOT NULL").fetchone()[0] == 0


def test_flags_going_away_and_coming_back_is_tampered_again(store):
    ok(store, release(), flags=[SPAM])
    assert ok(store, release()) == []
    assert types(ok(store, release(), flags=[SPAM])) == ["tampered"]
    assert (
        store.db["release_urls"].get(URL)["critical_flags"] == '[["hidden_offsite_link", "365bet.example"]]'
    )
