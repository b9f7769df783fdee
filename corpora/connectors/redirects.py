"""Where a download may be redirected: hosts and ports, and private addresses.

A manifest names the URLs to fetch; a server answering one of them must not be able to send
likeminded on to another host, or into the private network it runs in (server-side request
forgery), unless the user allows it.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


def host_port(url: str) -> tuple[str, int]:
    """(lower-case host, port) of an http(s) URL, the port defaulting by scheme.

    Raises:
        ValueError: the URL has no host or an invalid port.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError("no host")
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    return host, port


def is_private_host(host: str) -> bool:
    """Whether ``host`` is, or resolves to, a private, loopback, link-local or reserved
    address (unresolvable names count as private: they cannot be checked)."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return True
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
                or ip.is_multicast or ip.is_unspecified):
            return True
    return False
