from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _clock(fixed_clock):
    """Every report test runs at the same moment (tests/conftest.py)."""


@pytest.fixture
def receiver():
    from reportkit import Receiver

    r = Receiver()
    yield r
    r.stop()
