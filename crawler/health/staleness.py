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
from datetime import date, datetime, timedelta
from typing import Any

from crawler.config import ColumnConfig
from crawler.store import ColumnHealth, Store


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

    def row(self, site: str, run_id: int | None) -> ColumnHealth:
        """The ``column_health`` row of this state for run ``run_id``."""
        return ColumnHealth(
            run_id=run_id,
            site=site,
            column=self.column,
            column_url=self.column_url,
            kind=self.kind,
            stale_after_days=self.stale_after_days,
            newest_item=self.newest_item,
            age_days=self.age_days,
            items=self.items,
            undated_items=self.undated_items,
            stale=self.stale,
        )


def _days(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds() / 86400


def column_state(store: Store, site: str, column: ColumnConfig, now: datetime) -> ColumnState:
    found = store.health.column_items(site, column.url)
    newest = (found.newest or "")[:10] or None
    age = None
    if newest:
        try:
            age = (now.date() - date.fromisoformat(newest)).days
        except ValueError:  # a list date in a shape we do not read: undated
            newest = None
    stale: bool | None = None
    if found.read and column.stale_after is not None:
        stale = age is None or age > column.stale_after.total_seconds() / 86400
    return ColumnState(
        column=column.name,
        column_url=column.url,
        kind=column.kind,
        stale_after_days=_days(column.stale_after),
        newest_item=newest,
        age_days=age,
        items=found.items,
        undated_items=found.undated,
        read=found.read,
        stale=stale,
    )
