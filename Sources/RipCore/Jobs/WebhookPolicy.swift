#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RipBase
import RipProto

/// Which completion hooks ripd may call (`ripd --webhook-allow`) and how it retries them: the
/// rules a submit's `webhook` and each delivery attempt are decided by.
public struct WebhookPolicy: Sendable, Equatable {
    /// Glob patterns (`*`, `?`, `[…]`, as fnmatch(3) with no flags: `*` also matches `/`) a
    /// webhook URL must match as a whole. None: no job may have a webhook.
    public var allow: [String] = []
    /// Attempts per finish before the delivery is given up.
    public var maxAttempts: UInt32 = 10
    /// The wait before each retry: 1 s, doubling, with jitter, up to 5 minutes (~9 minutes of
    /// retries in all with the default attempts).
    public var backoff: Backoff = {
        var backoff = Backoff()
        backoff.maxMs = 300_000
        return backoff
    }()
    /// How long one attempt may take, connecting included.
    public var timeoutMs: UInt64 = 10_000

    public static let maxURLBytes = 2048
    /// Bytes of an attempt's error kept on the job.
    static let maxErrorBytes = 1024

    public init() {}

    /// Whether `url` matches an allowed pattern.
    public func permits(_ url: String) -> Bool {
        allow.contains { fnmatch($0, url, 0) == 0 }
    }

    /// A submit's webhook: an absolute http(s) URL without credentials, allowed by `allow`.
    public func check(_ url: String) throws {
        guard !url.isEmpty else { return }
        guard url.utf8.count <= Self.maxURLBytes else {
            throw RipError.invalidArgument("webhook must be at most \(Self.maxURLBytes) bytes, got \(url.utf8.count)")
        }
        try SessionRules.checkURL(url)
        let authority = url.drop { $0 != "/" }.dropFirst(2).prefix { !"/?#".contains($0) }
        guard !authority.contains("@"), !url.contains("\\") else {
            throw RipError.invalidArgument("webhook '\(url)' must not carry credentials or backslashes")
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

/// What one delivery attempt of a finished job's webhook saw.
public struct WebhookReport: Sendable {
    public var jobID: String
    /// The finish it announced (the job's completed_at).
    public var finishedUnixMs: UnixMillis
    public var delivered: Bool
    /// The HTTP status; 0 when no reply came.
    public var status: UInt32
    public var error: String
    /// False when there is no point in trying again (the URL is no longer allowed).
    public var retryable: Bool

    public init(jobID: String, finishedUnixMs: UnixMillis, delivered: Bool, status: UInt32, error: String, retryable: Bool = true) {
        self.jobID = jobID
        self.finishedUnixMs = finishedUnixMs
        self.delivered = delivered
        self.status = status
        self.error = error
        self.retryable = retryable
    }
}

extension RipState {
    /// The record of a delivery attempt, with when to try again (or to give up) decided by
    /// `policy`; nil when the attempt is void (the job is gone, was delivered or given up, or
    /// ran and finished again since).
    public func decideWebhookAttempt(_ report: WebhookReport, policy: WebhookPolicy, now: UnixMillis) -> RipMutation? {
        guard let job = jobs.byID[report.jobID], job.webhookDelivery.state == .pending,
            job.completedAt.unixMillis == report.finishedUnixMs
        else { return nil }
        let attempts = job.webhookDelivery.attempts &+ 1
        let retries = !report.delivered && report.retryable && attempts < policy.maxAttempts
        return .with {
            $0.webhookAttempt = .with {
                $0.jobID = report.jobID
                $0.finishedUnixMs = report.finishedUnixMs
                $0.delivered = report.delivered
                $0.status = report.status
                $0.error = String(decoding: report.error.utf8.prefix(WebhookPolicy.maxErrorBytes), as: UTF8.self)
                $0.retryAtUnixMs = retries ? policy.backoff.retryAt(attempt: attempts, now: now) : 0
            }
        }
    }
}
