#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import RipBase
import RipProto

/// Which completion hooks ripd may call (`ripd --webhook-allow`) and how it retries them: the
/// rules a submit's `webhook` and each delivery attempt are decided by.
public struct WebhookPolicy: Sendable, Equatable {
    /// A webhook URL must match one of these. None: no job may have a webhook.
    public var allow: [WebhookPattern] = []
    /// Attempts per finish before the delivery is given up.
    public var maxAttempts: UInt32 = 10
    /// The wait before retry n: between half of and 1 s × 2^(n−1), up to 5 minutes (~9 minutes
    /// of retries in all with the default attempts).
    public var backoff: Backoff = {
        var backoff = Backoff()
        backoff.maxMs = 300_000
        return backoff
    }()
    /// How long one attempt may take until the reply's status line and headers arrived,
    /// connecting included.
    public var timeoutMs: UInt64 = 10_000

    /// Bytes of an attempt's error kept on the job.
    static let maxErrorBytes = 1024

    public init() {}

    /// Whether `url` matches an allowed pattern, as the HTTP client will read it.
    public func permits(_ url: String) -> Bool {
        guard let parsed = URL(string: url) else { return false }
        return allow.contains { $0.matches(parsed) }
    }

    /// A submit's webhook: an absolute http(s) URL without credentials, allowed by `allow`.
    public func check(_ url: String) throws {
        guard !url.isEmpty else { return }
        guard url.utf8.count <= RipLimits.Job.maxWebhookURLBytes else {
            throw RipError.invalidArgument(
                "webhook must be at most \(RipLimits.Job.maxWebhookURLBytes) bytes, got \(url.utf8.count)")
        }
        try SessionRules.checkURL(url)
        let authority = url.drop { $0 != "/" }.dropFirst(2).prefix { !"/?#".contains($0) }
        guard !authority.contains("@"), !url.contains("\\"), WebhookPattern.host(of: url) != nil else {
            throw RipError.invalidArgument("webhook '\(url)' must be a plain http(s) URL with a host, without credentials or backslashes")
        }
        guard permits(url) else {
            throw RipError(
                .permissionDenied,
                allow.isEmpty
                    ? "webhooks are off: start ripd with --webhook-allow PATTERN to allow URLs"
                    : "webhook '\(url)' matches no --webhook-allow pattern of this ripd")
        }
    }
}

/// One `--webhook-allow` pattern: `SCHEME://HOST[:PORT][PATH]`. The scheme is http or https;
/// the host is a name or address compared exactly (IPv6 in brackets), or `*.NAME` for any name
/// under NAME (not NAME itself); the port is a number or `*`, and without one the scheme's
/// default; the path, if given, is a glob (fnmatch(3): `*` also matches `/`) the URL's path and
/// query must match, and without one any path matches. Host and port are matched as the HTTP
/// client connects, so no pattern reaches a host it does not name.
public struct WebhookPattern: Sendable, Equatable, CustomStringConvertible {
    public let description: String
    let scheme: String
    /// Lowercased, without brackets; after "*." for `anySubdomain`.
    let host: String
    let anySubdomain: Bool
    /// nil: any port.
    let port: Int?
    /// nil: any path.
    let path: String?

