"""A slider captcha served at 200 in a known release's own template is a WAF page, never a version
(finding 10 of the hostile-site review: it gave ``changed`` to 安全验证 and ``changed`` back); a real
release that merely mentions 验证 stays a release."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crawler.normalize import normalize
from tests.helpers import REPO, run_crawl
from tests.hostile.kit import NOW, HostileSite, list_html, paragraphs, release_html, serving, site_config

SLIDER = ["安全验证", "为保障您的正常访问，请进行如下验证", "请拖动下方滑块完成拼图验证", "向右滑动填充拼图"]
CHALLENGES = {
    "slider in the article template": release_html("安全验证", None, ["请拖动滑块完成拼图验证"]),
    "slider with instructions": release_html("安全验证", None, SLIDER),
    "human check": release_html("人机验证", None, ["请完成人机验证后继续访问本网站。"]),
    "access check": release_html("访问验证", None, ["您的访问存在异常，请完成验证后继续访问。"]),
    "site title, verify request": release_html("衢州市人民政府", None, ["请完成验证后继续访问"]),
    "click the characters": release_html("安全检测", None, ["请依次点击：衢 州 市", "点击完成验证"]),
    "bare slider page": "<html><head><title>滑块验证</title></head><body><div>拖动滑块完成拼图</div></body></html>",
}
REAL = {
    "a notice about security checks": release_html(
        "关于开展网络安全验证工作的通知", None, ["各单位：请于9月30日前完成系统安全验证工作。"]
    ),
    "a jigsaw contest": release_html(
        "关于举办少儿拼图比赛的通知", "X-1", ["定于10月1日举办少儿拼图比赛，欢迎报名参加。"]
    ),
    "a long article on verification": release_html(
        "政务服务身份验证指南", "X-2", paragraphs(6, "请完成人机验证后继续访问，")
    ),
}


@pytest.mark.parametrize("name", sorted(CHALLENGES))
def test_verification_pages_are_waf_pages(name: str) -> None:
    release = normalize(
        CHALLENGES[name].encode("utf-8"), "http://www.example.gov.cn/art/2022/9/14/art_1_1.html"
    )
    assert (release.kind, release.not_release_reason) == ("not_release", "waf"), release.title


@pytest.mark.parametrize("name", sorted(REAL))
def test_releases_that_mention_verification_stay_releases(name: str) -> None:
    release = normalize(REAL[name].encode("utf-8"), "http://www.example.gov.cn/art/2022/9/14/art_1_1.html")
    assert release.kind == "release", name


def test_the_captcha_fixture_release_stays_a_release() -> None:
    page = REPO / "tests" / "fixtures" / "release_mentions_captcha.html"
    release = normalize(page.read_bytes(), "http://www.example.gov.cn/art/2024/1/1/art_1_2.html")
    assert release.kind == "release" and release.title == "关于防范短信验证码诈骗的提示"


@pytest.mark.slow
def test_a_slider_captcha_in_place_of_a_known_release_raises_no_event(tmp_path: Path) -> None:
    site = HostileSite()
    real = release_html("关于做好秋季防火工作的通知", "CAPTCHA-0001", paragraphs(5))
    captcha = release_html("安全验证", None, SLIDER)
    with serving(site):
        site.page("/art/1.html", real)
        site.page("/col/index.html", list_html([("/art/1.html", "防火")]))
        config = site_config(tmp_path, site, ["/col/index.html"])
        first = run_crawl(config, now=NOW)
        site.page("/art/1.html", captcha)
        during = run_crawl(config, now=NOW)
        site.page("/art/1.html", real)
        after = run_crawl(config, now=NOW)
    assert [e["type"] for e in first.events] == ["new"], first
    assert during.events == [] and after.events == [], (during, after)
    assert during.run["status"] == "partial" and during.returncode == 0
    conn = sqlite3.connect(tmp_path / "govwatch.db")
    try:
        fetch = conn.execute(
            "SELECT outcome, error_kind, not_release_reason FROM fetches WHERE run_id = ? AND url LIKE '%/art/1.html'",
            (during.run["id"],),
        ).fetchall()
        release = conn.execute("SELECT title, current_version, index_no FROM releases").fetchall()
    finally:
        conn.close()
    assert fetch == [("error", "not_release", "waf")]
    assert release == [("关于做好秋季防火工作的通知", 1, "CAPTCHA-0001")]
