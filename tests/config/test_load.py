"""load_config: defaults, includes, relative paths, the repository's own config.yaml."""

from __future__ import annotations

import shutil
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from crawler.config import ConfigError, config_from_dict, load_config

REPO = Path(__file__).resolve().parents[2]

MINIMAL = """\
sites:
  - name: quzhou
    base_url: https://www.qz.gov.cn
    profile: hanweb
    columns:
      - {name: 发布实录, url: "https://www.qz.gov.cn/col/col1229037214/index.html"}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_defaults_are_filled(tmp_path):
    config = load_config(write(tmp_path / "config.yaml", MINIMAL))
    assert config.path == (tmp_path / "config.yaml").resolve()
    assert config.database == (tmp_path / "govwatch.db").resolve()
    assert config.timezone == "Asia/Shanghai"
    assert config.user_agent_contact is None
    assert config.include == ()
    assert config.notify_baseline is False
    assert [(s.type, dict(s.options)) for s in config.sinks] == [("console", {})]
    assert config.daemon.max_parallel == 4
    assert config.daemon.run_timeout == timedelta(minutes=30)
    assert config.daemon.misfire_grace == timedelta(minutes=10)
    assert config.daemon.jitter == timedelta(0)
    assert config.link_check.enabled is True
    assert config.link_check.per_run == 50
    assert config.link_check.timeout == timedelta(seconds=10)
    assert config.link_check.recheck_after == timedelta(days=7)

    site = config.site("quzhou")
    assert site.aliases == ()
    assert site.generic is None
    assert site.schedule == "0 */6 * * *"
    assert site.revisit.always is False
    assert (site.revisit.recent, site.revisit.recent_every, site.revisit.older_every) == (
        timedelta(days=30),
        timedelta(days=1),
        timedelta(days=7),
    )
    assert site.early_stop is True
    assert (site.max_list_pages, site.max_requests, site.fail_after) == (50, 5000, 3)
    assert site.max_duration == timedelta(minutes=30)
    assert site.politeness.download_delay == 1.0
    assert site.politeness.concurrency_per_host == 2
    assert site.politeness.autothrottle is True
    assert site.politeness.obey_robots is True
    column = site.columns[0]
    assert (column.name, column.kind, column.stale_after) == ("发布实录", "other", None)


@pytest.mark.parametrize(
    ("kind", "stale"),
    [
        ("news", timedelta(days=14)),
        ("notice", timedelta(days=180)),
        ("policy", timedelta(days=180)),
        ("other", None),
    ],
)
def test_stale_after_defaults_by_kind(tmp_path, kind, stale):
    text = MINIMAL.replace('index.html"}', f'index.html", kind: {kind}}}')
    assert load_config(write(tmp_path / "c.yaml", text)).sites[0].columns[0].stale_after == stale


EXPLICIT = """\
database: data/watch.db
notify_baseline: true
daemon: {jitter: 30s}
sinks:
  - {type: jsonl, path: out/events.jsonl}
  - {type: markdown, dir: reports}
  - {type: atom, path: feed.xml}
  - {type: webhook, url: "https://hooks.example.org/x"}
sites:
  - name: quzhou
    base_url: https://www.qz.gov.cn
    aliases: [qz.gov.cn, "http://WWW.QUZHOU.gov.cn/"]
    profile: hanweb
    columns:
      - {name: A, url: "https://www.qz.gov.cn/col/col1/index.html", stale_after: null}
      - {name: B, url: "http://x.gov.cn/b/", kind: news, stale_after: never}
      - {name: C, url: "http://x.gov.cn/c/", stale_after: 3d}
    schedule: "15 0 */2 * * *"
    revisit: always
    politeness: {download_delay: 0, concurrency_per_host: 8, autothrottle: false}
    max_duration: 90
