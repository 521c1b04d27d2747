"""``retention.raw_html``: the raw HTML of versions superseded longer ago than the setting is
dropped (and when is recorded); a release's current version keeps its raw HTML, and every version
keeps its fields and text."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.records import BODY, URL, ok, release


def edit(n: int):
    return release(paragraphs=[BODY[0], BODY[1] + "（第" + str(n) + "次修订）", BODY[2]])


def test_old_raw_html_is_dropped_and_the_text_kept(store, monkeypatch: pytest.MonkeyPatch) -> None:
    for n, when in enumerate(("2026-01-01", "2026-03-01", "2026-11-01")):
        monkeypatch.setenv("GOVWATCH_NOW", f"{when}T09:00:00+08:00")
        ok(store, edit(n), store.start_run("quzhou"))
    monkeypatch.setenv("GOVWATCH_NOW", "2026-11-28T09:00:00+08:00")
    assert store.drop_old_raw_html("quzhou", timedelta(days=365)) == 0  # nothing that old
    assert (
        store.drop_old_raw_html("quzhou", timedelta(days=90)) == 2
    )  # v1 and v2: last seen in January and March
    raw = {
        r["version"]: (r["raw_html"] is not None, r["raw_dropped_at"])
        for r in store.db.query("SELECT version, raw_html, raw_dropped_at FROM versions ORDER BY version")
    }
    assert raw[3] == (True, None)  # the current version keeps its page
    assert raw[1][0] is False and raw[1][1] and raw[2][0] is False and raw[2][1]
    history = store.history(URL)
    assert [v["version"] for v in history] == [1, 2, 3]
    assert history[0]["fields"]["paragraphs"] == edit(0).paragraphs
    assert store.drop_old_raw_html("quzhou", timedelta(days=90)) == 0  # dropped once
