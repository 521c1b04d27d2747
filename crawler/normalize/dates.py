"""Dates as government pages write them → ISO 8601 (Asia/Shanghai, +08:00).

Read: ``2022-09-14``, ``2022/9/14``, ``2022.09.14``, ``2022年9月14日``, full-width digits
(``２０２２年``), Chinese numerals (``二〇一八年十二月二十一日``); times ``09:12``, ``09:12:05``,
``09时32分``, ``9点30分`` and the ratio sign some CMSs put for a colon (``10∶08``, U+2236).
"""

from __future__ import annotations

import re
from datetime import date

_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?!\d)")
_TIME_RE = re.compile(
    r"^\s*日?\s*(?:T|\s)?\s*(\d{1,2})\s*[:：∶时点]\s*(\d{1,2})\s*分?(?:\s*[:：∶]\s*(\d{1,2})|\s*(\d{1,2})\s*秒)?"
)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９：／－．", "0123456789:/-.")
_CJK_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CJK_DATE_RE = re.compile(
    r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)


def _iso(year: str, month: str, day: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _small(numeral: str) -> int:
    """一 … 三十一."""
    if "十" not in numeral:
        return _CJK_DIGITS.get(numeral, 0)
    tens, _, ones = numeral.partition("十")
    return (_CJK_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CJK_DIGITS.get(ones, 0) if ones else 0)


def _prepare(text: str) -> str:
    text = text.translate(_FULL_WIDTH)
    if "年" in text and "月" in text:
        match = _CJK_DATE_RE.search(text)
        if match:
            year = "".join(str(_CJK_DIGITS[c]) for c in match.group(1))
            numeric = f"{year}年{_small(match.group(2))}月{_small(match.group(3))}日"
            text = text[: match.start()] + numeric + text[match.end() :]
    return text


def parse_date(text: str | None) -> str | None:
    """``YYYY-MM-DD`` for the first date in ``text``, else None."""
    if not text:
        return None
    text = _prepare(text)
    for match in _DATE_RE.finditer(text):
        iso = _iso(*match.groups())
        if iso:
            return iso
    return None


def parse_datetime(text: str | None) -> str | None:
    """ISO 8601 with ``+08:00`` when a time follows the date, else ``YYYY-MM-DD``; None without a date."""
    if not text:
        return None
    text = _prepare(text)
    for match in _DATE_RE.finditer(text):
        iso = _iso(*match.groups())
        if not iso:
            continue
        time = _TIME_RE.match(text[match.end() :])
        if time:
            hour, minute = int(time.group(1)), int(time.group(2))
            second = int(time.group(3) or time.group(4) or 0)
            if hour < 24 and minute < 60 and second < 60:
                return f"{iso}T{hour:02d}:{minute:02d}:{second:02d}+08:00"
        return iso
    return None
