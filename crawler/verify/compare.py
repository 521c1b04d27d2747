"""The comparison of a copy with an archived version: pure, on normalized fields.

What is compared is what a version is (docs/ARCHITECTURE.md, "The normalized release"): the labelled
fields, the attachment names and the paragraphs — never the URL, links, breadcrumb, site or column
name, which a copy re-hosted elsewhere rewrites with its asset paths. Texts are compared in their
folded form (``crawler.verify.text``); the passages reported show the texts as published.

Paragraphs are aligned first (``difflib`` on the folded paragraphs); inside a run that differs, each
copy paragraph is paired with the official paragraph it most resembles (in order), and the pairs are
compared character by character (``diff-match-patch``). A copy paragraph with no counterpart is
*inserted*, an official one *deleted*, a pair that differs *altered* with its character operations.
A run whose text is equal once paragraph breaks are ignored is equal: breaks are layout; a paragraph
broken in two (or two joined) around an inserted passage is reported as that insertion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Literal

from crawler.store.diffing import FIELD_LABELS, char_diff
from crawler.verify.text import fold

Ops = list[tuple[int, str]]  # (-1 only in the official text | 0 both | 1 only in the copy, text)
Change = Literal["inserted", "deleted", "altered"]

#: a copy paragraph pairs with an official one when this much of their folded text is common
PAIR_RATIO = 0.5
#: runs longer than this (paragraphs on either side) are paired by position, not by resemblance
MAX_PAIRING = 60


@dataclass
class Passage:
    """One difference: where (a field, ``paragraph``, ``attachment``), the official text beside the
    copy's, and for an altered passage the character operations from one to the other."""

    change: Change
    part: str
    official: str | None
    copy: str | None
    official_index: int | None = None  # 1-based paragraph (or attachment) number in the version
    copy_index: int | None = None  # 1-based number in the copy
    ops: Ops = field(default_factory=list)

    @property
    def label(self) -> str:
        return PART_LABELS.get(self.part, self.part)

    @property
    def inserted_text(self) -> str:
        if self.change == "inserted":
            return self.copy or ""
        return "".join(t for op, t in self.ops if op == 1)

    @property
    def deleted_text(self) -> str:
        if self.change == "deleted":
            return self.official or ""
        return "".join(t for op, t in self.ops if op == -1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "part": self.part,
            "label": self.label,
            "official_index": self.official_index,
            "copy_index": self.copy_index,
            "official": self.official,
            "copy": self.copy,
            "inserted": self.inserted_text or None,
            "deleted": self.deleted_text or None,
            "ops": [[op, text] for op, text in self.ops],
        }


PART_LABELS = {**dict(FIELD_LABELS), "paragraph": "正文段落", "attachment": "附件"}


@dataclass
class Comparison:
    """A copy against one version: the passages that differ, and how far apart they are (characters
    inserted plus deleted, folded)."""

    passages: list[Passage]
    distance: int

    @property
    def faithful(self) -> bool:
        return not self.passages


def _ops(official: str, copy: str) -> Ops:
    """Character operations official → copy, with changes that fold away (width, whitespace) shown
    as equal text (the copy's)."""
    raw = char_diff(official, copy)
    out: Ops = []
    pending_del: list[str] = []
    pending_ins: list[str] = []

    def flush() -> None:
        deleted, inserted = "".join(pending_del), "".join(pending_ins)
        if not fold(deleted):  # only whitespace went: not a change of its own
            deleted = ""
        if not fold(inserted):
            inserted = inserted if not deleted else ""
        if fold(deleted) == fold(inserted):
            if inserted:
                out.append((0, inserted))
        else:
            if deleted:
                out.append((-1, deleted))
            if inserted:
                out.append((1, inserted))
        pending_del.clear()
        pending_ins.clear()

    for op, text in raw:
        if op == -1:
            pending_del.append(text)
        elif op == 1:
            pending_ins.append(text)
        else:
            flush()
            out.append((0, text))
    flush()
    merged: Ops = []
    for op, text in out:
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        else:
            merged.append((op, text))
    if not any(op for op, _ in merged):  # every change folded away piecewise, yet the whole differs
        return [(-1, official), (1, copy)]
    return merged


def _changed_chars(official: str | None, copy: str | None) -> int:
    a, b = fold(official), fold(copy)
    if a == b:
        return 0
    return sum(len(t) for op, t in char_diff(a, b) if op)


def _text_passage(
    part: str, official: str | None, copy: str | None, oi: int | None, ci: int | None
) -> Passage:
    if not fold(official):
        return Passage("inserted", part, None, copy, oi, ci)
    if not fold(copy):
        return Passage("deleted", part, official, None, oi, ci)
    return Passage("altered", part, official, copy, oi, ci, _ops(official or "", copy or ""))


def _similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < PAIR_RATIO or matcher.quick_ratio() < PAIR_RATIO:
        return 0.0
    return matcher.ratio()


