"""`govwatch config check`: every problem of a file at once, each with file:line, key and a
suggestion for a misspelt key or value; its JSON Schema for editors; cron aliases."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from crawler.config import ConfigError, config_from_dict, load_config
from tests.helpers import REPO

GOOD = """\
database: govwatch.db
sites:
  - name: quzhou
    base_url: https://www.qz.gov.cn
    profile: hanweb
    schedule: "@daily"
    politeness:
      download_delay: 2
    columns:
      - name: 发布实录
        url: https://www.qz.gov.cn/col/col1229037214/index.html
        kind: news
"""


def check(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", "config", "check", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )


def test_three_mistakes_are_three_errors_with_lines_and_suggestions(tmp_path: Path) -> None:
    text = (
        GOOD.replace("download_delay: 2", "downlaod_delay: 2")
        .replace("profile: hanweb", "profile: hanwbe")
        .replace("kind: news", "kind: newz")
    )
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    proc = check(tmp_path)
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith("govwatch: error: ")]
    assert errors == [
        "govwatch: error: config.yaml:8: sites[0].politeness.downlaod_delay: unknown key"
        " — did you mean `download_delay`?",
        "govwatch: error: config.yaml:5: sites[0].profile: 'hanwbe' is not one of generic, hanweb, trs"
        " — did you mean `hanweb`?",
        "govwatch: error: config.yaml:12: sites[0].columns[0].kind: 'newz' is not one of news, notice, policy,"
        " other — did you mean `news`?",
    ]
    assert "Traceback" not in proc.stderr


def test_a_valid_file_says_what_it_holds(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(GOOD, encoding="utf-8")
    proc = check(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("config.yaml: ok — 1 site, 1 column, 1 sink")


def test_no_file_and_a_missing_file_are_one_line_each(tmp_path: Path) -> None:
    proc = check(tmp_path)
    assert proc.returncode == 2 and proc.stderr.startswith("govwatch: error: no configuration to check")
    proc = check(tmp_path, "--config", "nope.yaml")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "govwatch: error: configuration file nope.yaml does not exist"


def test_the_schema_accepts_a_good_file_and_refuses_a_misspelt_key(tmp_path: Path) -> None:
    proc = check(tmp_path, "--schema")
    assert proc.returncode == 0, proc.stderr
    schema = json.loads(proc.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert not list(validator.iter_errors(yaml.safe_load(GOOD)))
    assert not list(validator.iter_errors(yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))))
    bad = yaml.safe_load(GOOD.replace("download_delay", "downlaod_delay"))
    assert [e.validator for e in validator.iter_errors(bad)] == ["additionalProperties"]


@pytest.mark.parametrize(
    ("alias", "fires"),
    [
        ("@hourly", ["2026-11-30 11:00", "2026-11-30 12:00"]),
        ("@daily", ["2026-12-01 00:00", "2026-12-02 00:00"]),
        ("@midnight", ["2026-12-01 00:00", "2026-12-02 00:00"]),
        ("@weekly", ["2026-12-06 00:00", "2026-12-13 00:00"]),  # Sundays
        ("@monthly", ["2026-12-01 00:00", "2027-01-01 00:00"]),
        ("@yearly", ["2027-01-01 00:00", "2028-01-01 00:00"]),
        ("@annually", ["2027-01-01 00:00", "2028-01-01 00:00"]),
    ],
)
def test_cron_aliases_fire_when_crontab_says(alias: str, fires: list[str]) -> None:
    from datetime import datetime

    data = yaml.safe_load(GOOD.replace('"@daily"', f'"{alias}"'))
    site = config_from_dict(data).sites[0]
    trigger = site.cron_trigger("Asia/Shanghai")
    now = datetime.fromisoformat("2026-11-30T10:30:00+08:00")
    first = trigger.get_next_fire_time(None, now)
    second = trigger.get_next_fire_time(first, first.replace(second=1))
    assert [f"{t:%Y-%m-%d %H:%M}" for t in (first, second)] == fires


def test_an_unknown_alias_is_refused_with_the_closest_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("config.yaml").write_text(GOOD.replace('"@daily"', '"@dayly"'), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config("config.yaml")
    assert str(err.value).startswith(
        "config.yaml:6: sites[0].schedule: '@dayly' is not a valid cron schedule"
    )
    assert str(err.value).endswith("did you mean `@daily`?")
