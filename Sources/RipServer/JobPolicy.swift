import RipCore

/// The daemon's job settings: log cap, retention and retry backoff.
public struct JobPolicy: Sendable {
    /// Log lines held per job; older ones are dropped and counted.
    public var maxLogLines: UInt32 = 10_000
    /// Finished jobs and their logs are removed this long after they finished.
    public var retentionMs: UInt64 = 7 * 24 * 3600 * 1000
    /// The first retry waits about this long; each later one twice as long, up to `maxBackoffMs`.
    public var backoffBaseMs: UInt64 = 1000
    public var maxBackoffMs: UInt64 = 3600 * 1000
    /// How often leases, timeouts, scheduled jobs and retention are checked.
    public var sweepIntervalMs: UInt64 = 100

    public init() {}

    /// When a failed attempt `attempt` (from 1) may run again: exponential backoff with
    /// "equal jitter" (half fixed, half random), so retries of jobs that failed together spread.
    public func retryAt(attempt: UInt32, now: UnixMillis) -> UnixMillis {
        let exponent = min(UInt64(max(attempt, 1) - 1), 40)
        let delay = min(maxBackoffMs, backoffBaseMs.multipliedReportingOverflow(by: 1 << exponent).partialValue)
        let half = delay / 2
        return now + UnixMillis(half + UInt64.random(in: 0...max(half, 0)))
    }
}
