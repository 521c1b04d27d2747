"""The labels of the 政府信息公开 block: one synonym table per field, and tolerant label matching.

A label matches whatever sits between its characters in the published text — spaces, ``&nbsp;``,
``&ensp;``, U+3000 (``标　　题``), zero-width characters — and, because matching runs on an
element's whole text, inline elements too (``<b>索</b><b>引</b>号``). A colon (full- or half-width,
or U+2236 ``∶``) may follow. The table below is the documented list (docs/NORMALIZER.md repeats it);
the first label of a field that has a value wins, so each tuple is ordered by authority.

*Strong* labels name the disclosure block unmistakably; *weak* ones (名称, 标题, 分类 …) are common
words and count only on a page that has a strong one. ``source`` labels (来源 …) are read so that
their value is never taken for another label's, and are never the publisher (a newspaper that
carried the text is not the 发布机构).
"""

from __future__ import annotations

import re

#: field → labels, most authoritative first
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "index_no": (
        "索引号",
        "信息索引号",
        "文件索引号",
        "内容索引号",
        "索取号",
        "信息索取号",
        "索引编号",
        "信息索引",
        "索引码",
    ),
    "title": ("名称", "标题", "文件名称", "信息名称", "文件标题", "公文标题", "文章标题", "政策名称"),
    "publisher": (
        "发布机构",
        "发文机关",
        "发文单位",
        "发布机关",
        "发布单位",
        "发布部门",
        "发文机构",
        "发文部门",
        "制发机关",
        "制发单位",
        "制定机关",
        "成文机关",
        "成文单位",
        "责任部门",
        "责任单位",
        "公开责任部门",
        "信息公开责任部门",
    ),
    "source": ("信息来源", "来源", "文章来源", "稿件来源", "资料来源", "来源单位"),
    "written_date": (
        "成文日期",
        "生成日期",
        "发文日期",
        "印发日期",
        "签发日期",
        "成文时间",
        "制发日期",
        "形成日期",
    ),
    "published_at": (
        "发布日期",
        "发布时间",
        "公开日期",
        "公开时间",
        "公布日期",
        "发表日期",
        "发表时间",
        "上网日期",
    ),
    "doc_number": ("发文字号", "文号", "文件编号", "发文文号", "文件字号", "发文号", "文件文号"),
    "category": ("主题分类", "组配分类", "信息分类", "分类", "体裁分类", "主题类别", "信息类别", "公开类别"),
    "validity": ("有效性", "时效性", "效力状态", "有效状态", "是否有效"),
    "unified_no": ("统一编号", "统一登记号", "登记编号", "统一编码"),
}
#: labels of the block that map to no field: known, so they are never taken for a value
OTHER_LABELS = (
    "公开方式",
    "公开属性",
    "公开范围",
    "公开时限",
    "公开形式",
    "主题词",
    "关键词",
    "关键字",
    "时效",
    "失效日期",
    "废止日期",
    "施行日期",
    "实施日期",
    "生效日期",
    "有效期",
    "语种",
    "信息格式",
    "内容概述",
    "内容概要",
    "相关信息",
    "法律效力位阶",
    "效力级别",
    "服务对象",
    "体裁",
    "载体类型",
    "作者",
    "公开载体",
    "所属机构",
    "浏览次数",
    "访问量",
)
#: common words that are labels only beside a strong label
WEAK = frozenset(
    (
        "名称",
        "标题",
        "分类",
        "来源",
        "作者",
        "时效",
        "体裁",
        "语种",
        "文章标题",
        "信息名称",
        "文件名称",
        "文号",
        "信息类别",
        "公开类别",
        "发布日期",
        "发布时间",
        "公开日期",
        "公开时间",
        "公布日期",
        "发表日期",
        "发表时间",
        "上网日期",
        "关键词",
        "关键字",
        "浏览次数",
        "访问量",
        "信息来源",
        "文章来源",
        "稿件来源",
        "资料来源",
        "来源单位",
    )
)
LABEL_FIELD: dict[str, str] = {label: name for name, labels in FIELD_LABELS.items() for label in labels}
ALL_LABELS: tuple[str, ...] = tuple(
    sorted(set(LABEL_FIELD) | set(OTHER_LABELS), key=lambda label: (-len(label), label))
)
FIRST_CHARS = frozenset(label[0] for label in ALL_LABELS)

