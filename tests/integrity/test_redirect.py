import pytest

from crawler.integrity.detectors.redirect import RULE

from .conftest import OWN, critical, flags_for, page


def redirect_flags(html, **kw):
    return flags_for(html, rules=[RULE], **kw)


def test_referrer_conditioned_redirect_is_critical():
    flags = redirect_flags((OWN / "dirty-referrer-redirect.html").read_bytes())
    assert critical(flags)
    assert "document.referrer" in critical(flags)[0].evidence


def test_referrer_redirect_needs_no_site_hosts():
    html = page(
        "<script>if(document.referrer.match(/baidu|sogou|sm\\.cn/)){document.write('<script src=\"https://x.top/j.js\"></scr'+'ipt>')}</script>"
    )
    assert critical(redirect_flags(html, site_hosts=None))


@pytest.mark.parametrize(
    "script",
    [
        'window.location.href = "http://spam-landing.cc/";',
        "location.replace('https://spam-landing.cc/a')",
        'top.location = "//spam-landing.cc/";',
    ],
)
def test_top_level_offsite_script_redirect_is_critical(script):
    assert critical(redirect_flags(page(f"<script>{script}</script>")))


def test_meta_refresh_offsite_is_critical_onsite_is_not():
    html = '<html><head><meta http-equiv="refresh" content="0;url=http://spam-landing.cc/"></head><body></body></html>'
    assert critical(redirect_flags(html))
    html = '<html><head><meta http-equiv="refresh" content="5; URL=/index.html"></head><body></body></html>'
    assert redirect_flags(html) == []
    html = '<html><head><meta http-equiv="refresh" content="0;url=https://www.zj.gov.cn/"></head><body></body></html>'
    assert redirect_flags(html) == []


def test_offsite_redirects_skipped_without_site_hosts():
    html = page('<script>location.href = "http://spam-landing.cc/";</script>')
    assert redirect_flags(html, site_hosts=None) == []


def test_redirect_inside_function_is_a_warning():
    html = page(
        '<script>function go(){ window.open("http://partner.example.com/"); location.href="http://partner.example.com/"; }</script>'
    )
    flags = redirect_flags(html)
    assert flags and not critical(flags)


def test_ordinary_third_party_scripts_are_not_flags():
    html = page(
        '<script src="https://hm.baidu.com/hm.js?x"></script>'
        '<script id="_jiucuo_" sitecode="1" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>'
        '<script src="http://pucha.kaipuyun.cn/exposure/jiucuo.js"></script>'
        "<script>document.write(unescape(\"%3Cscript src='https://s4.cnzz.com/z_stat.php%3Fid%3D1'%3E%3C/script%3E\"));</script>"
        '<script>var _hmt=_hmt||[];(function(){var hm=document.createElement("script");hm.src="https://hm.baidu.com/hm.js?abc";})();</script>'
        '<script>function s(){ location.href = "/search?q=" + q; } location.href.indexOf("x");</script>'
        '<script src="//js.users.51.la/1.js"></script><script src="http://v1.jiathis.com/code/jia.js"></script>'
    )
    assert redirect_flags(page(html)) == []


def test_window_open_from_a_click_handler_is_no_redirect():
    html = page(
        "<script>$('#search').click(function () { window.open('http://epaper.news.example.com/search?q=' + q); });"
        "document.getElementById('b').onclick = () => { window.open(\"http://epaper.news.example.com/\"); };</script>"
    )
    assert redirect_flags(html) == []
    popup = page("<script>window.open('http://ads.example.com/');</script>")
    assert [f.severity for f in redirect_flags(popup)] == ["warning"]  # one that runs on load still shows
