"""The README's screenshots (docs/*.png), taken in headless Chromium at 1280 and 390 px from the
archive ``govwatch demo`` leaves (four days of two sites: new, changed, removed, restored, tampered,
failing):

    make screenshots        # .venv/bin/python -m tests.browse.screenshots [--out docs]
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from tests.browse.browsekit import serve
from tests.chromium import CHROMIUM, LAUNCH_ARGS
from tests.helpers import REPO


def _one(db: Path, sql: str) -> str | None:
    with sqlite3.connect(db) as conn:
        row = conn.execute(sql).fetchone()
    return str(row[0]) if row else None


def demo_archive(tmp: Path) -> Path:
    db = tmp / "demo.db"
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "demo", "--db", str(db)], capture_output=True, text=True, cwd=tmp
    )
    if proc.returncode != 0:
        raise SystemExit(f"govwatch demo failed: {proc.stderr[-2000:]}")
    return db


def take(db: Path, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    changed = _one(db, "select key from events where type = 'changed' order by id desc limit 1")
    tampered = _one(db, "select key from events where type = 'tampered' order by id limit 1")
    name = db.stem
    written: list[Path] = []
    with serve("--db", str(db), db_name=name, cwd=db.parent) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)

        def shot(file: str, path: str, width: int = 1280, height: int = 900, full: bool = False) -> None:
            context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
            page = context.new_page()
            page.goto(server.url + path)
            page.wait_for_load_state("load")
            target = out / file
            page.screenshot(path=str(target), full_page=full)
            written.append(target)
            context.close()

        shot("home.png", "/", height=1500)
        shot("search.png", f"/{name}/search?q={quote('衢州')}")
        if changed:
            shot("release.png", f"/-/govwatch/release?key={quote(changed, safe='')}")
            shot("diff.png", f"/-/govwatch/diff?key={quote(changed, safe='')}")
            shot("phone.png", f"/-/govwatch/diff?key={quote(changed, safe='')}", width=390, height=844)
        if tampered:
            shot("tampered.png", f"/-/govwatch/release?key={quote(tampered, safe='')}")
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="govwatch-shots-") as tmp:
        for path in take(demo_archive(Path(tmp)), args.out):
            print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)


if __name__ == "__main__":
    main()
