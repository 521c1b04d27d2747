"""Every command, tried with a bad argument, a missing file and a network failure: one line starting
`govwatch: error:` (or one log line per failed download), never a traceback, and the exit status of
the README's table — 0 done, 1 something needs a look, 2 not done, 130 interrupted."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from crawler.cli import COMMANDS
from crawler.store import Store
from tests.helpers import FAST, REFERENCE_PAGE, env_with, free_port
from tests.records import ok, release

pytestmark = pytest.mark.slow  # one subprocess per case

INDEX_NO = "11330800002618015K/2022-134528"


def govwatch(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=env_with(),
    )


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a config naming a database that holds one release, and a site nobody serves."""
    root = tmp_path_factory.mktemp("cli")
    closed = free_port()
    site = {
        "name": "down",
        "base_url": f"http://127.0.0.1:{closed}",
        "profile": "hanweb",
        "politeness": dict(FAST),
        "columns": [{"name": "栏目", "url": f"http://127.0.0.1:{closed}/col/col1/index.html"}],
    }
    (root / "config.yaml").write_text(
        yaml.safe_dump({"database": "archive.db", "sites": [site]}, allow_unicode=True), encoding="utf-8"
    )
    with Store(root / "archive.db") as store:
        ok(store, release())
    (root / "page.html").write_bytes(REFERENCE_PAGE.read_bytes())
    (root / "a-file").write_text("not a folder")
    (root / "closed-port").write_text(str(closed))
    return root


def closed_url(place: Path, path: str = "/col/col1/index.html") -> str:
    return f"http://127.0.0.1:{(place / 'closed-port').read_text()}{path}"


def assert_one_line_error(proc: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert proc.returncode == code, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("govwatch: error: ")]
    assert errors, proc.stderr
    for word in words:
        assert word in proc.stderr, (word, proc.stderr)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_bad_option_is_one_line_and_exit_2(place: Path, name: str) -> None:
    args = [name, "check"] if name == "config" else [name]
    proc = govwatch(place, *args, "--no-such-option")
    assert_one_line_error(proc, 2, "No such option '--no-such-option'", "--help")


BAD_VALUES = [
    (["releases", "--since", "2026-13-01"], "'2026-13-01' is not a date"),
    (["releases", "--since", "yesterdy"], "is not a date"),
    (["releases", "--limit", "0"], "--limit"),
    (["report", "--since", "last tuesday"], "is not a date"),
    (["report", "--format", "xml"], "'xml' is not one of"),
    (["diff", INDEX_NO, "--from", "seven"], "'seven' is not a valid integer"),
    (["diff", INDEX_NO, "--from", "7"], "no version 7"),
    (["history", "no-such-key"], "no-such-key"),
    (["crawl", "--site", "dwon"], "did you mean `down`?"),
    (["health", "--site", "dwon"], "no site named 'dwon'"),
    (["serve", "--port", "http"], "'http' is not a valid integer"),
    (["demo", "--port", "99999"], "99999"),
    (["add-site", "ftp://example.gov.cn/x"], "scheme 'ftp' is not allowed"),
    (["parse"], "Missing argument"),
    (["check", "page.html", "--config", "page.html"], "page.html"),
]


@pytest.mark.parametrize(("args", "words"), BAD_VALUES, ids=[" ".join(a) for a, _ in BAD_VALUES])
def test_a_bad_value_is_one_line_and_exit_2(place: Path, args: list[str], words: str) -> None:
    assert_one_line_error(govwatch(place, *args), 2, words)


