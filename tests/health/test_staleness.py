"""A column left without new items past its limit gives one ``stale_column`` (not one per run); a
newer item re-arms it; 通知公告 (notice) columns wait 180 days; failed runs count as unreachable."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crawler.demo.server import serve
from crawler.demo.site import SampleSite
from tests.health.healthkit import column_entries, health_json
from tests.helpers import FAST, NEWS, NOTICES, rows, run_crawl, value, write_config

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes


def _stale(result) -> list[dict]:
    return [e for e in result.events if e["type"] == "stale_column"]


@pytest.mark.timeout(600)
def test_stale_column_once_per_episode_and_rearmed_by_a_new_item(tmp_path: Path) -> None:
    site = SampleSite(noise=False)
    site.add_column(NEWS, "发布实录")
    site.add_column(NOTICES, "通知公告")
    for day in (14, 12, 10):
        site.add_page(NEWS, day=date(2022, 9, day), top=False)
    for day in (1, 2):
        site.add_page(NOTICES, day=date(2022, 9, day), top=False)
    with serve(site) as server:
        entry = {
            "name": "local",
            "base_url": server.url,
            "profile": "hanweb",
            "columns": column_entries(server.url, site, {NEWS: "news", NOTICES: "notice"}),
            "politeness": dict(FAST),
        }
        config = write_config(tmp_path, [entry])
        news_url = server.url + site.column_url(NEWS)
        notice_url = server.url + site.column_url(NOTICES)

        fresh = run_crawl(config, now="2022-09-15T09:00:00+08:00")
        assert fresh.returncode == 0 and not _stale(fresh), fresh
        # 14 days after the newest item is still within the limit …
        edge = run_crawl(config, now="2022-09-28T09:00:00+08:00")
        assert not _stale(edge), edge
        # … the 15th is past it: one event, a column event
        late = run_crawl(config, now="2022-09-29T09:00:00+08:00")
        (event,) = _stale(late)
        assert event["key"] == "column:" + news_url and event["url"] == news_url
        assert event["column"] == "发布实录" and event["version"] is None and event["severity"] == "warning"
        assert event["site"] == "local" and event["baseline"] is False
        # not one per run
        assert not _stale(run_crawl(config, now="2022-09-30T09:00:00+08:00"))
        card = health_json(config, now="2022-09-30T09:00:00+08:00")["sites"][0]
        news = next(c for c in card["columns"] if c["column"] == "发布实录")
        assert (news["stale"], news["newest_item"], news["age_days"], news["stale_after_days"]) == (
            True,
            "2022-09-14",
            16,
            14,
        )
        assert card["stale_columns"] == 1

        # a new item ends the episode …
        site.add_page(NEWS, day=date(2022, 10, 1))
        back = run_crawl(config, now="2022-10-01T12:00:00+08:00")
        assert not _stale(back) and back.types() == ["new"], back
        # … and the next one is reported again, once
        again = run_crawl(config, now="2022-10-16T09:00:00+08:00")
        (event2,) = _stale(again)
        assert event2["key"] == "column:" + news_url
        assert not _stale(run_crawl(config, now="2022-10-17T09:00:00+08:00"))

        # 通知公告 waits 180 days after 2022-09-02; the news column is still in the same episode
        notice = run_crawl(config, now="2023-03-02T09:00:00+08:00")
        (event3,) = _stale(notice)
        assert event3["key"] == "column:" + notice_url and event3["column"] == "通知公告"

        # an unreachable site: a failed run, no health checks, counted in the scorecard
        site.down = True
        down = run_crawl(config, now="2023-03-03T09:00:00+08:00")
        assert down.run["status"] == "failed" and not _stale(down)
        site.down = False
        card = health_json(config, now="2023-03-03T10:00:00+08:00")["sites"][0]
        assert card["reachability"] == {
            "runs_last_week": 2,
            "failed_runs_last_week": 1,
            "unreachable_share": 0.5,
        }
        assert card["stale_columns"] == 2

    db = tmp_path / "govwatch.db"
    assert value(db, "select count(*) from events where type = 'stale_column'") == 3
    per_run = rows(
        db,
        "select r.started_at, c.stale from column_health c join runs r on r.id = c.run_id "
        "where c.column_url = ? order by c.id",
        news_url,
    )
    assert [row["stale"] for row in per_run] == [0, 0, 1, 1, 0, 1, 1, 1]
