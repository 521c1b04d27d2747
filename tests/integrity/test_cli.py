"""``govwatch check`` as a real subprocess."""

import json
import subprocess
import sys

import pytest

from tests.helpers import REFERENCE_PAGE, REFERENCE_URL, REPO

from .conftest import OWN

SPAM = "日博365备用网址_365bet娱乐app_365bet备用在线"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler", "check", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_reference_page_is_tampered_exit_1():
    proc = run("--json", "--url", REFERENCE_URL, str(REFERENCE_PAGE))
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["tampered"] is True
    evidence = " ".join(f["evidence"] for f in data["flags"])
    assert SPAM in evidence  # ensure_ascii=False: the Chinese text is readable as is
    assert SPAM in proc.stdout
    assert '<legend id="h4sia">' in evidence
    assert {f["rule"] for f in data["flags"] if f["severity"] == "critical"} >= {
        "spam_lexicon",
        "junk_preamble",
    }
    assert set(data["flags"][0]) - {"certain"} == {"rule", "severity", "evidence", "location"}


def test_clean_twin_exit_0():
    proc = run("--json", "--url", REFERENCE_URL, str(OWN / "quzhou-clean-twin.html"))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"tampered": False, "flags": []}


def test_plain_output():
    proc = run("--url", "https://www.example.gov.cn/a.html", str(OWN / "dirty-hidden-links.html"))
    assert proc.returncode == 1
    assert proc.stdout.startswith("TAMPERED") and "hidden_links" in proc.stdout


def test_missing_file_exit_2():
    proc = run(str(OWN / "no-such-page.html"))
    assert proc.returncode == 2
    assert "no-such-page.html" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_config_exit_2(tmp_path):
    bad = tmp_path / "config.yaml"
    bad.write_text("sites: [\n", encoding="utf-8")
    proc = run("--config", str(bad), "--url", REFERENCE_URL, str(OWN / "quzhou-clean-twin.html"))
    assert proc.returncode == 2
    assert str(bad) in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_config_aliases_are_site_hosts(tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        "sites:\n"
        "  - name: mirror\n"
        "    base_url: https://mirror.example.com\n"
        "    aliases: [cdn.example.net]\n"
        "    profile: hanweb\n"
        "    columns:\n"
        "      - {name: 发布实录, url: https://mirror.example.com/col/col1/index.html}\n",
        encoding="utf-8",
    )
    page = tmp_path / "p.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="canonical" href="https://cdn.example.net/a.html"></head>'
        "<body><p>正文</p></body></html>",
        encoding="utf-8",
    )
    proc = run("--json", "--url", "https://mirror.example.com/a.html", str(page))
    assert proc.returncode == 0
    assert [f["rule"] for f in json.loads(proc.stdout)["flags"]] == ["host_mismatch"]
    proc = run("--json", "--config", str(cfg), "--url", "https://mirror.example.com/a.html", str(page))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["flags"] == []
