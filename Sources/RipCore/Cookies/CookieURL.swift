import RipWire

/// The parts of a request URL the cookie rules look at (RFC 6265bis §5.1.2–5.1.4): its
/// scheme, canonicalized host and path.
public struct CookieURL: Sendable, Equatable {
    /// Lowercased: "http", "https", "ws" or "wss".
    public let scheme: String
    /// Lowercased, IDNA A-labels, IPv6 addresses in brackets, no trailing dot.
    public let host: String
    /// The path, "/" when empty; query and fragment removed.
    public let path: String
    public let hostIsIPAddress: Bool

    /// Parses an absolute http(s) or ws(s) URL.
    public init(_ text: String) throws {
        let invalid = { (why: String) in RipError.invalidArgument("URL '\(text)' \(why)") }
        guard let schemeEnd = text.firstRange(of: "://") else {
            throw invalid("must be absolute, as in https://example.com/path")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard ["http", "https", "ws", "wss"].contains(scheme) else {
            throw invalid("must use http, https, ws or wss, not '\(scheme)'")
        }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("has an unclosed IPv6 address") }
            host = authority[...close]
        } else {
            host = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        }
        if host.hasSuffix(".") && !host.hasPrefix("[") { host = host.dropLast() }
        guard !host.isEmpty else { throw invalid("has no host") }
        guard !host.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F || "%/\\<>^|".unicodeScalars.contains($0) })
        else { throw invalid("has a host with characters no host may contain") }
        guard let canonical = Punycode.asciiHost(host.lowercased()) else { throw invalid("has a host IDNA cannot encode") }
        self.scheme = scheme
        self.host = canonical
        self.hostIsIPAddress = canonical.hasPrefix("[") || Self.isIPv4(canonical)
        var path = rest[authorityEnd...]
        if let end = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<end] }
        self.path = path.isEmpty ? "/" : String(path)
    }

    /// https and wss, and loopback hosts (localhost, 127.0.0.0/8, [::1]), count as secure
    /// (RFC 6265bis leaves "secure protocol" to the user agent; browsers treat loopback so).
    public var isSecure: Bool {
        scheme == "https" || scheme == "wss" || host == "localhost" || host.hasSuffix(".localhost")
            || host == "[::1]" || (hostIsIPAddress && host.hasPrefix("127."))
    }

    /// The default-path of RFC 6265bis §5.1.4: the path up to, not including, its last "/".
    public var defaultPath: String {
        guard path.hasPrefix("/"), let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// Dotted-quad IPv4 literals (the only form hosts keep after canonicalization here).
    static func isIPv4(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                (1...3).contains(part.count) && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
                    && (Int(part) ?? 256) <= 255
            }
    }
}
