import RipBase

/// The parts of a request URL the cookie rules look at (RFC 6265bis §5.1.2–5.1.4): its
/// scheme, canonicalized host and path. Parsed on UTF-8 bytes: this runs on every lookup.
public struct CookieURL: Sendable, Equatable {
/// Lowercased: "http", "https", "ws" or "wss".
    public let scheme: String
/// Lowercased, IDNA A-labels, IPv6 addresses in brackets, no trailing dot.
    public let host: String
/// The path, "/" when empty; query and fragment removed.
    public let path: String
    public let hostIsIPAddress: Bool
/// https and wss, and loopback hosts (localhost, *.localhost, 127.0.0.0/8, [::1]) count as
/// secure (RFC 6265bis leaves "secure protocol" to the user agent; browsers treat loopback so).
    public let isSecure: Bool
/// The host, then each parent domain (none for IP addresses): the jar buckets a lookup
/// visits, computed here so the lookup under the writer lock does not allocate them.
    let domainsToVisit: [String]


/// Parses an absolute http(s) or ws(s) URL.
    public init(_ text: String) throws {
        guard text.utf8.count <= RipLimits.maxURLBytes else {
            throw RipError.invalidArgument("URL must be at most \(RipLimits.maxURLBytes) bytes, got \(text.utf8.count)")
        }
        let invalid = { (why: String) in RipError.invalidArgument("URL '\(text)' \(why)") }
        let bytes = Array(text.utf8)
        let slash = UInt8(ascii: "/"), colon = UInt8(ascii: ":"), query = UInt8(ascii: "?"), fragment = UInt8(ascii: "#")
        guard let schemeEnd = Self.firstIndex(of: [colon, slash, slash], in: bytes) else {
            throw invalid("must be absolute, as in https://example.com/path")
        }
        let scheme = String(decoding: bytes[..<schemeEnd].map(Self.lower), as: UTF8.self)
        guard ["http", "https", "ws", "wss"].contains(scheme) else {
            throw invalid("must use http, https, ws or wss, not '\(scheme)'")
        }
        let authorityStart = schemeEnd + 3
        let authorityEnd = bytes[authorityStart...].firstIndex { $0 == slash || $0 == query || $0 == fragment } ?? bytes.endIndex
        var hostStart = authorityStart
        if let at = bytes[authorityStart..<authorityEnd].lastIndex(of: UInt8(ascii: "@")) { hostStart = at + 1 }
        var hostEnd: Int
        if bytes[hostStart..<authorityEnd].first == UInt8(ascii: "[") {
            guard let close = bytes[hostStart..<authorityEnd].firstIndex(of: UInt8(ascii: "]")) else {
                throw invalid("has an unclosed IPv6 address")
            }
            hostEnd = close + 1
        } else {
            hostEnd = bytes[hostStart..<authorityEnd].firstIndex(of: colon) ?? authorityEnd
            if hostEnd > hostStart && bytes[hostEnd - 1] == UInt8(ascii: ".") { hostEnd -= 1 }
        }
        let hostBytes = bytes[hostStart..<hostEnd]
        guard !hostBytes.isEmpty else { throw invalid("has no host") }
        // Before IDNA, whose work grows with the square of a label: a U-label of 63 A-label
        // bytes is at most 4 bytes a character.
        guard hostBytes.count <= 4 * RipLimits.Cookie.maxHostBytes,
            !hostBytes.split(separator: UInt8(ascii: ".")).contains(where: { $0.count > 4 * RipLimits.Cookie.maxLabelBytes })
        else { throw invalid("has a host longer than a DNS name (\(RipLimits.Cookie.maxHostBytes) bytes, labels of \(RipLimits.Cookie.maxLabelBytes))") }
        guard !hostBytes.contains(where: { $0 < 0x21 || $0 == 0x7F || Self.forbiddenInHost.contains($0) }) else {
            throw invalid("has a host with characters no host may contain")
        }
        let host: String
        if hostBytes.allSatisfy({ $0 < 0x80 }) {
            host = String(decoding: hostBytes.map(Self.lower), as: UTF8.self)
        } else {
            guard let ascii = Punycode.asciiHost(String(decoding: hostBytes, as: UTF8.self).lowercased()) else {
                throw invalid("has a host IDNA cannot encode")
            }
            host = ascii
        }
        guard host.hasPrefix("[") || (host.utf8.count <= RipLimits.Cookie.maxHostBytes
            && !host.utf8.split(separator: UInt8(ascii: ".")).contains(where: { $0.count > RipLimits.Cookie.maxLabelBytes }))
        else { throw invalid("has a host longer than a DNS name (\(RipLimits.Cookie.maxHostBytes) bytes, labels of \(RipLimits.Cookie.maxLabelBytes))") }
        let pathEnd = bytes[authorityEnd...].firstIndex { $0 == query || $0 == fragment } ?? bytes.endIndex
        self.scheme = scheme
        self.host = host
        self.path = authorityEnd == pathEnd ? "/" : String(decoding: bytes[authorityEnd..<pathEnd], as: UTF8.self)
        self.hostIsIPAddress = host.hasPrefix("[") || Self.isIPv4(host)
        self.isSecure =
            scheme == "https" || scheme == "wss" || host == "localhost" || host.hasSuffix(".localhost")
            || host == "[::1]" || (hostIsIPAddress && host.hasPrefix("127."))
        var domains = [host]
        if !hostIsIPAddress {
            var rest = host.utf8[...]
            while let dot = rest.firstIndex(of: UInt8(ascii: ".")) {
                rest = rest[rest.index(after: dot)...]
                domains.append(String(Substring(rest)))
            }
        }
        self.domainsToVisit = domains
    }

/// The default-path of RFC 6265bis §5.1.4: the path up to, not including, its last "/".
    public var defaultPath: String {
        guard path.hasPrefix("/"), let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")), slash != path.utf8.startIndex
        else { return "/" }
        return String(path[..<slash])
    }

/// Dotted-quad IPv4 literals (the only form hosts keep after canonicalization here).
    static func isIPv4(_ host: String) -> Bool {
        var parts = 0, digits = 0, value = 0
        for byte in host.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0 else { return false }
                parts += 1
                (digits, value) = (0, 0)
            } else if (0x30...0x39).contains(byte) {
                digits += 1
                value = value * 10 + Int(byte - 0x30)
                guard digits <= 3, value <= 255 else { return false }
            } else {
                return false
            }
        }
        return parts == 3 && digits > 0
    }

    private static let forbiddenInHost: Set<UInt8> = Set("%/\\<>^|".utf8)

    private static func lower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte + 0x20 : byte }

    private static func firstIndex(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        return (0...(bytes.count - needle.count)).first { start in
            bytes[start..<(start + needle.count)].elementsEqual(needle)
        }
    }
}
