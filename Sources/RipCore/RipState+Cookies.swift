import RipProto
import RipWire

/// The cookie calls. Changes are planned here against the live state, under the writer lock,
/// and become one `CookieChange` mutation (nil when nothing changes); `apply` replays it.
extension RipState {
    /// A planned cookie change and the reply to the call that asked for it.
    public typealias Plan<Response> = (mutation: Rip_V1_Mutation?, response: Response)

    func jar(of sessionID: String) -> CookieJar { cookieJars[sessionID] ?? CookieJar() }

    public func planStoreResponseCookies(
        _ request: Rip_V1_StoreResponseCookiesRequest, policy: CookiePolicy, now: UnixMillis
    ) throws -> Plan<Rip_V1_StoreResponseCookiesResponse> {
        let sessionID = try sessions.find(request.session).id
        let url = try CookieURL(request.url)
        let context = SameSiteContext(request.context)
        var jar = jar(of: sessionID)
        var steps: [CookieJar.Change] = []
        let outcomes = request.setCookieLines.map { line in
            Self.outcome { () throws(CookieRejection) -> Cookie in
                let cookie = try policy.parser.parse(line, from: url, now: now, context: context)
                steps += try jar.planStore(cookie, fromSecureOrigin: url.isSecure, now: now, limits: policy.limits)
                return jar.stored(cookie.key) ?? cookie
            }
        }
        return (Self.cookieChange(sessionID, steps), .with { $0.outcomes = outcomes })
    }

    public func planSetCookie(
        _ request: Rip_V1_SetCookieRequest, policy: CookiePolicy, now: UnixMillis
    ) throws -> Plan<Rip_V1_Cookie> {
        let sessionID = try sessions.find(request.session).id
        var jar = jar(of: sessionID)
        do throws(CookieRejection) {
            let cookie = try policy.parser.validate(Cookie(request.cookie, now: now).created(at: now), now: now)
            let steps = try jar.planStore(cookie, fromSecureOrigin: true, now: now, limits: policy.limits)
            return (Self.cookieChange(sessionID, steps), (jar.stored(cookie.key) ?? cookie).message)
        } catch {
            throw RipError.invalidArgument("cookie not stored: \(error.reason)")
        }
    }

    public func planImportCookies(
        _ request: Rip_V1_ImportCookiesRequest, policy: CookiePolicy, now: UnixMillis
    ) throws -> Plan<Rip_V1_ImportCookiesResponse> {
        let sessionID = try sessions.find(request.session).id
        var jar = jar(of: sessionID)
        var steps = request.replace ? jar.planRemove { _ in true } : []
        let outcomes = request.cookies.map { message in
            Self.outcome { () throws(CookieRejection) -> Cookie in
                let cookie = try policy.parser.validate(Cookie(message, now: now), now: now)
                steps += try jar.planStore(cookie, fromSecureOrigin: true, now: now, limits: policy.limits)
                return jar.stored(cookie.key) ?? cookie
            }
        }
        return (Self.cookieChange(sessionID, steps), .with { $0.outcomes = outcomes })
    }

    public func planDeleteCookie(_ request: Rip_V1_DeleteCookieRequest) throws -> Plan<Rip_V1_DeleteCookieResponse> {
        let sessionID = try sessions.find(request.session).id
        let domain = Self.canonicalDomain(request.domain)
        guard !request.name.isEmpty || !domain.isEmpty else {
            throw RipError.invalidArgument("say which cookie to delete: a name and a domain")
        }
        var jar = jar(of: sessionID)
        var deleted: [Rip_V1_Cookie] = []
        let steps = jar.planRemove { cookie in
            let matches = cookie.name.utf8.elementsEqual(request.name.utf8) && cookie.domain == domain
                && (request.path.isEmpty || cookie.path == request.path)
            if matches { deleted.append(cookie.message) }
            return matches
        }
        guard !deleted.isEmpty else {
            throw RipError.notFound("no cookie named '\(request.name)' for domain '\(domain)'; `ripctl cookie list` shows them")
        }
        return (Self.cookieChange(sessionID, steps), .with { $0.deleted = deleted })
    }

    public func planClearCookies(_ request: Rip_V1_ClearCookiesRequest) throws -> Plan<Rip_V1_ClearCookiesResponse> {
        let sessionID = try sessions.find(request.session).id
        let domain = Self.canonicalDomain(request.domain)
        var jar = jar(of: sessionID)
        var removed: [Rip_V1_Cookie] = []
        let steps = jar.planRemove { cookie in
            let matches = domain.isEmpty || Cookie.domainMatch(host: cookie.domain, domain: domain)
            if matches { removed.append(cookie.message) }
            return matches
        }
        return (Self.cookieChange(sessionID, steps), .with { $0.removed = removed })
    }

    /// Cookies of one session, optionally of one domain and its subdomains, in creation order.
    public func listCookies(_ request: Rip_V1_ListCookiesRequest) throws -> Rip_V1_ListCookiesResponse {
        let sessionID = try sessions.find(request.session).id
        let domain = Self.canonicalDomain(request.domain)
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
        session: String, url: CookieURL, context: Rip_V1_CookieContext, withCookies: Bool, now: UnixMillis
    ) throws -> CookieSelection? {
        let sessionID = try sessions.find(session).id
        guard cookieJars[sessionID] != nil else { return nil }
        return cookieJars[sessionID]!.retrieve(
            for: url, now: now, context: SameSiteContext(context), withCookies: withCookies)
    }

    /// The CookieHeader reply for what `retrieveCookies` selected.
    public static func cookieHeaderResponse(_ selection: CookieSelection?) -> Rip_V1_CookieHeaderResponse {
        guard let selection else { return Rip_V1_CookieHeaderResponse() }
        return .with {
            $0.header = selection.header
            $0.cookies = selection.cookies.map(\.message)
        }
    }

    /// Applies a logged cookie change.
    mutating func applyCookieChange(_ change: Rip_V1_CookieChange, now: UnixMillis) throws -> Applied {
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

    private static func cookieChange(_ sessionID: String, _ steps: [CookieJar.Change]) -> Rip_V1_Mutation? {
        guard !steps.isEmpty else { return nil }
        return .with {
            $0.cookieChange = .with {
                $0.sessionID = sessionID
                $0.steps = steps.map(\.message)
            }
        }
    }

    private static func outcome(_ body: () throws(CookieRejection) -> Cookie) -> Rip_V1_CookieOutcome {
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
    static func canonicalDomain(_ domain: String) -> String {
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