"""


def test_explicit_values_override_defaults(tmp_path):
    text = EXPLICIT
    config = load_config(write(tmp_path / "c.yaml", text))
    site = config.sites[0]
    assert [c.stale_after for c in site.columns] == [None, None, timedelta(days=3)]
    assert site.hosts == frozenset({"www.qz.gov.cn", "qz.gov.cn", "www.quzhou.gov.cn"})
    assert site.revisit.always is True
    assert site.politeness.download_delay == 0.0 and site.politeness.obey_robots is True
    assert site.max_duration == timedelta(seconds=90)
    assert config.database == (tmp_path / "data" / "watch.db").resolve()
    assert config.notify_baseline is True
    assert config.daemon.jitter == timedelta(seconds=30)
    sinks = {s.type: dict(s.options) for s in config.sinks}
    assert sinks["jsonl"] == {"path": (tmp_path / "out" / "events.jsonl").resolve()}
    assert sinks["markdown"] == {"dir": (tmp_path / "reports").resolve()}
    assert sinks["atom"] == {"path": (tmp_path / "feed.xml").resolve(), "max_entries": 200}
    assert sinks["webhook"] == {
        "url": "https://hooks.example.org/x",
        "secret_env": None,
        "timeout": timedelta(seconds=10),
        "retries": 5,
    }


def test_cron_triggers_five_and_six_fields(tmp_path):
    text = MINIMAL + '    schedule: "15 0 */2 * * *"\n'
    site = load_config(write(tmp_path / "c.yaml", text)).sites[0]
    trigger = site.cron_trigger("Asia/Shanghai")
    fields = {f.name: str(f) for f in trigger.fields}
    assert (fields["second"], fields["minute"], fields["hour"]) == ("15", "0", "*/2")
    five = load_config(write(tmp_path / "d.yaml", MINIMAL)).sites[0].cron_trigger("Asia/Shanghai")
    assert {f.name: str(f) for f in five.fields}["hour"] == "*/6"


def test_include_resolves_relative_to_the_config_file(tmp_path, monkeypatch):
    root = tmp_path / "conf"
    write(root / "config.yaml", "include: [sites/*.yaml, extra/one.yaml]\n" + MINIMAL)
    write(
        root / "sites" / "b.yaml",
        "name: b\nbase_url: http://b.gov.cn\nprofile: trs\ncolumns: [{name: x, url: 'http://b.gov.cn/x/index.html'}]\n",
    )
    write(
        root / "sites" / "a.yaml",
        "name: a\nbase_url: http://a.gov.cn\nprofile: hanweb\ncolumns: [{name: x, url: 'http://a.gov.cn/col/col1/index.html'}]\n",
    )
    write(
        root / "extra" / "one.yaml",
        "name: one\nbase_url: http://one.gov.cn\nprofile: trs\ncolumns: [{name: x, url: 'http://one.gov.cn/'}]\n",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config(Path("..") / "conf" / "config.yaml")
    assert [s.name for s in config.sites] == ["quzhou", "a", "b", "one"]
    assert config.include == ("sites/*.yaml", "extra/one.yaml")
    assert config.site("b").profile == "trs"


def test_unknown_site_name_lists_the_known_ones(tmp_path):
    config = load_config(write(tmp_path / "c.yaml", MINIMAL))
    with pytest.raises(ConfigError, match="quzhou"):
        config.site("nowhere")


def test_config_from_dict_for_embedded_defaults(tmp_path):
    data = {
        "database": "demo.db",
        "notify_baseline": True,
        "sites": [
            {
                "name": "demo",
                "base_url": "http://127.0.0.1:8080",
                "profile": "hanweb",
                "columns": [
                    {"name": "c", "url": "http://127.0.0.1:8080/col/col1/index.html", "kind": "news"}
                ],
                "politeness": {"download_delay": 0, "autothrottle": False, "concurrency_per_host": 8},
            }
        ],
    }
    config = config_from_dict(data, source="<demo>", base_dir=tmp_path)
    assert config.path is None
    assert config.database == (tmp_path / "demo.db").resolve()
    assert config.sites[0].hosts == frozenset({"127.0.0.1"})
    data["sites"][0]["columns"][0]["kind"] = "newz"
    with pytest.raises(ConfigError) as err:
        config_from_dict(data, source="<demo>", base_dir=tmp_path)
    assert str(err.value).startswith("<demo>: sites[0].columns[0].kind: 'newz' is not one of")


def test_the_repository_config_loads():
    config = load_config(REPO / "config.yaml")
    site = config.site("quzhou")
    assert site.base_url == "https://www.qz.gov.cn"
    assert site.profile == "hanweb"
    assert site.columns[0].name == "发布实录"
    assert site.columns[0].url == "https://www.qz.gov.cn/col/col1229037214/index.html"
    assert site.columns[0].kind == "news"
    assert config.database == (REPO / "govwatch.db").resolve()


def test_the_repository_config_loads_with_the_seeds(tmp_path):
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    text = (
        (REPO / "config.yaml")
        .read_text(encoding="utf-8")
        .replace("include: []", "include: [seeds/*.yaml]", 1)
    )
    config = load_config(write(tmp_path / "config.yaml", text))
    names = [s.name for s in config.sites]
    assert names[0] == "quzhou" and len(names) == 1 + len(list((REPO / "seeds").glob("*.yaml")))
    assert config.site("zj-jyt").hosts == frozenset({"jyt.zj.gov.cn"})


def test_site_integrity_options(tmp_path):
    text = (
        MINIMAL
        + "    integrity: {allow_hosts: [epaper.example.com, 'https://news.example.org/'], ignore: [host_mismatch]}\n"
    )
    site = load_config(write(tmp_path / "config.yaml", text)).site("quzhou")
    assert site.integrity.allow_hosts == ("epaper.example.com", "https://news.example.org/")
    assert site.integrity.ignore == ("host_mismatch",)
    assert load_config(write(tmp_path / "c2.yaml", MINIMAL)).site("quzhou").integrity.ignore == ()


def test_site_integrity_unknown_rule_names_file_line_and_key(tmp_path):
    text = MINIMAL + "    integrity: {ignore: [hidden_link]}\n"
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path / "config.yaml", text))
    message = str(err.value)
    assert "config.yaml:7" in message and "integrity.ignore[0]" in message and "hidden_links" in message


def test_a_batch_reads_only_its_own_sites(tmp_path):
    # a batch process of a configuration its supervisor validated whole validates and keeps only
    # the sites of its batch: its start-up cost does not grow with the whole configuration
    text = (
        MINIMAL
        + """\
  - name: other
    base_url: https://www.other.gov.cn
    profile: hanweb
    columns:
      - {name: 通知, url: "https://www.other.gov.cn/col/col1/index.html"}
      - {name: 通知, url: "not a url"}
"""
    )
    path = write(tmp_path / "c.yaml", text)
    with pytest.raises(ConfigError, match="not a url"):
        load_config(path)
    config = load_config(path, only={"quzhou"})
    assert [s.name for s in config.sites] == ["quzhou"]