MISSING = [
    (["parse", "missing.html"], "missing.html"),
    (["check", "missing.html"], "missing.html"),
    (["history", INDEX_NO, "--db", "missing.db"], "database not found: missing.db"),
    (["diff", INDEX_NO, "--db", "missing.db"], "database not found: missing.db"),
    (["releases", "--db", "missing.db"], "database not found: missing.db"),
    (["reparse", "--db", "missing.db"], "database not found: missing.db"),
    (["report", "--db", "missing.db"], "database not found: missing.db"),
    (["health", "--db", "missing.db"], "database not found: missing.db"),
    (["serve", "--db", "missing.db"], "database not found: missing.db"),
    (["crawl", "--config", "missing.yaml"], "missing.yaml does not exist"),
    (["daemon", "--once", "--config", "missing.yaml"], "missing.yaml does not exist"),
    (["report", "--deliver", "--config", "missing.yaml"], "missing.yaml does not exist"),
    (["config", "check", "--config", "missing.yaml"], "missing.yaml does not exist"),
    (["add-site", "http://127.0.0.1:1/", "--config", "missing.yaml"], "missing.yaml does not exist"),
    (["history", INDEX_NO, "--config", "missing.yaml"], "missing.yaml does not exist"),
    (["init", "a-file"], "a-file"),
    (["demo", "--db", "."], "."),
]


@pytest.mark.parametrize(("args", "words"), MISSING, ids=[" ".join(a) for a, _ in MISSING])
def test_a_missing_file_is_one_line_and_exit_2(place: Path, args: list[str], words: str) -> None:
    assert_one_line_error(govwatch(place, *args), 2, words)


def test_no_configuration_anywhere_names_what_was_tried(tmp_path: Path) -> None:
    proc = govwatch(tmp_path, "releases")
    assert_one_line_error(
        proc, 2, "database not found: govwatch.db", "--config (not given)", "./config.yaml (not there)"
    )
    proc = govwatch(tmp_path, "crawl")
    assert_one_line_error(proc, 2, "no configuration", "govwatch init")


@pytest.mark.parametrize("command", ["parse", "check", "add-site"])
def test_a_page_that_cannot_be_fetched_is_one_line_and_exit_2(place: Path, command: str) -> None:
    proc = govwatch(place, command, closed_url(place))
    assert_one_line_error(proc, 2, closed_url(place))


@pytest.mark.parametrize("args", [["crawl"], ["daemon", "--once"]])
def test_a_site_that_cannot_be_reached_is_a_log_line_and_exit_1(
    place: Path, tmp_path: Path, args: list[str]
) -> None:
    proc = govwatch(place, *args, "--db", str(tmp_path / "fresh.db"))  # never crawled: due
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    if args == ["crawl"]:
        [line] = [line for line in proc.stderr.splitlines() if closed_url(place) in line]
        assert line.endswith(f"down: list page {closed_url(place)}: connection refused")
        assert "list page: connection refused" in proc.stdout  # the summary's reason


def test_serve_on_a_busy_port_says_so_before_printing_a_url(place: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = govwatch(place, "serve", "--port", str(port))
    assert_one_line_error(proc, 2, f"127.0.0.1:{port} is already in use")
    assert "http://" not in proc.stderr + proc.stdout


@contextlib.contextmanager
def http_server(status: int) -> Iterator[str]:
    """A server answering every GET with ``status`` and a small page."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - stdlib naming
            body = "<html><body><p>对不起，您访问的页面不存在</p></body></html>".encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/art/2022/9/14/art_1_1.html"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("command", ["parse", "check"])
def test_parse_and_check_treat_an_http_error_alike(place: Path, command: str) -> None:
    with http_server(404) as url:
        proc = govwatch(place, command, url)
    assert_one_line_error(proc, 2, f"cannot fetch {url}: HTTP 404")


def test_exit_0_and_1_for_done_and_for_something_to_look_at(place: Path, tmp_path: Path) -> None:
    assert govwatch(place, "config", "check").returncode == 0
    assert govwatch(place, "check", "page.html").returncode == 1  # the defaced reference page
    clean = tmp_path / "clean.html"
    clean.write_text(
        "<html><head><title>通知</title></head><body><p>各单位：现将有关事项通知如下。</p></body></html>"
    )
    assert govwatch(place, "check", str(clean)).returncode == 0
    assert govwatch(place, "history", INDEX_NO).returncode == 0  # ./config.yaml names archive.db


def test_ctrl_c_is_one_line_and_exit_130(place: Path) -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/col/col1/index.html"
        proc = subprocess.Popen(
            [sys.executable, "-m", "crawler", "add-site", url, "--dry-run"],
            cwd=place,
            env=env_with(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(3)  # well into the fetch of robots.txt, which never answers
        os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, (out, err)
    assert err.strip() == "govwatch: error: interrupted"
