import pytest

from crawler.profiles import date_from_url, find_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-9-1", "2022-09-01"),
        ("2022-09-14", "2022-09-14"),
        ("2022/09/01", "2022-09-01"),
        ("2022.9.1", "2022-09-01"),
        ("2022年9月1日", "2022-09-01"),
        ("发布时间：2022 年 9 月 1 日 09:12", "2022-09-01"),
        ("[2023-03-01]", "2023-03-01"),
        ("2022-13-01", None),
        ("2022年工作要点", None),
        ("第12020-01-01号", None),
        ("", None),
        (None, None),
    ],
)
def test_find_date(text, expected):
    assert find_date(text) == expected


def test_date_from_trs_url():
    assert date_from_url("http://x.gov.cn/zw/202209/t20220914_123.html") == "2022-09-14"
    assert date_from_url("http://x.gov.cn/art/2022/9/14/art_1_2.html") is None
