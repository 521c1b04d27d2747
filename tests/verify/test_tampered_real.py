"""The real TAMPERED pages of the corpus against an archive of what the site would have published.

No original of these pages survives: each is a third party's copy with its assets moved to
``static/`` and a passage inserted. The archive is built here from the copy with the inserted
passage cut out by hand (the cuts below, from the corpus's notes) and its asset paths pointing at
the government host again, stored through a real ``Store``. ``verify`` must then find the release
(by the URL the page names, else title and date), call the copy ``differs``, and report exactly the
cut passage as inserted — nothing deleted, nothing else; the page without the cut, assets still
rewritten, must be ``faithful``. Pages 11, 18, 21 and 44 carry no known inserted text and are left out;
page 51 puts a company founder (庄晓威) in the place of a speaker whose original words are not known, so
there is no passage to cut — a name put in place of another is the altered-name case of the crawl test.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path

import pytest

from crawler.model import Fetch
from crawler.normalize import normalize
from crawler.normalize.decode import decode_html
from crawler.store import Store
from crawler.verify import verify
from crawler.verify.text import fold
from tests.corpus import REAL, require

#: page number → (what to cut: a literal, or a regex when it starts with "re:"; a name it holds)
CUTS = {
    "40": ("，晶尚工会委员会主席、客座教授，中国工程建设标准化协会会员廖富有", "廖富有"),
    "41": ("四川水母语光装饰设计有限责任公司法人、CIID室内设计协会会员赵勇", "赵勇"),  # 据…介绍 is theirs
    "42": ("文化中国主题巡展组委会特约嘉宾、中国教育联盟艺术教育终身客座教授黄金海，", "黄金海"),
    "43": ("上海特宇盛源文化传媒有限公司执行董事席靖宣（原名席海彦）作闭幕讲话，", "席靖宣"),
    "45": (r"re:<p[^>]*>(?:(?!</p>).)*歌手、制片人、演员王梦露.*?</p>", "王梦露"),
    "46": ("，高级全案设计师、重庆德易堂国学文化传播有限公司执行董事李九燚（本名李丰林）", "李九燚"),
    "47": ('re:<p align="justify">\u3000\u3000石韵坑是乌龙茶.*?</p>', "潘小琛"),
    "48": ("re:<p[^>]*>\u3000\u3000关于专家组\n智城.*?</p>", "文云祥"),
    "49": ("re:<p[^>]*>\u3000\u3000关于专家组\n北京藏保堂.*?</p>", "张城铭"),
    "50": ("re:<p[^>]*>关于评委组：.*?</p>", "张高芸"),
    "52": (r"re:<p[^>]*>\s*关于专家组：.*?</p>", "李效华"),
    "53": ("re:<p>\n现场专家介绍：.*?</p>", "师鸿"),
    "54": ("re:<p[^>]*>关于专家组评委：.*?</p>", "田清江"),
    "55": ("re:<P>\u3000\u3000关于企业代表\n.*?<BR><BR>", "王鑫豪"),
    "56": ("，中国管理科学研究院商学院客座教授、北大博雅产学研训高级智库专家应佳运", "应佳运"),
    "57": ("通易天合(山东)教育科技有限公司创始人、高级企业培训师杨沛霖、", "杨沛霖"),
    "58": (
        "由爱心团队北京华夏术数国学文化中心河北廊坊分中心副院长、廊坊市连泽商贸有限公司执行董事、研究员赵罗泽（本名赵连泽）和",
        "赵罗泽",
    ),
    "59": ("re:<p>\u3000\u30001997年6月21日祖父董寿平.*?</p>", "董逸泉"),
}
COPY_HOST = "https://mhxqwer.github.io"
_SITE_DOMAIN = re.compile(r"<meta\s+name=\"SiteDomain\"\s*content=\"([^\"]+)\"", re.I)


def _page(number: str) -> Path:
    found = sorted(require(REAL).glob(f"{number}_TAMPERED_*.html"))
    assert found, f"no TAMPERED page {number} in {REAL}"
    return found[0]


def _cut(text: str, what: str) -> tuple[str, str]:
    """``text`` without ``what`` in its body, and the text cut (tags dropped)."""
    body = re.search(r"<body", text, re.I)
    start = body.start() if body else 0
    pattern = what[3:] if what.startswith("re:") else re.escape(what)
    match = re.search(pattern, text[start:], re.S)
    assert match, f"{what[:30]!r} is not in the page's body"
    cut = match.group(0)
    kept = text[:start] + text[start:][: match.start()] + text[start:][match.end() :]
    return kept, htmllib.unescape(re.sub(r"<[^>]+>", "", cut))


def _government_url(page: Path, text: str) -> str:
    key = page.with_name(page.name.removesuffix(".html") + ".expected.json")
    url = json.loads(key.read_text(encoding="utf-8")).get("url")
    if url:
        return str(url)
    match = _SITE_DOMAIN.search(text)
    host = re.sub(r"^https?://|/.*$", "", match.group(1)) if match else "www.example.gov.cn"
    return f"http://{host}/art/{page.name[:2]}.html"


def _archive(tmp_path: Path, number: str) -> tuple[Store, bytes, str, str, str]:
    """A store holding the page without its inserted passage, assets on the government host; the
    copy's bytes, the page without the passage (assets still rewritten), the cut text, the URL."""
    page = _page(number)
    raw = page.read_bytes()
    text, _encoding = decode_html(raw)
    what, _name = CUTS[number]
    official, cut = _cut(text, what)
    url = _government_url(page, text)
    host = re.match(r"https?://[^/]+", url).group(0)  # type: ignore[union-attr]
    published = re.sub(r'(src|href)="(\./)?static/', rf'\1="{host}/static/', official)
    release = normalize(published.encode("utf-8"), url, {"content-type": "text/html; charset=utf-8"})
    assert release.is_release, release.not_release_reason
    store = Store(tmp_path / "govwatch.db")
    fetch = Fetch(url=url, site="gov", outcome="ok", status=200, body=published.encode("utf-8"))
    store.record(fetch, release, [])
    return store, raw, official, cut, url


