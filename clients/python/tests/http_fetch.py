"""A process of its own with a RipCookieJar on a ripd session: fetches URLs with requests,
httpx or urllib and prints each status. Run by test_cookiejar.py:
    http_fetch.py LIBRARY SOCKET SESSION URL...
"""
import sys
import urllib.error
import urllib.request

import ripd


def main(library: str, socket: str, session: str, *urls: str) -> None:
    client = ripd.Client(socket)
    jar = ripd.RipCookieJar(client, session)
    if library == "requests":
        import requests
        http = requests.Session()
        http.cookies = jar
        fetch = lambda url: http.get(url, timeout=30).status_code  # noqa: E731
    elif library == "httpx":
        import httpx
        http = httpx.Client(cookies=jar, timeout=30)
        fetch = lambda url: http.get(url).status_code  # noqa: E731
    else:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

        def fetch(url: str) -> int:
            try:
                return opener.open(url, timeout=30).status
            except urllib.error.HTTPError as error:
                return error.code
    for url in urls:
        print(fetch(url), flush=True)
    client.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
