"""The one URL policy: which URLs govwatch may request.

A watched site is sometimes in an attacker's hands (defacers plant links), so nothing a page names is
requested before it passes here:

- **every request**: scheme ``http`` or ``https`` only; a host; no user name or password; a port that
  parses. Anything else (``file:``, ``ftp:``, ``data:``, ``javascript:``, ``http://[::1/x``) is
  rejected with a reason that names the URL (``UrlRejected``), never an exception from deep inside.
- **the crawl** (``SiteScope``): the site's configured hosts *with their ports* — ``base_url`` and
  ``aliases`` (an alias is a host, ``host:port`` or a URL). A host written without a port is that host
  on its scheme's default port, over http or https (``http://h`` admits ``https://h/x`` but not
  ``http://h:8080/x``); a host written with a port admits that port, over http or https. ``www.`` is
  ignored (``www.h`` and ``h`` are one site).
- **requests to any host** (the link checker): public addresses only. ``check_addresses`` refuses
  loopback, private, link-local, multicast, reserved and every other non-global address, unless the
  site opts in (``link_check: {allow_private: true}``, or a list of the networks it may reach);
  ``crawler.net.guarded`` resolves each host
  once, checks every address, and connects to the address it checked.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: control characters no URL may carry (tabs and line breaks are dropped by every URL parser, as
#: browsers do: an href broken across lines is still the same link)
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SHOWN = 200


def shown(url: object) -> str:
    """A URL as a warning may quote it: control characters escaped, at most 200 characters."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", str(url))
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


class UrlRejected(ValueError):
    """A URL the policy refuses; ``str()`` is one line naming the URL and why."""

    def __init__(self, url: object, reason: str) -> None:
        super().__init__(url, reason)
        self.url = str(url)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.reason}: {shown(self.url)}"


@dataclass(frozen=True)
class Target:
    """What a URL will be requested as: scheme, host (lower case, IDNA), the port as written."""

    scheme: str
    host: str
    port: int | None

    @property
    def effective_port(self) -> int:
        return self.port if self.port is not None else DEFAULT_PORTS[self.scheme]

    @property
    def default_port(self) -> bool:
        return self.port is None or self.port == DEFAULT_PORTS[self.scheme]


def join(base: str, href: str) -> str:
    """``href`` resolved against ``base``, fragment dropped. Never raises: an href that cannot be
    resolved (``http://[::1/x``) comes back as written, for the policy to reject by name."""
    href = href.strip()
    try:
        return urldefrag(urljoin(base, href))[0]
    except ValueError:
        return href


def _host(name: str) -> str:
    name = name.strip().lower().rstrip(".")
    try:
        return name.encode("idna").decode("ascii") if not name.isascii() else name
    except UnicodeError:
        return name


def _target(url: str, credentials: bool = False) -> Target:
    if _BAD_CHARS.search(url):
        raise UrlRejected(url, "control character in URL")
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:
        raise UrlRejected(url, f"malformed URL ({exc})") from None
    try:
        port = parts.port
    except ValueError:
        raise UrlRejected(url, f"invalid port in {parts.netloc.rpartition('@')[2]!r}") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        what = f"scheme {scheme!r}" if scheme else "no scheme"
        raise UrlRejected(url, f"{what} is not allowed (only http and https)")
    if "@" in parts.netloc and not credentials:
        raise UrlRejected(url, "user name or password in URL")
    if "\\" in parts.netloc:
        raise UrlRejected(url, "backslash in the host part")
    if not parts.hostname:
        raise UrlRejected(url, "no host in URL")
    if port == 0:
        raise UrlRejected(url, "port 0")
    return Target(scheme, _host(parts.hostname), port)


def target(url: str, *, credentials: bool = False) -> Target:
    """The request target of an http(s) URL, or ``UrlRejected``. The URL is read both as written and
    as Scrapy will send it (``safe_url_string``): the two must name the same host and port.
    ``credentials``: a user name and password are allowed (a webhook's basic authentication), never
    in anything the crawl or the link checker requests."""
    found = _target(url, credentials)
    from w3lib.url import safe_url_string

    try:
        sent = _target(safe_url_string(url.strip()), credentials)
    except (UrlRejected, ValueError, UnicodeError):
        raise UrlRejected(url, "malformed URL") from None
    if (sent.host, sent.effective_port) != (found.host, found.effective_port):
        raise UrlRejected(url, "ambiguous host")
    return found


