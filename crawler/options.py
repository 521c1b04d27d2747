"""Option schemas: the base model of every group of config.yaml keys, and the value types they use.

A component that takes options from ``config.yaml`` — a sink type, a CMS profile — declares them as
a subclass of :class:`Options` next to its class; ``crawler.config`` validates the whole file by
asking the registries for these models (pydantic v2: every error of a file is found in one pass and
reported as ``FILE:LINE: key.path: message``; see ``crawler.config.errors``). The value types below
say what a value may be and turn it into what the code uses (``"30m"`` → ``timedelta``, a relative
path → an absolute ``Path``); their error messages are the ones users read.

Defaults are validated like input (a default path is resolved like a written one); a duration is
shown, in the JSON Schema and in ``model_dump(mode="json")``, the way config.yaml writes it (``30m``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

# govwatch uses no pydantic plugins: skip their discovery (a scan of every installed package's entry
# points, a tenth of a second at each start of a crawl process); PYDANTIC_DISABLE_PLUGINS set by the
# user wins
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from pydantic import (  # noqa: E402
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    Strict,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError  # noqa: E402


def problem(
    message: str, *at: str | int, choices: tuple[str, ...] = (), given: str | None = None
) -> PydanticCustomError:
    """A validation error with our own message; ``at`` appends key path parts below the value
    being validated (a model check that blames one of its keys); ``choices`` and ``given`` let the
    message end with the closest choice (did you mean …?)."""
    ctx = {"message": message, "at": list(at), "choices": list(choices), "given": given}
    return PydanticCustomError("govwatch", "{message}", ctx)


def show(value: object) -> str:
    """A value as an error message shows it."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return repr(value)


class Options(BaseModel):
    """A mapping of config.yaml keys: unknown keys are errors, values are checked strictly (``"4"``
    is not a number, ``yes`` is not ``true``), the result is frozen."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True, defer_build=True)

    #: the key the options sit under when they are a component's (a profile's ``generic:``)
    key: ClassVar[str] = ""


# --- value types -----------------------------------------------------------------------------------

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])", re.IGNORECASE)
_WHOLE = re.compile(r"(?:\d+(?:\.\d+)?\s*[smhdw]\s*)+", re.IGNORECASE)


def to_timedelta(value: object) -> timedelta:
    """``"30s" | "10m" | "6h" | "14d" | "1h30m" | 90 | "90"`` → timedelta; ``ValueError`` otherwise."""
    if isinstance(value, timedelta):
        return value
    bad = f"{value!r} is not a duration (write 30s, 10m, 6h or 14d)"
    if isinstance(value, bool) or value is None:
        raise ValueError(bad)
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            seconds = float(text)
        elif text and _WHOLE.fullmatch(text):
            seconds = sum(float(n) * _UNITS[u.lower()] for n, u in _PART.findall(text))
        else:
            raise ValueError(bad)
    else:
        raise ValueError(bad)
    if seconds < 0 or seconds != seconds:
        raise ValueError(f"{value!r} is not a duration: it must not be negative")
    return timedelta(seconds=seconds)


def _non_empty(value: str) -> str:
    value = value.strip()
    if not value:
        raise problem("expected a non-empty string, got ''")
    return value


def _duration(value: object) -> object:
    try:
        return to_timedelta(value)
    except ValueError as exc:
        raise problem(str(exc)) from None


def _http_url(value: str) -> str:
    """An http(s) URL with a host and a port that parses (``crawler.net.urlpolicy``)."""
    from crawler.net.urlpolicy import UrlRejected, target

    try:
        target(value)
    except UrlRejected as exc:
        raise problem(f"{value!r} is not an http(s) URL ({exc.reason})") from None
    return value


def _redacted(url: str) -> str:
    """Scheme, host and port only: a webhook URL's path or query is often its token."""
    scheme, _, rest = url.partition("://")
    netloc = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rpartition("@")[2]
    return f"{scheme}://{netloc}/…" if rest else url[:20] + "…"


def _secret_url(value: str) -> str:
    """``_http_url`` for a URL that may carry credentials and a token: errors show no more than
    scheme, host and port."""
    from crawler.net.urlpolicy import UrlRejected, target

    try:
        target(value, credentials=True)
    except UrlRejected as exc:
        raise problem(f"{_redacted(value)!r} is not an http(s) URL ({exc.reason})") from None
    return value


