"""Is a column still updated? Its newest item against its ``stale_after`` (docs/ARCHITECTURE.md,
"Stale columns"): 动态/要闻 14 days, 通知公告/政策文件 180 days; items without a date count as not
updated; a column read but empty is stale too.

The newest item of a column is the latest date among the live releases listed in it: the list date
the spider stored, else the release's own date. One ``stale_column`` event per staleness episode: an
episode ends when a run finds the column fresh again (a newer item within the limit), and the next
one is reported anew.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlite_utils import Database

from crawler.config import ColumnConfig
from crawler.model import EVENT_SEVERITY, Event
from crawler.store.codec import event_row, insert

ITEM_DATE = "coalesce(u.list_date, r.written_date, substr(r.published_at, 1, 10))"


@dataclass(frozen=True)
class ColumnState:
    column: str
    column_url: str
    kind: str
    stale_after_days: float | None
    newest_item: str | None  # YYYY-MM-DD
    age_days: int | None
    items: int
    undated_items: int
    read: bool  # the column was read successfully at least once
    stale: bool | None  # None: never stale (kind other), or never read

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _days(value: Any) -> float | None:
    return None if value is None else value.total_seconds() / 86400


def column_state(db: Database, site: str, column: ColumnConfig, now: datetime) -> ColumnState:
    row = next(
        iter(
            db.query(
                f"SELECT max({ITEM_DATE}) AS newest, count(*) AS items, "
                f"sum({ITEM_DATE} IS NULL) AS undated "
                "FROM release_urls u JOIN releases r ON r.key = u.key "
                "WHERE u.site = ? AND u.column_url = ? AND r.status = 'live'",
                [site, column.url],
            )
        )
    )
    read = bool(
        next(
            iter(
                db.query(
                    "SELECT 1 FROM columns WHERE site = ? AND column_url = ? AND last_ok_at IS NOT NULL",
                    [site, column.url],
                )
            ),
            None,
        )
    )
    newest = (row["newest"] or "")[:10] or None
    age = None
    if newest:
        try:
            age = (now.date() - date.fromisoformat(newest)).days
        except ValueError:  # a list date in a shape we do not read: undated
            newest = None
    stale: bool | None = None
    if read and column.stale_after is not None:
        stale = age is None or age > column.stale_after.total_seconds() / 86400
    return ColumnState(
        column=column.name,
        column_url=column.url,
        kind=column.kind,
        stale_after_days=_days(column.stale_after),
        newest_item=newest,
        age_days=age,
        items=int(row["items"] or 0),
        undated_items=int(row["undated"] or 0),
        read=read,
        stale=stale,
    )


def _episode_reported(db: Database, site: str, key: str, column_url: str) -> bool:
    """Whether the current staleness episode was reported: a ``stale_column`` event exists and no run
    since found the column fresh."""
    row = next(
        iter(
            db.query(
                "SELECT id, run_id FROM events WHERE type = 'stale_column' AND site = ? AND key = ? "
                "ORDER BY id DESC LIMIT 1",
                [site, key],
            )
        ),
        None,
    )
    if row is None:
        return False
    fresh = db.query(
        "SELECT 1 FROM column_health WHERE site = ? AND column_url = ? AND stale = 0 AND run_id > ? LIMIT 1",
        [site, column_url, row["run_id"] or 0],
    )
    return next(iter(fresh), None) is None


def record_staleness(
    db: Database, site: str, state: ColumnState, run_id: int | None, ts: str
) -> Event | None:
    """Store the column's state for this run and raise ``stale_column`` when a new episode starts.
    Call inside a write transaction."""
    db.execute(
        'INSERT INTO column_health (run_id, site, "column", column_url, kind, stale_after_days, newest_item, '
        "age_days, items, undated_items, stale, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (run_id, column_url) DO UPDATE SET newest_item = excluded.newest_item, "
        "age_days = excluded.age_days, items = excluded.items, undated_items = excluded.undated_items, "
        "stale = excluded.stale, checked_at = excluded.checked_at",
        [
            run_id,
            site,
            state.column,
            state.column_url,
            state.kind,
            state.stale_after_days,
            state.newest_item,
            state.age_days,
            state.items,
            state.undated_items,
            None if state.stale is None else int(state.stale),
            ts,
        ],
    )
    if not state.stale:
        return None
    key = "column:" + state.column_url
    if _episode_reported(db, site, key, state.column_url):
        return None  # once per episode, not once per run
    event = Event(
        type="stale_column",
        severity=EVENT_SEVERITY["stale_column"],
        site=site,
        key=key,
        url=state.column_url,
        column=state.column,
        run_id=run_id,
        details={
            "newest_item": state.newest_item,
            "age_days": state.age_days,
            "stale_after_days": state.stale_after_days,
            "kind": state.kind,
            "items": state.items,
        },
        created_at=ts,
    )
    event.id = insert(db, "events", event_row(event))
    return event
