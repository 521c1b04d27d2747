"""The crawl requests only the watched site's hosts and ports (findings 1, 2, 3 and 5 of the hostile-site
review): list items, next pages and redirects that point elsewhere — other ports, other loopback
addresses, sister sites, ``file:``, ``data:``, ``ftp:``, hrefs no parser can read — are skipped with a
warning naming them, and the rest of the column is read."""

from __future__ import annotations

import json
import sqlite3
import ssl
import subprocess
import sys
import time
from datetime import UTC
from pathlib import Path

import pytest

from tests.helpers import run_crawl
from tests.hostile.kit import (
    NOW,
    HostileSite,
    SilentPort,
    list_html,
    paragraphs,
    release_html,
    serving,
    site_config,
)

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes


def db_rows(db: Path, sql: str, *args: object) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def add_release(site: HostileSite, path: str, n: int, title: str | None = None) -> str:
    site.page(
        path, release_html(title or f"关于第{n}号文件的通知", f"HOSTILE-{n:04d}", paragraphs(3, str(n)))
    )
    return f"HOSTILE-{n:04d}"


def test_items_next_pages_and_redirects_elsewhere_are_not_fetched_nor_stored(tmp_path: Path) -> None:
    secret = tmp_path / "secret.html"
    secret.write_text("<html><head><title>SECRET-TITLE</title></head><body><p>SECRET-BODY</p></body></html>")
    site, internal, other_ip = HostileSite(), HostileSite(), HostileSite("127.0.0.2")
    with serving(site, internal, other_ip):
        keys = {add_release(site, f"/art/{n}.html", n) for n in (1, 2, 3)}
        for server in (internal, other_ip):  # what a planted link would have archived
            server.prefix(
                "/",
                lambda _h: (
                    200,
                    {"Content-Type": "text/html"},
                    release_html("内部服务", "INTERNAL-1", paragraphs(3)).encode(),
                ),
            )
        add_release(site, "/art/sister.html", 99)  # on this server, but under another host name
        add_release(site, "/art/moved.html", 98)  # only reachable through the off-port redirect
        site.redirect("/art/redirected.html", internal.url("/art/moved.html"))
        planted = [
            internal.url("/internal/secret.html"),
            f"http://127.0.0.2:{other_ip.port}/art/x.html",
            f"file://{secret}",
            "data:text/html,<title>DATA-TITLE</title><p>DATA-BODY</p>",
            f"ftp://127.0.0.1:{internal.port}/x.html",
        ]
        items = [("/art/1.html", "一"), *((u, "planted") for u in planted), ("/art/2.html", "二")]
        items += [("/art/redirected.html", "跳转"), ("/art/3.html", "三")]
        site.page("/col/index.html", list_html(items))
        site.redirect("/col2/index.html", internal.url("/col2/index.html"))  # a list page's redirect
        config = site_config(tmp_path, site, ["/col/index.html", "/col2/index.html"])
        result = run_crawl(config, now=NOW)

    assert internal.hits == {} and other_ip.hits == {}, (internal.hits, other_ip.hits)
    db = tmp_path / "govwatch.db"
    stored = {r["key"] for r in db_rows(db, "SELECT key FROM releases")}
    assert stored == keys, result
    fetched = [r["url"] for r in db_rows(db, "SELECT url FROM fetches")]
    assert all(u.startswith(site.base + "/") for u in fetched), fetched
    redirect = db_rows(db, "SELECT error_kind FROM fetches WHERE url = ?", site.url("/art/redirected.html"))
    assert [r["error_kind"] for r in redirect] == ["redirect_offsite"]
    column2 = db_rows(db, "SELECT error_kind FROM fetches WHERE url = ?", site.url("/col2/index.html"))
    assert [r["error_kind"] for r in column2] == ["redirect_offsite"]
    dump = "\n".join(sqlite3.connect(db).iterdump())
    for text in ("SECRET-TITLE", "SECRET-BODY", "DATA-TITLE", "内部服务"):
        assert text not in dump and text not in result.proc.stdout
    # every planted item is named in a warning, and the run says what it could not do
    for url in planted:
        assert url[:60] in result.proc.stderr, (url, result.proc.stderr)
    assert "Traceback" not in result.proc.stderr
    assert result.run["status"] == "partial" and result.returncode == 0  # column 2 could not be read


