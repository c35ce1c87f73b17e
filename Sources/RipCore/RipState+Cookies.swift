import RipProto
import RipBase

/// The cookie calls. A change runs the RFC 6265bis storage model on the live jar, in place,
/// under the writer lock, and returns the `CookieChange` mutation that records what it did (nil
/// when nothing changed); replay applies that record with `applyCookieChange`, and reaches the
/// same jar because the steps are the ones the live jar took.
extension RipState {
/// A cookie change made and the reply to the call that asked for it.
    public typealias CookieChangeResult<Response> = (mutation: RipMutation?, response: Response)

    func jar(of sessionID: String) -> CookieJar { cookieJars[sessionID] ?? CookieJar() }


    public struct ParsedResponseCookies: Sendable {
        let sessionReference: String
        let fromSecureOrigin: Bool
        let cookies: [Result<Cookie, CookieRejection>]

        public init(_ request: RipStoreResponseCookiesRequest, parser: SetCookieParser, now: UnixMillis) throws {
            guard request.setCookieLines.count <= RipLimits.Cookie.maxCookiesPerCall else {
                throw RipError.invalidArgument(
                    "send at most \(RipLimits.Cookie.maxCookiesPerCall) Set-Cookie lines a call, got \(request.setCookieLines.count)")
            }
            let url = try CookieURL(request.url)
            let context = SameSiteContext(request.context)
            sessionReference = request.session
            fromSecureOrigin = url.isSecure
            cookies = request.setCookieLines.map { line in
                Result { () throws(CookieRejection) -> Cookie in try parser.parse(line, from: url, now: now, context: context) }
            }
        }
    }

/// Stores parsed Set-Cookie lines, in order; each is created at `now`, the time of the change.
    public mutating func storeResponseCookies(
        _ parsed: ParsedResponseCookies, limits: CookieJar.Limits, now: UnixMillis
    ) throws -> CookieChangeResult<RipStoreResponseCookiesResponse> {
        let sessionID = try sessions.id(of: parsed.sessionReference)
        let secure = parsed.fromSecureOrigin
        return changingJar(of: sessionID) { jar, steps in
            .with {
                $0.outcomes = parsed.cookies.map { result in
                    Self.outcome { () throws(CookieRejection) -> Cookie in
                        let cookie = try result.get().created(at: now)
                        steps += try jar.planStore(cookie, fromSecureOrigin: secure, now: now, limits: limits)
                        return jar.stored(cookie.key) ?? cookie
                    }
                }
            }
        }
    }

    public mutating func setCookie(
        _ request: RipSetCookieRequest, policy: CookiePolicy, now: UnixMillis
    ) throws -> CookieChangeResult<RipCookie> {
        let sessionID = try sessions.id(of: request.session)
        do {
            return try changingJar(of: sessionID) { jar, steps in
                try Cookie.checkTimes(of: request.cookie)
                let cookie = try policy.parser.validate(Cookie(request.cookie, now: now).created(at: now), now: now)
                steps += try jar.planStore(cookie, fromSecureOrigin: true, now: now, limits: policy.limits)
                return (jar.stored(cookie.key) ?? cookie).message
            }
        } catch let rejection as CookieRejection {
            throw RipError.invalidArgument("cookie not stored: \(rejection.reason)")
        }
    }

    public mutating func importCookies(
        _ request: RipImportCookiesRequest, policy: CookiePolicy, now: UnixMillis
    ) throws -> CookieChangeResult<RipImportCookiesResponse> {
        guard request.cookies.count <= RipLimits.Cookie.maxCookiesPerCall else {
            throw RipError.invalidArgument("import at most \(RipLimits.Cookie.maxCookiesPerCall) cookies a call, got \(request.cookies.count)")
        }
        let sessionID = try sessions.id(of: request.session)
        return changingJar(of: sessionID) { jar, steps in
            if request.replace { jar.planRemove(where: { _ in true }, into: &steps) }
            return .with {
                $0.outcomes = request.cookies.map { message in
                    Self.outcome { () throws(CookieRejection) -> Cookie in
                        try Cookie.checkTimes(of: message)
                        let cookie = try policy.parser.validate(Cookie(message, now: now), now: now)
                        steps += try jar.planStore(cookie, fromSecureOrigin: true, now: now, limits: policy.limits)
                        return jar.stored(cookie.key) ?? cookie
                    }
                }
            }
        }
    }

    public mutating func deleteCookie(_ request: RipDeleteCookieRequest) throws -> CookieChangeResult<RipDeleteCookieResponse> {
        let sessionID = try sessions.id(of: request.session)
        let domain = try Self.canonicalDomain(request.domain)
        guard !request.name.isEmpty || !domain.isEmpty else {
            throw RipError.invalidArgument("say which cookie to delete: a name and a domain")
        }
        let matches = { (cookie: Cookie) in
            cookie.name.utf8.elementsEqual(request.name.utf8) && cookie.domain == domain
                && (request.path.isEmpty || cookie.path == request.path)
        }
        return try changingJar(of: sessionID) { jar, steps in
            let deleted = jar.planRemove(where: matches, into: &steps)
            guard !deleted.isEmpty else {
                throw RipError.notFound(
                    "no cookie named '\(request.name)' for domain '\(domain)'; `ripctl cookie list` shows them")
            }
            return .with { $0.deleted = deleted.map(\.message) }
        }
    }

