"""`govwatch config check` and apprise URLs: apprise tells whether it understands each URL, without
sending anything; a URL's secrets are never shown; an unset variable is a note, not an error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alertkit import free_port

TOKEN = "0123456789abcdefTOKEN"


def check(tmp_path: Path, sinks: str, **env: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "config.yaml").write_text(f"database: govwatch.db\nsinks:\n{sinks}", encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "crawler", "config", "check"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, **env},
    )


@pytest.mark.slow
def test_urls_apprise_understands_pass_without_sending(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there: a check that sent would fail or hang
    sinks = (
        f"  - {{type: apprise, name: wecom, urls: ['wecombot://{TOKEN}']}}\n"
        f"  - {{type: apprise, name: dingtalk, urls: ['dingtalk://{TOKEN}/'], format: text}}\n"
        f"  - {{type: apprise, name: feishu, urls: ['feishu://{TOKEN}/'], digest: per_event}}\n"
        f"  - {{type: apprise, name: mail, urls: ['mailtos://user:{TOKEN}@127.0.0.1:{port}?from=gw@example.org&to=a@example.org']}}\n"
        "  - {type: apprise, name: env, urls_env: GOVWATCH_ALERT_URLS}\n"
    )
    proc = check(
        tmp_path, sinks, GOVWATCH_ALERT_URLS=f"json://127.0.0.1:{port}/{TOKEN} tgram://123456:{TOKEN}/42"
    )
    assert proc.returncode == 0, proc.stderr
    assert "5 sinks" in proc.stdout
    assert TOKEN not in proc.stdout + proc.stderr


@pytest.mark.slow
def test_a_url_apprise_does_not_understand_is_an_error_that_shows_no_secret(tmp_path: Path) -> None:
    sinks = f"  - {{type: apprise, urls: ['wecombot://{TOKEN}', 'wecom-bot://{TOKEN}'], max_message_bytes: 100}}\n"
    proc = check(tmp_path, sinks)
    assert proc.returncode == 2
    errors = proc.stderr.splitlines()
    assert (
        "govwatch: error: config.yaml:3: sinks[0].urls[1]: 'wecom-bot://…' is not a URL apprise understands"
        in errors[0] + errors[1]
    )
    assert any("sinks[0].max_message_bytes" in line for line in errors)
    assert TOKEN not in proc.stdout + proc.stderr


@pytest.mark.slow
def test_a_bad_url_in_the_variable_is_an_error_and_an_unset_one_a_note(tmp_path: Path) -> None:
    sinks = "  - {type: apprise, urls_env: GOVWATCH_ALERT_URLS}\n"
    proc = check(tmp_path, sinks, GOVWATCH_ALERT_URLS=f"nosuch://{TOKEN}")
    assert proc.returncode == 2
    assert (
        "sinks[0].urls_env: URL 1 of $GOVWATCH_ALERT_URLS ('nosuch://…') is not a URL apprise understands"
        in proc.stderr
    )
    assert TOKEN not in proc.stderr

    env = {k: v for k, v in os.environ.items() if k != "GOVWATCH_ALERT_URLS"}
    (tmp_path / "config.yaml").write_text(f"sinks:\n{sinks}", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "config", "check"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "environment variable GOVWATCH_ALERT_URLS is not set here" in proc.stderr


@pytest.mark.slow
def test_a_sink_needs_urls(tmp_path: Path) -> None:
    proc = check(tmp_path, "  - {type: apprise, format: html}\n")
    assert proc.returncode == 2
    assert "sinks[0].format: 'html' is not one of markdown, text" in proc.stderr


@pytest.mark.slow
def test_the_readme_examples_are_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    import yaml

    from crawler.config import config_from_dict
    from tests.helpers import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Alerts in WeCom, DingTalk, Feishu and e-mail", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
    for name, url in re.findall(r"export (\w+)='([^']+)'", block):
        monkeypatch.setenv(name, url)
    assert {"GOVWATCH_WECOM", "GOVWATCH_DINGTALK", "GOVWATCH_FEISHU", "GOVWATCH_MAIL"} <= set(os.environ)
    site = {
        "name": "quzhou",
        "base_url": "https://www.qz.gov.cn",
        "profile": "hanweb",
        "columns": [{"name": "发布实录", "url": "https://www.qz.gov.cn/col/col1229037214/index.html"}],
    }
    config = config_from_dict({**yaml.safe_load(block), "sites": [site]}, base_dir=tmp_path)
    schemes = [s.options.get("urls_env") for s in config.sinks if s.type == "apprise"]
    assert schemes == ["GOVWATCH_WECOM", "GOVWATCH_DINGTALK", "GOVWATCH_FEISHU", "GOVWATCH_MAIL"]
