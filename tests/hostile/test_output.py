"""Output safe for where it goes (findings 6 and 7 of the hostile-site review): the Markdown a hostile
site's events produce runs no script when a CommonMark renderer's HTML is opened in Chromium; no
``data:`` or ``javascript:`` URL becomes a link target (Markdown, Atom); no control character reaches
a terminal or a log."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from crawler.model import Event
from crawler.report.markdown import render_markdown
from crawler.report.sinks.atom import ATOM, build_entry
from crawler.safetext import install_log_filter, terminal
from tests.helpers import run_crawl
from tests.hostile.kit import NOW, HostileSite, list_html, paragraphs, release_html, serving, site_config

#: what no terminal or log line may carry: C0 controls but newline and tab, DEL, C1
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

SCRIPT_TITLE = "通知<img src=x onerror=window.__pwned=1><script>window.__pwned=2</script>"
SCRIPT_KEY = "IDX`</code><script>window.__pwned=3</script>`"
SCRIPT_PATH = "/art/a><script>window.__pwned=4</script><x.html"
DIFF_BOMB = [
    "```",
    "<script>window.__pwned=5</script>",
    "~~~~",
    "<img src=x onerror=window.__pwned=6>",
    "```",
]
ESC_TITLE = "公告\x1b]0;PWNED\x07\x1b]52;c;cHduZWQ=\x07\x1b[2K\x1b[1A\x9b2J\u202e尾"
ESC_KEY = "ESC\x1b[31m-0001"


def markdown_html(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").render(text)  # raw HTML allowed: the worst case


def scripts_run(browser, html: str) -> dict[str, object]:
    """Open ``html`` in Chromium; what ran (``window.__pwned``, dialogs) and what links point to."""
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_content(f"<!DOCTYPE html><html><body>{html}</body></html>", wait_until="load")
    page.wait_for_timeout(300)
    found = {
        "pwned": page.evaluate("window.__pwned === undefined ? null : window.__pwned"),
        "dialogs": dialogs,
        "scripts": page.evaluate("document.querySelectorAll('script').length"),
        "handlers": page.evaluate(
            "[...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length"
        ),
        "hrefs": page.evaluate(
            "[...document.querySelectorAll('[href],[src]')].map(e => e.getAttribute('href') || e.getAttribute('src'))"
        ),
    }
    context.close()
    return found


@pytest.mark.slow
def test_markdown_of_a_hostile_site_runs_no_script_in_chromium(tmp_path: Path, browser) -> None:
    site = HostileSite()
    out = tmp_path / "reports"
    with serving(site):
        body = paragraphs(3)
        site.prefix(
            "/art/",
            lambda _h: (
                200,
                {"Content-Type": "text/html; charset=utf-8"},
                release_html(SCRIPT_TITLE, SCRIPT_KEY, body).encode(),
            ),
        )
        site.page(
            "/col/index.html", list_html([(SCRIPT_PATH.replace("<", "&lt;").replace(">", "&gt;"), "脚本")])
        )
        config = site_config(
            tmp_path,
            site,
            ["/col/index.html"],
            sinks=[{"type": "markdown", "dir": str(out)}],
            top={"notify_baseline": True},
        )
        first = run_crawl(config, now=NOW, notify=True)
        body = paragraphs(3) + DIFF_BOMB
        second = run_crawl(config, now=NOW, notify=True)
    assert first.returncode == 0 and second.returncode == 0, (first, second)
    assert sorted(e["type"] for e in first.events + second.events) == ["changed", "new"], (first, second)
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(out.glob("*.md")))
    assert "索引号" in text and "changed" in text.lower()
    found = scripts_run(browser, markdown_html(text))
    assert found["pwned"] is None and found["dialogs"] == [], found
    assert found["scripts"] == 0 and found["handlers"] == 0, found
    assert all(h.startswith("http://127.0.0.1:") for h in found["hrefs"]), found["hrefs"]


def _event(url: str, **fields: object) -> Event:
    values: dict = {
        "id": 7,
        "type": "tampered",
        "severity": "critical",
        "baseline": False,
        "site": "hostile",
        "key": "K-1",
        "index_no": "K-1",
        "url": url,
        "title": "标题",
        "column": "栏目",
        "version": 1,
        "flags": [{"rule": "spam_lexicon", "severity": "critical", "evidence": "```<script>x</script>"}],
        "details": {"diff": "\n".join(DIFF_BOMB)},
        "created_at": "2022-09-15T09:00:00+08:00",
        "run_id": 1,
    }
    values.update(fields)
    return Event(**{k: v for k, v in values.items() if k in Event.__dataclass_fields__})


HOSTILE_URLS = [
    "data:text/html,<script>window.__pwned=7</script>",
    "javascript:window.__pwned=8//x.html",
    "JaVaScRiPt:window.__pwned=9",
    "http://127.0.0.1/a><script>window.__pwned=10</script>",
    "http://127.0.0.1/a) [x](javascript:window.__pwned=11",
]


@pytest.mark.slow
@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_no_data_or_javascript_url_is_a_link_target_in_markdown(url: str, browser) -> None:
    found = scripts_run(browser, markdown_html(render_markdown([_event(url)])))
    assert found["pwned"] is None and found["scripts"] == 0 and found["handlers"] == 0, found
    assert all(h.startswith("http://127.0.0.1/") for h in found["hrefs"]), found["hrefs"]


@pytest.mark.parametrize("url", HOSTILE_URLS[:3])
def test_no_data_or_javascript_url_is_a_link_target_in_atom(url: str) -> None:
    entry = build_entry(_event(url))
    links = [link.get("href") for link in entry.iter(f"{{{ATOM}}}link")]
    assert links == []
    assert entry.find(f"{{{ATOM}}}content") is not None  # RFC 4287: no alternate link, so content
    assert url in (entry.findtext(f"{{{ATOM}}}summary") or "")  # shown as text
    ET.tostring(entry)


def db_value(db: Path, sql: str) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOVWATCH_NOW": NOW}
    cmd = [sys.executable, "-m", "crawler", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, cwd=config.parent)


@pytest.mark.slow
def test_no_control_character_reaches_a_terminal(tmp_path: Path) -> None:
    site = HostileSite()
    with serving(site):
        body = paragraphs(3, "正文\x1b]0;BODY\x07")
        site.prefix(
            "/art/",
            lambda _h: (
                200,
                {"Content-Type": "text/html; charset=utf-8"},
                release_html(ESC_TITLE, ESC_KEY, body, escape=False).encode(),
            ),
        )
        items = [("/art/1.html", "一"), ("/x\x1b]0;HREF\x07.html", "坏")]
        site.page("/col/index.html", list_html(items))
        config = site_config(tmp_path, site, ["/col/index.html"], top={"notify_baseline": True})
        first = run_crawl(config, now=NOW, notify=True)  # the console sink prints the new event
        body = paragraphs(3, "改\x1b[2J")
        second = run_crawl(config, now=NOW, notify=True)
    assert first.returncode == 0 and second.returncode == 0, (first, second)
    db = tmp_path / "govwatch.db"
    key = db_value(db, "SELECT key FROM releases")
    assert "\x1b" in key and "\x1b" in db_value(db, "SELECT title FROM releases")  # stored as fetched
    outputs = {"crawl 1": first.proc, "crawl 2": second.proc}
    for args in (
        ("history", key, "--db", str(db)),
        ("diff", key, "--db", str(db)),
        ("diff", key, "--html", "--db", str(db)),
        ("releases", "--db", str(db)),
        ("releases", "--search", "公告", "--db", str(db)),
        ("report", "--config", str(config), "--since", "2000-01-01"),
        ("report", "--config", str(config), "--since", "2000-01-01", "--format", "markdown"),
        ("report", "--config", str(config), "--since", "2000-01-01", "--format", "json"),
    ):
        outputs[" ".join(args[:2])] = cli(config, *args)
    assert "公告" in first.proc.stdout and "尾" in first.proc.stdout  # the title was printed, cleaned
    for name, proc in outputs.items():
        assert proc.returncode == 0, (name, proc.stderr)
        for stream in (proc.stdout, proc.stderr):
            assert not CONTROL.search(stream), (name, CONTROL.findall(stream), stream[-1500:])
            assert "\u202e" not in stream, name
    report = json.loads(outputs["report --config"].stdout)
    assert any("\x1b" in (e.get("title") or "") for e in report["events"])  # JSON keeps the value, escaped


def test_log_lines_carry_no_control_characters() -> None:
    install_log_filter()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("govwatch.test.safetext")
    logger.addHandler(handler)
    try:
        logger.warning("title %s", "A\x1b]0;PWNED\x07B\x9bC")
        try:
            raise ValueError("bad \x1b[2J value")
        except ValueError:
            logger.exception("failed on %r", "\x1b[1A")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "title A]0;PWNEDBC" in text and "bad [2J value" in text
    assert not CONTROL.search(text), text
    assert terminal("a\r\nb\rc\x1bd\te") == "a\nb\ncd\te"