    public init(_ text: String) throws {
        func refuse(_ why: String) -> RipError {
            RipError.invalidArgument("--webhook-allow '\(text)': \(why); the form is http[s]://HOST[:PORT][/PATH-GLOB]")
        }
        description = text
        let parts = text.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, ["http", "https"].contains(parts[0].lowercased()) else {
            throw refuse("it must start with http:// or https://")
        }
        scheme = parts[0].lowercased()
        let rest = parts[1]
        let authority = rest.prefix { $0 != "/" }
        path = rest.count > authority.count ? String(rest.dropFirst(authority.count)) : nil
        var hostPart = Substring(authority)
        var portText: Substring?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { throw refuse("an IPv6 address needs its closing ]") }
            let after = hostPart[hostPart.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw refuse("only a port may follow the ]") }
                portText = after.dropFirst()
            }
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
        } else if let colon = hostPart.lastIndex(of: ":") {
            portText = hostPart[hostPart.index(after: colon)...]
            hostPart = hostPart[..<colon]
        }
        anySubdomain = hostPart.hasPrefix("*.")
        host = String(anySubdomain ? hostPart.dropFirst(2) : hostPart).lowercased()
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-.:")
        guard !host.isEmpty, host.allSatisfy(allowed.contains), !host.hasPrefix("."), !host.hasSuffix(".") else {
            throw refuse("the host must be a name, an address or *.NAME (no other wildcards)")
        }
        switch portText {
        case nil: port = Self.defaultPort(of: scheme)
        case "*": port = nil
        case let text?:
            guard let number = Int(text), (1...65535).contains(number) else { throw refuse("the port must be 1–65535 or *") }
            port = number
        }
    }

    /// Whether `url`, as parsed for connecting, is on this pattern's scheme, host and port, and
    /// its path and query match the pattern's path.
    func matches(_ url: URL) -> Bool {
        guard url.scheme?.lowercased() == scheme, url.user == nil, url.password == nil, let host = Self.host(of: url) else {
            return false
        }
        let hostMatches = anySubdomain ? host.hasSuffix("." + self.host) && host.count > self.host.count + 1 : host == self.host
        guard hostMatches else { return false }
        if let port, (url.port ?? Self.defaultPort(of: scheme)) != port { return false }
        guard let path else { return true }
        var target = url.path(percentEncoded: true)
        if target.isEmpty { target = "/" }
        if let query = url.query(percentEncoded: true) { target += "?" + query }
        return fnmatch(path, target, 0) == 0
    }
}

extension WebhookPattern {
    /// The host the HTTP client connects to for `url`: lowercased, an IPv6 address without its
    /// brackets; nil when there is none.
    public static func host(of url: String) -> String? { URL(string: url).flatMap(host(of:)) }

    static func host(of url: URL) -> String? {
        guard var host = url.host?.lowercased(), !host.isEmpty else { return nil }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host
    }

    static func defaultPort(of scheme: String) -> Int { scheme == "https" ? 443 : 80 }
}

/// What one delivery attempt of a finished job's webhook saw.
public struct WebhookReport: Sendable {
    public var jobID: String
    /// The finish it announced and which attempt it was (`WebhookDelivery.finish`,
    /// `attempts + 1` when it was sent).
    public var finish: UInt32
    public var attempt: UInt32
    public var delivered: Bool
    /// The HTTP status; 0 when no reply came.
    public var status: UInt32
    public var error: String
    /// False when there is no point in trying again (the URL is no longer allowed).
    public var retryable: Bool

    /// An attempt, not yet made, at `job`'s current delivery.
    public init(of job: RipJob) {
        jobID = job.id
        finish = job.webhookDelivery.finish
        attempt = job.webhookDelivery.attempts &+ 1
        delivered = false
        status = 0
        error = ""
        retryable = true
    }
}

extension RipState {
    /// The record of a delivery attempt, with when to try again (or to give up) decided by
    /// `policy`; nil when the attempt is void (the job is gone, was delivered or given up, was
    /// retried and finished again, or the attempt was already recorded).
    public func decideWebhookAttempt(_ report: WebhookReport, policy: WebhookPolicy, now: UnixMillis) -> RipMutation? {
        guard let delivery = jobs.byID[report.jobID]?.webhookDelivery, delivery.state == .pending,
            delivery.finish == report.finish, delivery.attempts &+ 1 == report.attempt
        else { return nil }
        let retries = !report.delivered && report.retryable && report.attempt < policy.maxAttempts
        return .with {
            $0.webhookAttempt = .with {
                $0.jobID = report.jobID
                $0.finish = report.finish
                $0.attempt = report.attempt
                $0.delivered = report.delivered
                $0.status = report.status
                $0.error = report.error.prefix(utf8Bytes: WebhookPolicy.maxErrorBytes)
                $0.retryAtUnixMs = retries ? policy.backoff.retryAt(attempt: report.attempt, now: now) : 0
            }
        }
    }
}
