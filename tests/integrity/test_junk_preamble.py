from crawler.integrity.detectors.junk_preamble import RULE, unknown_tags

from .conftest import critical, flags_for

DOC = "<!DOCTYPE html><html><head><title>t</title></head><body><p>正文内容</p></body></html>"


def test_reference_style_preamble_is_critical_and_quoted():
    pre = '<legend id="h4sia"></legend><samp id="h4sia"></samp><delect id="h4sia"></delect><sup id="h4sia"></sup>'
    flags = flags_for(pre + DOC, rules=[RULE])
    assert len(critical(flags)) == 1
    flag = flags[0]
    assert flag.location == "preamble"
    assert flag.evidence.startswith('<legend id="h4sia"></legend><samp id="h4sia">')
    assert "<delect>" in flag.evidence and 'id "h4sia" ×4' in flag.evidence


def test_evidence_is_truncated():
    pre = "".join('<samp id="zz9x"></samp><b id="zz9x"></b>' for _ in range(100))
    flag = flags_for(pre + DOC, rules=[RULE])[0]
    assert flag.evidence.index("…") <= 200


def test_tag_storm_inside_body_is_critical():
    storm = "".join(
        f'<{t} id="k3j9q"></{t}>' for t in ("legend", "samp", "sup", "mark", "delect", "rp", "dl", "track")
    )
    flags = flags_for(f"<!DOCTYPE html><html><body>{storm}<p>正文</p></body></html>", rules=[RULE])
    assert critical(flags)
    assert "k3j9q" in flags[0].evidence and "<delect>" in flags[0].evidence


def test_clean_documents_have_no_preamble_flag():
    assert flags_for(DOC, rules=[RULE]) == []
    assert flags_for("\ufeff  \n" + DOC, rules=[RULE]) == []
    assert flags_for("<p>a fragment without html</p>", rules=[RULE]) == []


def test_repeated_ids_with_text_are_not_a_storm():
    items = "".join(f'<li id="item"><a href="/a{i}">第{i}条</a></li>' for i in range(10))
    assert flags_for(f"<!DOCTYPE html><html><body><ul>{items}</ul></body></html>", rules=[RULE]) == []


def test_archive_wrapper_is_info_only():
    wrapped = '<text id="http://example.gov.cn/a.htm" title="t" encoding="gb2312">\n<html><body><p>x</p></body></html></text>'
    flags = flags_for(wrapped, rules=[RULE])
    assert [f.severity for f in flags] == ["info"]


def test_unknown_tags():
    assert unknown_tags(["legend", "delect", "o:p", "my-widget", "DELECT"]) == ["delect"]
