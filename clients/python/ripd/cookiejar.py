"""A session's cookie jar in ripd as an `http.cookiejar.CookieJar`, for requests, httpx and urllib."""
from __future__ import annotations

import http.cookiejar
from collections.abc import Iterator
from typing import Any

from .proto import cookie_pb2

_SAME_SITE = {cookie_pb2.SAME_SITE_NONE: "None", cookie_pb2.SAME_SITE_LAX: "Lax", cookie_pb2.SAME_SITE_STRICT: "Strict"}


class RipCookieJar(http.cookiejar.CookieJar):
    """The cookie jar of ripd session `session`, seen through `client` (a `ripd.Client`).

    Storage and policy are ripd's (RFC 6265bis): every Set-Cookie line of a response goes to
    `StoreResponseCookies` with the response's URL, and a request gets its Cookie header from
    `CookieHeader`. Every process holding a jar on the same session shares one login.

        session = requests.Session(); session.cookies = RipCookieJar(client, "crawl")
        httpx.Client(cookies=RipCookieJar(client, "crawl"))
        urllib.request.build_opener(urllib.request.HTTPCookieProcessor(RipCookieJar(client, "crawl")))

    urllib asks the jar for each request's header. requests and httpx instead copy the jar's
    cookies (`for cookie in jar`, one ListCookies call) into a jar of their own per request and
    let the standard library's policy pick from them; both hand every response to the jar.
    """

    def __init__(self, client: Any, session: str, context: int = cookie_pb2.COOKIE_CONTEXT_SAME_SITE) -> None:
        super().__init__()
        self.client = client
        self.session = session
        self.context = context

    # What HTTP libraries call

    def add_cookie_header(self, request: Any) -> None:
        """Sets the request's Cookie header to what ripd says the URL gets."""
        header = self.client.cookie_header(session=self.session, url=request.get_full_url(), context=self.context,
                                           header_only=True).header
        if header:
            request.add_unredirected_header("Cookie", header)

    def extract_cookies(self, response: Any, request: Any) -> None:
        """Hands the response's Set-Cookie lines to ripd with the request's URL."""
        lines = response.info().get_all("Set-Cookie") or []
        if lines:
            self.client.store_response_cookies(session=self.session, url=request.get_full_url(),
                                               set_cookie_lines=[str(line) for line in lines], context=self.context)

    def set_cookie(self, cookie: http.cookiejar.Cookie) -> None:
        """Stores one cookie as it is (SetCookie)."""
        self.client.set_cookie(session=self.session, cookie=_to_proto(cookie))

    def set_cookie_if_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> None:
        self.set_cookie(cookie)

    def clear(self, domain: str | None = None, path: str | None = None, name: str | None = None) -> None:
        """Removes every cookie, those of `domain`, or the one named `name` there (at `path`)."""
        if name is not None:
            if domain is None:
                raise ValueError("clearing one cookie needs its domain")
            self.client.delete_cookie(session=self.session, name=name, domain=domain.lstrip("."), path=path or "")
        else:
            self.client.clear_cookies(session=self.session, domain=(domain or "").lstrip("."))

    def clear_session_cookies(self) -> None:
        """Kept: ripd drops session cookies only when told (ClearCookies)."""

    def clear_expired_cookies(self) -> None:
        """Nothing to do: ripd never hands out an expired cookie."""

    # Reading the jar

    def __iter__(self) -> Iterator[http.cookiejar.Cookie]:
        for cookie in self.client.list_cookies(session=self.session).cookies:
            yield _to_cookiejar(cookie)

    def __len__(self) -> int:
        return len(self.client.list_cookies(session=self.session).cookies)

    def __repr__(self) -> str:
        return f"<RipCookieJar session={self.session!r}>"


def _to_cookiejar(cookie: Any) -> http.cookiejar.Cookie:
    """An `http.cookiejar.Cookie` with ripd's fields: a domain cookie's domain has its leading
    dot (as the standard library marks one that subdomains get), a host-only cookie's has none."""
    rest: dict[str, str] = {}
    if cookie.http_only:
        rest["HttpOnly"] = ""
    if cookie.same_site in _SAME_SITE:
        rest["SameSite"] = _SAME_SITE[cookie.same_site]
    expires = cookie.expires.seconds if cookie.HasField("expires") else None
    domain = cookie.domain if cookie.host_only else "." + cookie.domain
    return http.cookiejar.Cookie(
        version=0, name=cookie.name, value=cookie.value, port=None, port_specified=False, domain=domain,
        domain_specified=not cookie.host_only, domain_initial_dot=not cookie.host_only, path=cookie.path,
        path_specified=True, secure=cookie.secure, expires=expires, discard=expires is None, comment=None,
        comment_url=None, rest=rest)


def _to_proto(cookie: http.cookiejar.Cookie) -> cookie_pb2.Cookie:
    same_site: Any = {v.lower(): k for k, v in _SAME_SITE.items()}.get(str(cookie.get_nonstandard_attr("SameSite", "")).lower(), 0)
    message = cookie_pb2.Cookie(
        name=cookie.name, value=cookie.value or "", domain=cookie.domain.lstrip("."), path=cookie.path or "/",
        secure=cookie.secure, http_only=cookie.has_nonstandard_attr("HttpOnly"), same_site=same_site,
        host_only=not cookie.domain.startswith("."))
    if cookie.expires is not None:
        message.expires.seconds = int(cookie.expires)
    return message
