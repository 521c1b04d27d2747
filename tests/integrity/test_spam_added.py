from crawler.integrity import check
from crawler.integrity.detectors.spam_added import RULE, additions
from crawler.model import Release

OLD = Release(
    title="关于做好防汛工作的通知",
    paragraphs=["9月13日下午，中共衢州市委举行新闻发布会。", "市委书记介绍发展成就。", "谢谢！"],
)


def added_flags(new: Release, previous: Release | None = OLD):
    return check("<html><body></body></html>", new, previous=previous, rules=[RULE])


def test_replaced_organ_name_is_critical_with_the_added_text_as_evidence():
    new = Release(
        title=OLD.title,
        paragraphs=[
            OLD.paragraphs[0].replace("衢州市委", "日博365备用网址_365bet娱乐app委"),
            *OLD.paragraphs[1:],
        ],
    )
    flags = added_flags(new)
    assert [f.severity for f in flags] == ["critical"]
    assert "日博365备用网址_365bet娱乐app" in flags[0].evidence
    assert "衢州" not in flags[0].evidence.split("[")[0]
    assert flags[0].location == "body p[1]"


def test_new_paragraph_with_bare_topic_is_critical():
    new = Release(title=OLD.title, paragraphs=[*OLD.paragraphs, "百家乐"])
    flags = added_flags(new)
    assert flags and flags[0].severity == "critical" and flags[0].location == "body p[4]"


def test_enforcement_addition_is_a_warning():
    new = Release(title=OLD.title, paragraphs=[*OLD.paragraphs, "严厉打击六合彩等违法活动。"])
    assert [f.severity for f in added_flags(new)] == ["warning"]


def test_clean_edit_and_no_previous_give_nothing():
    new = Release(title=OLD.title, paragraphs=[*OLD.paragraphs[:2], "谢谢大家！5月18日博物馆日欢迎参观。"])
    assert added_flags(new) == []
    assert added_flags(new, previous=None) == []


def test_spam_already_present_is_not_new():
    spam = Release(paragraphs=["365bet官网"])
    assert added_flags(spam, previous=spam) == []


def test_additions_helper():
    assert additions(["a", "b"], ["a", "b", "c"]) == [(2, "c", "c")]
    assert additions(["abc"], ["aXbc"]) == [(0, "X", "aXbc")]
