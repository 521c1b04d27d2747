"""``hidden_links``: link farms in CSS-hidden blocks (display:none, visibility:hidden, font-size:0,
zero size, off-screen offsets, marquee, classes/ids the page's own styles hide).

critical — a hidden block holding three or more links to hosts that are neither the site nor
official nor allowed by the site's ``integrity.allow_hosts`` (needs the site's hosts; skipped
without them); any hidden link whose text or host carries spam-lexicon terms; hidden text with
spam terms; ``document.write`` of a hidden block of off-site links from inline script.
info — one or two hidden links to ordinary off-site hosts.
Never flagged: hover and drop-down menus (an element a ``:hover`` rule shows, or inside an element
with mouse-over handlers or a menu/nav/drop-down class), links that show a picture inside a
``font-size:0`` block (the gap trick around logo links), menus of government links.
"""

from __future__ import annotations

import re
from collections import defaultdict

from lxml import etree

from crawler.integrity import css, hosts
from crawler.integrity.lexicon import scan
from crawler.integrity.page import Hidden, LinkRef, Page
from crawler.integrity.registry import clip, register
from crawler.model import Flag

RULE = "hidden_links"
FARM = 3  # hidden off-site links in one block that make a link farm
_WRITE = re.compile(r"document\.write(?:ln)?\s*\(")
_HREF = re.compile(r"""href\s*=\s*\\?["']?(https?://[^"'\\\s>]+|//[^"'\\\s>]+)""", re.I)
_STYLE = re.compile(r"""style\s*=\s*\\?["']([^"'\\]*)""", re.I)
_MENU = re.compile(r"menu|nav|drop|down|sub|hover|pop|xiala|xl_|tab|more|child|second|level")
_HOVER_ATTRS = ("onmouseover", "onmouseenter", "onmousemove", "onfocus")


def _menu(page: Page, hidden: Hidden) -> bool:
    """A hover or drop-down menu: shown by a ``:hover`` rule, or a menu-ish block under an element
    that reacts to the mouse."""
    root = hidden.element
    rules = page.rules
    if rules.shown_on_hover(root.get("id"), root.get("class")):
        return True
    names = f"{root.get('class') or ''} {root.get('id') or ''}".lower()
    for depth, ancestor in enumerate(root.iterancestors()):
        if depth > 3:
            break
        if any(ancestor.get(attr) for attr in _HOVER_ATTRS):
            return True
        names += f" {ancestor.get('class') or ''} {ancestor.get('id') or ''}".lower()
    return bool(_MENU.search(names)) and hidden.reason in ("display:none", "visibility:hidden")


def _shows_picture(link: LinkRef) -> bool:
    """In a font-size:0 block a link around an image is visible: the trick closes gaps between logos."""
    return (
        link.hidden is not None
        and link.hidden.reason == "font-size:0"
        and link.element.find(".//img") is not None
    )


def _spammy(link: LinkRef) -> bool:
    found = scan(f"{link.text} {link.host}")
    return bool(found.brands or found.topics)


def _link_flags(page: Page) -> list[Flag]:
    spam: dict[etree._Element, list[LinkRef]] = defaultdict(list)
    groups: dict[etree._Element, list[LinkRef]] = defaultdict(list)
    for link in page.links:
        if link.hidden is None:
            continue
        if _spammy(link):
            spam[link.hidden.element].append(link)
            continue
        if not page.has_sites or not link.host or not page.offsite(link.host) or hosts.is_vendor(link.host):
            continue
        if _shows_picture(link):
            continue
        groups[link.hidden.element].append(link)
    flags: list[Flag] = []
    for root, links in spam.items():
        hidden = links[0].hidden
        assert hidden is not None
        shown = "; ".join(f"{lk.url} {lk.text}".strip() for lk in links[:6])
        evidence = f"{len(links)} hidden link(s) with spam terms, hidden by {hidden.reason}: {shown}"
        where = page.location(root) + f" (hidden: {hidden.reason})"
        flags.append(Flag(RULE, "critical", clip(evidence), where, certain=True))
    for root, links in groups.items():
        hidden = links[0].hidden
        assert hidden is not None
        shown = "; ".join(f"{lk.url} {lk.text}".strip() for lk in links[:6])
        where = page.location(root) + f" (hidden: {hidden.reason})"
        menu = _menu(page, hidden)
        if len(links) >= FARM and not menu:
            evidence = f"{len(links)} off-site links hidden together by {hidden.reason}: {shown}"
            flags.append(Flag(RULE, "critical", clip(evidence), where))
        else:
            kind = "a hover/drop-down menu" if menu else "too few for a link farm"
            evidence = f"{len(links)} off-site link(s) hidden by {hidden.reason} ({kind}): {shown}"
            flags.append(Flag(RULE, "info", clip(evidence), where))
    return flags


def _spam_text_flags(page: Page) -> list[Flag]:
    flags: list[Flag] = []
    if not page.may_have_spam:
        return flags
    for passage in page.passages:
        if passage.hidden is None or len(passage.text) < 2:
            continue
        found = passage.scan
        if not found.any_spam or (not found.brands and found.enforcement):
            continue
        terms = sorted({h.term for h in found.brands + found.topics})
        evidence = f"hidden ({passage.hidden.reason}) text with {'、'.join(terms)}: {passage.text.strip()}"
        flags.append(Flag(RULE, "critical", clip(evidence), page.location(passage), certain=True))
    return flags


def _written_flags(page: Page) -> list[Flag]:
    if not page.has_sites:
        return []
    flags = []
    for el, code in page.scripts:
        if not _WRITE.search(code):
            continue
        reasons = [r for r in (css.hidden_reason(s) for s in _STYLE.findall(code)) if r]
        if not reasons:
            continue
        off = [
            u for u in _HREF.findall(code) if page.offsite(page.host(u)) and not hosts.is_vendor(page.host(u))
        ]
        if len(off) >= FARM or any(scan(u).any_spam for u in off):
            evidence = (
                f"script writes a block hidden by {reasons[0]} with off-site links: {'; '.join(off[:6])}"
            )
            flags.append(Flag(RULE, "critical", clip(evidence), page.location(el) + " (script)"))
    return flags


@register(RULE)
def detect(page: Page) -> list[Flag]:
    flags = _spam_text_flags(page) + _link_flags(page)
    if page.has_sites:
        flags += _written_flags(page)
    return flags
