"""The outbox: pending per sink, atomic claims across processes, delivered never again."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from crawler.store import Store
from tests.records import ok, release


def test_pending_claim_delivered_failed(store):
    ok(store, release(), baseline=True)
    ok(store, release(title="改"))
    assert [e.type for e in store.pending("console", include_baseline=False)] == ["changed"]
    events = store.pending("console", include_baseline=True)
    assert [e.type for e in events] == ["new", "changed"]
    new, changed = events
    assert store.claim(new.id, "console")
    assert not store.claim(new.id, "console")
    assert [e.id for e in store.pending("console", include_baseline=True)] == [changed.id]
    store.delivered(new.id, "console")
    assert not store.claim(new.id, "console")  # never twice after success
    assert store.claim(changed.id, "console")
    store.failed(changed.id, "console", "HTTP 500")
    row = store.db["deliveries"].get((changed.id, "console"))
    assert row["state"] == "failed" and row["last_error"] == "HTTP 500"
    assert [e.id for e in store.pending("console", include_baseline=True)] == [changed.id]
    assert store.claim(changed.id, "console")  # a failed delivery is retried
    assert store.db["deliveries"].get((changed.id, "console"))["attempts"] == 2
    # another sink has its own state
    assert [e.type for e in store.pending("jsonl", include_baseline=True)] == ["new", "changed"]


def test_two_stores_on_one_file_only_one_claim_wins(tmp_path):
    path = tmp_path / "g.db"
    a, b = Store(path), Store(path)
    ok(a, release())
    event = a.pending("webhook", include_baseline=True)[0]
    assert [a.claim(event.id, "webhook"), b.claim(event.id, "webhook")] == [True, False]
    a.close()
    b.close()


def test_claim_of_a_process_that_died_is_taken_over_at_once(tmp_path):
    path = tmp_path / "g.db"
    with Store(path) as store:
        ok(store, release())
    claimer = subprocess.run(
        [sys.executable, "-c", CLAIM_AND_DIE, str(path)], capture_output=True, text=True, timeout=60
    )
    assert claimer.returncode == 0, claimer.stderr
    with Store(path) as store:
        (event,) = store.pending("webhook", include_baseline=True)  # its claimer is gone
        assert store.claim(event.id, "webhook")
        assert store.pending("webhook", include_baseline=True) == []  # now held by a live process


CLAIM_AND_DIE = """
import sys
from crawler.store import Store
store = Store(sys.argv[1])
event = store.pending("webhook", include_baseline=True)[0]
assert store.claim(event.id, "webhook")
"""


def test_stale_claim_of_a_dead_process_can_be_claimed_again(store, monkeypatch):
    ok(store, release())
    event = store.pending("console", include_baseline=True)[0]
    assert store.claim(event.id, "console")
    assert store.pending("console", include_baseline=True) == []
    monkeypatch.setenv("GOVWATCH_NOW", "2026-11-28T10:00:00+08:00")
    assert [e.id for e in store.pending("console", include_baseline=True)] == [event.id]
    assert store.claim(event.id, "console")


RACER = textwrap.dedent(
    """
    import sys
    from crawler.store import Store
    store = Store(sys.argv[1])
    won = []
    for e in store.pending("webhook", include_baseline=True):
        if store.claim(e.id, "webhook"):
            won.append(e.id)
            store.delivered(e.id, "webhook")  # the real flow: a claim ends delivered (or failed)
    print(",".join(map(str, won)))
    """
)


@pytest.mark.slow
def test_racing_processes_claim_each_event_exactly_once(tmp_path):
    path = tmp_path / "race.db"
    with Store(path) as store:
        for i in range(40):
            ok(store, release(index_no=f"idx-{i}", url=f"http://x.gov.cn/{i}.html"))
        ids = {e.id for e in store.pending("webhook", include_baseline=True)}
    procs = [
        subprocess.Popen([sys.executable, "-c", RACER, str(path)], stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    won = []
    for proc in procs:
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0
        won += [int(x) for x in out.strip().split(",") if x]
    assert sorted(won) == sorted(ids)  # every event claimed, none twice