def test_a_sister_site_item_is_skipped_with_a_warning_and_the_column_read_to_its_end(tmp_path: Path) -> None:
    site = HostileSite()
    with serving(site):
        keys = {add_release(site, f"/art/{n}.html", n) for n in range(1, 6)}
        add_release(site, "/art/sister.html", 50)
        sister = f"http://localhost:{site.port}/art/sister.html"  # a site-cluster column's sister site
        items = [(f"/art/{n}.html", str(n)) for n in (1, 2)] + [(sister, "兄弟站点")]
        site.page("/col/index.html", list_html(items, next_href="/col/index_1.html"))
        site.page("/col/index_1.html", list_html([(f"/art/{n}.html", str(n)) for n in (3, 4, 5)]))
        config = site_config(tmp_path, site, ["/col/index.html"])
        result = run_crawl(config, now=NOW)
    assert result.returncode == 0 and result.run["status"] == "ok", result
    assert site.hits["/art/sister.html"] == 0
    stored = {r["key"] for r in db_rows(tmp_path / "govwatch.db", "SELECT key FROM releases")}
    assert stored == keys
    warning = [line for line in result.proc.stderr.splitlines() if sister in line]
    assert warning and "not this site" in warning[0], result.proc.stderr


def test_malformed_hrefs_are_skipped_by_name_and_the_rest_of_the_page_is_read(tmp_path: Path) -> None:
    site = HostileSite()
    with serving(site):
        keys = {add_release(site, f"/art/{n}.html", n) for n in range(1, 5)}
        items = [
            ("/art/1.html", "一"),
            ("java&#9;script:alert(1)//x.html", "脚本"),
            ("http://[::1/x", "坏地址"),
            ("http://127.0.0.1:99999/x.html", "坏端口"),
            ("/art/2.html", "二"),
            ("/art/3.html", "三"),
            ("/art/4.html", "四"),
        ]
        site.page("/col/index.html", list_html(items))
        config = site_config(tmp_path, site, ["/col/index.html"])
        first = run_crawl(config, now=NOW)
        second = run_crawl(config, now=NOW)
    for result in (first, second):
        assert result.returncode == 0 and result.run["status"] == "ok", result
        assert "Traceback" not in result.proc.stderr and "ValueError" not in result.proc.stderr
        for named in ("javascript", "http://[::1/x", "127.0.0.1:99999"):
            assert named in result.proc.stderr.replace("\\x09", ""), result.proc.stderr
    stored = {r["key"] for r in db_rows(tmp_path / "govwatch.db", "SELECT key FROM releases")}
    assert stored == keys


def _rss_probe(config: Path) -> tuple[int, int, str]:
    """Run the crawl under a parent that reports the crawl's peak RSS (KiB): ``(rc, maxrss, stderr)``."""
    probe = (
        "import resource, subprocess, sys, json\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(json.dumps([p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.stderr]))\n"
    )
    cmd = [
        sys.executable,
        "-c",
        probe,
        sys.executable,
        "-m",
        "crawler",
        "crawl",
        "--config",
        str(config),
        "--no-notify",
    ]
    env_now = {"GOVWATCH_NOW": NOW}
    import os

    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=300, env={**os.environ, **env_now}, cwd=config.parent
    )
    rc, maxrss, stderr = json.loads(proc.stdout)
    return rc, maxrss, stderr


def test_file_dev_zero_as_a_list_item_is_never_read(tmp_path: Path) -> None:
    site = HostileSite()
    with serving(site):
        key = add_release(site, "/art/1.html", 1)
        site.page("/col/index.html", list_html([("file:///dev/zero", "零"), ("/art/1.html", "一")]))
        config = site_config(tmp_path, site, ["/col/index.html"])
        rc, maxrss_kib, stderr = _rss_probe(config)
    assert rc == 0, stderr
    assert maxrss_kib < 400 * 1024, f"the crawl grew to {maxrss_kib // 1024} MB"
    assert "file:///dev/zero" in stderr
    assert [r["key"] for r in db_rows(tmp_path / "govwatch.db", "SELECT key FROM releases")] == [key]


