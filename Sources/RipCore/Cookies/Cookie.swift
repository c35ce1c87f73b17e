/// One stored cookie: the fields of RFC 6265bis §5.7's storage model.
public struct Cookie: Sendable, Equatable {
    /// The SameSite attribute; `.unspecified` is enforced as Lax (RFC 6265bis "Default").
    public enum SameSite: Sendable, Equatable {
        case unspecified, none, lax, strict
    }

    /// Byte for byte as received; empty for a nameless cookie (sent as its value alone).
    public var name: String
    public var value: String
    /// Canonical host or domain, no leading dot.
    public var domain: String
    public var path: String
    /// Milliseconds since the Unix epoch; nil for a session cookie.
    public var expiry: UnixMillis?
    public var creation: UnixMillis
    /// Orders cookies created in the same millisecond; assigned by the jar, kept on replacement.
    public var creationIndex: UInt64 = 0
    public var lastAccess: UnixMillis
    /// Sent only to `domain` itself, not to its subdomains.
    public var hostOnly: Bool
    public var secureOnly: Bool
    public var httpOnly: Bool
    public var sameSite: SameSite

    public init(
        name: String, value: String, domain: String, path: String = "/", expiry: UnixMillis? = nil,
        creation: UnixMillis, lastAccess: UnixMillis? = nil, hostOnly: Bool = true, secureOnly: Bool = false,
        httpOnly: Bool = false, sameSite: SameSite = .unspecified
    ) {
        self.name = name
        self.value = value
        self.domain = domain
        self.path = path
        self.expiry = expiry
        self.creation = creation
        self.lastAccess = lastAccess ?? creation
        self.hostOnly = hostOnly
        self.secureOnly = secureOnly
        self.httpOnly = httpOnly
        self.sameSite = sameSite
    }

    /// What identifies a cookie in a jar: a new cookie with the same key replaces it.
    public var key: Key { Key(name: name, domain: domain, hostOnly: hostOnly, path: path) }

    public func isExpired(at now: UnixMillis) -> Bool { expiry.map { $0 <= now } ?? false }

    /// (name, domain, host-only, path), compared byte for byte: Swift's `String ==` would treat
    /// canonically equivalent but different byte sequences as one name.
    public struct Key: Sendable, Hashable {
        public var name: String
        public var domain: String
        public var hostOnly: Bool
        public var path: String

        public init(name: String, domain: String, hostOnly: Bool, path: String) {
            self.name = name
            self.domain = domain
            self.hostOnly = hostOnly
            self.path = path
        }

        public static func == (a: Key, b: Key) -> Bool {
            a.hostOnly == b.hostOnly && a.name.utf8.elementsEqual(b.name.utf8)
                && a.domain.utf8.elementsEqual(b.domain.utf8) && a.path.utf8.elementsEqual(b.path.utf8)
        }

        public func hash(into hasher: inout Hasher) {
            for part in [name, domain, path] {
                part.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
                    ?? hasher.combine(Array(part.utf8))
                hasher.combine(0xFF as UInt8)
            }
            hasher.combine(hostOnly)
        }
    }
}

extension Cookie {
    /// Domain-match of RFC 6265bis §5.1.3: `host` is `domain`, or a name ending in "." +
    /// `domain` (never for IP addresses, which have no parent domains).
    static func domainMatch(host: String, domain: String) -> Bool {
        if host == domain { return true }
        guard host.utf8.count > domain.utf8.count, host.hasSuffix(domain),
            host.utf8.dropLast(domain.utf8.count).last == UInt8(ascii: ".")
        else { return false }
        return !CookieURL.isIPv4(host) && !host.hasPrefix("[")
    }

    /// Path-match of RFC 6265bis §5.1.4.
    static func pathMatch(requestPath: String, cookiePath: String) -> Bool {
        let request = requestPath.utf8, cookie = cookiePath.utf8
        guard request.starts(with: cookie) else { return false }
        return request.count == cookie.count || cookie.last == UInt8(ascii: "/")
            || request.dropFirst(cookie.count).first == UInt8(ascii: "/")
    }
}
