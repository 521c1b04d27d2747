"""Q&A transcripts (答问实录) split into turns at speaker markers.

Markers: ``◤name：`` / ``■name：`` (any name), and without a symbol only the well-known forms
``问：``/``答：``, ``主持人（…）：``, ``…记者：``, ``发布人（…）：``, ``嘉宾（…）：``. Colons may be full- or
half-width. A speaker is short and has no sentence punctuation, so a sentence with a colon is not one.
"""

from __future__ import annotations

import re

_SYMBOL = "◤■●◆▲▶►"
_MAX_SPEAKER = 20
_SYMBOL_RE = re.compile(
    rf"^[{_SYMBOL}]\s*(?P<speaker>[^:：]{{1,{_MAX_SPEAKER}}}?)\s*[:：]\s*(?P<rest>.*)$", re.S
)
_PLAIN_RE = re.compile(
    r"^(?P<speaker>问|答|提问|回答|主持人|发布人|发言人|嘉宾|记者|[^:：，。]{1,14}记者)"
    r"(?:\s*[（(][^）)]{1,15}[）)])?\s*[:：]\s*(?P<rest>.*)$",
    re.S,
)
_PLAIN_FULL_RE = re.compile(r"^(?P<full>[^:：]{1,30}?)\s*[:：]")
_SENTENCE_PUNCT = re.compile(r"[。，,；;！!？?、“”\"…]")
_MIN_TURNS = 2
#: a bare name opening a paragraph ("李金泽：") — a speaker only in a transcript, when it recurs
_NAME_RE = re.compile(r"^(?P<speaker>[\u4e00-\u9fff·]{2,5})\s*[:：]\s*(?P<rest>.*)$", re.S)
_MIN_NAME_REPEATS = 2


def _marker(paragraph: str, names: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """``(speaker, rest of the paragraph)`` when the paragraph opens with a speaker marker."""
    if names:
        named = _NAME_RE.match(paragraph)
        if named and named.group("speaker") in names:
            return named.group("speaker"), named.group("rest").strip()
    match = _SYMBOL_RE.match(paragraph)
    if match:
        speaker = match.group("speaker").strip()
    else:
        match = _PLAIN_RE.match(paragraph)
        if not match:
            return None
        full = _PLAIN_FULL_RE.match(paragraph)
        speaker = full.group("full").strip() if full else match.group("speaker")
    if not speaker or len(speaker) > _MAX_SPEAKER or _SENTENCE_PUNCT.search(speaker):
        return None
    return speaker, match.group("rest").strip()


def split_turns(paragraphs: list[str]) -> list[dict[str, str]]:
    """Turns ``[{speaker, text}]``; text before the first marker is not a turn. Needs ≥ 2 markers."""
    markers = [_marker(p) for p in paragraphs]
    if sum(1 for m in markers if m) < _MIN_TURNS:
        return []
    names = _recurring_names(paragraphs)
    if names:
        markers = [_marker(p, names) for p in paragraphs]
    turns: list[dict[str, str]] = []
    speaker: str | None = None
    texts: list[str] = []
    for paragraph, marker in zip(paragraphs, markers, strict=True):
        if marker:
            if speaker is not None:
                turns.append({"speaker": speaker, "text": "\n".join(texts)})
            speaker, rest = marker
            texts = [rest] if rest else []
        elif speaker is not None:
            texts.append(paragraph)
    if speaker is not None:
        turns.append({"speaker": speaker, "text": "\n".join(texts)})
    return turns if len(turns) >= _MIN_TURNS else []


def _recurring_names(paragraphs: list[str]) -> frozenset[str]:
    """Bare names that open at least two paragraphs (the interviewee of "记者：… 李金泽：…")."""
    counts: dict[str, int] = {}
    for paragraph in paragraphs:
        match = _NAME_RE.match(paragraph)
        if match:
            name = match.group("speaker")
            counts[name] = counts.get(name, 0) + 1
    return frozenset(name for name, count in counts.items() if count >= _MIN_NAME_REPEATS)
