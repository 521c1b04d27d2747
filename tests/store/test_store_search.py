"""Bigram FTS: two-character words and longer phrases are found; bm25 ranks by frequency."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from crawler.store import bigrams, search_query
from tests.records import ok, release


def test_bigrams_and_query():
    assert bigrams("中共衢州市委") == "中共 共衢 衢州 州市 市委"
    assert bigrams("2022年 Hello，世界") == "2022 年 hello 世界"
    assert search_query("衢州") == '"衢州"'
    assert search_query("数字化改革") == '"数字 字化 化改 改革"'
    assert search_query("衢州 新闻") == '"衢州" "新闻"'
    assert search_query('say "hi"') == '"say" "hi"'
    assert search_query("  ，。 ") == ""


@given(st.text(alphabet="衢州市委数字化改革新闻发布会", min_size=2, max_size=30), st.data())
def test_every_substring_query_is_a_subsequence_of_the_index(text, data):
    start = data.draw(st.integers(0, len(text) - 2))
    end = data.draw(st.integers(start + 2, len(text)))
    index = bigrams(text).split()
    phrase = search_query(text[start:end]).strip('"').split()
    assert any(index[i : i + len(phrase)] == phrase for i in range(len(index)))


def test_search_finds_two_character_words_and_phrases(store):
    ok(store, release(index_no="a", url="http://x/a", title="中共衢州市委召开会议", paragraphs=["会议内容"]))
    ok(store, release(index_no="b", url="http://x/b", title="通知", paragraphs=["全面推进数字化改革工作"]))
    ok(store, release(index_no="c", url="http://x/c", title="公告", paragraphs=["杭州天气"]))
    assert [r["key"] for r in store.search("衢州")] == ["a"]
    assert [r["key"] for r in store.search("数字化改革")] == ["b"]
    assert [r["key"] for r in store.search("数字化 改革")] == ["b"]
    assert store.search("改革数字化") == []
    assert store.search("") == []
    assert [r["key"] for r in store.releases(search="衢州")] == ["a"]


def test_bm25_ranks_more_mentions_higher(store):
    filler = "今天天气晴朗，市民出行方便，道路交通顺畅有序。"
    once = ["衢州" + filler * 5]
    five = ["衢州" + filler] * 5
    ok(store, release(index_no="once", url="http://x/1", title="通知一", paragraphs=once))
    ok(store, release(index_no="five", url="http://x/5", title="通知二", paragraphs=five))
    assert [r["key"] for r in store.search("衢州")] == ["five", "once"]


def test_search_follows_the_current_version(store):
    ok(store, release(title="通知", paragraphs=["旧的内容衢州"]))
    ok(store, release(title="通知", paragraphs=["新的内容杭州"]))
    assert store.search("衢州") == []
    assert len(store.search("杭州")) == 1
    assert store.db.execute("SELECT count(*) FROM releases_fts").fetchone()[0] == 1
