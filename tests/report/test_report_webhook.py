"""The webhook sink against a real HTTP receiver on 127.0.0.1: signed, exactly once, retried."""

from __future__ import annotations

import time

import pytest
from reportkit import changed_paragraphs, config, release, verify

from crawler.report import deliver, deliver_pending
from tests.records import ok as record

SECRET = "s3cr3t-hook-key-学"


def test_a_change_reaches_the_webhook_once_with_a_valid_signature(store, receiver, tmp_path, monkeypatch):
    monkeypatch.setenv("GOVWATCH_HOOK_SECRET", SECRET)
    cfg = config(tmp_path, [{"type": "webhook", "url": receiver.url, "secret_env": "GOVWATCH_HOOK_SECRET"}])
    record(store, release())
    record(store, release(paragraphs=changed_paragraphs()))

    counts = deliver_pending(store, cfg)
    assert list(counts.values()) == [2]
    assert [e["type"] for e in receiver.events()] == ["new", "changed"]
    for headers, body in receiver.received:
        assert verify(SECRET, body, headers.get("X-Govwatch-Signature"))
        assert headers["Content-Type"].startswith("application/json")
    changed = receiver.events()[1]
    assert changed["details"]["diff"] and "示范区" in changed["details"]["diff"]
    assert changed["details"]["publisher"] == "市政府办公室" and changed["details"]["date"] == "2022-09-14"

    assert list(deliver_pending(store, cfg).values()) == [0]  # never twice after success
    assert len(receiver.received) == 2

    # the secret is nowhere in the database; the URL's secret path is not in the sink name either
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("govwatch.db*"))
    assert SECRET.encode() not in raw
    assert b"secret-path-token" not in raw


def test_a_tampered_signature_does_not_verify(store, receiver, tmp_path, monkeypatch):
    monkeypatch.setenv("GOVWATCH_HOOK_SECRET", SECRET)
    cfg = config(tmp_path, [{"type": "webhook", "url": receiver.url, "secret_env": "GOVWATCH_HOOK_SECRET"}])
    record(store, release())
    deliver_pending(store, cfg)
    headers, body = receiver.received[0]
    assert verify(SECRET, body, headers["X-Govwatch-Signature"])
    assert not verify(SECRET, body + b" ", headers["X-Govwatch-Signature"])
    assert not verify("other", body, headers["X-Govwatch-Signature"])


def test_unset_secret_env_sends_unsigned(store, receiver, tmp_path, monkeypatch):
    monkeypatch.delenv("GOVWATCH_UNSET_SECRET", raising=False)
    cfg = config(tmp_path, [{"type": "webhook", "url": receiver.url, "secret_env": "GOVWATCH_UNSET_SECRET"}])
    record(store, release())
    deliver_pending(store, cfg)
    headers, _ = receiver.received[0]
    assert "X-Govwatch-Signature" not in headers


@pytest.mark.slow
def test_receiver_down_keeps_events_pending_until_it_is_back(store, receiver, tmp_path):
    cfg = config(tmp_path, [{"type": "webhook", "url": receiver.url, "retries": 1, "timeout": "2s"}])
    record(store, release())
    record(store, release(paragraphs=changed_paragraphs()))

    # 1. it answers 500: retried once, then left pending (the second event is not even attempted)
    receiver.status = 500
    [result] = deliver(store, cfg)
    assert result.delivered == [] and result.failed == 1 and result.left == 1
    assert receiver.attempts == 2
    assert len(store.pending(result.sink, include_baseline=False)) == 2
    row = store.db["deliveries"].get((1, result.sink))
    assert row["state"] == "failed" and "HTTP 500" in row["last_error"]

    # 2. it is gone: connection refused
    receiver.stop()
    [result] = deliver(store, cfg)
    assert result.delivered == [] and result.failed == 1
    assert "Connect" in (result.error or "")
    assert len(store.pending(result.sink, include_baseline=False)) == 2

    # 3. back (same port), answering 200: both arrive, exactly once
    receiver.status = 200
    receiver.start()
    [result] = deliver(store, cfg)
    assert [e.type for e in result.delivered] == ["new", "changed"]
    assert [e["type"] for e in receiver.events()] == ["new", "changed"]
    assert deliver_pending(store, cfg) == {result.sink: 0}
    assert len(receiver.received) == 2
    assert store.pending(result.sink, include_baseline=True) == []


def test_a_permanent_4xx_fails_only_that_event(store, receiver, tmp_path):
    cfg = config(tmp_path, [{"type": "webhook", "url": receiver.url, "retries": 3}])
    record(store, release())
    receiver.status = 400
    [result] = deliver(store, cfg)
    assert receiver.attempts == 1  # not retried
    assert result.failed == 1 and result.left == 0
    receiver.status = 204
    [result] = deliver(store, cfg)
    assert len(result.delivered) == 1


@pytest.mark.slow
def test_two_webhooks_are_tracked_separately(store, tmp_path):
    from reportkit import Receiver

    a, b = Receiver(), Receiver()
    try:
        cfg = config(tmp_path, [{"type": "webhook", "url": a.url}, {"type": "webhook", "url": b.url}])
        record(store, release())
        counts = deliver_pending(store, cfg)
        assert sorted(counts.values()) == [1, 1] and len(counts) == 2
        assert len(a.received) == len(b.received) == 1
    finally:
        a.stop()
        b.stop()


@pytest.mark.slow
def test_a_timeout_is_a_failure_and_the_retry_carries_the_same_delivery_id(store, receiver, tmp_path):
    cfg = config(tmp_path, [{"type": "webhook", "url": receiver.url, "retries": 0, "timeout": "1s"}])
    [event] = record(store, release())
    receiver.delay = 2.0
    [result] = deliver(store, cfg)
    assert result.failed == 1 and "Timeout" in (result.error or "")
    receiver.delay = 0.0
    [result] = deliver(store, cfg)
    assert [e.id for e in result.delivered] == [event.id]
    time.sleep(1.5)  # let the slow first request finish on the server side
    # the receiver may have processed the timed-out request too (at-least-once): the delivery id
    # header lets it de-duplicate
    assert {h["X-Govwatch-Delivery"] for h, _ in receiver.received} == {str(event.id)}
    assert deliver_pending(store, cfg) == {result.sink: 0}
