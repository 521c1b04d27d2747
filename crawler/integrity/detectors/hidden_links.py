"""``hidden_links``: CSS-hidden blocks (display:none, visibility:hidden, font-size:0, zero size,
off-screen offsets, marquee, classes/ids the page's own styles hide) that hold off-site links or spam.

critical — a hidden element whose links go to hosts that are neither the site nor official (needs the
site's hosts; skipped without them), or whose text carries lexicon terms; also ``document.write`` of a
hidden block of off-site links from inline script. Hidden menus of government links are fine.
"""

from __future__ import annotations

import re
from collections import defaultdict

from crawler.integrity import css, hosts
from crawler.integrity.page import Page
from crawler.integrity.registry import clip, register
from crawler.model import Flag

RULE = "hidden_links"
_WRITE = re.compile(r"document\.write(?:ln)?\s*\(")
_HREF = re.compile(r"""href\s*=\s*\\?["']?(https?://[^"'\\\s>]+|//[^"'\\\s>]+)""", re.I)
_STYLE = re.compile(r"""style\s*=\s*\\?["']([^"'\\]*)""", re.I)


def _offsite_link_flags(page: Page) -> list[Flag]:
    groups: dict[object, list] = defaultdict(list)
    for link in page.links:
        if link.hidden is None or not link.host:
            continue
        if page.offsite(link.host) and not hosts.is_vendor(link.host):
            groups[link.hidden.element].append(link)
    flags = []
    for root, links in groups.items():
        hidden = links[0].hidden
        shown = "; ".join(f"{lk.url} {lk.text}".strip() for lk in links[:6])
        evidence = f"{len(links)} off-site link(s) hidden by {hidden.reason}: {shown}"
        flags.append(
            Flag(RULE, "critical", clip(evidence), page.location(root) + f" (hidden: {hidden.reason})")
        )
    return flags


def _spam_text_flags(page: Page) -> list[Flag]:
    flags: list[Flag] = []
    if not page.may_have_spam:
        return flags
    for passage in page.passages:
        if passage.hidden is None or len(passage.text) < 2:
            continue
        scan = passage.scan
        if not scan.any_spam or (not scan.brands and scan.enforcement):
            continue
        terms = sorted({h.term for h in scan.brands + scan.topics})
        evidence = f"hidden ({passage.hidden.reason}) text with {'、'.join(terms)}: {passage.text.strip()}"
        flags.append(Flag(RULE, "critical", clip(evidence), page.location(passage)))
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
        if off:
            evidence = (
                f"script writes a block hidden by {reasons[0]} with off-site links: {'; '.join(off[:6])}"
            )
            flags.append(Flag(RULE, "critical", clip(evidence), page.location(el) + " (script)"))
    return flags


@register(RULE)
def detect(page: Page) -> list[Flag]:
    flags = _spam_text_flags(page)
    if page.has_sites:
        flags += _offsite_link_flags(page) + _written_flags(page)
    return flags
