"""One module per detector; importing them fills ``crawler.integrity.registry.DETECTORS``."""

from __future__ import annotations

import importlib

MODULES = ("spam_lexicon", "junk_preamble", "hidden_links", "redirect", "host_mismatch", "spam_added")


def load_all() -> None:
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
