"""Detectors by name: ``@register("spam_lexicon")`` puts a function ``(page) -> list[Flag]`` in ``DETECTORS``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from crawler.model import Flag

if TYPE_CHECKING:
    from crawler.integrity.page import Page

Detector = Callable[["Page"], Iterable[Flag]]
DETECTORS: dict[str, Detector] = {}

#: evidence is cut to this many characters
EVIDENCE_MAX = 200
#: at most this many flags per rule and page (a spam block of 500 links is one finding, not 500)
MAX_FLAGS_PER_RULE = 5


def register(name: str) -> Callable[[Detector], Detector]:
    def deco(fn: Detector) -> Detector:
        if name in DETECTORS:
            raise ValueError(f"detector {name!r} registered twice")
        DETECTORS[name] = fn
        fn.rule = name  # type: ignore[attr-defined]
        return fn

    return deco


def clip(text: str, limit: int = EVIDENCE_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
