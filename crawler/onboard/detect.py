"""Which profile reads a column page, decided by the profiles themselves.

Each profile's own ``parse_list`` reads the page (no second list reader): ``hanweb`` when it finds
a record store (``<datastore>`` or an ``InitData`` array) with items; ``trs`` when its list region —
detail links of the ``tYYYYMMDD_id`` form beside a pager — yields items; else ``generic``, with
selectors proposed from the page (the largest group of similar title links, and a 下一页 link or
``index_N`` / ``list_N`` page files) and accepted only when ``generic``'s ``parse_list`` reads the
same items with them. When none fits, ``Detection.reason`` says why and ``hint`` what to try.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree
from parsel import Selector

from crawler.net.urlpolicy import join
from crawler.normalize import normalize
from crawler.profiles import ListItem, ListPage, PageRequest, get_profile
from crawler.profiles.common import blocked_reason, decode
from crawler.profiles.generic import GenericOptions
from crawler.profiles.trspager import read_pager

#: a group of links must hold this many to be taken for a list
MIN_ITEMS = 3
_NEXT_WORDS = ("下一页", "下页", "后页", "next")
_PAGE_FILE = re.compile(r"^(.*?)(index|list)_(\d+)\.(s?html?)$", re.IGNORECASE)
_ROW_TAGS = {"li", "tr", "dd", "dt", "p"}
_SKIP = re.compile(r"^\s*(?:javascript:|mailto:|tel:|#)", re.IGNORECASE)


@dataclass
class Detection:
    """What a column page is: the profile that reads it, its first items and its pager."""

    url: str
    profile: str | None = None
    items: list[ListItem] = field(default_factory=list)
    next: PageRequest | None = None
    total_pages: int | None = None
    total_records: int | None = None
    evidence: str = ""  # why this profile (one phrase)
    generic: dict[str, str] | None = None  # the generic profile's settings, when it is generic
    reason: str | None = None  # when no profile fits: why
    hint: str | None = None  # … and what to try
    column_name: str | None = None
    site_name: str | None = None

    @property
    def pager(self) -> str:
        """The pager in words."""
        if self.next is None:
            return "none found: the column is read as this one page"
        parts = [f"next page {self.next.method.upper()} {self.next.url}"]
        if self.total_pages:
            parts.append(f"{self.total_pages} list pages")
        if self.total_records:
            parts.append(f"{self.total_records} records")
        return "; ".join(parts)


def _meta(root: Selector, name: str) -> str | None:
    value = root.xpath(f"//meta[@name='{name}']/@content").get()
    return value.strip() if value and value.strip() else None


def _names(page: Selector) -> tuple[str | None, str | None]:
    """``(column name, site name)`` as the page names them: meta tags, else the title's parts."""
    column, site = _meta(page, "ColumnName"), _meta(page, "SiteName")
    title = " ".join(page.xpath("//title//text()").getall()).strip()
    parts = [p.strip() for p in re.split(r"[_|｜\-—]+|\s{2,}", title) if p.strip()]
    if column is None and parts:
        column = parts[0].split()[0] if parts[0].split() else None
    if site is None and len(parts) > 1:
        site = parts[-1]
    return column, site


def _read(
    profile: str, body: bytes, url: str, headers: Mapping[str, str], options: object = None
) -> ListPage:
    reader = get_profile(profile, options)  # type: ignore[arg-type]
    first = reader.first_request(url)
    return reader.parse_list(body, url, headers, first.context)


