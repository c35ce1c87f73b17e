/// One session's cookies, bucketed by domain so a lookup visits only the host and its parent
/// domains (RFC 6265bis §5.7 storage, §5.8.3 retrieval).
///
/// `planStore` and `planRemove` decide a change and make it, returning the `Change` steps they
/// took, which the write-ahead log records and `apply` replays. Eviction depends on last-access
/// times that reads update without logging, so the log keeps the decision rather than the
/// inputs; replay never re-decides it.
public struct CookieJar: Sendable {
    /// The limits of RFC 6265bis §6.1, per jar.
    public struct Limits: Sendable, Equatable {
        public var perDomain: Int
        public var total: Int

        public init(perDomain: Int = 50, total: Int = 3000) {
            self.perDomain = perDomain
            self.total = total
        }
    }

    /// One recorded step of a change.
    public enum Change: Sendable, Equatable {
        /// Insert, or replace the cookie with the same key in place.
        case put(Cookie)
        case remove(Cookie.Key)
    }

    private(set) var byDomain: [String: [Cookie]] = [:]
    public private(set) var count = 0
    private var nextCreationIndex: UInt64 = 1

    public init() {}

    public init(cookies: [Cookie]) {
        for cookie in cookies { apply(.put(cookie)) }
    }

    /// Every cookie, in creation order.
    public var all: [Cookie] {
        byDomain.values.joined().sorted { ($0.creation, $0.creationIndex) < ($1.creation, $1.creationIndex) }
    }

    public mutating func apply(_ change: Change) {
        switch change {
        case .put(let cookie):
            if let index = byDomain[cookie.domain]?.firstIndex(where: { $0.key == cookie.key }) {
                byDomain[cookie.domain]![index] = cookie
            } else {
                byDomain[cookie.domain, default: []].append(cookie)
                count += 1
            }
            nextCreationIndex = max(nextCreationIndex, cookie.creationIndex + 1)
        case .remove(let key):
            guard let index = byDomain[key.domain]?.firstIndex(where: { $0.key == key }) else { return }
            byDomain[key.domain]!.remove(at: index)
            if byDomain[key.domain]!.isEmpty { byDomain[key.domain] = nil }
            count -= 1
        }
    }

    private mutating func record(_ change: Change, into changes: inout [Change]) {
        apply(change)
        changes.append(change)
    }

    /// Stores `cookie` as the storage model's last steps say (§5.7 steps 16, 21–23): no
    /// shadowing of a Secure cookie from a non-secure origin, replacement keeping the creation
    /// time, deletion when already expired, then the limits. Returns the changes made.
    public mutating func planStore(
        _ cookie: Cookie, fromSecureOrigin: Bool, now: UnixMillis, limits: Limits
    ) throws(CookieRejection) -> [Change] {
        var cookie = cookie
        if !cookie.secureOnly && !fromSecureOrigin && shadowsSecureCookie(cookie) {
            throw CookieRejection("a Secure cookie with this name already exists for an overlapping domain and path")
        }
        var changes: [Change] = []
        if let old = byDomain[cookie.domain]?.first(where: { $0.key == cookie.key }) {
            cookie.creation = old.creation
            cookie.creationIndex = old.creationIndex
            if cookie.isExpired(at: now) { record(.remove(old.key), into: &changes) }
        } else {
            cookie.creationIndex = nextCreationIndex
        }
        guard !cookie.isExpired(at: now) else { return changes }
        record(.put(cookie), into: &changes)
        evictExcess(keeping: cookie.key, now: now, limits: limits, into: &changes)
        return changes
    }

    /// Removes the cookies `matches` selects, recording the steps into `changes`; returns the
    /// removed cookies in creation order.
    @discardableResult
    public mutating func planRemove(where matches: (Cookie) -> Bool, into changes: inout [Change]) -> [Cookie] {
        let removed = all.filter(matches)
        for cookie in removed { record(.remove(cookie.key), into: &changes) }
        return removed
    }

