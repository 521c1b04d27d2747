"""Builders for the apprise sink's tests: many events in a real Store, an SMTP server on 127.0.0.1
(aiosmtpd) that keeps what it receives, and the messages a JSON receiver got."""

from __future__ import annotations

import email
import json
import socket
from email import policy
from email.message import EmailMessage
from typing import Any

from reportkit import Receiver, release

from crawler.model import Flag
from crawler.store import Store
from tests.records import ok as record

SPAM = Flag(rule="spam_lexicon", severity="critical", evidence="日博365备用网址", location="body")


def index_no(n: int) -> str:
    return f"11330800002618015K/2026-{n:06d}"


def many(store: Store, count: int, start: int = 0) -> list[int]:
    """``count`` new releases recorded after a baseline (so their ``new`` events are news); one in
    ten defaced (``tampered`` too). Returns the ids of the events raised."""
    ids = []
    for n in range(start, start + count):
        rel = release(
            index_no=index_no(n),
            url=f"http://www.qz.gov.cn/art/2026/11/28/art_{n}.html",
            title=f"关于第{n}号事项的通知——衢州市人民政府办公室",
        )
        events = record(store, rel, flags=[SPAM] if n % 10 == 3 else [])
        ids += [int(e.id) for e in events]
    return ids


def messages(receiver: Receiver) -> list[dict[str, Any]]:
    """What apprise's ``json://`` POSTed: ``{"title", "message", "type", …}`` each."""
    return [json.loads(body) for _, body in receiver.received]


def json_url(receiver: Receiver, token: str = "secret-path-token") -> str:
    return f"json://127.0.0.1:{receiver.url.split(':')[2].split('/')[0]}/hook/{token}"


def message_bytes(message: dict[str, Any]) -> int:
    return len(message["title"].encode("utf-8")) + 2 + len(message["message"].encode("utf-8"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpReceiver:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 keeping every message it is sent."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received: list[Any] = []
        receiver = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                receiver.received.append(envelope)
                return "250 OK"

        for _ in range(5):  # a free port picked, then bound: another process may take it between
            self.port = free_port()
            self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
            try:
                self.controller.start()
                break
            except OSError:
                continue

    def url(self, to: str = "newsroom@example.org") -> str:
        return f"mailto://127.0.0.1:{self.port}?from=govwatch@example.org&to={to}"

    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(e.content, policy=policy.default) for e in self.received]  # type: ignore[misc]

    def stop(self) -> None:
        self.controller.stop()
