"""`add-site`'s edit of config.yaml: the entry goes into the file as text (comments kept), is
validated with the whole file, and a file it cannot edit safely is left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import ConfigError, load_config
from crawler.onboard.cli import TEMPLATE
from crawler.onboard.detect import Detection
from crawler.onboard.entry import CannotEdit, add_to_text, column_kind, site_entry, site_name, validate
from crawler.profiles import ListItem

HANWEB = "http://127.0.0.1:8181/col/col1229037214/index.html"
TRS = "http://127.0.0.1:8182/tzgg/index.html"


def found(url: str, profile: str, column: str = "发布实录", generic: dict | None = None) -> Detection:
    return Detection(
        url=url,
        profile=profile,
        items=[ListItem(url=url.rsplit("/", 1)[0] + "/a.html", title="标题", date="2026-11-01")],
        column_name=column,
        generic=generic,
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_init_template_is_a_valid_config_with_no_sites(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, TEMPLATE))
    assert config.sites == () and config.database == tmp_path / "govwatch.db"


def test_two_sites_added_to_the_template_keep_its_comments_and_load(tmp_path: Path) -> None:
    text, done, name = add_to_text(
        TEMPLATE, found(HANWEB, "hanweb"), name="quzhou", private=True, column_name=None
    )
    assert done == "added site 'quzhou'" and name == "quzhou"
    text, _, _ = add_to_text(
        text, found(TRS, "trs", "通知公告"), name="kecheng", private=True, column_name=None
    )
    for line in TEMPLATE.splitlines():
        if line.startswith("#") or "# " in line:
            assert line in text  # every comment kept, in place
    path = write(tmp_path, text)
    validate(text, path)
    config = load_config(path)
    assert [(s.name, s.profile) for s in config.sites] == [("quzhou", "hanweb"), ("kecheng", "trs")]
    quzhou = config.site("quzhou")
    assert quzhou.base_url == "http://127.0.0.1:8181"
    assert [(c.name, c.url, c.kind) for c in quzhou.columns] == [("发布实录", HANWEB, "news")]
    assert config.site("kecheng").columns[0].kind == "notice"
    assert quzhou.link_check.allow_private is True


def test_a_column_of_a_site_already_there_joins_that_site(tmp_path: Path) -> None:
    text, _, _ = add_to_text(
        TEMPLATE, found(HANWEB, "hanweb"), name="quzhou", private=False, column_name=None
    )
    other = "http://127.0.0.1:8181/col/col1229037215/index.html"
    text, done, name = add_to_text(
        text, found(other, "hanweb", "通知公告"), name="ignored", private=False, column_name=None
    )
    assert done == "added a column to site 'quzhou'" and name == "quzhou"
    config = load_config(write(tmp_path, text))
    assert [c.url for c in config.site("quzhou").columns] == [other, HANWEB]
    with pytest.raises(CannotEdit, match="already watches"):
        add_to_text(text, found(other, "hanweb"), name="x", private=False, column_name=None)
    with pytest.raises(CannotEdit, match="profile 'hanweb'"):
        add_to_text(
            text,
            found("http://127.0.0.1:8181/trs/index.html", "trs"),
            name="x",
            private=False,
            column_name=None,
        )


def test_a_site_is_appended_to_a_block_list_before_the_keys_after_it(tmp_path: Path) -> None:
    text = (
        "sites:\n"
        "  - name: a\n"
        "    base_url: https://a.gov.cn\n"
        "    profile: trs\n"
        "    columns:\n"
        "      - {name: 通知, url: 'https://a.gov.cn/tzgg/index.html'}\n"
        "\n"
        "# the sinks\n"
        "sinks: [{type: console}]\n"
    )
    new, _, _ = add_to_text(text, found(HANWEB, "hanweb"), name="quzhou", private=False, column_name="要闻")
    config = load_config(write(tmp_path, new))
    assert [s.name for s in config.sites] == ["a", "quzhou"]
    assert config.site("quzhou").columns[0].name == "要闻"
    assert new.endswith("# the sinks\nsinks: [{type: console}]\n")


def test_inline_sites_are_not_edited(tmp_path: Path) -> None:
    text = "sites: [{name: a, base_url: 'https://a.gov.cn', profile: trs, columns: [{name: x, url: 'https://a.gov.cn/x/'}]}]\n"
    with pytest.raises(CannotEdit, match="inline"):
        add_to_text(text, found(HANWEB, "hanweb"), name="quzhou", private=False, column_name=None)


def test_an_entry_that_would_make_the_file_invalid_is_caught_before_writing(tmp_path: Path) -> None:
    text, _, _ = add_to_text(
        TEMPLATE, found(HANWEB, "hanweb"), name="quzhou", private=False, column_name=None
    )
    again, _, _ = add_to_text(text, found(TRS, "trs"), name="quzhou", private=False, column_name=None)
    with pytest.raises(ConfigError, match="site name 'quzhou' is used twice"):
        validate(again, tmp_path / "config.yaml")


def test_generic_entries_carry_their_selectors() -> None:
    entry = site_entry(
        found(HANWEB, "generic", generic={"item_links": "ul.list > li a", "next_page": "a.next"}),
        name="x",
        private=False,
    )
    assert entry["generic"] == {"item_links": "ul.list > li a", "next_page": "a.next"}
    assert "link_check" not in entry


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("通知公告", "notice"),
        ("政策文件", "policy"),
        ("发布实录", "news"),
        ("工作动态", "news"),
        ("机构概况", "other"),
    ],
)
def test_column_kind_from_its_name(name: str, kind: str) -> None:
    assert column_kind(name) == kind


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://www.qz.gov.cn/col/col1/index.html", "qz"),
        ("http://www.hangzhou.gov.cn/x/", "hangzhou"),
        ("http://127.0.0.1:8181/col/col1/index.html", "127-0-0-1-8181"),
    ],
)
def test_site_name_from_the_host(url: str, name: str) -> None:
    assert site_name(url) == name
