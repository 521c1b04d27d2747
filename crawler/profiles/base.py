"""What every profile returns, and the registry of profiles by name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from crawler.options import Options


@dataclass
class ListItem:
    url: str  # absolute
    title: str | None = None
    date: str | None = None  # YYYY-MM-DD, as the list shows it


@dataclass
class PageRequest:
    """A list-page request; the spider sends it and hands ``context`` back to ``parse_list``."""

    url: str
    method: str = "GET"
    formdata: dict[str, str] | None = None
    page_no: int = 1
    context: dict = field(default_factory=dict)


@dataclass
class ListPage:
    """The items on one list response and the request for the next one only.

    ``ok=False`` (with ``reason``: ``waf``, ``login``, ``captcha``, ``no_datastore``, ``empty_body`` …)
    means the response is not a list at all: a failed list fetch. ``page_no`` counts list requests of
    the column (1 = the column page); ``total_pages`` is how many such requests the whole column takes,
    when the page says (for Hanweb's grouped POST replies that is 1 + the number of groups).
    ``complete=False`` with ``next=None``: paging stops here though the column lists more (the site
    serves its older pages only through a search service), so what this run did not list is not
    thereby missing.
    """

    items: list[ListItem]
    next: PageRequest | None
    ok: bool = True
    reason: str | None = None
    page_no: int = 1
    total_pages: int | None = None
    total_records: int | None = None
    complete: bool = True


class Profile:
    """A CMS's list-page reader. Pure: bytes in, items and the next request out.

    A profile that a site configures declares its keys as ``options_model`` (a
    :class:`crawler.options.Options` subclass); a site using it writes them under the profile's name
    (``generic: {item_links: …}``), and config validation checks them against this model.
    ``options_required``: a site of this profile must give them.
    """

    name: str = ""
    items_per_page: int = 20
    options_model: ClassVar[type[Options] | None] = None
    options_required: ClassVar[bool] = False

    def __init__(self, options: Options | None = None):
        self.options = options

    def first_request(self, column_url: str) -> PageRequest:
        return PageRequest(url=column_url, page_no=1, context={"column_url": column_url, "page_no": 1})

    def parse_list(
        self, body: bytes, url: str, headers: Mapping | None = None, context: dict | None = None
    ) -> ListPage:
        raise NotImplementedError


PROFILES: dict[str, type[Profile]] = {}


def register(name: str) -> Callable[[type[Profile]], type[Profile]]:
    def decorate(cls: type[Profile]) -> type[Profile]:
        cls.name = name
        PROFILES[name] = cls
        return cls

    return decorate


def get_profile(name: str, options: Options | None = None) -> Profile:
    """An instance of the profile called ``name`` with its options (a site's ``profile_options``;
    ``generic`` needs them)."""
    try:
        cls = PROFILES[name]
    except KeyError:
        raise KeyError(f"unknown profile {name!r}; known: {', '.join(sorted(PROFILES))}") from None
    return cls(options)