def detect(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> Detection:
    """The profile that reads the column page ``body`` (served at ``url``)."""
    headers = dict(headers or {})
    text = decode(body, headers)
    page = Selector(text=text or "<html></html>")
    found = Detection(url=url)
    found.column_name, found.site_name = _names(page)
    if not text.strip():
        found.reason = "the page is empty"
        found.hint = "open the URL in a browser: does it show the column's list?"
        return found

    release = normalize(body, url, headers)
    if release.is_release:
        found.reason = (
            f"this is a release page ({release.title or 'untitled'}), not a column's list of releases"
        )
        column = _column_link(page, url, release.breadcrumb)
        found.hint = (
            f"add its column: govwatch add-site {column}"
            if column
            else ("give the URL of the column (栏目) page that lists it")
        )
        return found

    hanweb = _read("hanweb", body, url, headers)
    if hanweb.ok and hanweb.items:
        store = (
            "an InitData record array" if "InitData" in text and "<datastore" not in text else "a <datastore>"
        )
        return _found(found, "hanweb", hanweb, f"Hanweb (大汉): {store} with {len(hanweb.items)} records")

    trs = _read("trs", body, url, headers)
    if trs.ok and trs.items:
        pager = read_pager(text, page.root)
        how = f"a {pager.form} pager" if pager is not None and pager.form else "no pager"
        evidence = f"TRS: {len(trs.items)} detail links (tYYYYMMDD_id) in the list region, {how}"
        return _found(found, "trs", trs, evidence)

    blocked = blocked_reason(text)
    generic = propose(page, url)
    if generic is not None:
        options = GenericOptions.model_validate(generic)
        read = _read("generic", body, url, headers, options)
        if read.ok and len(read.items) >= MIN_ITEMS:
            found.generic = generic
            return _found(
                found,
                "generic",
                read,
                f"no CMS recognised: {len(read.items)} links under {generic['item_links']}",
            )
    if blocked:
        found.reason = f"the page looks like a {blocked} page, not a column list"
        found.hint = "open the URL in a browser; if it shows the list there, the site is refusing govwatch"
        return found
    found.reason = (
        "no list found: no Hanweb record store, no TRS detail links (tYYYYMMDD_id), and no group of "
        f"{MIN_ITEMS} or more similar title links"
    )
    found.hint = (
        "give the column's list page (the one its 更多 link opens), or write the site by hand with "
        "profile: generic and generic: {item_links: <CSS of the list's links>, next_page: <CSS of the "
        "下一页 link, or a pattern like index_{n}.html>}"
    )
    return found


def _column_link(page: Selector, url: str, breadcrumb: list[str]) -> str | None:
    """The link of a release page's breadcrumb to its column (the crumb before the title), if any."""
    for name in reversed(breadcrumb[1:]):
        for anchor in page.root.iter("a"):
            if "".join(anchor.itertext()).strip() == name and anchor.get("href"):
                href = join(url, anchor.get("href") or "")
                if href.startswith(("http://", "https://")) and href != url:
                    return href
    return None


def _found(found: Detection, profile: str, page: ListPage, evidence: str) -> Detection:
    found.profile = profile
    found.items = page.items
    found.next = page.next
    found.total_pages = page.total_pages
    found.total_records = page.total_records
    found.evidence = evidence
    return found


# --- generic: selectors proposed from the page -------------------------------------------------------


def _class(el: etree._Element) -> str:
    classes = (el.get("class") or "").split()
    return "." + classes[0] if classes and re.fullmatch(r"[A-Za-z_][\w-]*", classes[0]) else ""


def _row(anchor: etree._Element) -> etree._Element:
    """The anchor's row: its nearest li/tr/dd/dt/p ancestor, else the anchor itself."""
    for anc in anchor.iterancestors():
        if anc.tag in _ROW_TAGS:
            return anc
        if anc.tag in ("ul", "ol", "table", "tbody", "dl", "div", "body"):
            break
    return anchor


def _container_selector(container: etree._Element) -> str:
    """A CSS selector for a list container: its id, else tag.class under its parent's."""
    if container.get("id") and re.fullmatch(r"[A-Za-z_][\w-]*", container.get("id") or ""):
        return f"#{container.get('id')}"
    own = f"{container.tag}{_class(container)}"
    parent = container.getparent()
    if parent is not None and parent.tag not in ("body", "html"):
        if parent.get("id") and re.fullmatch(r"[A-Za-z_][\w-]*", parent.get("id") or ""):
            return f"#{parent.get('id')} > {own}"
        return f"{parent.tag}{_class(parent)} > {own}"
    return own


def _on_site(href: str, url: str) -> bool:
    host = urlsplit(join(url, href)).hostname or ""
    return host.removeprefix("www.") == (urlsplit(url).hostname or "").removeprefix("www.")


def propose(page: Selector, url: str) -> dict[str, str] | None:
    """``{item_links, next_page}`` for the largest group of title links (rows of one container),
    or None when no group has ``MIN_ITEMS`` links."""
    groups: Counter[str] = Counter()
    for anchor in page.root.iter("a"):
        href = anchor.get("href") or ""
        text = "".join(anchor.itertext()).strip() or (anchor.get("title") or "")
        if not href or _SKIP.match(href) or len(text) < 4 or not _on_site(href, url):
            continue
        row = _row(anchor)
        container = row.getparent() if row is not anchor else anchor.getparent()
        if container is None:
            continue
        row_part = f" > {row.tag}" if row is not anchor else ""
        groups[f"{_container_selector(container)}{row_part} a"] += 1
    if not groups:
        return None
    selector, count = groups.most_common(1)[0]
    if count < MIN_ITEMS:
        return None
    out = {"item_links": selector}
    next_page = _next_page(page, url)
    if next_page:
        out["next_page"] = next_page
    return out


def _next_page(page: Selector, url: str) -> str | None:
    """A selector for the 下一页 link, else a page-file pattern (``list_{n}.html``) from links."""
    for anchor in page.root.iter("a"):
        text = "".join(anchor.itertext()).strip().lower()
        if (
            anchor.get("href")
            and any(word in text for word in _NEXT_WORDS)
            and not _SKIP.match(anchor.get("href") or "")
        ):
            cls = _class(anchor)
            return f"a{cls}" if cls else f"//a[contains(normalize-space(.), '{text}')]"
    for anchor in page.root.iter("a"):
        href = (anchor.get("href") or "").strip()
        match = _PAGE_FILE.match(href.rsplit("/", 1)[-1])
        if match:
            return f"{match.group(2)}_{{n}}.{match.group(4)}"
    return None
