from crawler.integrity.lexicon import scan
from crawler.integrity.textnorm import fold, squeeze


def test_fold_full_width_and_case():
    assert fold("ｂｅｔ３６５") == "bet365"
    assert fold("BET365") == "bet365"


def test_fold_removes_zero_width():
    assert fold("日\u200b博\ufeff3\u200d65") == "日博365"


def test_fold_strips_pinyin_in_parentheses():
    assert fold("新(xīn)葡(pú)京(jīng)") == "新葡京"
    assert fold("日(ri4)博(bo2)") == "日博"
    # not pinyin: kept
    assert "(app)" in fold("娱乐(app)")
    assert "(2022)" in fold("通知(2022)")


def test_squeeze_rejoins_spaced_and_punctuated_characters():
    assert squeeze("3 6 5 b e t").text == "365bet"
    assert squeeze("b.e.t-3_6*5").text == "bet365"
    assert squeeze("新　葡·京").text == "新葡京"


def test_squeeze_maps_back_to_plain_text():
    sq = squeeze("前文 3 6 5 b e t 后文")
    start = sq.text.index("365bet")
    a, b = sq.span(start, start + 6)
    assert sq.plain[a:b] == "3 6 5 b e t"


def test_scan_finds_brand_through_each_trick():
    for text in ("3 6 5 b e t", "ｂｅｔ３６５", "bet\u200b365", "日(rì)博(bó)3 6 5", "新\u200b葡\u200c京"):
        assert scan(text).brands, text


def test_date_boundary_keeps_museum_day_clean():
    assert scan("5月18日博物馆日").hits == []
    assert scan("国际博物馆日博览会").hits == []
    assert scan("十八日博物馆").hits == []
    assert [h.term for h in scan("中共日博365委").brands] == ["日博"]


def test_legitimate_topics_are_not_terms():
    for text in ("福利彩票", "体育彩票", "赴澳门参观", "棋牌比赛", "文化娱乐活动"):
        assert scan(text).hits == [], text