def _pair(official: Sequence[str], copy: Sequence[str]) -> list[tuple[int | None, int | None]]:
    """Monotonic pairing of two runs of folded paragraphs maximising resemblance (``None``: unpaired)."""
    n, m = len(official), len(copy)
    if n * m > MAX_PAIRING * MAX_PAIRING:
        pairs: list[tuple[int | None, int | None]] = [(i, i) for i in range(min(n, m))]
        pairs += [(i, None) for i in range(m, n)] + [(None, j) for j in range(n, m)]
        return pairs
    sim = [[_similarity(official[i], copy[j]) for j in range(m)] for i in range(n)]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            paired = best[i + 1][j + 1] + sim[i][j] if sim[i][j] >= PAIR_RATIO else -1.0
            best[i][j] = max(paired, best[i + 1][j], best[i][j + 1])
    out: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < n and j < m:
        if sim[i][j] >= PAIR_RATIO and best[i][j] == best[i + 1][j + 1] + sim[i][j]:
            out.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            out.append((i, None))
            i += 1
        else:
            out.append((None, j))
            j += 1
    out += [(k, None) for k in range(i, n)] + [(None, k) for k in range(j, m)]
    return out


def compare_sequence(part: str, official: Sequence[str], copy: Sequence[str]) -> list[Passage]:
    """Passages of two sequences of texts (paragraphs, attachment names)."""
    fo, fc = [fold(t) for t in official], [fold(t) for t in copy]
    # empty paragraphs carry nothing (the content hash skips them too)
    keep_o = [i for i, t in enumerate(fo) if t]
    keep_c = [j for j, t in enumerate(fc) if t]
    a, b = [fo[i] for i in keep_o], [fc[j] for j in keep_c]
    passages: list[Passage] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal" or "".join(a[i1:i2]) == "".join(b[j1:j2]):
            continue
        for pi, pj in _pair(a[i1:i2], b[j1:j2]):
            oi = keep_o[i1 + pi] if pi is not None else None
            ci = keep_c[j1 + pj] if pj is not None else None
            if oi is not None and ci is not None and fo[oi] == fc[ci]:
                continue
            passages.append(
                _text_passage(
                    part,
                    official[oi] if oi is not None else None,
                    copy[ci] if ci is not None else None,
                    oi + 1 if oi is not None else None,
                    ci + 1 if ci is not None else None,
                )
            )
    return _rejoin(passages)


def _adjacent(a: int | None, b: int | None) -> bool:
    return a is not None and b is not None and abs(a - b) == 1


def _combined(p: Passage, q: Passage) -> Passage | None:
    """``p`` (altered) read together with its neighbour ``q`` — a paragraph of the copy only
    (inserted) or of the official text only (deleted) — when that tells fewer changes: a paragraph
    broken in two (or two joined) around an inserted passage is that insertion, not a changed
    paragraph beside a new one. None when reading them apart is as short."""
    if q.change == "inserted" and _adjacent(p.copy_index, q.copy_index):
        first, second = (q, p) if (q.copy_index or 0) < (p.copy_index or 0) else (p, q)
        official, copy = p.official or "", f"{first.copy}\n{second.copy}"
        oi, ci = p.official_index, first.copy_index
    elif q.change == "deleted" and _adjacent(p.official_index, q.official_index):
        first, second = (q, p) if (q.official_index or 0) < (p.official_index or 0) else (p, q)
        official, copy = f"{first.official}\n{second.official}", p.copy or ""
        oi, ci = first.official_index, p.copy_index
    else:
        return None
    apart = _changed_chars(p.official, p.copy) + len(fold(q.copy or q.official))
    if _changed_chars(official, copy) >= apart:
        return None
    ops = _ops(official, copy)
    inserted = [t for op, t in ops if op == 1]
    if q.change == "inserted" and len(inserted) == 1 and not any(op == -1 for op, _ in ops):
        run = inserted[0].strip()
        # the copy paragraph the insertion lies in: count the breaks before its first character
        at = len("".join(t for op, t in ops[: [op for op, _ in ops].index(1)]))
        at += len(inserted[0]) - len(inserted[0].lstrip())
        index = (first.copy_index or 0) + copy[:at].count("\n")
        if "\n" in run:
            return Passage("altered", p.part, official, copy, oi, ci, ops)
        return Passage("inserted", p.part, None, run, None, index)
    return Passage("altered", p.part, official, copy, oi, ci, ops)


def _rejoin(passages: list[Passage]) -> list[Passage]:
    """Neighbouring passages read together where that tells fewer changes (see ``_combined``)."""
    out: list[Passage] = []
    i = 0
    while i < len(passages):
        p = passages[i]
        nxt = passages[i + 1] if i + 1 < len(passages) else None
        if nxt is not None:
            pair = (p, nxt) if p.change == "altered" else (nxt, p) if nxt.change == "altered" else None
            joined = _combined(*pair) if pair else None
            if joined is not None:
                out.append(joined)
                i += 2
                continue
        out.append(p)
        i += 1
    return out


def _attachment_names(fields: dict[str, Any]) -> list[str]:
    return [str(a.get("name") or "") for a in fields.get("attachments") or []]


def compare(official: dict[str, Any], copy: dict[str, Any]) -> Comparison:
    """The copy's normalized fields (``Release.to_dict()``) against a version's stored fields."""
    passages: list[Passage] = []
    for name, _label in FIELD_LABELS:
        before, after = official.get(name), copy.get(name)
        if fold(before) != fold(after):
            passages.append(_text_passage(name, before, after, None, None))
    passages += compare_sequence("paragraph", official.get("paragraphs") or [], copy.get("paragraphs") or [])
    passages += compare_sequence("attachment", _attachment_names(official), _attachment_names(copy))
    distance = sum(
        _changed_chars(p.official, p.copy) if p.change == "altered" else len(fold(p.official or p.copy))
        for p in passages
    )
    return Comparison(passages, distance)
