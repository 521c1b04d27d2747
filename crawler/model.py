"""The shapes that cross layers: Release, Flag, Fetch, Event.

Plain frozen-ish dataclasses with ``to_dict`` / ``from_dict`` so every layer (normalize, integrity,
store, report) speaks the same JSON as the contracts in docs/ARCHITECTURE.md and crawler/schemas/.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any, Literal

_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def _copied(value: Any) -> Any:
    if type(value) is list:
        return [_copied(v) for v in value]
    if type(value) is dict:
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return copy.deepcopy(value)  # what asdict does with any other value


def as_dict(obj: Any) -> dict[str, Any]:
    """``dataclasses.asdict`` for these shapes (plain values, lists and dicts inside), at a fraction of
    its cost: every field, every list and dict copied."""
    return {name: _copied(getattr(obj, name)) for name in _field_names(type(obj))}


NOT_RELEASE_REASONS = ("waf", "error_page", "gone", "login", "empty", "list_page", "unknown")
Severity = Literal["info", "warning", "critical"]


@dataclass
class Turn:
    speaker: str
    text: str


@dataclass
class Link:
    """A link or attachment: ``{"name"|"text": ..., "url": ...}`` in JSON."""

    text: str
    url: str


@dataclass
class Release:
    """One normalized page (docs/ARCHITECTURE.md, "The normalized release")."""

    kind: Literal["release", "not_release"] = "release"
    url: str | None = None
    not_release_reason: str | None = None
    index_no: str | None = None
    title: str | None = None
    publisher: str | None = None
    written_date: str | None = None
    published_at: str | None = None
    doc_number: str | None = None
    category: str | None = None
    validity: str | None = None
    unified_no: str | None = None
    site_name: str | None = None
    column: str | None = None
    breadcrumb: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    turns: list[dict[str, str]] = field(default_factory=list)  # [{"speaker", "text"}]
    attachments: list[dict[str, str]] = field(default_factory=list)  # [{"name", "url"}]
    links: list[dict[str, str]] = field(default_factory=list)  # [{"text", "url"}]
    encoding: str | None = None
    normalizer_version: int = 1
    content_hash: str | None = None

    @property
    def is_release(self) -> bool:
        return self.kind == "release"

    @property
    def key(self) -> str | None:
        """Identity (docs/ARCHITECTURE.md): the 索引号, else ``url:`` + the URL."""
        if self.index_no:
            return self.index_no
        if self.url:
            return "url:" + self.url
        return None

    @property
    def body_text(self) -> str:
        return "\n".join(self.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        return as_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Release:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class Flag:
    """An integrity finding: ``{rule, severity, evidence, location}``, and ``certain: true`` on a
    critical finding that is defacement beyond doubt (spam brand forms or pitches, a junk preamble,
    a search-engine redirect): such a flag is reported even on a column's first run."""

    rule: str
    severity: Severity
    evidence: str
    location: str | None = None
    certain: bool = False

    @property
    def critical(self) -> bool:
        return self.severity == "critical"

    def to_dict(self) -> dict[str, Any]:
        data = as_dict(self)
        if not self.certain:
            del data["certain"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Flag:
        return cls(
            rule=data["rule"],
            severity=data["severity"],
            evidence=data.get("evidence", ""),
            location=data.get("location"),
            certain=bool(data.get("certain", False)),
        )


@dataclass
class Fetch:
    """What one HTTP fetch of one URL gave.

    ``outcome`` is one of ``ok`` (a release page), ``not_modified`` (304), ``gone`` (404/410, a
    redirect home, or a ``not_release`` page with reason ``gone``), ``error`` (with ``error_kind``:
    ``http_5xx``, ``timeout``, ``connection``, ``truncated``, ``too_large``, ``redirect_offsite``,
    ``http_4xx``, ``not_release`` …; ``not_release_reason`` tells which kind of page it was).

    ``headers`` is what the page is read with (lower-case names, last value wins, after content
    decoding); ``wire_headers``, ``protocol``, ``ip_address`` and ``request_headers`` are the evidence
    kept with a stored page (docs/ARCHITECTURE.md, "Evidence").
    """

    url: str
    site: str
    outcome: str
    status: int | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    elapsed: float | None = None
    error_kind: str | None = None
    not_release_reason: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    final_url: str | None = None
    run_id: int | None = None
    column: str | None = None  # column name
    column_url: str | None = None
    list_date: str | None = None  # date the column list gave for this item (YYYY-MM-DD)
    baseline: bool = False  # first run of its column: `new` events are baseline
    fetched_at: str | None = None  # ISO 8601; the store fills it from the clock when None
    # evidence: the response as it came over the wire (``body`` is after transfer and content decoding)
    protocol: str | None = None  # "HTTP/1.1"
    ip_address: str | None = None  # the address the response came from
    wire_headers: list[tuple[str, str]] = field(default_factory=list)  # as received, every value, in order
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)  # as sent (Host aside)

    @property
    def failed(self) -> bool:
        return self.outcome == "error"

    @property
    def nbytes(self) -> int:
        return len(self.body or b"")


@dataclass
class AttachmentFetch:
    """What fetching one attachment of a release gave (``crawler.crawl.attachfetch``).

    ``outcome``: ``ok`` (bytes fetched: ``data``, ``sha256``, ``kind``, ``text``), ``not_modified``
    (304, or validators unchanged: the stored file stands), ``too_large`` (refused at the size cap;
    no bytes kept), ``error`` (``error_kind``: timeouts, 5xx, 404 … the stored file stands), or
    ``skipped`` (the run's byte budget was spent: fetched another run).
    """

    url: str
    name: str
    outcome: str
    status: int | None = None
    sha256: str | None = None
    size: int | None = None
    kind: str | None = None  # sniffed from the bytes
    text: str | None = None
    text_status: str | None = None  # ok | scanned | empty | unsupported | error:<name>
    data: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_length: int | None = None
    error_kind: str | None = None
    warning: str | None = None  # the type does not fit the extension (integrity)

    @property
    def fetched(self) -> bool:
        return self.outcome == "ok"


@dataclass
class Event:
    """One fact, stored once (docs/ARCHITECTURE.md, "Identity, versions, events")."""

    type: str
    site: str
    key: str
    severity: str = "info"
    baseline: bool = False
    index_no: str | None = None
    url: str | None = None
    title: str | None = None
    column: str | None = None
    version: int | None = None
    version_before: int | None = None
    flags: list[dict[str, Any]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)  # e.g. {"diff": "..."} for changed
    run_id: int | None = None
    id: int | None = None
    created_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return as_dict(self)

    def to_report(self) -> dict[str, Any]:
        """The event as ``--report-json`` shows it (schemas/report.schema.json)."""
        return {
            "id": self.id,
            "type": self.type,
            "severity": self.severity,
            "baseline": self.baseline,
            "site": self.site,
            "key": self.key,
            "index_no": self.index_no,
            "url": self.url,
            "title": self.title,
            "column": self.column,
            "version": self.version,
            "flags": list(self.flags),
        }
