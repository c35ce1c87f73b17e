/// Why a Set-Cookie line or a structured cookie was not stored; `reason` is meant for people.
public struct CookieRejection: Error, Sendable, Equatable {
    public let reason: String

    public init(_ reason: String) { self.reason = reason }
}

/// Where a cookie is set or sent from, relative to the top-level site (RFC 6265bis §5.2).
public enum SameSiteContext: Sendable, Equatable {
    case sameSite
    case crossSite
    /// A cross-site top-level navigation with a safe method: Lax cookies go, Strict ones do not.
    case crossSiteTopLevelNavigation
}

/// Turns one Set-Cookie header value into the cookie RFC 6265bis §5.6–5.7 says to store,
/// applying every rule that does not depend on what the jar already holds (those are in
/// `CookieJar.planStore`).
public struct SetCookieParser: Sendable {
    /// Longest cookie lifetime, for Expires and Max-Age alike (RFC 6265bis §5.6.1–5.6.2).
    public static let maximumAge: UnixMillis = 400 * 86_400 * 1000
    static let maximumNameValueBytes = 4096
    static let maximumAttributeBytes = 1024

    public let publicSuffixes: PublicSuffixList

    public init(publicSuffixes: PublicSuffixList) {
        self.publicSuffixes = publicSuffixes
    }

    /// The cookie `line` sets when received in a response from `url` at `now`.
    public func parse(
        _ line: String, from url: CookieURL, now: UnixMillis, context: SameSiteContext = .sameSite
    ) throws(CookieRejection) -> Cookie {
        // §5.6 step 1: control characters other than HTAB void the whole line.
        if line.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) {
            throw CookieRejection("the line contains a control character")
        }
        let (pairPart, attributePart) = Self.splitOnce(line[...], at: ";")
        let name: Substring, value: Substring
        if let equals = pairPart.firstIndex(of: "=") {
            name = Self.trimmed(pairPart[..<equals])
            value = Self.trimmed(pairPart[pairPart.index(after: equals)...])
        } else {
            name = ""
            value = Self.trimmed(pairPart)
        }
        if name.utf8.count + value.utf8.count > Self.maximumNameValueBytes {
            throw CookieRejection("name and value together exceed \(Self.maximumNameValueBytes) bytes")
        }
        if name.isEmpty && value.isEmpty { throw CookieRejection("the cookie has neither a name nor a value") }
        let attributes = Attributes(attributePart ?? "", url: url, now: now)
        var cookie = Cookie(
            name: String(name), value: String(value), domain: url.host, path: attributes.path ?? url.defaultPath,
            expiry: attributes.expiry, creation: now, hostOnly: true, secureOnly: attributes.secure,
            httpOnly: attributes.httpOnly, sameSite: attributes.sameSite)
        try resolveDomain(attributes.domain, of: &cookie, from: url)
        try check(cookie, from: url, hasPathAttribute: attributes.path != nil, context: context)
        return cookie
    }

    /// §5.7 steps 5–7: the Domain attribute, public suffixes and host-only cookies.
    func resolveDomain(_ attribute: String?, of cookie: inout Cookie, from url: CookieURL) throws(CookieRejection) {
        guard var domain = attribute, !domain.isEmpty else { return }
        guard let ascii = Punycode.asciiHost(domain) else {
            throw CookieRejection("Domain '\(domain)' is not a valid domain name")
        }
        domain = ascii
        if url.hostIsIPAddress {
            guard domain == url.host else {
                throw CookieRejection("Domain '\(domain)' cannot be set from the IP address \(url.host)")
            }
            return  // an IP address is only ever host-only
        }
        if publicSuffixes.isPublicSuffix(domain) {
            guard domain == url.host else { throw CookieRejection("Domain '\(domain)' is a public suffix") }
            return
        }
        guard Cookie.domainMatch(host: url.host, domain: domain) else {
            throw CookieRejection("Domain '\(domain)' does not domain-match the host \(url.host)")
        }
        cookie.domain = domain
        cookie.hostOnly = false
    }

    /// §5.7 steps 10–20 that look only at the cookie and where it came from.
    func check(
        _ cookie: Cookie, from url: CookieURL, hasPathAttribute: Bool, context: SameSiteContext
    ) throws(CookieRejection) {
        if cookie.secureOnly && !url.isSecure {
            throw CookieRejection("a Secure cookie can only be set from https or a loopback host")
        }
        if cookie.sameSite == .none && !cookie.secureOnly {
            throw CookieRejection("SameSite=None requires the Secure attribute")
        }
        if cookie.sameSite != .none && context == .crossSite {
            throw CookieRejection("a cross-site response can only set SameSite=None cookies")
        }
        let name = cookie.name.isEmpty ? cookie.value : cookie.name
        if Self.hasPrefix(name, "__Secure-") {
            if cookie.name.isEmpty { throw CookieRejection("a nameless cookie's value cannot start with __Secure-") }
            if !cookie.secureOnly || !url.isSecure {
                throw CookieRejection("a __Secure- cookie needs Secure and a secure origin")
            }
        }
        if Self.hasPrefix(name, "__Host-") {
            if cookie.name.isEmpty { throw CookieRejection("a nameless cookie's value cannot start with __Host-") }
            if !cookie.secureOnly || !url.isSecure || !cookie.hostOnly || !hasPathAttribute || cookie.path != "/" {
                throw CookieRejection("a __Host- cookie needs Secure, a secure origin, no Domain and Path=/")
            }
        }
    }

    /// Case-insensitive ASCII prefix test (RFC 6265bis §4.1.3 matches prefixes so).
    static func hasPrefix(_ name: String, _ prefix: String) -> Bool {
        let bytes = name.utf8
        guard bytes.count >= prefix.utf8.count else { return false }
        return zip(bytes, prefix.utf8).allSatisfy { lower($0) == lower($1) }
    }

    static func lower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte + 0x20 : byte }

    /// Leading and trailing SP and HTAB removed (WSP of RFC 5234).
    static func trimmed(_ text: Substring) -> Substring {
        let isSpace = { (c: Character) in c == " " || c == "\t" }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return text[first...last]
    }

    static func splitOnce(_ text: Substring, at separator: Character) -> (Substring, Substring?) {
        guard let index = text.firstIndex(of: separator) else { return (text, nil) }
        return (text[..<index], text[text.index(after: index)...])
    }

    /// The cookie-attribute-list of §5.6, last one of each name winning.
    struct Attributes {
        var expiry: UnixMillis?
        var domain: String?
        var path: String?
        var secure = false
        var httpOnly = false
        var sameSite = Cookie.SameSite.unspecified

        init(_ text: Substring, url: CookieURL, now: UnixMillis) {
            var maxAgeExpiry: UnixMillis?
            var expiresExpiry: UnixMillis?
            for part in text.split(separator: ";", omittingEmptySubsequences: false) {
                let (rawName, rawValue) = splitOnce(part, at: "=")
                let name = trimmed(rawName).lowercased()
                let value = trimmed(rawValue ?? "")
                if value.utf8.count > maximumAttributeBytes { continue }
                switch name {
                case "expires":
                    if let date = CookieDate.parse(value) { expiresExpiry = min(date, now + maximumAge) }
                case "max-age":
                    if let seconds = Self.deltaSeconds(value) {
                        maxAgeExpiry = seconds <= 0 ? 0 : now + min(seconds * 1000, maximumAge)
                    }
                case "domain":
                    if !value.isEmpty { domain = String(value.hasPrefix(".") ? value.dropFirst() : value).lowercased() }
                case "path":
                    path = value.hasPrefix("/") ? String(value) : url.defaultPath
                case "secure": secure = true
                case "httponly": httpOnly = true
                case "samesite":
                    switch value.lowercased() {
                    case "none": sameSite = .none
                    case "strict": sameSite = .strict
                    case "lax": sameSite = .lax
                    default: sameSite = .unspecified
                    }
                default: break
                }
            }
            expiry = maxAgeExpiry ?? expiresExpiry
        }

        /// `max-age-av`: an optional "-" then digits; nil when malformed. Clamped to avoid
        /// overflow (any value past 400 days means 400 days).
        static func deltaSeconds(_ value: Substring) -> Int64? {
            let negative = value.hasPrefix("-")
            let digits = negative ? value.dropFirst() : value
            guard !digits.isEmpty, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            let magnitude = digits.utf8.count > 15 ? Int64(1e15) : Int64(digits) ?? 0
            return negative ? -magnitude : magnitude
        }
    }
}

