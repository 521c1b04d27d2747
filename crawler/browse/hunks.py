"""A character-level diff cut into what a reader needs: each change with its context, the unchanged
text between changes folded away.

``hunks(ops)`` takes the ``(op, text)`` operations of ``crawler.store.diffing.char_diff`` and returns
``Fold`` (unchanged text, shown collapsed) and ``Change`` (one place that changed: the text before and
after it, each with a little unchanged context) in order. Nothing is dropped: the before sides and
the folds spell the old text, the after sides and the folds the new one. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Op = tuple[int, str]

#: characters of unchanged text kept beside a change when its line is longer than ``LINE``
CONTEXT = 40
#: a change's whole line is kept as context when the line is at most this long
LINE = 120
#: unchanged text shorter than this between two changes is not folded (they become one change)
MIN_FOLD = 24


@dataclass
class Fold:
    text: str
    kind: str = "fold"


@dataclass
class Change:
    number: int
    ops: list[Op] = field(default_factory=list)
    kind: str = "change"

    @property
    def before(self) -> list[Op]:
        return [(op, t) for op, t in self.ops if op != 1]

    @property
    def after(self) -> list[Op]:
        return [(op, t) for op, t in self.ops if op != -1]

    @property
    def inserted(self) -> int:
        return sum(len(t) for op, t in self.ops if op == 1)

    @property
    def deleted(self) -> int:
        return sum(len(t) for op, t in self.ops if op == -1)


def head_context(text: str) -> str:
    """The unchanged text kept after a change: the rest of its line, or ``CONTEXT`` characters."""
    end = text.find("\n")
    if 0 <= end <= LINE:
        return text[:end]
    return text[:CONTEXT]


def tail_context(text: str) -> str:
    """The unchanged text kept before a change: the start of its line, or ``CONTEXT`` characters."""
    start = text.rfind("\n")
    if start >= 0 and len(text) - start - 1 <= LINE:
        return text[start + 1 :]
    return text[-CONTEXT:] if len(text) > CONTEXT else text


def hunks(ops: list[Op]) -> list[Fold | Change]:
    out: list[Fold | Change] = []
    current: list[Op] | None = None  # the change being built
    changes = 0

    def close() -> None:
        nonlocal current, changes
        if current and any(op != 0 for op, _ in current):
            changes += 1
            out.append(Change(changes, [(op, t) for op, t in current if t]))
        elif current:  # context only (cannot happen between changes, kept for safety)
            out.append(Fold("".join(t for _, t in current)))
        current = None

    last = len(ops) - 1
    for i, (op, text) in enumerate(ops):
        if op != 0:
            current = current if current is not None else []
            current.append((op, text))
            continue
        if current is None:  # unchanged text before the first change (or no change at all)
            if i == last:
                out.append(Fold(text))
                continue
            lead = tail_context(text)
            if len(text) - len(lead) > 0:
                out.append(Fold(text[: len(text) - len(lead)]))
            current = [(0, lead)]
        elif i == last:  # after the last change
            head = head_context(text)
            current.append((0, head))
            close()
            if text[len(head) :]:
                out.append(Fold(text[len(head) :]))
        else:  # between two changes
            head = head_context(text)
            tail = tail_context(text[len(head) :])
            middle = text[len(head) : len(text) - len(tail)]
            if len(middle) < MIN_FOLD:
                current.append((0, text))
                continue
            current.append((0, head))
            close()
            out.append(Fold(middle))
            current = [(0, tail)]
    close()
    return out


def spelled(parts: list[Fold | Change], side: int) -> str:
    """The text the parts spell on one side (-1: before, 1: after): for tests and checks."""
    text = []
    for part in parts:
        if isinstance(part, Fold):
            text.append(part.text)
        else:
            text.extend(t for op, t in part.ops if op in (0, side))
    return "".join(text)
