/// When a failed attempt runs again: exponential backoff with "equal jitter" (half fixed, half
/// random), so retries of jobs that failed together spread. `RipState.decideFail` and
/// `decideExpiry` put the time in the mutation; replay reuses it.
public struct Backoff: Sendable, Equatable {
    /// The first retry waits about this long; each later one twice as long, up to `maxMs`.
    public var baseMs: UInt64 = 1000
    public var maxMs: UInt64 = 3600 * 1000

    public init() {}

    /// When attempt `attempt` (from 1), failed at `now`, may run again.
    public func retryAt(attempt: UInt32, now: UnixMillis) -> UnixMillis {
        let exponent = min(UInt64(max(attempt, 1) - 1), 40)
        let delay = min(maxMs, baseMs.multipliedReportingOverflow(by: 1 << exponent).partialValue)
        let half = delay / 2
        return now + UnixMillis(half + UInt64.random(in: 0...half))  // at most `maxMs` (an hour) ahead
    }
}
