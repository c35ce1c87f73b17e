import RipProto
import SwiftProtobuf

extension Cookie {
    /// The cookie a client or the log sent. Times default to `now` when unset.
    public init(_ message: RipCookie, now: UnixMillis) {
        self.init(
            name: message.name, value: message.value, domain: message.domain,
            path: message.path.isEmpty ? "/" : message.path,
            expiry: message.hasExpires ? message.expires.unixMillis : nil,
            creation: message.hasCreatedAt ? message.createdAt.unixMillis : now,
            lastAccess: message.hasLastAccessedAt ? message.lastAccessedAt.unixMillis : nil,
            hostOnly: message.hostOnly, secureOnly: message.secure, httpOnly: message.httpOnly,
            sameSite: SameSite(message.sameSite))
        creationIndex = message.creationIndex
    }

    /// Rejects a cookie message whose times lie outside `TimeRange` (SetCookie, ImportCookies).
    static func checkTimes(of message: RipCookie) throws(CookieRejection) {
        for (field, isSet, time) in [
            ("expires", message.hasExpires, message.expires), ("created_at", message.hasCreatedAt, message.createdAt),
            ("last_accessed_at", message.hasLastAccessedAt, message.lastAccessedAt),
        ] where isSet && !TimeRange.contains(time) {
            throw CookieRejection(TimeRange.violation(time, field))
        }
    }

    public var message: RipCookie {
        .with {
            $0.name = name
            $0.value = value
            $0.domain = domain
            $0.path = path
            $0.secure = secureOnly
            $0.httpOnly = httpOnly
            if let expiry { $0.expires = Google_Protobuf_Timestamp(unixMillis: expiry) }
            $0.sameSite = sameSite.message
            $0.hostOnly = hostOnly
            $0.createdAt = Google_Protobuf_Timestamp(unixMillis: creation)
            $0.lastAccessedAt = Google_Protobuf_Timestamp(unixMillis: lastAccess)
            $0.creationIndex = creationIndex
        }
    }
}

extension Cookie.SameSite {
    init(_ message: RipSameSite) {
        switch message {
        case .none: self = .none
        case .lax: self = .lax
        case .strict: self = .strict
        case .unspecified, .UNRECOGNIZED: self = .unspecified
        }
    }

    var message: RipSameSite {
        switch self {
        case .unspecified: .unspecified
        case .none: .none
        case .lax: .lax
        case .strict: .strict
        }
    }
}

extension Cookie.Key {
    init(_ message: RipCookieKey) {
        self.init(name: message.name, domain: message.domain, hostOnly: message.hostOnly, path: message.path)
    }

    var message: RipCookieKey {
        .with {
            $0.name = name
            $0.domain = domain
            $0.hostOnly = hostOnly
            $0.path = path
        }
    }
}

extension SameSiteContext {
    init(_ message: RipCookieContext) {
        switch message {
        case .crossSite: self = .crossSite
        case .crossSiteTopLevelNavigation: self = .crossSiteTopLevelNavigation
        case .sameSite, .UNRECOGNIZED: self = .sameSite
        }
    }
}

extension CookieJar.Change {
    init?(_ step: RipCookieChange.Step, now: UnixMillis) {
        switch step.kind {
        case .put(let cookie): self = .put(Cookie(cookie, now: now))
        case .remove(let key): self = .remove(Cookie.Key(key))
        case nil: return nil
        }
    }

    var message: RipCookieChange.Step {
        .with {
            switch self {
            case .put(let cookie): $0.put = cookie.message
            case .remove(let key): $0.remove = key.message
            }
        }
    }
}
