"""The comparison of a copy with a version (crawler/verify/compare.py), pure: on the saved reference
page and on small texts. What a faithful copy may change folds away; anything else — one sentence,
one name, one character — is a difference, reported beside the official text."""

from __future__ import annotations

import re

import pytest

from crawler.normalize import normalize
from crawler.verify.compare import compare
from crawler.verify.text import fold
from tests.helpers import REFERENCE_PAGE, REFERENCE_URL

BIO = "关于专家组 某某智能科技有限公司执行董事张某某，毕业于某某大学，长期从事数字治理研究。"


@pytest.fixture(scope="module")
def official() -> tuple[str, dict]:
    html = REFERENCE_PAGE.read_text(encoding="utf-8")
    return html, normalize(html.encode("utf-8"), REFERENCE_URL).to_dict()


def copy_of(html: str) -> dict:
    return normalize(html.encode("utf-8"), "https://mirror.example.org/index.html").to_dict()


def rewritten_assets(html: str) -> str:
    """What a re-hosted copy does: asset paths to static/, scripts gone, a visit counter, new spacing."""
    html = re.sub(r'(src|href)="/([^"]*)"', r'\1="static/\2"', html)
    html = re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S)
    html = html.replace("</body>", '<div class="fx">浏览次数：<span>98765</span></div></body>')
    return html.replace("<p", "\n\n   <p")


def nth_paragraph_text(fields: dict, n: int) -> str:
    return fields["paragraphs"][n]


def test_a_copy_with_assets_rewritten_is_faithful(official) -> None:
    html, fields = official
    copy = rewritten_assets(html)
    assert copy != html and "static/" in copy and "<script" not in copy
    result = compare(fields, copy_of(copy))
    assert result.faithful and result.distance == 0, [p.to_dict() for p in result.passages]


def test_one_inserted_paragraph_is_named_with_its_place(official) -> None:
    html, fields = official
    anchor = nth_paragraph_text(fields, 3)
    marker = html.index(anchor[:12])
    end = html.index("</p>", marker) + len("</p>")
    copy = html[:end] + f"<p>{BIO}</p>" + html[end:]
    result = compare(fields, copy_of(copy))
    assert [(p.change, p.part) for p in result.passages] == [("inserted", "paragraph")]
    inserted = result.passages[0]
    assert inserted.copy == BIO and inserted.official is None
    assert inserted.copy_index == 5  # after the official 4th paragraph
    assert result.distance == len(fold(BIO))


def test_one_altered_name_shows_the_official_text_beside_the_copy(official) -> None:
    html, fields = official
    assert "徐张艳" in html
    copy = html.replace("徐张艳", "徐张燕", 1)
    result = compare(fields, copy_of(copy))
    assert len(result.passages) == 1, [p.to_dict() for p in result.passages]
    altered = result.passages[0]
    assert altered.change == "altered" and altered.part == "paragraph"
    assert "徐张艳" in (altered.official or "") and "徐张燕" in (altered.copy or "")
    assert altered.deleted_text == "艳" and altered.inserted_text == "燕"
    assert "".join(t for op, t in altered.ops if op <= 0) == altered.official
    assert "".join(t for op, t in altered.ops if op >= 0) == altered.copy


def test_one_inserted_sentence_inside_a_paragraph_is_a_difference(official) -> None:
    html, fields = official
    sentence = "该公司是本次活动的唯一合作单位。"
    target = nth_paragraph_text(fields, 1)
    cut = target.index("。") + 1
    copy = html.replace(target[:cut], target[:cut] + sentence, 1)
    result = compare(fields, copy_of(copy))
    assert [(p.change, p.inserted_text) for p in result.passages] == [("altered", sentence)]


def test_a_changed_field_is_reported_by_its_label(official) -> None:
    html, fields = official
    copy = html.replace("市政府办公室", "市政府新闻办公室")
    result = compare(fields, copy_of(copy))
    publisher = [p for p in result.passages if p.part == "publisher"]
    assert publisher and publisher[0].label == "发布机构"
    assert publisher[0].official == "市政府办公室" and publisher[0].copy == "市政府新闻办公室"


def test_a_deleted_paragraph_is_reported_with_the_official_text(official) -> None:
    html, fields = official
    gone = nth_paragraph_text(fields, 6)
    start = html.rindex("<p", 0, html.index(gone[:12]))
    end = html.index("</p>", start) + len("</p>")
    result = compare(fields, copy_of(html[:start] + html[end:]))
    assert [(p.change, p.official_index) for p in result.passages] == [("deleted", 7)]
    assert fold(result.passages[0].official) == fold(gone)


