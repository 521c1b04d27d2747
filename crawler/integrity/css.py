"""Is an element hidden by CSS? Inline ``style`` and the page's own ``<style>`` blocks.

Only simple selectors are read from style blocks (``.x``, ``#y``, ``div.x`` as the last compound of a
selector); that over-approximates (``.menu .sub`` counts every ``.sub``) which is fine here: hidden
blocks are only flagged for what they hold (spam, off-site links), never for being hidden.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_OFFSCREEN_PX = 900  # -999px, -9999px, -5000px …; small negative offsets (-45px) are layout
_DISPLAY_NONE = re.compile(r"display:none")
_VISIBILITY = re.compile(r"visibility:hidden")
_FONT_ZERO = re.compile(r"(?:^|;)font-size:0(?:px|pt|em|rem|%)?(?:!important)?(?:;|$)")
_OPACITY_ZERO = re.compile(r"(?:^|;)opacity:0(?:\.0+)?(?:!important)?(?:;|$)")
_ZERO_SIZE = re.compile(r"(?:^|;)(?:width|height):[01](?:px)?(?:!important)?(?:;|$)")
_OVERFLOW = re.compile(r"overflow:hidden")
_OFFSET = re.compile(
    r"(?:^|;)(?:left|top|right|bottom|margin-left|margin-top|text-indent):-(\d+)(px|em|rem)?"
)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_SHOWS = re.compile(r"display:(?:block|inline|inline-block|flex|table|list-item)|visibility:visible")
_SIMPLE = re.compile(r"^([a-z][a-z0-9]*)?((?:[.#][\w-]+)+)$", re.I)


def hidden_reason(style: str | None) -> str | None:
    """Why a declaration block hides its element, or None."""
    if not style:
        return None
    s = "".join(style.lower().split())
    if _DISPLAY_NONE.search(s):
        return "display:none"
    if _VISIBILITY.search(s):
        return "visibility:hidden"
    if _FONT_ZERO.search(s):
        return "font-size:0"
    if _OPACITY_ZERO.search(s):
        return "opacity:0"
    if _ZERO_SIZE.search(s) and _OVERFLOW.search(s):
        return "zero size, overflow hidden"
    for m in _OFFSET.finditer(s):
        value = int(m.group(1)) * (16 if m.group(2) in ("em", "rem") else 1)
        if value >= _OFFSCREEN_PX:
            return "off-screen " + m.group(0).strip(";")
    return None


@dataclass
class HiddenRules:
    """Classes and ids that the page's own style blocks hide, and those a ``:hover`` rule shows."""

    classes: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    hover_shown: set[str] = field(default_factory=set)  # ".sub", "#menu2": shown on hover

    def shown_on_hover(self, el_id: str | None, el_classes: str | None) -> bool:
        if el_id and "#" + el_id.strip() in self.hover_shown:
            return True
        return bool(el_classes) and any("." + cls in self.hover_shown for cls in (el_classes or "").split())

    def reason(self, el_id: str | None, el_classes: str | None) -> tuple[str, str] | None:
        """(selector, reason) when an element with this id/class attribute is hidden."""
        if el_id and self.ids:
            r = self.ids.get(el_id.strip())
            if r:
                return "#" + el_id.strip(), r
        if el_classes and self.classes:
            for cls in el_classes.split():
                r = self.classes.get(cls)
                if r:
                    return "." + cls, r
        return None


def parse_style_blocks(css_texts: list[str]) -> HiddenRules:
    rules = HiddenRules()
    for css in css_texts:
        if "{" not in css:
            continue
        css = _COMMENT.sub("", css)
        for m in _RULE.finditer(css):
            reason = hidden_reason(m.group(2))
            if not reason:
                if ":hover" in m.group(1) and _SHOWS.search("".join(m.group(2).lower().split())):
                    for selector in m.group(1).split(","):
                        if ":hover" in selector:
                            last = re.split(r"[\s>+~]+", selector.strip())[-1]
                            rules.hover_shown.update(re.findall(r"[.#][\w-]+", last.split(":")[0]))
                continue
            for selector in m.group(1).split(","):
                last = re.split(r"[\s>+~]+", selector.strip())[-1]
                sm = _SIMPLE.match(last)
                if not sm:
                    continue
                for part in re.findall(r"[.#][\w-]+", sm.group(2)):
                    target = rules.classes if part[0] == "." else rules.ids
                    target.setdefault(part[1:], reason)
    return rules
