"""What the judging worker makes ahead for the store (``crawler.store.prepare``): the store takes a
value only for the exact input it was made from, once, and it is what the store computes itself."""

from __future__ import annotations

import pickle

from crawler.store import bigrams
from crawler.store.codec import compress, decompress
from crawler.store.prepare import BIGRAMS, COMPRESSED, KEEP, Ahead, prepare, remember
from tests.records import release


def test_what_the_worker_makes_is_what_the_store_makes() -> None:
    rel = release(
        index_no="a", url="http://x/a", title="中共衢州市委召开会议", paragraphs=["全面推进数字化改革工作"]
    )
    page = "<html><body>中共衢州市委召开会议</body></html>".encode()
    made = pickle.loads(pickle.dumps(prepare(rel, page)))  # as it crosses the pipe
    assert made["bigrams"] == {rel.title: bigrams(rel.title), rel.body_text: bigrams(rel.body_text)}
    assert decompress(made["compressed"]) == page


def test_the_store_takes_a_value_once_and_only_for_its_input() -> None:
    remember({"bigrams": {"衢州市委": "made ahead"}, "compressed": b"made ahead"}, b"<p>page</p>")
    assert bigrams("衢州市委 ") == "衢州 州市 市委"  # another text: computed
    assert bigrams("衢州市委") == "made ahead"
    assert bigrams("衢州市委") == "衢州 州市 市委"  # taken once
    assert compress(b"<p>other</p>") != b"made ahead"
    assert compress(b"<p>page</p>") == b"made ahead"
    assert decompress(compress(b"<p>page</p>")) == b"<p>page</p>"
    remember(None, b"<p>page</p>")  # a worker that could not make them: nothing kept
    assert BIGRAMS.take("衢州市委") is None and COMPRESSED.take(b"<p>page</p>") is None


def test_values_never_taken_do_not_pile_up() -> None:
    ahead: Ahead[str, int] = Ahead()
    for i in range(KEEP + 10):
        ahead.put(str(i), i)
    assert ahead.take("0") is None and ahead.take("9") is None  # the oldest went
    assert ahead.take("10") == 10 and ahead.take(str(KEEP + 9)) == KEEP + 9
