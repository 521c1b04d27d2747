"""The README's first hour, run as written: the demo, its diff, the demo sites kept up, init, add-site
on the Hanweb column and on the TRS column (profiles detected), config check, crawl, daemon --once,
report, health, serve — in a fresh folder, with free ports in place of the README's."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import REPO, env_with, free_port

pytestmark = pytest.mark.slow  # real crawls, servers and subprocesses

README = REPO / "README.md"


def walkthrough() -> list[str]:
    """The commands of the README's "The first hour" block, comments dropped."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## The first hour") :]
    block = section[section.index("```sh\n") + 6 : section.index("\n```", section.index("```sh\n"))]
    return [re.sub(r"\s+#\s.*$", "", line).strip() for line in block.splitlines() if line.strip()]


def test_the_readme_block_is_the_walkthrough_the_issue_asks_for() -> None:
    commands = walkthrough()
    names = [" ".join(c.split()[:2]) for c in commands]
    assert names == [
        "govwatch demo",
        "govwatch diff",
        "govwatch demo",
        "mkdir mysite",
        "govwatch init",
        "govwatch add-site",
        "govwatch add-site",
        "govwatch config",
        "govwatch crawl",
        "govwatch daemon",
        "govwatch report",
        "govwatch health",
        "govwatch serve",
    ]


class Walk:
    def __init__(self, folder: Path) -> None:
        self.cwd = folder
        self.hosts: dict[str, str] = {}  # the README's host:port → the one in use
        self.background: list[subprocess.Popen[str]] = []
        self.outputs: dict[str, subprocess.CompletedProcess[str]] = {}

    def args(self, line: str) -> list[str]:
        for written, real in self.hosts.items():
            line = line.replace(written, real)
        words = shlex.split(line)
        assert words[0] == "govwatch", line
        return [sys.executable, "-m", "crawler", *words[1:]]

    def run(self, line: str) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            self.args(line), capture_output=True, text=True, timeout=400, cwd=self.cwd, env=env_with()
        )
        assert proc.returncode == 0, (line, proc.stdout[-3000:], proc.stderr[-3000:])
        assert "Traceback" not in proc.stdout + proc.stderr, line
        self.outputs[" ".join(line.split()[:2])] = proc
        return proc

    def serve_demo(self, line: str) -> None:
        """``govwatch demo --serve --port 8181 &``: on free ports; the README's ports mapped to them."""
        written = re.search(r"--port (\d+)", line)
        assert written
        proc = subprocess.Popen(
            self.args(line.replace(written.group(0), "--port 0").rstrip("& ")),
            cwd=self.cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env_with(),
        )
        self.background.append(proc)
        notes = ""
        deadline = time.monotonic() + 60
        while "TRS column:" not in notes:
            assert proc.poll() is None and time.monotonic() < deadline, notes
            notes += proc.stderr.readline()
        hanweb = re.search(r"Hanweb column: http://(127\.0\.0\.1:\d+)/", notes)
        trs = re.search(r"TRS column:\s+http://(127\.0\.0\.1:\d+)/", notes)
        assert hanweb and trs
        port = int(written.group(1))
        self.hosts = {f"127.0.0.1:{port}": hanweb.group(1), f"127.0.0.1:{port + 1}": trs.group(1)}

    def serve(self, line: str) -> None:
        """``govwatch serve --port 8001``: on a free port, until it answers."""
        port = free_port()
        line = re.sub(r"--port \d+", f"--port {port}", line)
        proc = subprocess.Popen(
            self.args(line),
            cwd=self.cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env_with(),
        )
        self.background.append(proc)
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/govwatch/releases.json?_shape=array&_size=max", timeout=5
                ) as answer:
                    assert answer.status == 200
                    self.served = answer.read().decode("utf-8")
                    return
            except OSError:
                assert time.monotonic() < deadline, "serve did not answer"
                time.sleep(0.3)

    def stop(self) -> None:
        for proc in self.background:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.mark.timeout(900)
def test_the_first_hour_from_the_readme(tmp_path: Path) -> None:
    walk = Walk(tmp_path)
    try:
        for line in walkthrough():
            if line.startswith("mkdir "):
                folder = line.split()[1]
                assert line == f"mkdir {folder} && cd {folder}"
                walk.cwd = walk.cwd / folder
                walk.cwd.mkdir()
            elif line.startswith("govwatch demo --serve"):
                walk.serve_demo(line)
            elif line.startswith("govwatch serve"):
                walk.serve(line)
            else:
                walk.run(line)
    finally:
        walk.stop()
    out = walk.outputs
    assert "fetch_failed" in out["govwatch demo"].stdout and "restored" in out["govwatch demo"].stdout
    assert "{+" in out["govwatch diff"].stdout and "[-" in out["govwatch diff"].stdout
    config = (walk.cwd / "config.yaml").read_text(encoding="utf-8")
    assert "profile: hanweb" in config and "profile: trs" in config
    assert "name: quzhou" in config and "name: kecheng" in config
    assert "# the archive (SQLite)" in config  # init's comments kept by add-site
    crawl = out["govwatch crawl"].stdout
    # one run each (their crawl processes run at once: which is run 1 is theirs to settle)
    runs = {m[1]: m[2] for m in re.finditer(r"^(quzhou|kecheng)\s+(\d+)\s+ok\s", crawl, re.M)}
    assert sorted(runs) == ["kecheng", "quzhou"] and sorted(runs.values()) == ["1", "2"], crawl
    assert "quzhou" in out["govwatch health"].stdout and "kecheng" in out["govwatch health"].stdout
    assert "baseline" in out["govwatch report"].stdout
    titles = [row["title"] for row in json.loads(walk.served)]
    assert "“‘浙’十年·衢州”主题新闻发布会答问实录" in titles and len(titles) == 39  # 26 + 13 releases
