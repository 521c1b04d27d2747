"""Where an event's links point: the government page it is about and, when ``public_url`` says where
``govwatch serve`` is reachable, the archived copy — a ``changed`` event's diff page, any other
release's history — which still shows what was published after the site took it down.

Links are http(s) only (``crawler.net.urlpolicy.link_target``); the archive's pages are those of
``crawler/browse``: ``/-/govwatch/release?key=`` (every version, what happened to it) and
``/-/govwatch/diff?key=&from=&to=``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from crawler.model import Event
from crawler.net.urlpolicy import link_target


@dataclass(frozen=True)
class Links:
    page: str | None  # the government page (http(s) only)
    archive: str | None  # the archived history or diff page
    archive_label: str = "存档 archive"


def links(event: Event, public_url: str | None) -> Links:
    """The links of ``event``."""
    page = link_target(event.url)
    if not public_url or event.key.startswith("column:"):
        return Links(page, None)
    base = public_url.rstrip("/")
    if event.type == "changed" and event.version is not None and event.version_before is not None:
        query = urlencode({"key": event.key, "from": event.version_before, "to": event.version})
        return Links(page, link_target(f"{base}/-/govwatch/diff?{query}"), "差异 diff")
    query = urlencode({"key": event.key})
    return Links(page, link_target(f"{base}/-/govwatch/release?{query}"), "历史 history")