    public mutating func clearCookies(_ request: RipClearCookiesRequest) throws -> CookieChangeResult<RipClearCookiesResponse> {
        let sessionID = try sessions.id(of: request.session)
        let domain = try Self.canonicalDomain(request.domain)
        let matches = { (cookie: Cookie) in domain.isEmpty || Cookie.domainMatch(host: cookie.domain, domain: domain) }
        return changingJar(of: sessionID) { jar, steps in
            let removed = jar.planRemove(where: matches, into: &steps)
            return .with { $0.removed = removed.map(\.message) }
        }
    }

/// Runs `change` on the session's jar in place, collecting the steps it takes; a jar left
/// empty is dropped. `change` may only throw before its first step (a throw after it would
/// leave the change made but not logged).
    private mutating func changingJar<Response>(
        of sessionID: String, _ change: (inout CookieJar, inout [CookieJar.Change]) throws -> Response
    ) rethrows -> CookieChangeResult<Response> {
        defer { if cookieJars[sessionID]?.count == 0 { cookieJars[sessionID] = nil } }
        var steps: [CookieJar.Change] = []
        let response = try change(&cookieJars[sessionID, default: CookieJar()], &steps)
        return (Self.cookieChange(sessionID, steps), response)
    }

/// Cookies of one session, optionally of one domain and its subdomains, in creation order.
    public func listCookies(_ request: RipListCookiesRequest) throws -> RipListCookiesResponse {
        let sessionID = try sessions.id(of: request.session)
        let domain = try Self.canonicalDomain(request.domain)
        return .with {
            $0.cookies = jar(of: sessionID).all
                .filter { domain.isEmpty || Cookie.domainMatch(host: $0.domain, domain: domain) }
                .map(\.message)
        }
    }

/// The cookies to send to `url` for a session, in header order; they get `now` as their
/// last-access time. That change is not logged: it only orders eviction, which the log
/// records as decided. Kept small because it runs under the writer lock: the caller parses
/// the URL before and builds the reply after (`cookieHeaderResponse`).
    public mutating func retrieveCookies(
        session: String, url: CookieURL, context: RipCookieContext, withCookies: Bool, now: UnixMillis
    ) throws -> CookieSelection? {
        let sessionID = try sessions.id(of: session)
        guard cookieJars[sessionID] != nil else { return nil }
        return cookieJars[sessionID]!.retrieve(
            for: url, now: now, context: SameSiteContext(context), withCookies: withCookies)
    }

/// The CookieHeader reply for what `retrieveCookies` selected.
    public static func cookieHeaderResponse(_ selection: CookieSelection?) -> RipCookieHeaderResponse {
        guard let selection else { return RipCookieHeaderResponse() }
        return .with {
            $0.header = selection.header
            $0.cookies = selection.cookies.map(\.message)
        }
    }

/// Applies a logged cookie change.
    mutating func applyCookieChange(_ change: RipCookieChange, now: UnixMillis) throws -> Applied {
        guard sessions.byID[change.sessionID] != nil else {
            throw RipError.notFound("no session with id '\(change.sessionID)'")
        }
        var jar = cookieJars.removeValue(forKey: change.sessionID) ?? CookieJar()
        for step in change.steps {
            if let step = CookieJar.Change(step, now: now) { jar.apply(step) }
        }
        cookieJars[change.sessionID] = jar.count == 0 ? nil : jar
        return Applied()
    }

    private static func cookieChange(_ sessionID: String, _ steps: [CookieJar.Change]) -> RipMutation? {
        guard !steps.isEmpty else { return nil }
        return .with {
            $0.cookieChange = .with {
                $0.sessionID = sessionID
                $0.steps = steps.map(\.message)
            }
        }
    }

    private static func outcome(_ body: () throws(CookieRejection) -> Cookie) -> RipCookieOutcome {
        do throws(CookieRejection) {
            let cookie = try body()
            return .with {
                $0.stored = true
                $0.cookie = cookie.message
            }
        } catch {
            return .with { $0.rejection = error.reason }
        }
    }

/// A domain as given by a user: lowercase, no leading dot, A-labels.
    static func canonicalDomain(_ domain: String) throws -> String {
        guard domain.utf8.count <= 4 * RipLimits.Cookie.maxHostBytes else {
            throw RipError.invalidArgument("domain must be at most \(4 * RipLimits.Cookie.maxHostBytes) bytes, got \(domain.utf8.count)")
        }
        let trimmed = domain.hasPrefix(".") ? String(domain.dropFirst()) : domain
        return Punycode.asciiHost(trimmed.lowercased()) ?? trimmed.lowercased()
    }
}

extension CookieJar {
/// The stored cookie with `key`, if any.
    func stored(_ key: Cookie.Key) -> Cookie? {
        byDomain[key.domain]?.first { $0.key == key }
    }
}

extension Cookie {
/// The cookie with creation and last-access times set to `now` (a new structured cookie).
    func created(at now: UnixMillis) -> Cookie {
        var cookie = self
        cookie.creation = now
        cookie.lastAccess = now
        return cookie
    }
}
