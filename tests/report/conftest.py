from __future__ import annotations

import pytest

from crawler.store import Store


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "govwatch.db")
    yield s
    s.close()


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setenv("GOVWATCH_NOW", "2026-11-28T09:00:00+08:00")


@pytest.fixture
def receiver():
    from reportkit import Receiver

    r = Receiver()
    yield r
    r.stop()
