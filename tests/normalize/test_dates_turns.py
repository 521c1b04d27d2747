"""Dates to ISO 8601, and Q&A transcripts split into turns."""

from __future__ import annotations

import pytest

from crawler.normalize.dates import parse_date, parse_datetime
from crawler.normalize.turns import split_turns


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-09-14", "2022-09-14"),
        ("2022/9/14", "2022-09-14"),
        ("2022.09.14", "2022-09-14"),
        ("2022年9月14日", "2022-09-14"),
        ("成文日期：2022 年 09 月 14 日", "2022-09-14"),
        ("2022-13-45", None),
        ("无", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-09-14 09:12", "2022-09-14T09:12:00+08:00"),
        ("2022-09-14 09:12:05", "2022-09-14T09:12:05+08:00"),
        ("2023年6月1日 08:30", "2023-06-01T08:30:00+08:00"),
        ("2022-09-14", "2022-09-14"),
        ("2024.09.30 09:24:36 GMT+08:00", "2024-09-30T09:24:36+08:00"),
        ("2022-09-14 25:61", "2022-09-14"),
    ],
)
def test_parse_datetime(text: str, expected: str) -> None:
    assert parse_datetime(text) == expected


def test_symbol_markers_with_half_and_full_width_colons() -> None:
    turns = split_turns(
        ["导语。", "◤人民日报记者:请问？", "◤高屹：回答一。", "回答二。", "◤新华社记者：再问？"]
    )
    assert turns == [
        {"speaker": "人民日报记者", "text": "请问？"},
        {"speaker": "高屹", "text": "回答一。\n回答二。"},
        {"speaker": "新华社记者", "text": "再问？"},
    ]


def test_question_answer_and_host_markers() -> None:
    turns = split_turns(["主持人（张三）：开始。", "问：为什么？", "答：因为。", "■李四：补充。"])
    assert [t["speaker"] for t in turns] == ["主持人（张三）", "问", "答", "李四"]


def test_a_sentence_with_a_colon_is_not_a_speaker() -> None:
    turns = split_turns(
        ["问：一？", "答：二。", "会议强调：要把各项工作落到实处，确保取得实效。", "通知如下："]
    )
    assert turns[-1] == {
        "speaker": "答",
        "text": "二。\n会议强调：要把各项工作落到实处，确保取得实效。\n通知如下：",
    }


def test_symbol_marker_with_a_long_or_punctuated_name_is_not_a_speaker() -> None:
    paragraphs = [
        "问：一？",
        "答：二。",
        "■这是一个非常非常长的句子，里面有逗号：不是发言人",
        "■某某某某某某某某某某某某某某某某某某某某某某：太长",
    ]
    assert len(split_turns(paragraphs)) == 2


def test_a_single_marker_is_not_a_transcript() -> None:
    assert split_turns(["附件：目录清单", "正文。"]) == []
    assert split_turns(["问：只有一个？", "正文。"]) == []


def test_recurring_bare_names_are_speakers_in_an_interview() -> None:
    turns = split_turns(
        ["记者：一问？", "李金泽：一答。", "记者：二问？", "李金泽：二答。", "个人简介：略。"]
    )
    assert [t["speaker"] for t in turns] == ["记者", "李金泽", "记者", "李金泽"]
    assert turns[-1]["text"] == "二答。\n个人简介：略。"
