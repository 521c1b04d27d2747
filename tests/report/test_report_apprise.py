"""The apprise sink against real receivers on 127.0.0.1: apprise's ``json://`` POSTing to an HTTP
server, ``mailto://`` to an SMTP server (aiosmtpd). Every event once, in order, within the size
limit; a digest split into parts sent part by part, a failed part retried alone; filters; a new sink
starts with the next event; secrets never shown or stored."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from alertkit import SmtpReceiver, index_no, json_url, many, message_bytes, messages
from reportkit import changed_paragraphs, config, release

from crawler.report import deliver, deliver_pending
from crawler.store import Store
from tests.records import INDEX_NO
from tests.records import ok as record

TOKEN = "s3cr3t-bot-token-4f9a"


def apprise_sink(url: str, **options: object) -> dict[str, object]:
    return {"type": "apprise", "name": "newsroom", "urls": [url], **options}


def carried(bodies: list[str], count: int, start: int = 0) -> Counter[str]:
    """How often each of the releases ``start`` … ``start + count - 1`` is mentioned (its 索引号)."""
    found: Counter[str] = Counter()
    for body in bodies:
        for n in range(start, start + count):
            found[index_no(n)] += body.count(index_no(n))
    return found


def test_per_event_messages_arrive_once_each_in_order(store: Store, tmp_path: Path, receiver) -> None:
    ids = many(store, 6)
    cfg = config(tmp_path, [apprise_sink(json_url(receiver), digest="per_event", format="text")])
    [result] = deliver(store, cfg)
    assert result.ok and len(result.delivered) == len(ids) == 7  # 6 new, 1 tampered
    got = messages(receiver)
    assert len(got) == 7
    # in the order the events happened; each names its type and release
    events = store.events_with_ids(ids)
    for message, event in zip(got, events, strict=True):
        assert f"[{'篡改' if event.type == 'tampered' else '新发布'} {event.type}]" in message["title"]
        assert event.index_no and event.index_no in message["message"]
        assert message_bytes(message) <= 32768
    assert [m["type"] for m in got].count("failure") == 1  # the tampered event: apprise's failure type
    assert deliver_pending(store, cfg) == {"newsroom": 0}  # nothing twice
    assert len(receiver.received) == 7


@pytest.mark.slow
def test_a_refusal_then_success_is_delivered_once(store: Store, tmp_path: Path, receiver) -> None:
    many(store, 1)
    receiver.script = [500]  # the first POST is refused, the retry (after 1 s) accepted
    cfg = config(tmp_path, [apprise_sink(json_url(receiver), retries=2)])
    [result] = deliver(store, cfg)
    assert result.ok and len(result.delivered) == 1
    assert receiver.attempts == 2 and len(receiver.received) == 1
    assert deliver_pending(store, cfg) == {"newsroom": 0}
    assert receiver.attempts == 2


@pytest.mark.slow
def test_300_events_in_a_digest_of_parts_that_fit(store: Store, tmp_path: Path, receiver) -> None:
    many(store, 300)
    cfg = config(tmp_path, [apprise_sink(json_url(receiver), max_message_bytes=4096)])
    [result] = deliver(store, cfg)
    assert result.ok and len(result.delivered) == 330  # 300 new and 30 tampered
    got = messages(receiver)
    assert len(got) > 10
    assert all(message_bytes(m) <= 4096 for m in got)
    # every release once per event of it: tampered ones twice (new and tampered), the others once
    counts = carried([m["message"] for m in got], 300)
    assert all(counts[index_no(n)] == (2 if n % 10 == 3 else 1) for n in range(300))
    # parts numbered in order, tampered first, the counts of the whole digest on every part
    total = len(got)
    assert [m["title"] for m in got] == [
        f"govwatch: 30 tampered, 300 new ({i}/{total})" for i in range(1, total + 1)
    ]
    assert "篡改 tampered" in got[0]["message"] and "新发布 new" in got[-1]["message"]
    assert deliver_pending(store, cfg) == {"newsroom": 0}
    assert len(receiver.received) == total


@pytest.mark.slow
def test_a_part_refused_once_is_accepted_on_retry_within_the_delivery(
    store: Store, tmp_path: Path, receiver
) -> None:
    many(store, 300)
    refused: list[bytes] = []

    def once(body: bytes) -> bool:  # part 3 is refused the first time it arrives
        if b" \\u2014 part 3/" in body and not refused:
            refused.append(body)
            return True
        return False

    receiver.refuse = once
    cfg = config(tmp_path, [apprise_sink(json_url(receiver), max_message_bytes=4096, retries=1)])
    [result] = deliver(store, cfg)
    assert result.ok and len(result.delivered) == 330 and len(refused) == 1
    got = messages(receiver)
    assert receiver.attempts == len(got) + 1  # one retry, nothing else sent twice
    numbers = [int(re.search(r"\((\d+)/(\d+)\)$", m["title"]).group(1)) for m in got]  # type: ignore[union-attr]
    assert numbers == list(range(1, len(got) + 1))
    assert all(message_bytes(m) <= 4096 for m in got)
    counts = carried([m["message"] for m in got], 300)
    assert all(counts[index_no(n)] == (2 if n % 10 == 3 else 1) for n in range(300))


@pytest.mark.slow
def test_a_failed_part_is_retried_alone_and_delivered_parts_never_again(
    store: Store, tmp_path: Path, receiver
) -> None:
    many(store, 300)
    receiver.refuse = lambda body: b" \\u2014 part 3/" in body or " — part 3/".encode() in body
    cfg = config(tmp_path, [apprise_sink(json_url(receiver), max_message_bytes=4096, retries=0)])
    [first] = deliver(store, cfg)
    assert not first.ok
    # parts 1 and 2 sent; part 3 refused; the parts after it wait for it, in order
    assert [m["title"].rsplit(" ", 1)[1][:3] for m in messages(receiver)] == ["(1/", "(2/"]
    [part3] = [p for p in store.open_parts("newsroom") if p.part == 3]
    assert part3.state == "failed" and part3.attempts == 1

    receiver.refuse = None  # the service is back: the next delivery sends part 3, then the rest
    [second] = deliver(store, cfg)
    assert second.ok
    got = messages(receiver)
    total = len(got)
    numbers = [int(re.search(r"\((\d+)/(\d+)\)$", m["title"]).group(1)) for m in got]  # type: ignore[union-attr]
    assert numbers == list(range(1, total + 1))  # 1, 2 once each, then 3 … in order
    assert all(message_bytes(m) <= 4096 for m in got)
    counts = carried([m["message"] for m in got], 300)
    assert all(counts[index_no(n)] == (2 if n % 10 == 3 else 1) for n in range(300))
    assert store.open_parts("newsroom") == []
    assert store.pending("newsroom", include_baseline=True) == []


def test_filters_per_sink(store: Store, tmp_path: Path, receiver) -> None:
    many(store, 10)  # 10 new, 1 tampered, all of site quzhou
    sinks = [
        apprise_sink(json_url(receiver, "a"), name="webmaster", events=["tampered", "fetch_failed"]),
        apprise_sink(json_url(receiver, "b"), name="critical", min_severity="critical", digest="per_event"),
        apprise_sink(json_url(receiver, "c"), name="newsroom", digest="per_event"),
    ]
    cfg = config(tmp_path, sinks)
    results = {r.sink: r for r in deliver(store, cfg)}
    assert [e.type for e in results["webmaster"].delivered] == ["tampered"]
    assert results["webmaster"].filtered == 10
    assert [e.type for e in results["critical"].delivered] == ["tampered"]
    assert len(results["newsroom"].delivered) == 11
    for name in ("webmaster", "critical", "newsroom"):  # settled, not left pending
        assert store.pending(name, include_baseline=True) == []
    assert deliver_pending(store, cfg) == {"webmaster": 0, "critical": 0, "newsroom": 0}
    assert len(receiver.received) == 1 + 1 + 11


def test_sites_filter_names_a_site_of_the_configuration(tmp_path: Path) -> None:
    from crawler.config import ConfigError, config_from_dict

    site = {
        "name": "quzhou",
        "base_url": "https://www.qz.gov.cn",
        "profile": "hanweb",
        "columns": [{"name": "发布实录", "url": "https://www.qz.gov.cn/col/col1/index.html"}],
    }
    for sink, expected in (
        (
            {"sites": ["quzou"]},
            "sinks[0].sites[0]: 'quzou' is not a site of this configuration (sites: quzhou)",
        ),
        ({"events": ["tamperd"]}, "sinks[0].events[0]: 'tamperd' is not an event type"),
        ({"min_severity": "warn"}, "sinks[0].min_severity:"),
    ):
        with pytest.raises(ConfigError) as caught:
            config_from_dict({"sinks": [{"type": "jsonl", "path": "e.jsonl", **sink}], "sites": [site]})
        assert expected in str(caught.value)
        assert "did you mean" in str(caught.value)


@pytest.mark.slow
def test_a_sink_added_to_an_archive_sends_nothing_until_the_next_event(
    store: Store, tmp_path: Path, receiver
) -> None:
    jsonl = {"type": "jsonl", "path": "events.jsonl"}
    many(store, 300)  # an archive of 330 events, delivered to the sink it had
    assert deliver_pending(store, config(tmp_path, [jsonl])) == {"jsonl:events.jsonl": 330}

    cfg = config(tmp_path, [jsonl, apprise_sink(json_url(receiver), digest="per_event")])
    assert deliver_pending(store, cfg) == {"jsonl:events.jsonl": 0, "newsroom": 0}
    assert receiver.attempts == 0
    [event] = record(
        store,
        release(
            index_no=index_no(5),
            url="http://www.qz.gov.cn/art/2026/11/28/art_5.html",
            title="关于第5号事项的通知——衢州市人民政府办公室",
            paragraphs=changed_paragraphs(),
        ),
    )
    assert deliver_pending(store, cfg) == {"jsonl:events.jsonl": 1, "newsroom": 1}
    [message] = messages(receiver)
    assert event.type == "changed" and index_no(5) in message["message"]


def test_backfill_sends_the_archive_history_to_a_new_sink(store: Store, tmp_path: Path, receiver) -> None:
    jsonl = {"type": "jsonl", "path": "events.jsonl"}
    many(store, 20)
    deliver_pending(store, config(tmp_path, [jsonl]))
    cfg = config(tmp_path, [jsonl, apprise_sink(json_url(receiver), backfill=True)])
    assert deliver_pending(store, cfg) == {"jsonl:events.jsonl": 0, "newsroom": 22}
    assert carried([m["message"] for m in messages(receiver)], 20)[index_no(3)] == 2


@pytest.mark.slow
def test_email_through_smtp_subject_chinese_body_and_links(store: Store, tmp_path: Path) -> None:
    smtp = SmtpReceiver()
    try:
        record(store, release())
        record(store, release(paragraphs=changed_paragraphs()))
        sink = apprise_sink(smtp.url(), public_url="https://govwatch.example.org/")
        [result] = deliver(store, config(tmp_path, [sink]))
        assert result.ok, result.error
        [mail] = smtp.messages()
    finally:
        smtp.stop()
    assert mail["Subject"] == "govwatch: 1 changed, 1 new"
    assert mail["To"] == "newsroom@example.org"
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    plain = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    for text in (html, plain):
        assert "“‘浙’十年·衢州”主题新闻发布会答问实录" in text
        assert "市政府办公室" in text and "2022-09-14" in text
        assert "修改 changed" in text and "新发布 new" in text
    assert INDEX_NO in plain
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert "http://www.qz.gov.cn/art/2022/9/14/art_1229037214_59011309.html" in hrefs
    key = "11330800002618015K%2F2022-134528"
    assert f"https://govwatch.example.org/-/govwatch/diff?key={key}&amp;from=1&amp;to=2".replace(
        "&amp;", "&"
    ) in [h.replace("&amp;", "&") for h in hrefs]
    assert f"https://govwatch.example.org/-/govwatch/release?key={key}" in hrefs


def test_secrets_stay_out_of_errors_logs_and_the_database(
    store: Store, tmp_path: Path, receiver, monkeypatch, capfd, caplog
) -> None:
    monkeypatch.setenv("GOVWATCH_ALERT_URLS", json_url(receiver, TOKEN))
    receiver.status = 500
    many(store, 2)
    sink = {"type": "apprise", "urls_env": "GOVWATCH_ALERT_URLS", "retries": 0}
    cfg = config(tmp_path, [sink])
    [result] = deliver(store, cfg)
    assert not result.ok and result.sink == "apprise:env:GOVWATCH_ALERT_URLS"
    assert result.error and "HTTP" not in TOKEN and "error=500" in result.error
    out = capfd.readouterr()
    assert "apprise:env:GOVWATCH_ALERT_URLS" in out.err  # the failure is said, naming the sink
    store.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("govwatch.db*"))
    for shown in (result.error, out.out, out.err, caplog.text, stored.decode("utf-8", "replace")):
        assert TOKEN not in shown
    assert receiver.attempts == 1  # the secret did reach the service itself


def test_an_unset_variable_leaves_events_pending(store: Store, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("GOVWATCH_ALERT_URLS", raising=False)
    many(store, 1)
    cfg = config(tmp_path, [{"type": "apprise", "urls_env": "GOVWATCH_ALERT_URLS"}])
    [result] = deliver(store, cfg)
    assert "environment variable GOVWATCH_ALERT_URLS is not set" in (result.error or "")
    assert len(store.pending(result.sink, include_baseline=True)) == 1


def test_a_destination_that_accepted_is_not_sent_a_part_again(store: Store, tmp_path: Path) -> None:
    from reportkit import Receiver

    first, second = Receiver(), Receiver()
    try:
        many(store, 3)
        second.status = 500
        sink = apprise_sink(json_url(first), urls=[json_url(first), json_url(second, "b")], retries=0)
        cfg = config(tmp_path, [sink])
        [result] = deliver(store, cfg)
        assert not result.ok and len(first.received) == 1 and second.attempts == 1
        [part] = store.open_parts("newsroom")
        assert part.state == "failed" and len(part.sent_to) == 1  # the first destination, as a hash
        assert re.fullmatch(r"[0-9a-f]{12}", part.sent_to[0])
        second.status = 200
        [result] = deliver(store, cfg)
        assert result.ok and len(result.delivered) == 3
        assert len(first.received) == 1 and len(second.received) == 1
        assert messages(first) == messages(second)
    finally:
        first.stop()
        second.stop()


def test_what_is_shown_of_a_url_holds_none_of_its_secrets() -> None:
    from crawler.report.sinks.apprise import redact, shown

    urls = {
        "wecombot://BotKey7788": "BotKey7788",
        "dingtalk://SignSecret42@AccessToken42/": "AccessToken42",
        "mailtos://user:Passw0rd99@smtp.example.org?from=a@example.org&to=b@example.org": "Passw0rd99",
        f"json://hook.example.org/path/{TOKEN}?key=QuerySecret1": TOKEN,
        "tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/42": "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
    }
    for url, secret in urls.items():
        assert secret not in shown(url) and url.split("://")[0] in shown(url)
        said = redact(f"failed: {url} answered for {secret.lower()} / {secret}", [url])
        assert secret.lower() not in said.lower(), said
    assert "QuerySecret1" not in redact("…?key=QuerySecret1", list(urls))
    assert shown("nosuch://Secret") == "nosuch://…"


def test_a_service_that_fails_holds_up_no_other_sink(store: Store, tmp_path: Path, receiver) -> None:
    receiver.status = 503
    many(store, 4)
    sinks = [apprise_sink(json_url(receiver), retries=0), {"type": "jsonl", "path": "events.jsonl"}]
    results = deliver(store, config(tmp_path, sinks))
    assert [r.ok for r in results] == [False, True]
    assert len(results[1].delivered) == 5 and len((tmp_path / "events.jsonl").read_text().splitlines()) == 5
    assert len(store.pending("newsroom", include_baseline=True)) == 0  # queued in its part, not lost
    [part] = store.open_parts("newsroom")
    assert part.state == "failed" and len(part.events) == 5 and "error=503" in (part.last_error or "")
