"""Integrity through the store: a hidden link block injected outside a known release's body leaves
its content hash alone and raises exactly one `tampered` event, with the evidence."""

from __future__ import annotations

from pathlib import Path

from crawler.integrity import check
from crawler.model import Fetch
from crawler.normalize import normalize
from crawler.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
URL = "http://www.qz.gov.cn/art/2022/9/14/art_1229037214_59011309.html"
HOSTS = frozenset({"www.qz.gov.cn"})
INJECTED = (
    '<div style="position:absolute;left:-9999px;top:-9999px">'
    '<a href="http://www.365-bet-vip.com/">365bet体育在线投注</a>'
    '<a href="http://casino-cn.example.net/">澳门新葡京娱乐场</a></div>'
)


def fetch_and_record(store: Store, body: bytes, run: int) -> list:
    release = normalize(body, URL)
    flags = check(body, release, site_hosts=HOSTS)
    fetch = Fetch(url=URL, site="quzhou", outcome="ok", status=200, body=body, run_id=run)
    return store.record(fetch, release, flags)


def test_injected_hidden_links_on_unchanged_content_raise_one_tampered(tmp_path: Path) -> None:
    clean = (FIXTURES / "integrity/quzhou-clean-twin.html").read_bytes()
    dirty = clean.replace(b"</body>", INJECTED.encode() + b"</body>")
    assert normalize(clean, URL).content_hash == normalize(dirty, URL).content_hash

    with Store(tmp_path / "g.db") as store:
        first = fetch_and_record(store, clean, store.start_run("quzhou"))
        assert [e.type for e in first] == ["new"]
        second = fetch_and_record(store, dirty, store.start_run("quzhou"))
        assert [e.type for e in second] == ["tampered"]
        evidence = " ".join(f["evidence"] for f in second[0].flags)
        assert "365-bet-vip.com" in evidence or "365bet" in evidence
        assert {f["rule"] for f in second[0].flags} >= {"hidden_links"}
        third = fetch_and_record(store, dirty, store.start_run("quzhou"))
        assert third == []  # the same defacement again is not a new fact
        assert store.db["versions"].count == 1
        kept = store.db.execute("SELECT count(*) FROM fetches WHERE raw_html IS NOT NULL").fetchone()[0]
        assert kept >= 1  # the tampered fetch's page is kept as evidence
