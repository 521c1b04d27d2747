"""The cyclic garbage collector around a command's start-up.

Start-up (importing Scrapy, Twisted, pydantic and the normalizer; loading and validating the
configuration; building the crawler) makes about 130,000 objects that live as long as the process.
With CPython's default thresholds the collector runs dozens of times while they are made, each time
traversing the older ones again, and a crawl then traverses all of them at every full collection.

So :func:`crawler.cli.main` holds collection back (:func:`hold`) and the command settles
(:func:`settle`) once its long-lived objects exist: they are moved to the permanent generation
(``gc.freeze``), where no collection looks at them again, and collection resumes with a young
generation larger than CPython's default (:data:`YOUNG_THRESHOLD`).
Commands that do not settle themselves are settled as soon as their module is imported
(``crawler.cli``). Holding raises the young generation's threshold rather than disabling the
collector, so a start-up that makes far more objects than expected is still collected.

What is frozen is never freed: the cycles that imports leave behind (about 50,000 objects) stay for
the life of the process (short: a crawl, a batch; the daemon settles once, at its start). The judging
worker (``crawler.crawl.judging``) does not start through ``main``; it collects less than 5 ms in a
1,000-page crawl and is left as it is.
"""

from __future__ import annotations

import gc

#: during a hold, the young generation is collected only after this many new objects
HOLD_THRESHOLD = 100_000

#: after it, the young generation's threshold (CPython's default: 700). A crawl makes and drops
#: many short-lived containers a page (requests, responses, Deferreds): at 700 a 1,000-page crawl
#: collected the young generation 230 times, 0.17 s; at 5,000, 33 times, 0.08–0.11 s
YOUNG_THRESHOLD = 5_000

_thresholds: tuple[int, ...] | None = None  # the ones a hold replaced


def hold() -> None:
    """Collect rarely until :func:`settle`."""
    global _thresholds
    if _thresholds is None:
        _thresholds = gc.get_threshold()
        gc.set_threshold(HOLD_THRESHOLD, *_thresholds[1:])


def settle() -> None:
    """End a hold: freeze what is alive and collect again, with a young generation of at least
    :data:`YOUNG_THRESHOLD`. Nothing when no hold is on (a command run in a test's process, a second
    call)."""
    global _thresholds
    if _thresholds is None:
        return
    gc.freeze()
    gc.set_threshold(max(_thresholds[0], YOUNG_THRESHOLD), *_thresholds[1:])
    _thresholds = None


def holding() -> bool:
    return _thresholds is not None