# ------------------------------------------------------------------------------------ small texts
BASE = {
    "title": "关于做好防汛工作的通知",
    "index_no": "002482082/2024-00332",
    "publisher": "市水利局",
    "paragraphs": ["各区县人民政府，市直各单位：", "主汛期即将来临，请做好准备。", "特此通知。"],
    "attachments": [{"name": "附件1：值班表.xlsx", "url": "/a.xlsx"}],
}


def variant(**changes) -> dict:
    return {**BASE, **changes}


@pytest.mark.parametrize(
    "paragraphs",
    [
        ["各区县人民政府,市直各单位:", "主汛期即将来临,请做好准备。", "特此通知。"],  # half-width punctuation
        [
            "各区县人民政府， 市直各单位：",
            "主汛期即将来临，\u3000请做好准备。",
            "特\u200b此通知。",
        ],  # spacing
        ["各区县人民政府，市直各单位：", "主汛期即将来临，", "请做好准备。", "特此通知。"],  # a break moved
        ["各区县人民政府，市直各单位：", "", "主汛期即将来临，请做好准备。", "特此通知。"],  # an empty one
    ],
)
def test_what_a_faithful_copy_may_change(paragraphs) -> None:
    assert compare(BASE, variant(paragraphs=paragraphs)).faithful


def test_visit_counters_fold_and_links_are_not_content() -> None:
    official = variant(paragraphs=[*BASE["paragraphs"], "浏览次数：1024"])
    copy = variant(
        paragraphs=[*BASE["paragraphs"], "浏览次数：2048"],
        attachments=[{"name": "附件1：值班表.xlsx", "url": "static/a.xlsx"}],
        links=[{"text": "首页", "url": "https://elsewhere.example/"}],
    )
    assert compare(official, copy).faithful


@pytest.mark.parametrize(
    ("copy", "change", "part"),
    [
        (
            variant(
                paragraphs=["各区县人民政府，市直各单位：", "主汛期即将来临，请做好准备。", "特此通知！"]
            ),
            "altered",
            "paragraph",
        ),
        (variant(paragraphs=[*BASE["paragraphs"], "联系人：王某，电话12345。"]), "inserted", "paragraph"),
        (variant(paragraphs=BASE["paragraphs"][:2]), "deleted", "paragraph"),
        (variant(title="关于做好防汛抗旱工作的通知"), "altered", "title"),
        (variant(index_no=None), "deleted", "index_no"),
        (
            variant(attachments=[{"name": "附件1：值班表（修订）.xlsx", "url": "/a.xlsx"}]),
            "altered",
            "attachment",
        ),
        (
            variant(
                paragraphs=[
                    "各区县人民政府，市直各单位：",
                    "主汛期即将来临，请做好准备。",
                    "特此通知。",
                    "浏览次数",
                ]
            ),
            "inserted",
            "paragraph",
        ),
    ],
)
def test_anything_else_is_a_difference(copy, change, part) -> None:
    result = compare(BASE, copy)
    assert [(p.change, p.part) for p in result.passages] == [(change, part)]
    assert result.distance > 0


def test_a_paragraph_split_around_an_insertion_reads_as_the_insertion() -> None:
    official = variant(paragraphs=["通知如下。主汛期即将来临，请做好准备。", "特此通知。"])
    copy = variant(
        paragraphs=[
            "通知如下。",
            "关于专家组 张某某，毕业于某大学。主汛期即将来临，请做好准备。",
            "特此通知。",
        ]
    )
    result = compare(official, copy)
    assert [(p.change, p.copy, p.copy_index) for p in result.passages] == [
        ("inserted", "关于专家组 张某某，毕业于某大学。", 2)
    ]


def test_two_paragraphs_joined_around_an_insertion_read_as_the_insertion() -> None:
    official = variant(paragraphs=["主汛期即将来临，请各单位做好准备。", "特此通知。"])
    copy = variant(paragraphs=["主汛期即将来临，请各单位做好准备。张某某为本次活动特邀专家。特此通知。"])
    result = compare(official, copy)
    assert [(p.change, p.inserted_text, p.deleted_text) for p in result.passages] == [
        ("altered", "张某某为本次活动特邀专家。", "")
    ]


def test_the_folded_form() -> None:
    assert fold("ＡＢＣ，１２３：（注）") == "ABC,123:(注)"
    assert fold("a b\u3000c\u00a0d\u200be\n") == "abcde"
    assert fold("浏览次数：1234次") == fold("浏览次数: 7次")
    assert fold("共计1234元") != fold("共计1235元")  # a number that is not a counter is content
    assert fold("“引号”") != fold('"引号"')  # quotation marks are not a matter of width
