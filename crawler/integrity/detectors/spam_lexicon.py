"""``spam_lexicon``: gambling/porn brand forms and sales pitches in the page text.

critical — a brand form (bet365, 日博365, 新葡京 …); a topic word beside a call to action (备用网址, 注册,
a URL, a QQ number …) unless the passage is law enforcement (打击, 严禁 …), then a warning; any topic
word in hidden or injected placement (a CSS-hidden element, the junk preamble).
warning — two or more distinct bare topic words in a passage that is not about enforcement.
Nothing for a single topic word (a police notice, 福利彩票, 澳门, 棋牌 and 娱乐 are not terms at all).
"""

from __future__ import annotations

from crawler.integrity.lexicon import Hit, Scan, load
from crawler.integrity.page import Page, Passage
from crawler.integrity.registry import clip, register
from crawler.integrity.textnorm import original_map
from crawler.model import Flag, Severity

RULE = "spam_lexicon"


def evidence(scan: Scan, first: Hit, window: int, text: str | None = None, pad: int = 12) -> str:
    """The passage around a cluster of hits starting at ``first``: quoted from the published ``text``
    when given, else from the folded matching copy."""
    end = first.end
    for h in sorted(scan.hits, key=lambda h: h.start):
        if h.start >= first.start and h.start <= end + window:
            end = max(end, h.end)
    a, b = scan.sq.span(first.start, end)
    mapped = original_map(text) if text is not None else None
    if text is not None and mapped is not None and mapped[1] and b > a:
        where = mapped[1]
        a, b = where[a], where[b - 1] + 1
        return clip(text[max(0, a - pad) : b + pad].strip())
    plain = scan.sq.plain
    return clip(plain[max(0, a - pad) : b + pad].strip())


def judge(scan: Scan, injected: bool, window: int) -> tuple[Severity, Hit, str] | None:
    """(severity, the hit to quote, why) for one passage, or None."""
    if scan.brands:
        return "critical", scan.brands[0], "gambling brand " + scan.brands[0].term
    pitched = scan.pitched(window)
    if pitched and not injected:
        topic, cue = pitched[0]
        why = f"{topic.term} beside call to action {cue.term}"
        if scan.enforcement:
            return "warning", topic, why + " (enforcement context)"
        return "critical", topic, why
    if scan.topics and injected and not scan.enforcement:
        return "critical", scan.topics[0], f"{scan.topics[0].term} in hidden or injected placement"
    distinct = {h.term for h in scan.topics}
    if len(distinct) >= 2 and not scan.enforcement:
        return "warning", scan.topics[0], "topic words " + "、".join(sorted(distinct))
    return None


def judge_passage(page: Page, passage: Passage) -> Flag | None:
    if len(passage.text) < 2:
        return None
    scan = passage.scan
    if not scan.any_spam:
        return None
    window = load().window
    injected = passage.hidden is not None or passage.where == "preamble"
    verdict = judge(scan, injected, window)
    if verdict is None:
        return None
    severity, hit, why = verdict
    return Flag(
        RULE,
        severity,
        f"{evidence(scan, hit, window, passage.text)} [{why}]",
        page.location(passage),
        certain=severity == "critical",
    )


@register(RULE)
def detect(page: Page) -> list[Flag]:
    flags: list[Flag] = []
    if not page.may_have_spam:
        return flags
    for passage in page.passages:
        flag = judge_passage(page, passage)
        if flag is not None:
            flags.append(flag)
    return flags
