"""content_hash ignores noise (counters, dates, nonces, related lists, whitespace, zero-width) and
changes with every edit of the published content."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.model import Release
from crawler.normalize import content_hash, normalize
from crawler.normalize.hashing import HASHED_FIELDS
from crawler.normalize.text import fold, fold_all

from .conftest import REFERENCE_URL

TEMPLATE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="2024-03-05 10:00">
<script>var nonce = "{nonce}";</script><title>{title}</title></head><body>
<div class="top">{today} 星期二</div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/col/1/">通知公告</a></div>
<table><tr><td>索引号：</td><td>{index_no}</td><td>发布机构：</td><td>市应急管理局</td></tr></table>
<div id="zoom">{paragraphs}</div>
<div class="fx">浏览次数：{visits}</div>
<div class="related"><h3>相关文章</h3><ul>{related}</ul></div>
</body></html>"""
PARAGRAPHS = ["各县（市、区）应急管理局：", "为切实做好安全生产工作，决定开展安全生产大检查。", "特此通知。"]
INDEX_NO = "002482082/2024-00100"
TITLE = "关于开展安全生产检查的通知"
SPACES = st.sampled_from(["", " ", "\u3000", "\u3000\u3000", "\u00a0", "&nbsp;&nbsp;", "\n\t"])
ZERO_WIDTH = st.sampled_from(["", "\u200b", "\ufeff", "\u200d"])
CHINESE = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


def render(
    paragraphs: list[str] = PARAGRAPHS,
    *,
    title: str = TITLE,
    index_no: str = INDEX_NO,
    visits: int = 1,
    today: str = "2024年03月05日",
    nonce: str = "x",
    related: list[str] | None = None,
    indent: str = "\u3000\u3000",
) -> bytes:
    items = "".join(f'<li><a href="/a/{i}.html">{t}</a></li>' for i, t in enumerate(related or []))
    body = "".join(f"<p>{indent}{p}</p>" for p in paragraphs)
    html = TEMPLATE.format(
        title=title,
        index_no=index_no,
        visits=visits,
        today=today,
        nonce=nonce,
        related=items,
        paragraphs=body,
    )
    return html.encode("utf-8")


BASE = normalize(render(), REFERENCE_URL).content_hash


def test_hash_is_sha256_over_the_release() -> None:
    assert BASE is not None and BASE.startswith("sha256:") and len(BASE) == 7 + 64


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    visits=st.integers(min_value=0, max_value=10**9),
    today=st.dates().map(lambda d: f"{d.year}年{d.month:02d}月{d.day:02d}日"),
    nonce=st.text(alphabet="abcdef0123456789", min_size=1, max_size=32),
    related=st.lists(st.text(CHINESE, min_size=4, max_size=20), max_size=6),
)
def test_page_noise_leaves_the_hash_alone(visits: int, today: str, nonce: str, related: list[str]) -> None:
    page = render(visits=visits, today=today, nonce=nonce, related=related)
    assert normalize(page, REFERENCE_URL).content_hash == BASE


@settings(max_examples=60, deadline=None)
@given(data=st.data(), indent=SPACES)
def test_whitespace_and_zero_width_changes_leave_the_hash_alone(data: st.DataObject, indent: str) -> None:
    paragraphs = []
    for paragraph in PARAGRAPHS:
        cut = data.draw(st.integers(min_value=0, max_value=len(paragraph)))
        junk = data.draw(ZERO_WIDTH)
        trailing = data.draw(SPACES)
        paragraphs.append(paragraph[:cut] + junk + paragraph[cut:] + trailing)
    page = render(paragraphs, indent=indent)
    assert normalize(page, REFERENCE_URL).content_hash == BASE


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_changed_character_in_a_paragraph_changes_the_hash(data: st.DataObject) -> None:
    which = data.draw(st.integers(min_value=0, max_value=len(PARAGRAPHS) - 1))
    paragraph = PARAGRAPHS[which]
    at = data.draw(st.integers(min_value=0, max_value=len(paragraph) - 1))
    new = data.draw(CHINESE.filter(lambda c: c != paragraph[at]))
    edited = list(PARAGRAPHS)
    edited[which] = paragraph[:at] + new + paragraph[at + 1 :]
    assert normalize(render(edited), REFERENCE_URL).content_hash != BASE


@settings(max_examples=40, deadline=None)
@given(serial=st.integers(min_value=0, max_value=99999).filter(lambda n: n != 100))
def test_a_changed_index_number_changes_the_hash(serial: int) -> None:
    page = render(index_no=f"002482082/2024-{serial:05d}")
    assert normalize(page, REFERENCE_URL).content_hash != BASE


@settings(max_examples=40, deadline=None)
@given(extra=st.text(CHINESE, min_size=1, max_size=5))
def test_a_changed_title_changes_the_hash(extra: str) -> None:
    assert normalize(render(title=TITLE + extra), REFERENCE_URL).content_hash != BASE


def test_hash_covers_exactly_the_named_fields() -> None:
    release = normalize(render(), REFERENCE_URL)
    unhashed = Release(**{**release.to_dict(), "url": "http://mirror/x", "breadcrumb": [], "column": "x"})
    unhashed.site_name, unhashed.links, unhashed.encoding = "镜像", [{"text": "a", "url": "b"}], "gb18030"
    assert content_hash(unhashed) == release.content_hash
    for name in HASHED_FIELDS:
        changed = Release(**release.to_dict())
        setattr(changed, name, (getattr(changed, name) or "") + "改")
        assert content_hash(changed) != release.content_hash, name
    renamed = Release(**release.to_dict())
    renamed.attachments = [{"name": "附件.pdf", "url": "http://x/1.pdf"}]
    assert content_hash(renamed) != release.content_hash
    moved = Release(**renamed.to_dict())
    moved.attachments = [{"name": "附件.pdf", "url": "http://elsewhere/1.pdf"}]
    assert content_hash(moved) == content_hash(renamed)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from("衢州 \u3000\u00a0\u200b\ufeff\n\tab"), max_size=30), max_size=8
    )
)
def test_fold_all_is_fold_of_each(texts: list[str]) -> None:
    assert fold_all(texts) == [fold(text) for text in texts]
    assert all("\u200b" not in t and "\u3000" not in t and "  " not in t for t in fold_all(texts))
