import RipClient

/// The cookie benchmark's jar and calls, the same over the socket and in process: 3,000
/// cookies over 300 domains (host-only and domain cookies, on "/" and "/app"), looked up and
/// changed one domain after another.
enum CookieWorkload {
    static let domains = 300
    static let cookiesPerDomain = 10

    /// One StoreResponseCookies call per domain that together fill the jar.
    static func fill(session: String) -> [RipStoreResponseCookiesRequest] {
        (0..<domains).map { d in
            .with {
                $0.session = session
                $0.url = "https://www.d\(d).bench.example/app/page"
                $0.setCookieLines = (0..<cookiesPerDomain).map { k in
                    "c\(k)=value-\(d)-\(k)-0123456789abcdef; Max-Age=86400"
                        + (k % 2 == 1 ? "; Domain=d\(d).bench.example" : "") + (k % 3 == 0 ? "; Path=/app" : "; Path=/")
                }
            }
        }
    }

    /// One CookieHeader call per domain, each matching that domain's ten cookies.
    static func lookups(session: String, headerOnly: Bool) -> [RipCookieHeaderRequest] {
        (0..<domains).map { d in
            .with {
                $0.session = session
                $0.url = "https://www.d\(d).bench.example/app/page?q=\(d)"
                $0.headerOnly = headerOnly
            }
        }
    }

    /// One single-line StoreResponseCookies call per domain, each replacing a cookie.
    static func stores(session: String) -> [RipStoreResponseCookiesRequest] {
        (0..<domains).map { d in
            .with {
                $0.session = session
                $0.url = "https://www.d\(d).bench.example/app/page"
                $0.setCookieLines = ["c\((d * 7) % cookiesPerDomain)=changed-\(d); Max-Age=86400; Path=/"]
            }
        }
    }
}
