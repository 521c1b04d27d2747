"""``RunResult``: what one site's run of a crawl came to — its run row's id and status, counts and
events, and why it is not ``ok`` — as the crawl process returns it and ``--report-json`` writes it.
Without Scrapy: the batch supervisor and the CLI read it without loading the crawler."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from crawler.model import Event


@dataclass
class RunResult:
    run_id: int
    site: str
    status: str
    started_at: str
    finished_at: str | None = None
    requests: int = 0
    bytes: int = 0
    failed: int = 0
    events: list[Event] = field(default_factory=list)
    message: str | None = None
    storage_fault: str | None = None  # the disk or the file failed: the run stopped there
    reason: str = ""  # why the run is not ok, in a few words (the summary's reason column)

    def counts(self) -> Counter[str]:
        return Counter(e.type for e in self.events)

    def to_report(self) -> dict[str, Any]:
        return {
            "id": self.run_id,
            "site": self.site,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "status": self.status,
            "requests": self.requests,
            "bytes": self.bytes,
            "reason": self.reason or None,
        }
