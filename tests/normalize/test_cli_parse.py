"""`govwatch parse` as a user runs it: a real `python -m crawler` subprocess."""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from crawler.normalize import normalize
from tests.corpus import real_pages

from .conftest import FIXTURE_URL, FIXTURES, REFERENCE_PAGE, REFERENCE_URL, REPO


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", "parse", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


@pytest.mark.timeout(120)
def test_json_output_of_the_reference_page_validates(release_schema: dict[str, Any]) -> None:
    result = run(str(REFERENCE_PAGE), "--url", REFERENCE_URL, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, release_schema)
    assert data == normalize(REFERENCE_PAGE.read_bytes(), REFERENCE_URL).to_dict()
    assert "“‘浙’十年·衢州”" in result.stdout  # ensure_ascii=False: Chinese as Chinese


@pytest.mark.timeout(120)
def test_readable_output_names_the_essentials() -> None:
    result = run(str(REFERENCE_PAGE), "--url", REFERENCE_URL)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for text in (
        "“‘浙’十年·衢州”主题新闻发布会答问实录",
        "11330800002618015K/2022-134528",
        "市政府办公室",
        "2022-09-14T09:12:00+08:00",
        "首页 > 信息公开 > 政府信息公开部门 > 市政府办公室 > 新闻发布 > 发布实录",
        "paragraphs: 31",
        "高屹",
        "sha256:",
    ):
        assert text in out


@pytest.mark.timeout(120)
def test_several_files_are_each_printed() -> None:
    pages = [FIXTURES / "notrelease_waf.html", FIXTURES / "ul_li_ensp.html"]
    result = run(*map(str, pages))
    assert result.returncode == 0, result.stderr
    assert "not_release (waf)" in result.stdout
    assert "PZ00101-1700-2016-00422" in result.stdout
    assert "attachment: 保留事项目录.xlsx" in result.stdout


@pytest.mark.timeout(120)
def test_missing_file_exits_2_naming_it_without_a_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "nope.html"
    result = run(str(missing), "--json")
    assert result.returncode == 2
    assert str(missing) in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.timeout(120)
def test_a_directory_exits_2_and_the_other_files_still_print(tmp_path: Path) -> None:
    result = run(str(tmp_path), str(FIXTURES / "twin_utf8.html"), "--json")
    assert result.returncode == 2
    assert str(tmp_path) in result.stderr and "Traceback" not in result.stderr
    assert json.loads(result.stdout)["title"] == "朱镕基同志题词碑揭幕仪式举行"


OWN_PAGES = sorted(FIXTURES.glob("*.html"))
REAL_PAGES = real_pages()


@pytest.mark.parametrize("page", OWN_PAGES + REAL_PAGES, ids=[p.stem[:40] for p in OWN_PAGES + REAL_PAGES])
def test_every_page_validates_against_the_release_schema(page: Path, release_schema: dict[str, Any]) -> None:
    data = normalize(page.read_bytes(), FIXTURE_URL).to_dict()
    jsonschema.validate(json.loads(json.dumps(data, ensure_ascii=False)), release_schema)
    assert data["kind"] in ("release", "not_release")


@pytest.fixture()
def local_site() -> Iterator[str]:
    """The fixtures folder served over HTTP on 127.0.0.1 (a real server, a real fetch)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(FIXTURES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_an_http_url_is_fetched_and_becomes_the_release_url(local_site: str) -> None:
    url = f"{local_site}/ul_li_ensp.html"
    result = run(url, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["url"] == url
    assert data["index_no"] == "PZ00101-1700-2016-00422"
    assert data["attachments"][0]["url"] == f"{local_site}/W020161202001.xlsx"


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_an_unreachable_url_exits_2_without_a_traceback(local_site: str) -> None:
    result = run("http://127.0.0.1:9/nothing.html")
    assert result.returncode == 2
    assert "http://127.0.0.1:9/nothing.html" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.timeout(120)
def test_a_file_without_url_has_no_url_and_keeps_links_relative() -> None:
    result = run(str(FIXTURES / "ul_li_ensp.html"), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["url"] is None
    assert data["attachments"][0]["url"] == "./W020161202001.xlsx"