extension SetCookieParser {
    /// A cookie given field by field (SetCookie, ImportCookies), checked by the rules a line
    /// set by https://domain/ would meet, and put in canonical form: a leading dot on the
    /// domain makes a domain cookie, expiry is capped at 400 days.
    public func validate(_ cookie: Cookie, now: UnixMillis) throws(CookieRejection) -> Cookie {
        var cookie = cookie
        for (field, text) in [("name", cookie.name), ("value", cookie.value)]
        where text.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F || $0 == UInt8(ascii: ";") }) {
            throw CookieRejection("the cookie's \(field) contains a control character or ';'")
        }
        if cookie.name.contains("=") { throw CookieRejection("the cookie's name contains '='") }
        if cookie.name.utf8.count + cookie.value.utf8.count > Self.maximumNameValueBytes {
            throw CookieRejection("name and value together exceed \(Self.maximumNameValueBytes) bytes")
        }
        if cookie.name.isEmpty && cookie.value.isEmpty { throw CookieRejection("the cookie has neither a name nor a value") }
        if cookie.domain.hasPrefix(".") {
            cookie.domain.removeFirst()
            cookie.hostOnly = false
        }
        guard !cookie.domain.isEmpty else { throw CookieRejection("a cookie needs a domain") }
        guard cookie.path.hasPrefix("/") else { throw CookieRejection("the path '\(cookie.path)' does not start with '/'") }
        guard cookie.path.utf8.count <= Self.maximumAttributeBytes else {
            throw CookieRejection("the path is longer than \(Self.maximumAttributeBytes) bytes")
        }
        let url: CookieURL
        do {
            url = try CookieURL("https://" + cookie.domain.lowercased() + cookie.path)
        } catch {
            throw CookieRejection("'\(cookie.domain)' is not a valid domain name")
        }
        cookie.domain = url.host
        if url.hostIsIPAddress { cookie.hostOnly = true }
        if !cookie.hostOnly && publicSuffixes.isPublicSuffix(cookie.domain) {
            throw CookieRejection("the domain '\(cookie.domain)' is a public suffix")
        }
        cookie.expiry = cookie.expiry.map { min($0, now + Self.maximumAge) }
        try check(cookie, from: url, hasPathAttribute: true, context: .sameSite)
        return cookie
    }
}
