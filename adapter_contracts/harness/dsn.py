"""The one reading of a server URL's parts, shared by every engine's DSN check, the masking and the messages.

A URL whose password holds a character it must percent-encode (``@ # / ? % [ ]``
or a space) has no single reading: one driver takes the host from after the
first ``@``, another from after the last, so the server connected to would not
be the one printed.  Such a DSN is a usage error, said with the password
masked, before any driver sees it.  The password is everything between the
first ``:`` after the user and the **last** ``@`` before the host, however
many ``@`` it holds, so whatever a DSN holds its password is masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["UrlParts", "url_parts", "url_problem"]

#: What a user name or password may hold unencoded: anything but the URL's own delimiters
#: (``@ # / ? [ ]``), spaces and control characters, and ``%`` only as the start of an escape.  RFC 3986
#: allows less, but drivers read the rest alike, so refusing it would refuse working DSNs.
_USERINFO_CHARS = re.compile(r"[^@#/?\[\]%\s\x00-\x1f\x7f]|%[0-9A-Fa-f]{2}")
_HOST = re.compile(r"[A-Za-z0-9\-._~%!$&'()*+,;=]+")


@dataclass(frozen=True)
class UrlParts:
    """A server URL's parts, as written (nothing decoded)."""

    scheme: str
    user: str
    #: None when the URL has no ``:password``.
    password: str | None
    #: host[:port][,host[:port]...], as written.
    hosts: str
    #: /database?query#fragment, as written.
    tail: str

    def masked(self) -> str:
        """The URL with its password, whatever it holds, as ``***``."""
        auth = self.user + (":***" if self.password is not None else "")
        return f"{self.scheme}://{auth + '@' if auth or self.password is not None else ''}{self.hosts}{self.tail}"


def url_parts(dsn: str) -> UrlParts | None:
    """``dsn``'s parts when it is a URL (``scheme://...``), else None.  Never raises."""
    scheme, sep, rest = dsn.partition("://")
    if not sep or not scheme or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.\-]*", scheme):
        return None
    user, password = "", None
    if "@" in rest:
        userinfo, _, rest = rest.rpartition("@")
        user, colon, secret = userinfo.partition(":")
        password = secret if colon else None
    end = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    if rest.startswith("["):  # an IPv6 literal may hold none of those, but read to its bracket
        close = rest.find("]")
        end = len(rest) if close < 0 else max(end, min(
            (i for i in (rest.find("/", close), rest.find("?", close), rest.find("#", close)) if i >= 0),
            default=len(rest)))
    return UrlParts(scheme, user, password, rest[:end], rest[end:])


def _bad_chars(text: str) -> str:
    """The characters of ``text`` a user name or password must percent-encode, each once, in order."""
    bad: list[str] = []
    position = 0
    while position < len(text):
        match = _USERINFO_CHARS.match(text, position)
        if match is None:
            char = text[position]
            shown = "a space" if char.isspace() else repr(char) if char.isprintable() else "a control character"
            if shown not in bad:
                bad.append(shown)
            position += 1
        else:
            position = match.end()
    return ", ".join(bad)


def _host_problem(host: str) -> str | None:
    name, port, literal = host, "", host.startswith("[")
    if literal:
        close = host.find("]")
        if close < 0:
            return "the host: an IPv6 address opened with '[' is never closed with ']'"
        name, rest = host[1:close], host[close + 1:]
        if rest and not rest.startswith(":"):
            return f"the host: {rest[:20]!r} follows the IPv6 address"
        port = rest[1:]
        if not re.fullmatch(r"[0-9A-Fa-f:.%a-zA-Z]+", name or "-"):
            return "the host: not an IPv6 address between the brackets"
    elif ":" in host:
        name, _, port = host.rpartition(":")
        if ":" in name:
            return "the host: an IPv6 address must be written in brackets ([::1])"
    if name and not literal and not _HOST.fullmatch(name):
        return f"the host: it holds {_bad_chars(name) or 'characters no host name has'}"
    if (host.endswith(":") or port) and (not port.isdigit() or not 0 < int(port) < 65536):
        return f"the port: {port[:20]!r} is not a port number (1-65535)"
    return None


def url_problem(dsn: str, schemes: tuple[str, ...], *, multi_host: bool = False) -> str | None:
    """What is wrong with server URL ``dsn`` (a part and why, the password never shown), or None."""
    parts = url_parts(dsn)
    if parts is None:
        return f"the scheme: expected {schemes[0]}://..."
    if parts.scheme.lower().split("+", 1)[0] not in schemes:
        return f"the scheme: {parts.scheme!r} is not one of {', '.join(schemes)}"
    if parts.user and _bad_chars(parts.user):
        return f"the user name: it holds {_bad_chars(parts.user)}, which must be percent-encoded"
    if parts.password is not None and _bad_chars(parts.password.replace(":", "%3A")):
        return ("the password: it holds characters that must be percent-encoded "
                "(e.g. @ as %40, # as %23, / as %2F, ? as %3F, % as %25)")
    if "@" in parts.tail:
        return "the password: it holds characters that must be percent-encoded (e.g. @ as %40)"
    hosts = parts.hosts.split(",") if multi_host else [parts.hosts]
    for host in hosts:
        if not host and (len(hosts) > 1 or (not multi_host and parts.tail[:1] not in ("/", ""))):
            return "the host: empty"
        problem = _host_problem(host) if host else None
        if problem:
            return problem
    if "#" in parts.tail:
        return "the database or options: '#' must be percent-encoded (%23)"
    return None
