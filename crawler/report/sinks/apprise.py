"""``apprise {urls, urls_env, format, digest, max_message_bytes, public_url, retries}``: alerts where
people already are — WeCom (``wecombot://``), DingTalk (``dingtalk://``), Feishu (``feishu://``),
e-mail (``mailto://``), Telegram, ntfy, Slack, a JSON endpoint and the other services of
`apprise <https://github.com/caronc/apprise>`_.

``digest: per_run`` (the default) sends one digest per delivery (``crawler.report.chat``), split into
parts that fit the service's size; ``per_event`` one message per event. Either way the messages are
stored as parts (``crawler.store.parts``) and sent in order, each part to each destination once
after success: a part a service refused is retried alone, later; parts and destinations that
accepted are never sent again.

The size limit is ``max_message_bytes``, else the smallest ``body_maxlen`` apprise declares for the
sink's services (WeCom bot 2,048 — apprise sends its text messages; Telegram 4,096; DingTalk and
Feishu 19,985; e-mail and JSON 32,768), counted in UTF-8 bytes.

URLs carry tokens and passwords: they are read from the config or from the environment variable
``urls_env`` (several URLs separated by white space) at send time, and never logged, stored or shown —
errors name the sink by its name, and show a URL only as apprise's privacy form (secrets masked) or
its scheme. Apprise's own log is kept out of govwatch's (it may print URLs) and read for the reason
of a failure, secrets removed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from pydantic import AfterValidator, Field, Strict, model_validator

from crawler import __version__
from crawler.model import Event
from crawler.options import Count, HttpUrl, SinkOptions, problem
from crawler.report import chat
from crawler.report.sinks.base import Sink, SinkError, register
from crawler.store import Part

# apprise logs through the "apprise" logger, URLs included: never into govwatch's log or the
# terminal (a NullHandler keeps Python's last-resort handler from printing its warnings)
_APPRISE_LOG = logging.getLogger("apprise")
_APPRISE_LOG.propagate = False
_APPRISE_LOG.addHandler(logging.NullHandler())

BACKOFF_BASE = 1.0
BACKOFF_MAX = 30.0
MIN_MESSAGE_BYTES = 512
DEFAULT_MESSAGE_BYTES = 32768
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LEVELS = {"critical": "failure", "warning": "warning", "info": "info"}


def _scheme(url: str) -> str:
    scheme = url.partition("://")[0] if "://" in url else ""
    return scheme if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{0,31}", scheme) else "?"


def instantiate(url: str) -> Any:
    """The apprise service of ``url``, or None when apprise does not understand it (no sending)."""
    import apprise

    try:
        return apprise.Apprise.instantiate(url)
    except Exception:  # a plugin raising on a malformed URL: not understood
        return None


def shown(url: str) -> str:
    """``url`` as messages may show it: the scheme and host of apprise's privacy form (a bot key in
    the host place masked; no path, query or password), or only its scheme when apprise cannot
    read it."""
    service = instantiate(url)
    if service is not None:
        try:
            private = str(service.url(privacy=True))
        except Exception:
            private = ""
        scheme, sep, rest = private.partition("://")
        host = re.split(r"[/?#]", rest, maxsplit=1)[0].rpartition("@")[2]
        if sep and host:
            return f"{scheme}://{host}/…"
    return f"{_scheme(url)}://…"


def _apprise_url(value: str) -> str:
    if instantiate(value) is None:
        raise problem(f"'{_scheme(value)}://…' is not a URL apprise understands (see its list of services)")
    return value


def split_urls(value: str) -> list[str]:
    """The URLs of an environment variable: separated by white space."""
    return value.split()


def _env_name(value: str) -> str:
    if not _ENV_NAME.fullmatch(value):
        raise problem(f"{value!r} is not the name of an environment variable (letters, digits, _)")
    return value


#: an apprise URL (checked by apprise without sending; shown only as its scheme in errors)
AppriseUrl = Annotated[str, Strict(), AfterValidator(_apprise_url)]
EnvName = Annotated[str, Strict(), AfterValidator(_env_name)]


def target_id(url: str) -> str:
    """A destination's identity in the outbox (``sent_to``): a hash, never the URL."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]


def default_limit(urls: list[str]) -> int:
    """The smallest ``body_maxlen`` apprise declares for these services (characters; used as bytes,
    which is never more), else 32,768."""
    limits = []
    for url in urls:
        service = instantiate(url)
        maxlen = int(getattr(service, "body_maxlen", None) or 0)
        if maxlen:
            limits.append(maxlen)
    return max(MIN_MESSAGE_BYTES, min(limits, default=DEFAULT_MESSAGE_BYTES))


