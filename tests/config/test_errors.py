"""Every ConfigError names the file, the line and the key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import ConfigError, load_config

BASE = """\
timezone: Asia/Shanghai
sinks:
  - {type: console}
daemon:
  max_parallel: 4
sites:
  - name: quzhou
    base_url: https://www.qz.gov.cn
    profile: hanweb
    columns:
      - name: 发布实录
        url: https://www.qz.gov.cn/col/col1229037214/index.html
        kind: news
      - name: 通知
        url: https://www.qz.gov.cn/col/col2/index.html
        kind: notice
    schedule: "0 */6 * * *"
    max_duration: 30m
"""


@pytest.fixture
def load(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def run(text: str) -> ConfigError:
        Path("config.yaml").write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as err:
            load_config("config.yaml")
        return err.value

    return run


def test_base_is_valid(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("config.yaml").write_text(BASE, encoding="utf-8")
    assert load_config("config.yaml").sites[0].columns[1].kind == "notice"


CASES = [
    # (replace this, with that, expected message start)
    (
        "kind: notice",
        "kind: newz",
        "config.yaml:16: sites[0].columns[1].kind: 'newz' is not one of news, notice, policy, other",
    ),
    (
        "timezone: Asia/Shanghai",
        "timezone: Mars/Olympus",
        "config.yaml:1: timezone: 'Mars/Olympus' is not a known time zone",
    ),
    ("daemon:\n", "colour: red\ndaemon:\n", "config.yaml:4: colour: unknown key"),
    (
        "  max_parallel: 4",
        "  max_parallel: four",
        "config.yaml:5: daemon.max_parallel: expected a whole number",
    ),
    ("  max_parallel: 4", "  max_paralel: 4", "config.yaml:5: daemon.max_paralel: unknown key"),
    (
        "    max_duration: 30m",
        "    max_duration: 30 minutes",
        "config.yaml:18: sites[0].max_duration: '30 minutes' is not a duration",
    ),
    (
        "    max_duration: 30m",
        "    max_duration: -5",
        "config.yaml:18: sites[0].max_duration: -5 is not a duration: it must not be negative",
    ),
    ("    max_duration: 30m", "    max_duraton: 30m", "config.yaml:18: sites[0].max_duraton: unknown key"),
    ("  - name: quzhou\n", "  - base: 1\n", "config.yaml:7: sites[0].base: unknown key"),
    (
        "  - name: quzhou\n    base_url",
        "  - base_url",
        "config.yaml:7: sites[0].name: required key is missing",
    ),
    (
        "url: https://www.qz.gov.cn/col/col2/index.html",
        "url: ftp://www.qz.gov.cn/x",
        "config.yaml:15: sites[0].columns[1].url: 'ftp://www.qz.gov.cn/x' is not an http(s) URL",
    ),
    (
        "url: https://www.qz.gov.cn/col/col2/index.html",
        "url: /col/col2/index.html",
        "config.yaml:15: sites[0].columns[1].url: '/col/col2/index.html' is not an http(s) URL",
    ),
    (
        "    profile: hanweb",
        "    profile: wordpress",
        "config.yaml:9: sites[0].profile: 'wordpress' is not one of",
    ),
    (
        "    profile: hanweb",
        "    profile: generic",
        "config.yaml:7: sites[0].generic: required with profile: generic",
    ),
    (
        '    schedule: "0 */6 * * *"',
        '    schedule: "0 */6 * *"',
        "config.yaml:17: sites[0].schedule: '0 */6 * *' is not a valid cron schedule",
    ),
    (
        '    schedule: "0 */6 * * *"',
        '    schedule: "0 99 * * *"',
        "config.yaml:17: sites[0].schedule: '0 99 * * *' is not a valid cron schedule",
    ),
    (
        "  - {type: console}",
        "  - {type: slack}",
        "config.yaml:3: sinks[0].type: 'slack' is not one of apprise, atom, console, jsonl, markdown, webhook",
    ),
    ("  - {type: console}", "  - {type: jsonl}", "config.yaml:3: sinks[0].path: required key is missing"),
    (
        "  - {type: console}",
        "  - {type: jsonl, path: a.jsonl, dir: x}",
        "config.yaml:3: sinks[0].dir: unknown key",
    ),
    (
        "  - {type: console}",
        "  - {type: webhook, url: 'https://h.example.org', timeout: soon}",
        "config.yaml:3: sinks[0].timeout: 'soon' is not a duration",
    ),
    (
        "        kind: news\n",
        "        kind: news\n        kind: notice\n",
        "config.yaml:14: duplicate key 'kind'",
    ),
    (
        "    columns:\n",
        "    columns: []\n    x_columns:\n",
        "config.yaml:11: sites[0].x_columns: unknown key",
    ),
    (
        "    columns:\n",
        "    early_stop: maybe\n    columns:\n",
        "config.yaml:10: sites[0].early_stop: expected true or false, got 'maybe'",
    ),
    ("max_parallel: 4", "max_parallel: [4", "config.yaml:6: YAML syntax error"),
]


@pytest.mark.parametrize(("old", "new", "expected"), CASES, ids=[c[2].split(":")[2].strip() for c in CASES])
def test_error_names_file_line_and_key(load, old, new, expected):
    assert old in BASE
    error = load(BASE.replace(old, new, 1))
    assert str(error).startswith(expected), str(error)
    assert error.source == "config.yaml"
    assert error.line == int(expected.split(":")[1])


def test_duplicate_site_names(load):
    second = BASE[BASE.index("  - name: quzhou") :].replace("sites:\n", "")
    error = load(BASE + second.replace("col1229037214", "col9").replace("col2", "col8"))
    assert str(error).startswith("config.yaml:19: sites[1].name: site name 'quzhou' is used twice")


def test_duplicate_column_url(load):
    error = load(BASE.replace("col/col2/index.html", "col/col1229037214/index.html"))
    assert str(error).startswith("config.yaml:14: sites[0].columns[1]: column URL")


def test_missing_file_names_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"^nope\.yaml: file not found"):
        load_config("nope.yaml")


def test_sites_must_be_a_list(load):
    assert str(load("timezone: UTC\nsites: {a: 1}\n")).startswith(
        "config.yaml:2: sites: expected a list, got a mapping"
    )


def test_top_level_must_be_a_mapping(load):
    assert str(load("- a\n- b\n")).startswith("config.yaml:1: the top level must be a mapping")


def test_error_in_an_included_file_names_that_file(load, tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "bad.yaml").write_text(
        "name: bad\nbase_url: http://bad.gov.cn\nprofile: trs\ncolumns:\n  - {name: x, url: 'http://bad.gov.cn/', kind: newz}\n",
        encoding="utf-8",
    )
    error = load("include: [seeds/*.yaml]\n" + BASE)
    assert str(error).startswith(
        "seeds/bad.yaml:5: columns[0].kind: 'newz' is not one of news, notice, policy, other"
    )


def test_duplicate_name_across_an_include(load, tmp_path):
    (tmp_path / "quz.yaml").write_text(
        "# again\nname: quzhou\nbase_url: http://b.gov.cn\nprofile: trs\ncolumns: [{name: x, url: 'http://b.gov.cn/'}]\n",
        encoding="utf-8",
    )
    error = load("include: [quz.yaml]\n" + BASE)
    assert str(error).startswith("quz.yaml:2: name: site name 'quzhou' is used twice")


def test_missing_literal_include(load):
    error = load("include: [sites/none.yaml]\n" + BASE)
    assert str(error).startswith("config.yaml:1: include[0]: included file sites/none.yaml does not exist")


def test_generic_requires_item_links_and_checks_selectors(load):
    text = BASE.replace("    profile: hanweb", "    profile: generic\n    generic: {next_page: 'a.next'}")
    assert str(load(text)).startswith("config.yaml:10: sites[0].generic.item_links: required key is missing")
    text = BASE.replace(
        "    profile: hanweb", "    profile: generic\n    generic: {item_links: 'ul.list >> a'}"
    )
    assert str(load(text)).startswith(
        "config.yaml:10: sites[0].generic.item_links: 'ul.list >> a' is not a valid"
    )
    text = BASE.replace("    profile: hanweb", "    profile: hanweb\n    generic: {item_links: 'ul a'}")
    assert str(load(text)).startswith("config.yaml:10: sites[0].generic: only used with profile: generic")
