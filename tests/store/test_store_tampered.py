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


def test_first_run_tampered_is_baseline_unless_certain(store):
    """What a site already showed when watching began is stored, not pushed — unless it is certain
    defacement (a spam brand form, a junk preamble …), which is reported at once."""
    doubtful = Flag(rule="hidden_links", severity="critical", evidence="3 off-site links hidden together")
    events = ok(store, release(), flags=[doubtful], baseline=True)
    assert types(events) == ["new", "tampered"] and events[1].baseline
    other = release(index_no="11330800002618015K/2022-999999")
    certain = Flag(rule="spam_lexicon", severity="critical", evidence="365bet", certain=True)
    events = ok(store, other, flags=[certain], baseline=True)
    assert types(events) == ["new", "tampered"] and not events[1].baseline
    assert events[1].flags[0]["certain"] is True
    # after the first run, every new critical flag is news
    assert not ok(store, release(), flags=[doubtful, certain])[0].baseline


def test_acknowledged_flag_is_quiet_until_its_evidence_changes(store):
    ok(store, release(), flags=[SPAM])
    key, evidence = store.ack(URL, SPAM.rule)
    assert evidence == [SPAM.evidence]
    assert ok(store, release()) == []
    assert ok(store, release(), flags=[SPAM]) == []  # reviewed: back again, not reported
    changed = Flag(rule=SPAM.rule, severity="critical", evidence="365bet.example/another")
    assert types(ok(store, release(), flags=[changed])) == ["tampered"]
    import pytest

    from crawler.store import StoreError

    with pytest.raises(StoreError, match="no critical 'redirect' flag"):
        store.ack(key, "redirect")
