import pytest

from crawler.integrity.detectors.spam_lexicon import RULE

from .conftest import critical, flags_for, page


def lexicon_flags(body: str):
    return flags_for(page(body), rules=[RULE])


@pytest.mark.parametrize(
    "text",
    [
        "中共日博365备用网址_365bet娱乐app_365bet备用在线委举行发布会",
        "欢迎访问 3 6 5 b e t 体育",
        "ｂｅｔ３６５ 最新活动",
        "bet\u200b365\u200b官网",
        "新(xīn)葡(pú)京(jīng)娱乐",
        "澳门葡京赌场开业",
        "皇冠体育 比分直播",
    ],
)
def test_brand_forms_are_critical(text):
    flags = lexicon_flags(f"<p>{text}</p>")
    assert critical(flags), flags
    assert flags[0].location == "body p[1]"


def test_topic_beside_call_to_action_is_critical():
    flags = lexicon_flags("<p>真人百家乐在线开户，注册即送彩金</p>")
    assert critical(flags)
    flags = lexicon_flags("<p>六合彩 最新网址 www.lhc-kj.com 请收藏</p>")
    assert critical(flags)
    flags = lexicon_flags("<p>时时彩计划群 QQ：12345678</p>")
    assert critical(flags)


def test_bare_topic_word_is_at_most_a_warning():
    assert lexicon_flags("<p>赌博危害家庭幸福。</p>") == []
    flags = lexicon_flags("<p>百家乐、时时彩、老虎机样样都有</p>")
    assert flags and {f.severity for f in flags} == {"warning"}


@pytest.mark.parametrize(
    "text",
    [
        "5月18日博物馆日，市博物馆免费开放。",
        "市公安局严厉打击六合彩、时时彩等赌博活动。",
        "全市福利彩票和体育彩票销售稳步增长。",
        "市代表团赴澳门参加经贸交流活动，参观澳门博物馆。",
        "市体育局举办全市棋牌比赛，设象棋、围棋、桥牌项目。",
        "暑期文化娱乐活动丰富多彩，群众文化娱乐节目精彩纷呈。",
    ],
)
def test_legitimate_uses_give_no_flag(text):
    assert lexicon_flags(f"<p>{text}</p>") == []


def test_enforcement_context_downgrades_a_pitch_to_warning():
    flags = lexicon_flags("<p>警惕网络赌博，不要下载来历不明的赌博APP。</p>")
    assert flags and not critical(flags)


def test_topic_in_hidden_placement_is_critical():
    flags = lexicon_flags('<p>正文</p><div style="display:none">百家乐</div>')
    assert critical(flags)
    assert "hidden" in flags[0].location


def test_meta_keywords_are_scanned():
    html = '<html><head><meta name="Keywords" content="365bet,体育"></head><body><p>正文</p></body></html>'
    flags = flags_for(html, rules=[RULE])
    assert critical(flags) and flags[0].location == "head meta[name=Keywords]"


def test_phrase_split_across_inline_tags_is_rejoined():
    flags = lexicon_flags("<p>中共<span>日</span><b>博</b><font>3 6 5</font>委</p>")
    assert critical(flags) and flags[0].location == "body p[1]"


def test_unknown_rule_name_is_a_clear_error():
    with pytest.raises(ValueError, match="no_such_rule"):
        flags_for(page("<p>x</p>"), rules=["no_such_rule"])


def test_evidence_quotes_the_published_text():
    flags = lexicon_flags("<p>前文，欢迎访问ｂｅｔ３６５\u200b官网，后文。</p>")
    assert "ｂｅｔ３６５" in flags[0].evidence and "，" in flags[0].evidence
