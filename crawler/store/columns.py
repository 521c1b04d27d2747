"""``Store.record_column``: per-column health — failure streaks and layout changes (docs/ARCHITECTURE.md)."""

from __future__ import annotations

from statistics import median
from typing import Any

from sqlite_utils import Database

from crawler.model import Event
from crawler.store.events import emit

#: how many earlier successful runs the layout median looks at
LAYOUT_WINDOW = 10
#: a first list page with fewer items than this share of the median looks broken
LAYOUT_THRESHOLD = 0.5


def looks_broken(items: int, typical: float | None, threshold: float = LAYOUT_THRESHOLD) -> bool:
    """The layout rule: no items, or far fewer than the median of earlier successful runs."""
    if typical is None:
        return False
    return items == 0 or items < threshold * typical


def typical_items(db: Database, site: str) -> dict[str, float]:
    """Each column's median first-page item count over its last ``LAYOUT_WINDOW`` successful runs."""
    out: dict[str, float] = {}
    for col in list(db.query("SELECT id, column_url FROM columns WHERE site = ?", [site])):
        items = [
            row[0]
            for row in db.execute(
                "SELECT items FROM column_runs WHERE column_id = ? AND ok = 1 ORDER BY run_id DESC LIMIT ?",
                [col["id"], LAYOUT_WINDOW],
            )
        ]
        if items:
            out[col["column_url"]] = median(items)
    return out


def record_column(
    db: Database,
    ts: str,
    run_id: int | None,
    site: str,
    column: str | None,
    column_url: str,
    *,
    ok: bool,
    items: int,
    pages: int,
    error: str | None,
    fail_after: int,
    layout_threshold: float,
    complete: bool | None = None,
) -> list[Event]:
    db.execute(
        "INSERT INTO columns (site, column_url, name) VALUES (?, ?, ?) "
        "ON CONFLICT (site, column_url) DO UPDATE SET name = coalesce(excluded.name, name)",
        [site, column_url, column],
    )
    col: dict[str, Any] = next(
        iter(db.query("SELECT * FROM columns WHERE site = ? AND column_url = ?", [site, column_url]))
    )
    events: list[Event] = []

    def _emit(type_: str, details: dict[str, Any]) -> None:
        key = "column:" + column_url
        fields = {"url": column_url, "column": col["name"], "run_id": run_id, "details": details}
        events.append(emit(db, type_, site=site, key=key, created_at=ts, **fields))

    again = (
        run_id is not None
        and next(
            iter(
                db.query("SELECT 1 FROM column_runs WHERE column_id = ? AND run_id = ?", [col["id"], run_id])
            ),
            None,
        )
        is not None
    )
    earlier = [
        row["items"]
        for row in db.query(
            "SELECT items FROM column_runs WHERE column_id = ? AND ok = 1 AND (? IS NULL OR run_id IS NOT ?) "
            "ORDER BY id DESC LIMIT ?",
            [col["id"], run_id, run_id, LAYOUT_WINDOW],
        )
    ]
    db.execute(
        "INSERT INTO column_runs (column_id, run_id, ok, items, pages, error, recorded_at, complete) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (column_id, run_id) DO UPDATE SET "
        "ok = excluded.ok, items = excluded.items, pages = excluded.pages, error = excluded.error, "
        "recorded_at = excluded.recorded_at, complete = excluded.complete",
        [
            col["id"],
            run_id,
            int(ok),
            items,
            pages,
            error,
            ts,
            int(ok) if complete is None else int(complete and ok),
        ],
    )
    if again:  # a run counts once per column
        return events

    if ok:
        updates: dict[str, Any] = {"fail_streak": 0, "failing": 0, "last_ok_at": ts}
        if col["failing"]:
            _emit("fetch_recovered", {"after_failures": col["fail_streak"]})
        if col["first_ok_run"] is None:
            updates["first_ok_run"] = run_id
        if earlier:
            typical = median(earlier)
            broken = looks_broken(items, typical, layout_threshold)
            if broken and not col["layout_alert"]:
                _emit("layout_changed", {"items": items, "pages": pages, "median_items": typical})
            updates["layout_alert"] = int(broken)
        db.table("columns").update(col["id"], updates)
    else:
        streak = col["fail_streak"] + 1
        db.table("columns").update(col["id"], {"fail_streak": streak})
        if streak >= fail_after and not col["failing"]:
            db.table("columns").update(col["id"], {"failing": 1})
            _emit("fetch_failed", {"streak": streak, "error": error})
    return events
