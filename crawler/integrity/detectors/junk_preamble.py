"""``junk_preamble`` (tag storm): markup before ``<!DOCTYPE``/``<html>``, and storms of empty elements
sharing one random id, often with tags that do not exist in HTML (``<delect id="h4sia">``). Critical.

One unclosed element wrapping the whole document (an archive envelope such as
``<text id="URL" encoding="gb2312">`` on real page 09) is only info.
Unknown tags on their own are not flagged (custom elements, ``<o:p>``, CMS tags are common); they are
named in the evidence of a storm or a preamble.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from crawler.integrity.page import Page
from crawler.integrity.registry import clip, register
from crawler.model import Flag

RULE = "junk_preamble"
STORM_MIN = 6  # empty elements sharing an id
STORM_TAGS = 3  # … of at least this many different tags

# every element name of HTML (living standard + obsolete ones browsers still know)
_HTML_TAG_NAMES = """a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound
big blink blockquote body br button canvas caption center cite code col colgroup data datalist dd del details
dfn dialog dir div dl dt em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6
head header hgroup hr html i iframe image img input ins isindex kbd keygen label legend li link listing main
map mark marquee math menu menuitem meta meter multicol nav nextid nobr noembed noframes noscript object ol
optgroup option output p param picture plaintext pre progress q rb rp rt rtc ruby s samp script search
section select slot small source spacer span strike strong style sub summary sup svg table tbody td template
textarea tfoot th thead time title tr track tt u ul var video wbr xmp"""
HTML_TAGS = frozenset(_HTML_TAG_NAMES.split())
_OPEN_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9:-]*)")
_ID_ATTR = re.compile(r"""\sid\s*=\s*["']?([^"'\s>]+)""", re.I)


def unknown_tags(names) -> list[str]:
    seen = []
    for name in names:
        n = name.lower()
        if n not in HTML_TAGS and ":" not in n and "-" not in n and n not in seen:
            seen.append(n)
    return seen


def _preamble_flag(page: Page) -> Flag | None:
    pre = page.preamble
    if not pre:
        return None
    tags = _OPEN_TAG.findall(pre)
    ids = Counter(_ID_ATTR.findall(pre))
    notes = [f"{len(tags)} elements before the document"]
    if ids:
        top, n = ids.most_common(1)[0]
        if n > 1:
            notes.append(f'id "{top}" ×{n}')
    bad = unknown_tags(tags)
    if bad:
        notes.append("non-HTML tags " + ", ".join(f"<{t}>" for t in bad))
    if len(tags) <= 1 and "</" not in pre:
        # one unclosed element wrapping the whole document (an archive's <text id=URL …> envelope)
        return Flag(RULE, "info", f"{clip(pre)} [a wrapper element before the document]", "preamble")
    return Flag(RULE, "critical", f"{clip(pre)} [{'; '.join(notes)}]", "preamble", certain=True)


def _is_empty(el) -> bool:
    return not (el.text or "").strip() and all(not (c.tail or "").strip() for c in el) and len(el) <= 2


def _storm_flags(page: Page) -> list[Flag]:
    by_id: dict[str, list] = defaultdict(list)
    for el in page.root.iter():
        if isinstance(el.tag, str):
            el_id = el.get("id")
            if el_id:
                by_id[el_id].append(el)
    flags = []
    for el_id, els in by_id.items():
        if len(els) < STORM_MIN:
            continue
        empty = [e for e in els if _is_empty(e)]
        tags = {e.tag.lower() for e in empty}
        if len(empty) < STORM_MIN or len(tags) < STORM_TAGS:
            continue
        if page.preamble and el_id in page.preamble:
            continue  # the preamble flag already quotes it
        quote = "".join(f'<{e.tag} id="{el_id}">' for e in empty[:12])
        bad = unknown_tags(e.tag for e in empty)
        note = f'{len(empty)} empty elements share id "{el_id}"'
        if bad:
            note += "; non-HTML tags " + ", ".join(f"<{t}>" for t in bad)
        flags.append(Flag(RULE, "critical", f"{clip(quote)} [{note}]", page.location(empty[0]), certain=True))
    return flags


@register(RULE)
def detect(page: Page) -> list[Flag]:
    flags = _storm_flags(page)
    pre = _preamble_flag(page)
    if pre:
        flags.insert(0, pre)
    return flags
