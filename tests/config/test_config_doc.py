"""docs/CONFIG.md is the one reference of every config key: checked against the schema the code
validates with (keys and defaults), and the JSON Schema accepts the repository's commented config."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from crawler.config import ConfigError, config_from_dict, json_schema, load_config
from crawler.config.kinds import keys

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "CONFIG.md"
ROW = re.compile(r"^\| `([^`]+)` \| (.+?) \| .+ \|$", re.MULTILINE)
#: keys whose default is computed, and written in words
WORDED = {"sites[].columns[].stale_after": "by kind"}


def documented() -> dict[str, str]:
    rows = ROW.findall(DOC.read_text(encoding="utf-8"))
    paths = [path for path, _ in rows]
    assert len(paths) == len(set(paths)), "a key is documented twice"
    return dict(rows)


def test_every_key_is_documented_and_every_documented_key_exists():
    doc = set(documented())
    code = {k.path for k in keys()}
    assert code - doc == set(), "keys missing from docs/CONFIG.md"
    assert doc - code == set(), "docs/CONFIG.md lists keys the code does not accept"


@pytest.mark.parametrize("key", keys(), ids=lambda k: k.path)
def test_documented_default(key):
    cell = documented()[key.path]
    if key.required:
        assert cell == "required"
    elif key.path in WORDED:
        assert cell == WORDED[key.path]
    elif key.section:
        assert cell in ("—", "`[]`", "`null`", "`[{type: console}]`")
        if cell != "—":
            assert yaml.safe_load(cell.strip("`")) == key.default
    else:
        assert cell.startswith("`") and cell.endswith("`"), cell
        assert yaml.safe_load(cell.strip("`")) == key.default


def test_the_json_schema_accepts_the_commented_config_and_rejects_unknown_keys():
    schema = json_schema()
    data = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    data["sites"][0]["revisit"] = "always"
    data["sites"][0]["columns"][0]["stale_after"] = "never"
    data["sinks"] = [{"type": "jsonl", "path": "e.jsonl", "name": "events"}, {"type": "console"}]
    jsonschema.validate(data, schema)
    data["sites"][0]["max_duraton"] = "30m"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
    for seed in sorted((REPO / "seeds").glob("*.yaml")):  # an included file is one site
        site = yaml.safe_load(seed.read_text(encoding="utf-8"))
        jsonschema.validate(site, {"$defs": schema["$defs"], "$ref": "#/$defs/SiteConfig"})


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(
        "daemon:\n"
        "  max_paralel: 4\n"  # 2: a misspelt key
        "sites:\n"
        "  - name: quzhou\n"
        "    base_url: https://www.qz.gov.cn\n"
        "    profile: hanweb\n"
        "    columns:\n"
        "      - {name: a, url: 'https://www.qz.gov.cn/a/', kind: newz}\n"  # 8: a wrong value
        "    politeness: {download_delay: fast}\n",  # 9: a wrong type
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    lines = str(err.value).splitlines()
    assert [(i.line, i.key) for i in err.value.issues] == [
        (2, "daemon.max_paralel"),
        (8, "sites[0].columns[0].kind"),
        (9, "sites[0].politeness.download_delay"),
    ]
    assert len(lines) == 3 and all(line.startswith(f"{path}:") for line in lines)
    assert err.value.issues[0].choices == ("max_parallel", "run_timeout", "misfire_grace", "jitter")
    assert err.value.issues[1].choices == ("news", "notice", "policy", "other")


def test_a_sink_name_defaults_to_the_derived_one_and_names_are_unique(tmp_path):
    config = config_from_dict(
        {"sinks": [{"type": "jsonl", "path": "a.jsonl"}, {"type": "jsonl", "path": "b.jsonl", "name": "b"}]},
        base_dir=tmp_path,
    )
    assert [s.sink_name for s in config.sinks] == ["jsonl:a.jsonl", "b"]
    with pytest.raises(ConfigError, match=r"sinks\[1\]: sink name 'console' is used by sinks\[0\] too"):
        config_from_dict({"sinks": [{"type": "console"}, {"type": "console"}]}, base_dir=tmp_path)