#: what may sit between the characters of a label: whitespace of any kind and zero-width characters
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
COLONS = frozenset(":：∶")
_LABEL_SET = frozenset(ALL_LABELS)
_LONGEST = max(len(label) for label in ALL_LABELS)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


def _gap(char: str) -> bool:
    return char.isspace() or char in _INVISIBLE


def squeeze(text: str) -> str:
    """A label as written, without what may sit between its characters (``索 引 号`` → ``索引号``)."""
    text = "".join(text.split())
    return _ZERO_WIDTH.sub("", text) if "\u200b" in text or "\ufeff" in text or "\u200d" in text else text


def _label_from(text: str) -> tuple[str, int] | None:
    """The longest label at the start of ``text`` (gaps allowed between its characters) and the
    position after it."""
    head = squeeze(text[: _LONGEST * 6])
    for length in range(min(len(head), _LONGEST), 1, -1):
        label = head[:length]
        if label in _LABEL_SET:
            break
    else:
        return None
    if text.startswith(label):  # written without gaps: the common case
        return label, length
    position, seen = 0, 0
    while seen < length:
        char = text[position]
        if not (char.isspace() or char in _INVISIBLE):
            seen += 1
        position += 1
    return label, position


def match_label(text: str) -> tuple[str, bool, str] | None:
    """``(label, had_colon, rest)`` when ``text`` starts with a known label, else None.

    Without a colon the label must be all the text (a label cell such as ``<td>索 引 号</td>``):
    ``标题新闻…`` or ``名称变更为…`` are words that merely start like a label.
    """
    stripped = text.lstrip()
    if stripped and stripped[0] in _INVISIBLE:
        stripped = _ZERO_WIDTH.sub("", stripped).lstrip()
    if not stripped or stripped[0] not in FIRST_CHARS:
        return None
    found = _label_from(stripped)
    if found is None:
        return None
    label, end = found
    after = stripped[end:].lstrip()
    if after and after[0] in _INVISIBLE:
        after = _ZERO_WIDTH.sub("", after).lstrip()
    if after[:1] in COLONS and after:
        return label, True, after[1:]
    rest = stripped[end:]
    if squeeze(rest):
        return None
    return label, False, rest


def is_label(text: str) -> bool:
    return match_label(text) is not None


def _label_before(text: str, colon: int) -> tuple[str, int] | None:
    """The label that ends right before the colon at ``colon`` and where it starts."""
    chars: list[str] = []
    starts: list[int] = []
    position = colon
    while position > 0 and len(chars) < _LONGEST:
        position -= 1
        char = text[position]
        if _gap(char):
            continue
        chars.append(char)
        starts.append(position)
    for length in range(len(chars), 1, -1):
        label = "".join(reversed(chars[:length]))
        if label in _LABEL_SET:
            return label, starts[length - 1]
    return None


def split_pairs(label: str, rest: str) -> list[tuple[str, str]]:
    """``rest`` may hold further ``label：value`` pairs (``索引号：… 发布机构：…``): split them."""
    pairs = []
    current = label
    position = 0
    for colon, char in enumerate(rest):
        if char not in COLONS:
            continue
        found = _label_before(rest, colon)
        if found is None:
            continue
        name, start = found
        if start < position:
            continue
        if name in WEAK and start and _CJK.match(rest[start - 1]):
            continue  # "公告来源：" is no 来源 label: a weak label needs a word boundary
        pairs.append((current, rest[position:start]))
        current = name
        position = colon + 1
    pairs.append((current, rest[position:]))
    return pairs
