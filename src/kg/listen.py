"""The socket `kg serve` listens on, bound before anything starts so that a bad address fails at once."""

from __future__ import annotations

import socket

from .errors import BadSetting


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` (0: a free port), not yet listening.

    Raises :class:`BadSetting` when the host does not resolve or the address cannot be bound (in use,
    not an address of this machine, a privileged port).
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as e:
        raise BadSetting(f"cannot listen on host {host!r}: {getattr(e, 'strerror', None) or e}") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: restart over TIME_WAIT
        sock.bind(address)
    except OSError as e:
        sock.close()
        raise BadSetting(f"cannot listen on {url_host(host)}:{port}: {e.strerror or e}") from None
    return sock


def url_host(host: str) -> str:
    """``host`` as it goes into a URL (an IPv6 address in brackets)."""
    return f"[{host}]" if ":" in host else host