def check_url(url: str) -> str:
    """``url`` when it is an http(s) URL govwatch may request at all, else ``UrlRejected``."""
    target(url)
    return url


def link_target(url: str | None) -> str | None:
    """``url`` when it may be a link target in anything govwatch writes (Markdown, Atom, Datasette):
    an http(s) URL. A ``data:``, ``javascript:`` or unreadable URL gives None (show it as text)."""
    if not url:
        return None
    try:
        target(url)
    except UrlRejected:
        return None
    return url.strip()


def url_problem(url: str) -> str | None:
    """Why ``url`` may not be requested (one line naming it), or None."""
    try:
        target(url)
    except UrlRejected as exc:
        return str(exc)
    return None


# --- the crawl: the site's own hosts and ports ---------------------------------------------------


def _bare(host: str) -> str:
    return host.removeprefix("www.")


@dataclass(frozen=True)
class Origin:
    host: str  # without a leading www.
    port: int | None  # None: the scheme's default port (http or https)

    def admits(self, t: Target) -> bool:
        if _bare(t.host) != self.host:
            return False
        if self.port is None:
            return t.default_port
        return t.effective_port == self.port


def origin(value: str) -> Origin:
    """An ``Origin`` from a base URL or an alias (``host``, ``host:port`` or a URL); ``UrlRejected``
    when it names no host."""
    text = value.strip()
    if "://" not in text:
        text = "http://" + text
    t = _target(text)
    return Origin(_bare(t.host), None if t.default_port else t.port)


class SiteScope:
    """The hosts and ports of one watched site: what the crawl may request."""

    def __init__(self, origins: Iterable[str]) -> None:
        found = []
        for value in origins:
            try:
                found.append(origin(value))
            except UrlRejected:
                continue  # configuration validation names bad base URLs and aliases
        self.origins: tuple[Origin, ...] = tuple(dict.fromkeys(found))

    @classmethod
    def of_site(cls, site: object) -> SiteScope:
        return cls([getattr(site, "base_url", ""), *getattr(site, "aliases", ())])

    def describe(self) -> str:
        return ", ".join(o.host + (f":{o.port}" if o.port else "") for o in self.origins)

    def problem(self, url: str) -> str | None:
        """Why the crawl may not request ``url`` (one line naming it), or None when it may."""
        try:
            t = target(url)
        except UrlRejected as exc:
            return str(exc)
        if any(o.admits(t) for o in self.origins):
            return None
        where = t.host + ("" if t.default_port else f":{t.port}")
        return f"{where} is not this site ({self.describe()}): {shown(url)}"

    def admits(self, url: str) -> bool:
        return self.problem(url) is None


# --- requests to any host: public addresses only ---------------------------------------------------


class AddressBlocked(Exception):
    """A host that resolves to an address govwatch will not connect to."""

    def __init__(self, host: str, address: str, reason: str) -> None:
        super().__init__(host, address, reason)
        self.host, self.address, self.reason = host, address, reason

    def __str__(self) -> str:
        shown_host = self.host if self.host == self.address else f"{self.host} ({self.address})"
        return f"{shown_host} is a {self.reason} address"


def address_problem(address: str) -> str | None:
    """``loopback``, ``private``, ``link-local`` … for an address that is not public, else None."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "unparsable"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            inner = address_problem(str(embedded))
            if inner:
                return inner
    for reason, hit in (
        ("loopback", ip.is_loopback),
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
    ):
        if hit:
            return reason
    if not ip.is_global:
        return "non-public"
    return None


#: ``allow_private``: False (public addresses only), True (any address), or the networks
#: (``10.1.2.0/24``, ``127.0.0.1``) allowed besides the public ones
AllowPrivate = bool | tuple[str, ...]


def _networks(allow: AllowPrivate) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    if isinstance(allow, bool):
        return []
    return [ipaddress.ip_network(n, strict=False) for n in allow]


def check_addresses(host: str, addresses: Iterable[str], *, allow_private: AllowPrivate) -> list[str]:
    """``addresses`` when every one may be connected to, else ``AddressBlocked`` for the first that may
    not (a name that resolves to a public and a private address is refused: rebinding)."""
    found = list(dict.fromkeys(addresses))
    if allow_private is True:
        return found
    networks = _networks(allow_private)
    for address in found:
        reason = address_problem(address)
        if reason and not any(_within(address, net) for net in networks):
            raise AddressBlocked(host, address, reason)
    return found


def _within(address: str, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]) in network
    except ValueError:
        return False