class AppriseOptions(SinkOptions):
    urls: tuple[AppriseUrl, ...] = ()  # apprise URLs (secrets inside: prefer urls_env)
    urls_env: EnvName | None = None  # an environment variable holding the URLs, separated by spaces
    format: Literal["markdown", "text"] = "markdown"  # how messages are written
    digest: Literal["per_run", "per_event"] = "per_run"  # one digest per delivery, or a message per event
    max_message_bytes: Annotated[int, Strict(), Field(ge=MIN_MESSAGE_BYTES)] | None = None
    public_url: HttpUrl | None = None  # where `govwatch serve` is reachable: links to the archive
    retries: Count = 3  # retries of a refused message within one delivery, with backoff

    @model_validator(mode="after")
    def _some_urls(self) -> AppriseOptions:
        if not self.urls and not self.urls_env:
            raise problem("give `urls` or `urls_env` (an environment variable holding them)", "urls")
        if self.urls_env and os.environ.get(self.urls_env, "").strip():
            for i, url in enumerate(split_urls(os.environ[self.urls_env]), 1):
                if instantiate(url) is None:
                    raise problem(
                        f"URL {i} of ${self.urls_env} ('{_scheme(url)}://…') is not a URL apprise understands",
                        "urls_env",
                    )
        return self

    def default_name(self) -> str:
        if self.urls_env and not self.urls:
            return f"apprise:env:{self.urls_env}"
        schemes = ",".join(sorted({_scheme(u) for u in self.urls}))
        digest = hashlib.sha256("\n".join(self.urls).encode("utf-8")).hexdigest()[:12]
        return f"apprise:{schemes}#{digest}"

    def notes(self) -> list[str]:
        if self.urls_env and not os.environ.get(self.urls_env, "").strip():
            return [
                f"sink {self.sink_name}: environment variable {self.urls_env} is not set here; "
                "its URLs are checked where it is set"
            ]
        return []


def _secrets(url: str) -> list[str]:
    """The parts of ``url`` that may be secret: user, password, host (a bot key), port, path
    segments, query values — removed from any text shown."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return [url]
    bits = [url, unquote(url), parts.netloc, *re.split(r"[@:]", parts.netloc)]
    bits += [unquote(b) for b in re.split(r"[@:]", parts.netloc)]
    for segment in parts.path.split("/"):
        bits += [segment, unquote(segment)]
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        bits += [value, f"{key}={value}"]
    return sorted({b for b in bits if len(b) >= 4}, key=len, reverse=True)


def redact(text: str, urls: list[str]) -> str:
    """``text`` without any part of ``urls`` that may be secret (in any letter case)."""
    for url in urls:
        for secret in _secrets(url):
            text = re.sub(re.escape(secret), "…", text, flags=re.IGNORECASE)
    return text


@register("apprise")
class AppriseSink(Sink):
    batch = False
    parted = True
    options_model = AppriseOptions

    def __init__(self, options: SinkOptions | Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        assert isinstance(self.options, AppriseOptions)
        self.opts: AppriseOptions = self.options
        self.sleep: Callable[[float], None] = time.sleep
        self._limit: int | None = None

    def urls(self) -> list[str]:
        """The destinations, read now (the environment variable at send time)."""
        urls = list(self.opts.urls)
        if self.opts.urls_env:
            value = os.environ.get(self.opts.urls_env, "")
            if not value.strip():
                raise SinkError(f"{self.name}: environment variable {self.opts.urls_env} is not set")
            urls += split_urls(value)
        return urls

    def prepare(self) -> None:
        """Read the destinations and the size limit (apprise's per service, which loads its
        plugins) before the deliverer reads the outbox inside a write transaction."""
        self._limit = self.opts.max_message_bytes or default_limit(self.urls())

    def compose(self, events: list[Event]) -> list[list[Part]]:
        """The messages of ``events``: one digest (in parts), or one message per event."""
        limit = self._limit or self.opts.max_message_bytes or default_limit(self.urls())
        fmt, public = self.opts.format, self.opts.public_url
        if self.opts.digest == "per_event":
            messages = [[chat.single(e, fmt, limit, public)] for e in events]
        else:
            messages = [chat.digest(events, fmt, limit, public)] if events else []
        return [[Part(m.title, m.body, list(m.events), m.level) for m in parts] for parts in messages]

    def send_part(self, part: Part, accepted: Callable[[list[str]], None]) -> None:
        """Send ``part`` to every destination that has not accepted it yet; ``accepted`` is told each
        time one does. ``SinkError`` (the part stays pending) when one still refuses after the
        retries."""
        urls = self.urls()
        done = set(part.sent_to)
        for url in urls:
            tid = target_id(url)
            if tid in done:
                continue
            try:
                self._send(url, urls, part)
            except SinkError:
                raise
            except Exception as exc:  # apprise itself failing: its message may quote the URL
                reason = redact(" ".join(f"{type(exc).__name__}: {exc}".split()), urls)[:300]
                raise SinkError(f"{self.name}: {shown(url)}: {reason}") from None
            done.add(tid)
            accepted(sorted(done))

    def _send(self, url: str, urls: list[str], part: Part) -> None:
        import apprise

        asset = apprise.AppriseAsset(app_id="govwatch", app_desc=f"govwatch {__version__}")
        body_format = (
            apprise.NotifyFormat.MARKDOWN if self.opts.format == "markdown" else apprise.NotifyFormat.TEXT
        )
        last = "refused"
        for attempt in range(self.opts.retries + 1):
            sender = apprise.Apprise(asset=asset)
            if not sender.add(url):
                raise SinkError(f"{self.name}: '{_scheme(url)}://…' is not a URL apprise understands")
            result = sender.notify(
                body=part.body,
                title=part.title,
                notify_type=_LEVELS.get(part.level, "info"),
                body_format=body_format,
            )
            if result:
                return
            last = self._reason(result, urls)
            if attempt < self.opts.retries:
                self.sleep(min(BACKOFF_MAX, BACKOFF_BASE * 2**attempt))
        raise SinkError(f"{self.name}: {shown(url)}: {last} after {self.opts.retries + 1} attempt(s)")

    @staticmethod
    def _reason(result: Any, urls: list[str]) -> str:
        try:
            lines = [entry.message for entry in result.logs() if entry.level in ("WARNING", "ERROR")]
        except Exception:
            lines = []
        text = " ".join(lines[-2:]) or "refused"
        return redact(" ".join(text.split()), urls)[:300]
