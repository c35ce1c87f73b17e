import RipCore

/// The daemon's job settings: how many jobs it holds, log cap, retention, retry backoff and
/// webhooks (RipCore rules), and how often the sweeper looks.
public struct JobPolicy: Sendable {
    /// Log lines held per job; older ones are dropped and counted.
    public var maxLogLines: UInt32 = 10_000
    /// Jobs held at once (finished and dead ones until their retention ends): a submit past it
    /// is refused.
    public var maxJobs: UInt64 = 1_000_000
    /// Finished jobs and their logs are removed this long after they finished.
    public var retentionMs: UInt64 = 7 * 24 * 3600 * 1000
    /// Dead jobs (the dead-letter set) are removed this long after they died.
    public var deadRetentionMs: UInt64 = 30 * 24 * 3600 * 1000
    public var backoff = Backoff()
    /// The completion hooks jobs may have, and how their delivery is retried.
    public var webhooks = WebhookPolicy()
    /// How often leases, timeouts, scheduled jobs and retention are checked.
    public var sweepIntervalMs: UInt64 = 100

    public init() {}

}
