"""RipCookieJar with requests, httpx and urllib against a local http.server that sets cookies
on login and requires them after: one process logs in, another with its own jar on the same
session is let in."""
from __future__ import annotations

import http.cookiejar
import http.server
import secrets
import threading

import pytest

import ripd

from conftest import finish


class Site(http.server.ThreadingHTTPServer):
    """/login sets a session cookie (and a persistent one); /private needs the first."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.token = secrets.token_hex(8)
        self.cookie_headers: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(http.server.BaseHTTPRequestHandler):
    server: Site

    def do_GET(self) -> None:
        self.server.cookie_headers.append(self.headers.get("Cookie", ""))
        if self.path == "/login":
            self.send_response(200)
            self.send_header("Set-Cookie", f"sid={self.server.token}; Path=/; HttpOnly")
            self.send_header("Set-Cookie", "theme=dark; Path=/; Max-Age=3600")
        elif self.path == "/private" and f"sid={self.server.token}" in self.headers.get("Cookie", ""):
            self.send_response(200)
        else:
            self.send_response(403)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def site():
    server = Site()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize("first,second", [("requests", "httpx"), ("httpx", "requests"), ("urllib", "requests")])
def test_two_processes_share_one_login(daemon, client, processes, site, name, first, second):
    client.create_session(name=name)
    logs_in = processes.python("http_fetch.py", first, daemon.socket, name, site.url + "/private",
                               site.url + "/login", site.url + "/private")
    assert finish(logs_in).split() == ["403", "200", "200"]
    other = processes.python("http_fetch.py", second, daemon.socket, name, site.url + "/private")
    assert finish(other).split() == ["200"]
    assert f"sid={site.token}" in site.cookie_headers[-1] and "theme=dark" in site.cookie_headers[-1]


def test_jar_lists_ripd_cookies(client, name, site):
    import urllib.request
    client.create_session(name=name)
    jar = ripd.RipCookieJar(client, name)
    urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)).open(site.url + "/login", timeout=30)
    cookies = {c.name: c for c in jar}
    assert set(cookies) == {"sid", "theme"} and len(jar) == 2
    sid = cookies["sid"]
    assert isinstance(sid, http.cookiejar.Cookie)
    assert sid.value == site.token and sid.domain == "127.0.0.1" and sid.path == "/" and sid.expires is None
    assert sid.has_nonstandard_attr("HttpOnly") and cookies["theme"].expires is not None
    assert client.cookie_header(session=name, url=site.url + "/").header == f"sid={site.token}; theme=dark"

    jar.set_cookie(http.cookiejar.Cookie(0, "extra", "1", None, False, "127.0.0.1", False, False, "/", True, False,
                                         None, True, None, None, {}))
    assert "extra=1" in client.cookie_header(session=name, url=site.url + "/").header
    jar.clear("127.0.0.1", "/", "extra")
    assert len(jar) == 2
    jar.clear()
    assert len(jar) == 0