def _origin(value: str) -> str:
    """A host, ``host:port`` or URL naming a host (and port) of a site."""
    from crawler.net.urlpolicy import UrlRejected, origin

    try:
        origin(value)
    except UrlRejected as exc:
        raise problem(f"{value!r} is not a host, host:port or URL ({exc.reason})") from None
    return value


def _network(value: str) -> str:
    import ipaddress

    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise problem(f"{value!r} is not an IP address or network") from None
    return value


def _resolved(value: object, info: ValidationInfo) -> object:
    """A path relative to the config file's folder (``base_dir`` in the validation context)."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            raise problem("expected a non-empty path, got ''")
    if isinstance(value, str | Path):
        base = Path((info.context or {}).get("base_dir") or Path.cwd())
        return (base / Path(value).expanduser()).resolve()
    return value


_SIZE_UNITS = {"": 1, "b": 1, "kb": 1024, "k": 1024, "mb": 1024**2, "m": 1024**2, "gb": 1024**3, "g": 1024**3}
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmg]?b?)", re.IGNORECASE)


def to_bytes(value: object) -> int:
    """``"50MB" | "1GB" | "200KB" | 1048576`` → bytes; ``ValueError`` otherwise (1 KB = 1024 B)."""
    bad = f"{value!r} is not a size (write 50MB, 1GB, 200KB or a number of bytes)"
    if isinstance(value, bool) or value is None:
        raise ValueError(bad)
    if isinstance(value, int):
        if value < 0:
            raise ValueError(bad)
        return value
    if not isinstance(value, str):
        raise ValueError(bad)
    match = _SIZE.fullmatch(value.strip())
    if not match:
        raise ValueError(bad)
    return int(float(match.group(1)) * _SIZE_UNITS[match.group(2).lower()])


def _size(value: object) -> object:
    try:
        return to_bytes(value)
    except ValueError as exc:
        raise problem(str(exc)) from None


def format_duration(value: timedelta) -> str | float:
    """A duration as config.yaml writes it: ``30m``, ``1h30m``, ``7d``; seconds when fractional."""
    seconds = value.total_seconds()
    if seconds != int(seconds):
        return seconds
    left, parts = int(seconds), []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if left >= size:
            parts.append(f"{left // size}{unit}")
            left %= size
    return "".join(parts) or "0s"


def check_selector(value: str) -> str:
    """A CSS selector, or XPath when it starts with ``/`` or ``(``; checked by compiling it."""
    try:
        if value.startswith(("/", "(")):
            from lxml import etree

            etree.XPath(value)
        else:
            from parsel.csstranslator import HTMLTranslator

            HTMLTranslator().css_to_xpath(value)
    except Exception as exc:  # cssselect and lxml raise several types
        raise problem(f"{value!r} is not a valid CSS selector or XPath: {exc}") from None
    return value


_DURATION_SCHEMA = {
    "anyOf": [
        {"type": "string", "pattern": r"^\s*(\d+(\.\d+)?\s*[smhdwSMHDW]\s*)+$|^\s*\d+(\.\d+)?\s*$"},
        {"type": "number", "minimum": 0},
    ],
    "description": "a duration: 30s, 10m, 6h, 14d, 1h30m, or seconds",
}

#: a non-empty string, stripped
Text = Annotated[str, Strict(), AfterValidator(_non_empty)]
#: true or false (not yes/no, not "true")
Flag = Annotated[bool, Strict()]
#: a whole number ≥ 0 (``Count``) or ≥ 1 (``Positive``)
Count = Annotated[int, Strict(), Field(ge=0)]
Positive = Annotated[int, Strict(), Field(ge=1)]
#: a number ≥ 0
Amount = Annotated[float, Strict(), Field(ge=0)]
#: ``30s``, ``10m``, ``6h``, ``14d``, ``1h30m``, or seconds
Duration = Annotated[
    timedelta,
    BeforeValidator(_duration),
    PlainSerializer(format_duration, when_used="json"),
    WithJsonSchema(_DURATION_SCHEMA),
]
#: an absolute http(s) URL
HttpUrl = Annotated[
    str,
    Strict(),
    AfterValidator(_non_empty),
    AfterValidator(_http_url),
    WithJsonSchema({"type": "string", "format": "uri"}),
]
#: an http(s) URL that may carry a user name, password and token (a webhook's); errors show only
#: its scheme, host and port
SecretUrl = Annotated[
    str,
    Strict(),
    AfterValidator(_non_empty),
    AfterValidator(_secret_url),
    WithJsonSchema({"type": "string", "format": "uri"}),
]
#: a host, ``host:port`` or URL (a site's alias)
Origin = Annotated[str, Strict(), AfterValidator(_non_empty), AfterValidator(_origin)]
#: an IP address or network (``10.1.2.0/24``)
Network = Annotated[str, Strict(), AfterValidator(_non_empty), AfterValidator(_network)]
#: a file or folder, relative to the config file's folder
FilePath = Annotated[
    Path,
    BeforeValidator(_resolved),
    WithJsonSchema({"type": "string", "description": "a path, relative to the config file"}),
]
#: a size in bytes, written ``50MB``, ``1GB``, ``200KB`` or as a number of bytes
ByteSize = Annotated[
    int,
    BeforeValidator(_size),
    WithJsonSchema({"type": ["string", "integer"], "description": "a size: 50MB, 1GB or bytes"}),
]
#: a CSS selector, or XPath starting with ``/`` or ``(``
Selector = Annotated[str, Strict(), AfterValidator(_non_empty), AfterValidator(check_selector)]


def _event_type(value: str) -> str:
    from crawler.events import EVENT_TYPES

    if value not in EVENT_TYPES:
        raise problem(
            f"{value!r} is not an event type (one of {', '.join(EVENT_TYPES)})",
            choices=EVENT_TYPES,
            given=value,
        )
    return value


#: the name of an event type of the catalog (``crawler.events``)
EventTypeName = Annotated[str, Strict(), AfterValidator(_non_empty), AfterValidator(_event_type)]
_SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}


class SinkOptions(Options):
    """The keys every sink takes; a sink type's own options extend this (``Sink.Options``)."""

    #: the sink type (``console``, ``jsonl`` …): which registered sink class delivers
    type: str
    #: the sink's name in the outbox (``deliveries.sink``); default: derived from its options
    #: (a file sink's path as the config writes it, relative to the config's folder)
    name: Text | None = None
    #: only events of these types (default: every type)
    events: tuple[EventTypeName, ...] | None = None
    #: only events at least this severe
    min_severity: Literal["info", "warning", "critical"] = "info"
    #: only events of these sites (by ``sites[].name``; default: every site)
    sites: tuple[Text, ...] | None = None
    #: a sink new to an archive starts with the next event; ``true``: it gets the archive's pending history
    backfill: Flag = False

    #: the folder relative paths were read from (the config's); file sinks are named relative to it
    _base_dir: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _remember_base(self, info: ValidationInfo) -> SinkOptions:
        base = (info.context or {}).get("base_dir")
        self._base_dir = Path(base).resolve() if base else Path.cwd().resolve()
        return self

    def default_name(self) -> str:
        """The name of a sink given none: its type, and for a file sink its file (``jsonl:events.jsonl``)."""
        return self.type

    def legacy_names(self) -> tuple[str, ...]:
        """Names earlier versions gave this sink in the outbox (``jsonl:/abs/path/events.jsonl``):
        their rows become this sink's, so an upgrade re-delivers nothing."""
        return ()

    def relative(self, path: Path) -> str:
        """``path`` as a name shows it: relative to the config's folder when inside it, so a copy of
        the folder (config, database and outputs) keeps its sink names."""
        base = self._base_dir or Path.cwd().resolve()
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            return str(path)

    def drops(self, type_: str, severity: str, site: str) -> str | None:
        """Why this sink's filters (``events``, ``min_severity``, ``sites``) leave an event out, or
        None when it is to be delivered."""
        if self.events is not None and type_ not in self.events:
            return f"filtered out: type {type_} is not in events"
        if _SEVERITY_RANK.get(severity, 0) < _SEVERITY_RANK[self.min_severity]:
            return f"filtered out: severity {severity} is below min_severity {self.min_severity}"
        if self.sites is not None and site not in self.sites:
            return f"filtered out: site {site} is not in sites"
        return None

    def notes(self) -> list[str]:
        """What ``govwatch config check`` should say about this sink beyond its problems (an
        environment variable it reads that is not set here); problems themselves are errors."""
        return []

    @property
    def sink_name(self) -> str:
        return self.name or self.default_name()

    @property
    def options(self) -> dict[str, Any]:
        """The sink type's own keys and their values (the keys every sink takes left out)."""
        return {k: getattr(self, k) for k in type(self).model_fields if k not in SinkOptions.model_fields}
