"""An HTTP client for requests to hosts outside the watched site (the link checker): it connects only to
addresses the URL policy allows, and a request ends by its deadline whatever the server does.

- **Addresses**: each host name is resolved once per connection; every address it resolves to is
  checked (``urlpolicy.check_addresses``: no loopback, private, link-local, reserved … unless
  ``allow_private``), and the connection is made to the checked address itself — there is no second
  lookup a rebinding DNS server could answer differently. Redirects are not followed here: the caller
  follows them one hop at a time, so every hop is checked again. Proxy environment variables are
  ignored (a proxy would resolve the name instead of us).
- **Deadlines**: ``client.deadline`` (a ``time.monotonic()`` instant) caps every connect, TLS handshake,
  read and write: a server that drips its headers one byte a second is cut off at the deadline, not
  after each read's timeout.
"""

from __future__ import annotations

import ipaddress
import queue
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx

from crawler.net.urlpolicy import AllowPrivate, check_addresses

#: ``resolver(host, port, timeout) -> addresses``
Resolver = Callable[[str, int, float | None], list[str]]


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def system_resolver(host: str, port: int, timeout: float | None) -> list[str]:
    """The addresses of ``host`` from the system resolver, given up after ``timeout`` seconds (a lookup
    that hangs is left behind in a daemon thread)."""
    if _is_address(host):
        return [host]
    answer: queue.Queue[Any] = queue.Queue(maxsize=1)

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            answer.put([str(info[4][0]) for info in infos])
        except OSError as exc:
            answer.put(exc)

    threading.Thread(target=lookup, name=f"resolve-{host}", daemon=True).start()
    try:
        result = answer.get(timeout=timeout)
    except queue.Empty:
        raise httpcore.ConnectTimeout(f"resolving {host} took too long") from None
    if isinstance(result, OSError):
        raise httpcore.ConnectError(f"cannot resolve {host}: {result}")
    return result


class Deadline:
    """A shared ``time.monotonic()`` instant (None: no deadline) that clamps every timeout."""

    def __init__(self) -> None:
        self.at: float | None = None

    def clamp(self, timeout: float | None, error: type[Exception]) -> float | None:
        if self.at is None:
            return timeout
        remaining = self.at - time.monotonic()
        if remaining <= 0:
            raise error("the deadline passed")
        return remaining if timeout is None else min(timeout, remaining)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        timeout = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, timeout), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's network backend with the address check and the deadline."""

    def __init__(self, *, allow_private: AllowPrivate, resolver: Resolver | None = None) -> None:
        self.allow_private = allow_private
        self.resolver = resolver or system_resolver
        self.deadline = Deadline()
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self.resolver(host, port, self.deadline.clamp(timeout, httpcore.ConnectTimeout))
        last: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in check_addresses(host, addresses, allow_private=self.allow_private):
            try:
                stream = self._inner.connect_tcp(
                    address,
                    port,
                    timeout=self.deadline.clamp(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            return _Stream(stream, self.deadline)
        raise last

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> Any:
        raise httpcore.ConnectError("unix sockets are not used")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """``httpx.HTTPTransport`` whose connection pool uses a :class:`GuardedBackend`."""

    def __init__(self, backend: GuardedBackend) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=10,
            max_keepalive_connections=5,
            http1=True,
            http2=False,
            network_backend=backend,
        )


class GuardedClient(httpx.Client):
    """``httpx.Client`` that never follows redirects itself, ignores proxy settings, checks addresses
    and honours ``deadline`` (set it before each request; None: only the per-operation timeout)."""

    def __init__(
        self,
        *,
        allow_private: AllowPrivate,
        timeout: float,
        headers: dict[str, str] | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self.backend = GuardedBackend(allow_private=allow_private, resolver=resolver)
        super().__init__(
            headers=headers,
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            transport=GuardedTransport(self.backend),
        )

    @property
    def deadline(self) -> float | None:
        return self.backend.deadline.at

    @deadline.setter
    def deadline(self, at: float | None) -> None:
        self.backend.deadline.at = at
