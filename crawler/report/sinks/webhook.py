"""``webhook {url, secret_env: null, timeout: 10s, retries: 5}``: one JSON POST per event.

Body: ``{"source": "govwatch", "event": {...}}`` (UTF-8, compact). Headers: ``X-Govwatch-Event`` (the
type), ``X-Govwatch-Delivery`` (the event id, for receivers that want to de-duplicate) and, when
``secret_env`` names a set environment variable, ``X-Govwatch-Signature: sha256=<hex>`` — the
HMAC-SHA256 of the exact body bytes under that secret. The secret is read at send time and never
stored, logged or put into error messages.

A 2xx answer is success. Connection errors, timeouts, 408, 429 and 5xx are retried ``retries`` times
with exponential backoff (1s, 2s, 4s… capped at 30s; a ``Retry-After`` of up to 30s is honoured);
when they run out the sink raises ``SinkUnavailable`` and the deliverer stops for this run. Any
other status fails that one event (``SinkError``); both leave the event pending.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from crawler import __version__
from crawler.model import Event
from crawler.options import Count, Duration, SecretUrl, SinkOptions, Text
from crawler.report.jsonout import event_json
from crawler.report.sinks.base import Sink, SinkError, SinkUnavailable, register

if TYPE_CHECKING:
    import httpx

RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
BACKOFF_BASE = 1.0
BACKOFF_MAX = 30.0


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def display_url(url: str) -> str:
    """Scheme, host and port only: a webhook URL's path or query often is a secret (Slack, Feishu…)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # never raised for a URL the configuration accepted
        return "(an unreadable URL)"
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}{port}/…"


def body_of(event: Event) -> bytes:
    payload = {"source": "govwatch", "event": event_json(event)}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class WebhookOptions(SinkOptions):
    url: SecretUrl  # where each event is POSTed (scheme, host, port checked; errors never show it whole)
    secret_env: Text | None = None  # an environment variable holding the signing secret
    timeout: Duration = timedelta(seconds=10)  # per request
    retries: Count = 5  # retries of a failed request, with backoff

    def default_name(self) -> str:
        digest = hashlib.sha256(self.url.encode("utf-8")).hexdigest()[:12]
        return f"webhook:{display_url(self.url)}#{digest}"


@register("webhook")
class WebhookSink(Sink):
    batch = False
    options_model = WebhookOptions

    def __init__(self, options: SinkOptions | Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        assert isinstance(self.options, WebhookOptions)
        self.url = self.options.url
        self.secret_env = self.options.secret_env
        self.timeout = self.options.timeout.total_seconds()
        self.retries = self.options.retries
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            import httpx  # only a delivery needs it: reading the configuration does not

            self._client = httpx.Client(
                timeout=self.timeout,
                follow_redirects=False,
                headers={"User-Agent": f"govwatch/{__version__} (webhook)"},
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def headers(self, event: Event, body: bytes) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Govwatch-Event": event.type,
            "X-Govwatch-Delivery": str(event.id),
        }
        secret = os.environ.get(self.secret_env) if self.secret_env else None
        if secret:
            headers["X-Govwatch-Signature"] = signature(secret, body)
        return headers

    def _redact(self, text: str) -> str:
        return text.replace(self.url, display_url(self.url))

    def send(self, event: Event) -> None:
        import httpx

        body = body_of(event)
        headers = self.headers(event, body)
        last = "no attempt"
        for attempt in range(self.retries + 1):
            wait = min(BACKOFF_MAX, BACKOFF_BASE * 2**attempt)
            try:
                response = self.client.post(self.url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                last = self._redact(f"{type(exc).__name__}: {exc}")
            else:
                if 200 <= response.status_code < 300:
                    return
                last = f"HTTP {response.status_code}"
                if response.status_code not in RETRY_STATUS:
                    raise SinkError(f"{self.name}: {last} (not retried)")
                after = response.headers.get("Retry-After", "")
                if after.isdigit():
                    wait = min(BACKOFF_MAX, float(after))
            if attempt < self.retries:
                time.sleep(wait)
        raise SinkUnavailable(f"{self.name}: {last} after {self.retries + 1} attempt(s)")
