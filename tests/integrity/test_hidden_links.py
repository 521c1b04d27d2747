import pytest

from crawler.integrity.css import hidden_reason, parse_style_blocks
from crawler.integrity.detectors.hidden_links import RULE

from .conftest import OWN, critical, flags_for, page


@pytest.mark.parametrize(
    "style",
    [
        "display:none",
        "DISPLAY: NONE !important",
        "visibility:hidden",
        "font-size:0",
        "font-size:0px;line-height:0",
        "width:0;height:0;overflow:hidden",
        "position:absolute;left:-9999px",
        "position:absolute;top:-999px",
        "text-indent:-9999px",
        "opacity:0",
    ],
)
def test_hidden_styles(style):
    assert hidden_reason(style)


@pytest.mark.parametrize(
    "style",
    ["", "color:red", "left:-45px;position:relative", "font-size:0.9em", "width:0.5em", "opacity:0.8"],
)
def test_visible_styles(style):
    assert hidden_reason(style) is None


def test_style_blocks_define_hidden_classes_and_ids():
    rules = parse_style_blocks(
        [
            ".ng-hide{display:none !important} #ad, .x .y { position:absolute; left:-5000px } a:hover{display:none}"
        ]
    )
    assert rules.reason(None, "foo ng-hide") == (".ng-hide", "display:none")
    assert rules.reason("ad", None)[0] == "#ad"
    assert rules.reason(None, "y") is not None
    assert rules.reason(None, "x") is None


def test_hidden_block_of_outbound_links_is_critical():
    flags = flags_for((OWN / "dirty-hidden-links.html").read_bytes(), rules=[RULE])
    assert critical(flags)
    link_flag = next(f for f in flags if "link" in f.evidence)
    assert "xpj-casino888.com" in link_flag.evidence and "3 hidden link(s)" in link_flag.evidence
    assert "hidden" in link_flag.location
    assert link_flag.certain  # spam terms: defacement beyond doubt


def test_hidden_offsite_links_without_spam_words_make_a_farm_from_three():
    one = '<a href="http://cheap-pills.example.com/">链接</a>'
    html = page(f'<p>正文</p><div style="font-size:0">{one}</div>')
    flags = flags_for(html, rules=[RULE])
    assert not critical(flags) and flags[0].severity == "info"  # one or two links to an ordinary site
    three = "".join(f'<a href="http://shop{n}.example.com/">链接{n}</a>' for n in range(3))
    farm = critical(flags_for(page(f'<p>正文</p><div style="font-size:0">{three}</div>'), rules=[RULE]))
    assert farm and not farm[0].certain and "3 off-site links" in farm[0].evidence


def test_hover_menu_and_font_size_gap_trick_are_no_farm():
    menu = "".join(f'<li><a href="http://paper{n}.example.com/">报纸{n}</a></li>' for n in range(4))
    html = (
        "<html><head><style>.nav .drop{display:none} .nav li:hover .drop{display:block}</style></head>"
        f'<body><ul class="nav"><li>数字报<ul class="drop">{menu}</ul></li></ul><p>正文</p></body></html>'
    )
    assert not critical(flags_for(html, rules=[RULE]))
    logos = "".join(f'<a href="http://partner{n}.example.com/"><img src="/l{n}.png"></a>' for n in range(4))
    footer = page(f'<p>正文</p><div class="foot" style="font-size:0">{logos}</div>')
    assert flags_for(footer, rules=[RULE]) == []


def test_class_hidden_by_page_style_counts():
    html = (
        "<html><head><style>.lk{position:absolute;top:-999px}</style></head>"
        '<body><p>正文</p><div class="lk"><a href="http://spam-site.cc/">点击</a>'
        '<a href="http://spam-site2.cc/">点击</a><a href="http://spam-site3.cc/">点击</a></div></body></html>'
    )
    flags = flags_for(html, rules=[RULE])
    assert critical(flags) and ".lk" in flags[0].location


def test_marquee_with_spam_is_critical_even_without_hosts():
    html = page("<marquee>百家乐 在线赌场</marquee>")
    assert critical(flags_for(html, site_hosts=None, rules=[RULE]))


def test_hidden_government_menus_and_offscreen_css_are_fine():
    html = (
        "<html><head><style>.skip{position:absolute;left:-9999px}.sub{display:none}</style></head><body>"
        '<a class="skip" href="#main">跳到主要内容</a>'
        '<ul class="sub"><li><a href="https://www.zj.gov.cn/">浙江省人民政府</a></li>'
        '<li><a href="http://www.people.com.cn/">人民网</a></li><li><a href="/col/1.html">本站栏目</a></li>'
        '<li><a href="https://sub.example.gov.cn/x">子站</a></li></ul>'
        '<div style="display:none"><a href="https://www.example.gov.cn/b">本站</a></div></body></html>'
    )
    assert flags_for(html, rules=[RULE]) == []


def test_offsite_rule_skipped_without_site_hosts():
    links = "".join(f'<a href="http://outside{n}.example.com/">外部链接</a>' for n in range(3))
    html = page(f'<div style="display:none">{links}</div>')
    assert critical(flags_for(html, site_hosts=("www.example.gov.cn",), rules=[RULE]))
    assert flags_for(html, site_hosts=None, rules=[RULE]) == []
    assert flags_for(html, site_hosts=[], rules=[RULE]) == []


def test_visible_offsite_links_are_not_this_rule():
    html = page('<p><a href="http://www.bank.example.com/">合作银行</a></p>')
    assert flags_for(html, rules=[RULE]) == []


def test_script_written_hidden_link_block():
    html = page(
        '<script>document.write(\'<div style="position:absolute;left:-9999px">'
        '<a href="http://casino-xx.top/">x</a></div>\');</script><p>正文</p>'
    )
    assert critical(flags_for(html, rules=[RULE]))


def test_a_site_may_allow_hosts_and_ignore_rules():
    from crawler.integrity import check
    from crawler.model import Release

    links = "".join(f'<a href="http://epaper{n}.example.com/">数字报{n}</a>' for n in range(3))
    html = page(f'<p>正文</p><div style="display:none">{links}</div>')
    release = Release(url="https://www.example.gov.cn/a.html")
    hosts = ("www.example.gov.cn",)
    assert critical(check(html, release, site_hosts=hosts))
    assert not critical(check(html, release, site_hosts=hosts, allow_hosts=["example.com"]))
    assert check(html, release, site_hosts=hosts, ignore=["hidden_links"]) == []
