"""Events as JSON objects (the jsonl sink, the webhook body, ``govwatch report --format json``)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from crawler.model import Event


def event_json(event: Event) -> dict[str, Any]:
    """Every field of the event (``details`` holds the diff and, when known, ``publisher`` and ``date``)."""
    return event.to_dict()


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False, separators=(",", ":"))


def render_json(events: Iterable[Event], **extra: Any) -> str:
    return (
        json.dumps({**extra, "events": [event_json(e) for e in events]}, ensure_ascii=False, indent=2) + "\n"
    )
