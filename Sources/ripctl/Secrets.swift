import RipProto

/// Credentials ripctl does not print unless asked (`--show-secrets`), as gh and kubectl do:
/// header values that carry credentials, and cookie values. Exports (`session export`,
/// `cookie export`) and `cookie header` still give the real values: that is what they are for.
enum Secrets {
    static let mask = "<hidden: --show-secrets>"

    /// Header names whose values are credentials: Authorization, Proxy-Authorization, Cookie,
    /// and any name with token, secret, key, password, auth or session in it (X-Api-Key, ...).
    static func isSensitive(header name: String) -> Bool {
        let lower = name.lowercased()
        return ["cookie", "authorization", "proxy-authorization"].contains(lower)
            || ["token", "secret", "key", "password", "passwd", "auth", "session"].contains { lower.contains($0) }
    }

    static func masked(_ session: RipSession) -> RipSession {
        var session = session
        for name in session.headers.keys where isSensitive(header: name) { session.headers[name] = mask }
        return session
    }

    static func masked(_ cookies: [RipCookie]) -> [RipCookie] {
        cookies.map { cookie in
            var cookie = cookie
            if !cookie.value.isEmpty { cookie.value = mask }
            return cookie
        }
    }
}

extension Output {
    /// `session` as ripctl may show it: credentials masked unless --show-secrets.
    func shown(_ session: RipSession) -> RipSession { showSecrets ? session : Secrets.masked(session) }

    func shown(_ cookies: [RipCookie]) -> [RipCookie] { showSecrets ? cookies : Secrets.masked(cookies) }
}
