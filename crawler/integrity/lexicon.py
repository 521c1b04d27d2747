"""The spam lexicon (``lexicon.yaml``, data) and the scanner that applies it to one passage."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from crawler.integrity.textnorm import Squeezed, squeeze

_DATA = Path(__file__).with_name("lexicon.yaml")


@dataclass(frozen=True)
class Term:
    term: str
    kind: str  # brand | topic | cue
    topic: str | None = None  # gambling | porn, for topics
    not_after: re.Pattern[str] | None = None
    not_before: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Lexicon:
    terms: dict[str, Term]
    pattern: re.Pattern[str]  # every term, longest first, on squeezed text
    spam_pattern: re.Pattern[str]  # brands and topics only: a page-wide prefilter
    cue_patterns: dict[str, re.Pattern[str]]  # on plain text
    enforcement: re.Pattern[str]
    window: int


@dataclass(frozen=True)
class Hit:
    term: str
    kind: str
    start: int  # squeezed offsets
    end: int


@dataclass
class Scan:
    """What the lexicon found in one passage."""

    sq: Squeezed
    hits: list[Hit] = field(default_factory=list)
    enforcement: bool = False

    @property
    def brands(self) -> list[Hit]:
        return [h for h in self.hits if h.kind == "brand"]

    @property
    def topics(self) -> list[Hit]:
        return [h for h in self.hits if h.kind == "topic"]

    @property
    def cues(self) -> list[Hit]:
        return [h for h in self.hits if h.kind == "cue"]

    def pitched(self, window: int) -> list[tuple[Hit, Hit]]:
        """(topic, cue) pairs close enough to read as a sales pitch."""
        pairs = []
        for t in self.topics:
            for c in self.cues:
                gap = max(c.start - t.end, t.start - c.end, 0)
                if gap <= window:
                    pairs.append((t, c))
                    break
        return pairs

    @property
    def any_spam(self) -> bool:
        return bool(self.brands or self.topics)

    def excerpt(self, hit: Hit, pad: int = 30) -> str:
        a, b = self.sq.span(hit.start, hit.end)
        plain = self.sq.plain
        return plain[max(0, a - pad) : b + pad].strip()


def _entry(raw: object, kind: str, topic: str | None = None) -> Term:
    if isinstance(raw, dict):
        return Term(
            str(raw["term"]).casefold(),
            kind,
            topic,
            re.compile(str(raw["not_after"])) if raw.get("not_after") else None,
            re.compile(str(raw["not_before"])) if raw.get("not_before") else None,
        )
    return Term(str(raw).casefold(), kind, topic)


@cache
def load() -> Lexicon:
    raw = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    terms: dict[str, Term] = {}
    for item in raw.get("cues") or ():
        t = _entry(item, "cue")
        terms[t.term] = t
    for topic, items in (raw.get("topics") or {}).items():
        for item in items or ():
            t = _entry(item, "topic", topic)
            terms[t.term] = t
    for item in raw.get("brands") or ():  # brands win over a topic/cue spelled the same
        t = _entry(item, "brand")
        terms[t.term] = t
    alternation = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    cue_patterns = {k: re.compile(v) for k, v in (raw.get("cue_patterns") or {}).items()}
    enforcement = "|".join(re.escape(w) for w in raw.get("enforcement") or ()) or r"(?!x)x"
    spam = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True) if terms[t].kind != "cue")
    return Lexicon(
        terms,
        re.compile(alternation),
        re.compile(spam or r"(?!x)x"),
        cue_patterns,
        re.compile(enforcement),
        int(raw.get("window", 24)),
    )


def may_have_spam(text: str, lexicon: Lexicon | None = None) -> bool:
    """Cheap page-wide test: False means no passage of ``text`` can hold a brand or topic term."""
    lex = lexicon or load()
    return lex.spam_pattern.search(squeeze(text).text) is not None


def _allowed(term: Term, text: str, start: int, end: int) -> bool:
    if term.not_after and start > 0 and term.not_after.match(text, start - 1):
        return False
    return not (term.not_before and end < len(text) and term.not_before.match(text, end))


def scan(text: str, lexicon: Lexicon | None = None) -> Scan:
    """Every lexicon hit in ``text`` (brands, topics, cues, URL/QQ/WeChat cues)."""
    lex = lexicon or load()
    sq = squeeze(text)
    result = Scan(sq)
    s = sq.text
    pos = 0
    while True:
        m = lex.pattern.search(s, pos)
        if m is None:
            break
        term = lex.terms[m.group()]
        if _allowed(term, s, m.start(), m.end()):
            result.hits.append(Hit(term.term, term.kind, m.start(), m.end()))
            pos = m.end()
        else:
            pos = m.start() + 1
    if result.topics or result.brands:
        plain = sq.plain
        for name, pat in lex.cue_patterns.items():
            for m in pat.finditer(plain):
                a = _to_squeezed(sq, m.start())
                b = max(a + 1, _to_squeezed(sq, m.end()))
                result.hits.append(Hit(f"<{name}> {m.group()}", "cue", a, b))
        result.enforcement = bool(lex.enforcement.search(s))
    return result


def _to_squeezed(sq: Squeezed, plain_pos: int) -> int:
    return bisect_left(sq.index, plain_pos)