@pytest.mark.parametrize("number", sorted(CUTS))
def test_the_inserted_passage_is_found_and_nothing_else(tmp_path: Path, number: str) -> None:
    store, copy, _official, cut, url = _archive(tmp_path, number)
    with store:
        verdict = verify(copy, f"{COPY_HOST}/{number}/index.html", store.archive())
    data = verdict.to_dict()
    assert verdict.verdict == "differs", data["summary"]
    assert data["match"]["url"] == url
    assert data["host"]["elsewhere"] is True and "mhxqwer.github.io" in data["host"]["message"]
    passages = verdict.comparison.passages if verdict.comparison else []
    assert all(not fold(p.deleted_text) for p in passages), [p.to_dict() for p in passages]
    inserted = "".join(fold(p.inserted_text) for p in passages)
    assert inserted == fold(cut), [p.to_dict() for p in passages]
    assert fold(CUTS[number][1]) in inserted


@pytest.mark.parametrize("number", sorted(CUTS))
def test_the_page_without_it_is_faithful_whatever_its_asset_paths(tmp_path: Path, number: str) -> None:
    store, _copy, official, _cut_text, _url = _archive(tmp_path, number)
    assert "static/" in official or number in ("43",)  # the copy's own asset paths, not the archive's
    with store:
        verdict = verify(
            official.encode("utf-8"),
            f"{COPY_HOST}/{number}/",
            store.archive(),
            {"content-type": "text/html; charset=utf-8"},
        )
    assert verdict.verdict == "faithful", verdict.to_dict()["passages"]


def test_how_each_page_was_matched(tmp_path: Path) -> None:
    """Pages that name their URL (a ``Url`` meta) are found by it; the others by title and date."""
    methods = {}
    for number in ("40", "45", "48", "52"):
        store, copy, _official, _cut_text, _url = _archive(tmp_path / number, number)
        with store:
            verdict = verify(copy, f"{COPY_HOST}/{number}/", store.archive())
        assert verdict.match is not None
        methods[number] = (verdict.match.method, verdict.match.confidence)
    assert methods == {
        "40": ("url", "high"),
        "45": ("title_date", "medium"),
        "48": ("url", "high"),
        "52": ("title_date", "medium"),
    }
