from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _clock(fixed_clock):
    """Every store test runs at the same moment (tests/conftest.py)."""
