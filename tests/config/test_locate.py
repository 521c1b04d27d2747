"""One rule for the database and the configuration in every command: --db wins, else --config's
database, else ./config.yaml's, else ./govwatch.db; a missing one is named with what was tried."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from crawler.config import ConfigError
from crawler.config.locate import NotFound, locate, require_config
from crawler.store import Store
from tests.records import ok, release

INDEX_NO = "11330800002618015K/2022-134528"


def config(folder: Path, database: str, sites: list[dict] | None = None, name: str = "config.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump({"database": database, "sites": sites or []}), encoding="utf-8")
    return path


def test_db_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config(tmp_path, "mine.db")
    where = locate("other.db", None)
    assert where.database == Path("other.db") and where.chosen_by == "--db"
    assert where.config is not None  # still read, for commands that need it


def test_then_the_config_given_then_the_one_here_then_govwatch_db(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    given = config(tmp_path / "sub", "given.db", name="given.yaml")
    assert locate(None, None).database == Path("govwatch.db")
    config(tmp_path, "here.db")
    assert locate(None, None).database == tmp_path / "here.db"
    assert locate(None, given).database == tmp_path / "sub" / "given.db"  # relative to its file


def test_missing_names_what_was_tried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NotFound) as err:
        locate(None, None).require_database()
    assert str(err.value).startswith(
        "database not found: govwatch.db (tried --db (not given), --config (not given), "
        "./config.yaml (not there), ./govwatch.db)"
    )
    config(tmp_path, "mine.db")
    with pytest.raises(NotFound) as err:
        locate(None, None).require_database()
    assert (
        "database not found: mine.db (tried --db (not given), --config (not given), ./config.yaml, which names mine.db)"
        in str(err.value)
    )
    with pytest.raises(NotFound, match="configuration file nope.yaml does not exist"):
        locate(None, "nope.yaml")
    Path("config.yaml").unlink()
    with pytest.raises(NotFound, match="no configuration: tried --config"):
        require_config(None)


def test_a_bad_config_is_its_problems_even_when_only_the_database_is_wanted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.yaml").write_text("databse: x.db\n")
    with pytest.raises(ConfigError, match="did you mean `database`"):
        locate(None, None)
    assert locate("x.db", None, load=False).database == Path("x.db")  # --db alone needs no config


def govwatch(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args], capture_output=True, text=True, timeout=120, cwd=cwd
    )


SITE = {
    "name": "quzhou",
    "base_url": "https://www.qz.gov.cn",
    "profile": "hanweb",
    "columns": [
        {"name": "发布实录", "url": "https://www.qz.gov.cn/col/col1229037214/index.html", "kind": "news"}
    ],
}


@pytest.mark.slow
def test_every_command_reads_the_database_config_yaml_names(tmp_path: Path) -> None:
    config(tmp_path, "mine.db", [SITE])
    with Store(tmp_path / "mine.db") as store:
        ok(store, release())
    for args in (
        ["history", INDEX_NO],
        ["diff", INDEX_NO],
        ["releases"],
        ["reparse"],
        ["report"],
        ["health"],
    ):
        proc = govwatch(tmp_path, *args)
        assert proc.returncode == 0, (args, proc.stderr)
    assert not (tmp_path / "govwatch.db").exists()
    (tmp_path / "mine.db").rename(tmp_path / "gone.db")
    for args in (["history", INDEX_NO], ["releases"], ["report"], ["health"], ["serve"]):
        proc = govwatch(tmp_path, *args)
        assert proc.returncode == 2
        assert proc.stderr.startswith("govwatch: error: database not found: mine.db (tried"), (
            args,
            proc.stderr,
        )


@pytest.mark.slow
def test_health_reports_the_sites_of_the_database_it_opened(tmp_path: Path) -> None:
    config(tmp_path, "mine.db", [SITE])  # the config here watches quzhou …
    other = tmp_path / "demo.db"
    with Store(other) as store:  # … the other database holds a run of "demo"
        run = store.start_run("demo")
        ledger = store.ledger("demo", run)
        ledger.record_column(
            "要闻",
            "http://127.0.0.1:1/col/col1/index.html",
            ok=True,
            items=3,
            pages=1,
            error=None,
            complete=True,
        )
        store.finish_run(run, "ok", {})
    proc = govwatch(tmp_path, "health", "--db", str(other), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    cards = json.loads(proc.stdout)["sites"]
    assert [c["site"] for c in cards] == ["demo"]
    assert [c["column"] for c in cards[0]["columns"]] == ["要闻"]
    proc = govwatch(tmp_path, "health", "--db", str(other), "--site", "demo")
    assert proc.returncode == 0, proc.stderr
    proc = govwatch(tmp_path, "health", "--db", str(other), "--site", "dmeo")
    assert proc.returncode == 2 and "did you mean `demo`?" in proc.stderr