def test_an_ftp_item_to_a_silent_port_does_not_hold_the_crawl(tmp_path: Path) -> None:
    site = HostileSite()
    with serving(site), SilentPort() as silent:
        key = add_release(site, "/art/1.html", 1)
        items = [(f"ftp://127.0.0.1:{silent.port}/x.html", "ftp"), ("/art/1.html", "一")]
        site.page("/col/index.html", list_html(items))
        config = site_config(tmp_path, site, ["/col/index.html"], max_duration="20s")
        started = time.monotonic()
        result = run_crawl(config, now=NOW, timeout=120)
        elapsed = time.monotonic() - started
        assert silent.accepted == 0
    assert result.returncode == 0 and result.run["status"] == "ok", result
    assert elapsed < 20 + 30, elapsed
    assert [r["key"] for r in db_rows(tmp_path / "govwatch.db", "SELECT key FROM releases")] == [key]


def _self_signed(tmp: Path) -> ssl.SSLContext:
    from datetime import datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    (tmp / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp / "cert.pem", tmp / "key.pem")
    return ctx


def test_an_http_to_https_redirect_on_the_same_host_is_followed(tmp_path: Path) -> None:
    """One port speaks both plain HTTP and TLS: http://127.0.0.1:P/x → https://127.0.0.1:P/x."""
    from tests.hostile.kit import DualSite

    site = DualSite(_self_signed(tmp_path))
    with serving(site):
        page = release_html("关于第1号文件的通知", "HOSTILE-0001", paragraphs(3)).encode("utf-8")
        secure = f"https://127.0.0.1:{site.port}/art/1.html"

        def answer(handler):  # plain HTTP is sent to https on the same host and port
            if site.is_tls(handler):
                return 200, {"Content-Type": "text/html; charset=utf-8"}, page
            return 301, {"Location": secure}, b""

        site.route("/art/1.html", answer)
        site.page("/col/index.html", list_html([("/art/1.html", "一")]))
        config = site_config(tmp_path, site, ["/col/index.html"])
        result = run_crawl(config, now=NOW)
        assert site.tls_requests == ["/art/1.html"], site.tls_requests
    assert result.returncode == 0 and result.run["status"] == "ok", result
    rows = db_rows(
        tmp_path / "govwatch.db", "SELECT outcome, status FROM fetches WHERE url LIKE '%/art/1.html'"
    )
    assert [(r["outcome"], r["status"]) for r in rows] == [("ok", 200)]
    assert [r["key"] for r in db_rows(tmp_path / "govwatch.db", "SELECT key FROM releases")] == [
        "HOSTILE-0001"
    ]


def hanweb_column(items: list[str], proxy: str, total: int) -> str:
    records = "\n".join(
        f'<record><![CDATA[<li><a href="{href}" title="第{i}号">第{i}号</a><span>2022-09-14</span></li>]]></record>'
        for i, href in enumerate(items)
    )
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知公告</title></head><body>
<div id="1234"><script type="text/xml"><datastore><nextgroup><![CDATA[]]></nextgroup><recordset>
{records}
</recordset></datastore></script></div>
<script>
var param_1234 = {{col:1,appid:1,webid:3084,path:'/',columnid:77,sourceContentType:1,unitid:'1234',webname:'x',permissiontype:0}};
$(function(){{ $('#1234').jpage({{ totalRecord: {total}, perPage: 2, groupSize: 1, proxyUrl: '{proxy}', ajaxParam: param_1234 }}); }});
</script></body></html>"""


def test_a_hanweb_proxy_url_elsewhere_is_not_posted_to(tmp_path: Path) -> None:
    site, internal = HostileSite(), HostileSite("127.0.0.2")
    with serving(site, internal):
        keys = {add_release(site, f"/art/{n}.html", n) for n in (1, 2)}
        internal.prefix("/", lambda _h: (200, {"Content-Type": "text/html"}, b"<datastore></datastore>"))
        proxy = f"http://127.0.0.2:{internal.port}/module/jpage/dataproxy.jsp"
        site.page("/col/col77/index.html", hanweb_column(["/art/1.html", "/art/2.html"], proxy, total=40))
        config = site_config(tmp_path, site, ["/col/col77/index.html"], profile="hanweb", generic=None)
        result = run_crawl(config, now=NOW)
    assert internal.hits == {}, internal.requests
    assert proxy in result.proc.stderr and "next list page not followed" in result.proc.stderr
    stored = {r["key"] for r in db_rows(tmp_path / "govwatch.db", "SELECT key FROM releases")}
    assert stored == keys, result
    assert result.returncode == 0 and result.run["status"] == "partial"
