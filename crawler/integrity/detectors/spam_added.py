"""``spam_added``: a new version whose additions carry spam.

With ``previous`` given, the paragraphs (and title) of both versions are diffed (difflib); the text
added — whole new paragraphs, and the inserted runs inside changed ones — is scanned with the lexicon.
critical — added brand forms, added topic words beside a call to action, or topic words newly added to
a known text; warning — topic words added in an enforcement passage (打击, 严禁 …).
Evidence is the added text.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from crawler.integrity.lexicon import load, scan
from crawler.integrity.page import Page
from crawler.integrity.registry import clip, register
from crawler.model import Flag, Release, Severity

RULE = "spam_added"


def _units(release: Release) -> list[str]:
    return ([release.title] if release.title else []) + [p for p in release.paragraphs if p]


def additions(old: list[str], new: list[str]) -> list[tuple[int, str, str]]:
    """(index in ``new``, added text, the new paragraph) for every insertion or replacement."""
    out = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "insert":
            out += [(j, new[j], new[j]) for j in range(j1, j2)]
        elif op == "replace":
            before = "\n".join(old[i1:i2])
            for j in range(j1, j2):
                chars = SequenceMatcher(None, before, new[j], autojunk=False)
                added = "…".join(
                    new[j][b1:b2] for tag, _, _, b1, b2 in chars.get_opcodes() if tag in ("insert", "replace")
                )
                if added.strip():
                    out.append((j, added, new[j]))
    return out


@register(RULE)
def detect(page: Page) -> list[Flag]:
    release, previous = page.release, page.previous
    if release is None or previous is None:
        return []
    old, new = _units(previous), _units(release)
    offset = 1 if release.title else 0
    window = load().window
    flags = []
    for j, added, paragraph in additions(old, new):
        found = scan(added)
        if not found.any_spam:
            continue
        severity: Severity
        context = scan(paragraph)  # enforcement words may sit in the unchanged part
        if found.brands:
            severity, why = "critical", "brand " + found.brands[0].term
        elif found.pitched(window) or not context.enforcement:
            severity, why = "critical", "added " + "、".join(sorted({h.term for h in found.topics}))
        else:
            severity, why = "warning", "added in an enforcement passage"
        where = "head title" if offset and j == 0 else f"body p[{j - offset + 1}]"
        flags.append(Flag(RULE, severity, clip(f"+{added} [{why}]"), where, certain=severity == "critical"))
    return flags
