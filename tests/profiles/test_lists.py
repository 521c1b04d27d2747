"""Every keyed column page (tests/profiles/fixtures/*.expected.json, and ../shared's when keyed) is
read exactly: every list item in order, no link from outside the list, the next request, the dates;
and the eval's list section holds its floors."""

from __future__ import annotations

import json

import pytest

from bench import eval_lists

KEYED = eval_lists.collect()
BY_NAME = {k.name: k for k in KEYED}


def test_the_project_keys_every_list_form() -> None:
    own = [k.name for k in KEYED if k.source == "own"]
    assert len(own) >= 13
    forms = {
        "trs-ul-furnished.html",  # ul/li beside a marquee, a sidebar, a guide link, footer links
        "trs-ul-furnished-last.html",  # the last page: 3 items against 19 furniture links
        "trs-table-furnished.html",  # nested tables, countPage, <marquee>
        "trs-divrows-furnished.html",  # div rows, six-argument createPageHTML, a hot box before the list
        "trs-fujian-pagechnlinfo.html",  # Fujian pageChnlInfo, .htm, dates inside the link
        "hanweb-initdata-furnished.html",  # InitData JS array, nested ajaxParam
        "hanweb-get-furnished.html",  # two <datastore> units, GET template
        "hanweb-get-page2-totalpage.xml",  # <totalpage> and no <nextgroup>
    }
    assert forms <= set(own)


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_keyed_page_is_read_exactly(name: str) -> None:
    page, key, problem = eval_lists.read(BY_NAME[name], BY_NAME)
    assert problem is None, problem
    assert page.ok
    want = [(i["url"], i.get("date"), i.get("title")) for i in key["items"]]
    got = [(i.url, i.date, i.title) for i in page.items]
    foreign = [u for u, _, _ in got if u not in {w[0] for w in want}]
    assert foreign == [], f"links from outside the list: {foreign}"
    assert [g[0] for g in got] == [w[0] for w in want]  # every item, in order
    assert [g[1] for g in got] == [w[1] for w in want]  # the dates the list prints
    assert [g[2] for g in got] == [w[2] for w in want]
    if key["next"] is None:
        assert page.next is None
    else:
        assert page.next is not None
        assert (page.next.url, page.next.method) == (key["next"]["url"], key["next"]["method"])
        if "formdata" in key["next"]:
            assert page.next.formdata == key["next"]["formdata"]
    if "total_pages" in key:
        assert page.total_pages == key["total_pages"]


def test_eval_section_holds_its_floors() -> None:
    result = eval_lists.evaluate()
    assert eval_lists.below_floors(result) == []
    own = result["totals"]["own"]
    assert own["items_exact"] == own["pages"] and own["foreign"] == 0  # all exact, as the issue asks
    text = eval_lists.markdown(result)
    assert "| trs-ul-furnished.html | trs | yes | 20 / 20 | 0 | yes | yes | 20/20 | 20/20 |" in text


def test_floors_catch_a_regression() -> None:
    result = eval_lists.evaluate()
    exact = result["totals"]["own"]["items_exact"]
    floors = {"_about": "x", "own": {"items_exact": exact, "foreign": 0}, "shared": {"pages": 0}}
    assert eval_lists.below_floors(result, floors) == []
    worse = json.loads(json.dumps(result))
    worse["totals"]["own"]["items_exact"] -= 1
    worse["totals"]["own"]["foreign"] += 3
    assert eval_lists.below_floors(worse, floors) == [
        f"own.items_exact: {exact - 1} < {exact}",
        "own.foreign: 3 > 0",
    ]


def test_standalone_run_writes_the_section(tmp_path) -> None:
    target = tmp_path / "EVAL.md"
    target.write_text("# Evaluation\n\n## Fields\n\nkept\n", encoding="utf-8")
    eval_lists.write("body one", target)
    eval_lists.write("body two", target)
    text = target.read_text(encoding="utf-8")
    assert text.count("## Lists") == 1 and "body two" in text and "body one" not in text
    assert "## Fields\n\nkept" in text