    /// §5.7 step 16: a non-secure cookie may not be set over an existing Secure cookie of the
    /// same name whose domain overlaps it and whose path the new path matches.
    private func shadowsSecureCookie(_ cookie: Cookie) -> Bool {
        for (domain, cookies) in byDomain
        where Cookie.domainMatch(host: domain, domain: cookie.domain) || Cookie.domainMatch(host: cookie.domain, domain: domain) {
            for existing in cookies
            where existing.secureOnly && existing.name.utf8.elementsEqual(cookie.name.utf8)
                && Cookie.pathMatch(requestPath: cookie.path, cookiePath: existing.path)
            {
                return true
            }
        }
        return false
    }

    /// §6.1 and §5.7's "remove excess cookies": expired ones first, then non-secure before
    /// secure, then the least recently accessed. The cookie just stored goes last. The excess
    /// is almost always one cookie, so each victim is found by one pass, not a sort.
    private mutating func evictExcess(keeping kept: Cookie.Key, now: UnixMillis, limits: Limits, into changes: inout [Change]) {
        while let bucket = byDomain[kept.domain], bucket.count > limits.perDomain,
            let victim = Self.firstToEvict(in: [bucket], keeping: kept, now: now)
        {
            record(.remove(victim), into: &changes)
        }
        while count > limits.total, let victim = Self.firstToEvict(in: byDomain.values, keeping: kept, now: now) {
            record(.remove(victim), into: &changes)
        }
    }

    private static func firstToEvict(
        in buckets: some Sequence<[Cookie]>, keeping kept: Cookie.Key, now: UnixMillis
    ) -> Cookie.Key? {
        var best: (rank: (Int, Int, Int, UnixMillis, UInt64), cookie: Cookie)?
        for bucket in buckets {
            for cookie in bucket {
                let isKept = cookie.domain == kept.domain && cookie.key == kept
                let rank = (
                    isKept ? 1 : 0, cookie.isExpired(at: now) ? 0 : 1, cookie.secureOnly ? 1 : 0,
                    cookie.lastAccess, cookie.creationIndex
                )
                if best == nil || rank < best!.rank { best = (rank, cookie) }
            }
        }
        return best?.cookie.key
    }

    /// The cookies to send to `url` (§5.8.3); with `withCookies`, whole copies as well as the
    /// header's parts. Their last-access times become `now`, in place.
    public mutating func retrieve(
        for url: CookieURL, now: UnixMillis, context: SameSiteContext = .sameSite, withCookies: Bool = true
    ) -> CookieSelection {
        var selection = CookieSelection(withCookies: withCookies)
        for domain in url.domainsToVisit where byDomain[domain] != nil {
            Self.touch(&byDomain[domain]!, sentTo: url, now: now, context: context, into: &selection)
        }
        return selection
    }

    /// Selects the cookies of one bucket that go to `url`, updating their last-access time in
    /// place (the bucket is passed inout so the array is not copied).
    private static func touch(
        _ cookies: inout [Cookie], sentTo url: CookieURL, now: UnixMillis, context: SameSiteContext,
        into selection: inout CookieSelection
    ) {
        for index in cookies.indices where cookies[index].isSent(to: url, now: now, context: context) {
            cookies[index].lastAccess = now
            selection.add(cookies, at: index)
        }
    }
}

extension Cookie {
    /// §5.8.3 step 1 for a cookie in a bucket the host domain-matches.
    func isSent(to url: CookieURL, now: UnixMillis, context: SameSiteContext) -> Bool {
        guard !hostOnly || domain == url.host, !isExpired(at: now),
            Cookie.pathMatch(requestPath: url.path, cookiePath: path), !secureOnly || url.isSecure
        else { return false }
        switch context {
        case .sameSite: return true
        case .crossSite: return sameSite == .none
        case .crossSiteTopLevelNavigation: return sameSite != .strict
        }
    }
}
