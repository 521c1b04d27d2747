"""What a batch process reads: the configuration written out with only its batch's sites."""

from __future__ import annotations

import textwrap
from pathlib import Path

from crawler.config import BatchConfigs, load_batch_config, load_config

CONFIG = """\
database: data/govwatch.db
timezone: Asia/Shanghai
include: [sites/*.yaml]
sinks:
  - {type: jsonl, path: out/events.jsonl}
  - {type: jsonl, path: out/kecheng.jsonl, sites: [kecheng]}  # a site of another batch
sites:
  - name: 衢州
    base_url: https://www.qz.gov.cn
    profile: hanweb
    max_duration: 90s
    schedule: "@hourly"
    columns:
      - {name: 发布实录, url: "https://www.qz.gov.cn/col/col1229037214/index.html", kind: news}
  - name: kecheng
    base_url: http://www.kecheng.gov.cn
    profile: trs
    columns:
      - {name: 通知公告, url: "http://www.kecheng.gov.cn/art/index.html"}
"""

INCLUDED = """\
name: {name}
base_url: http://{name}.gov.cn
profile: trs
politeness: {{download_delay: 2.5}}
columns: [{{name: x, url: 'http://{name}.gov.cn/x/index.html'}}]
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_batch_reads_its_own_sites_as_the_whole_file_defines_them(tmp_path: Path) -> None:
    root = tmp_path / "conf"
    path = write(root / "config.yaml", CONFIG)
    for name in ("a", "b"):
        write(root / "sites" / f"{name}.yaml", INCLUDED.format(name=name))
    whole = load_config(path)
    configs = BatchConfigs(path)
    text = configs.text(["b", "衢州"])
    assert text is not None
    batch = write(tmp_path / "elsewhere" / "batch-1.yaml", text)  # the supervisor's own folder
    config = load_batch_config(path, batch)
    assert [s.name for s in config.sites] == ["b", "衢州"]
    for site in config.sites:
        assert site == whole.site(site.name)
    # paths stay relative to the configuration's folder, not the batch file's
    assert config.database == whole.database == (root / "data" / "govwatch.db").resolve()
    assert [s.sink_name for s in config.sinks] == [s.sink_name for s in whole.sinks]
    assert config.path == whole.path
    assert config.timezone == whole.timezone


def test_a_site_the_file_does_not_hold_leaves_the_process_to_read_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "config.yaml", CONFIG)
    assert BatchConfigs(path).text(["kecheng", "gone"]) is None
