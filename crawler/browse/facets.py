"""A month facet: ``{"month": "written_date"}`` in a table's metadata facets (or ``?_facet_month=col``)
counts rows by ``YYYY-MM`` of an ISO date column; choosing a month filters with ``col__startswith``."""

from __future__ import annotations

from typing import Any

from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args


class MonthFacet(Facet):
    type = "month"

    async def suggest(self) -> list[dict[str, Any]]:
        return []  # configured in metadata, never suggested

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        args = dict(self.get_querystring_pairs())
        size = self.get_facet_size()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            col = escape_sqlite(column)
            sql = (
                f"select substr({col}, 1, 7) as value, count(*) as count from ({self.sql}) "
                f"where {col} glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]*' "
                f"group by value order by value desc limit {size + 1}"
            )
            try:
                rows = await self.ds.execute(
                    self.database,
                    sql,
                    self.params,
                    truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:
                timed_out.append(column)
                continue
            values = []
            selected_value = args.get(f"{column}__startswith")
            for row in rows.rows[:size]:
                selected = selected_value == row["value"]
                arg = {f"{column}__startswith": row["value"]}
                path = (
                    path_with_removed_args(self.request, arg)
                    if selected
                    else path_with_added_args(self.request, arg)
                )
                values.append(
                    {
                        "value": row["value"],
                        "label": row["value"],
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(self.request, path),
                        "selected": selected,
                    }
                )
            results.append(
                {
                    "name": column,
                    "type": self.type,
                    "results": values,
                    "hideable": source_and_config["source"] != "metadata",
                    "toggle_url": path_with_removed_args(self.request, {"_facet_month": column}),
                    "truncated": len(rows) > size,
                }
            )
        return results, timed_out
