import Logging
import RipCore
import RipEngine
import RipProto
import ServiceLifecycle

/// Keeps the job queue moving between calls: returns jobs whose lease ran out to the queue,
/// fails attempts that ran over their timeout, hands scheduled jobs that came due to parked
/// claims, and removes finished jobs past the retention.
public struct JobSweeper: Service {
    let store: any StateEngine
    let claims: ClaimDispatcher
    let policy: JobPolicy
    let logger: Logger

    public init(store: any StateEngine, claims: ClaimDispatcher, policy: JobPolicy, logger: Logger) {
        self.store = store
        self.claims = claims
        self.policy = policy
        self.logger = logger
    }

    public func run() async throws {
        var lastRetentionCheck = ContinuousClock.now
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(policy.sweepIntervalMs)) }
            } catch {
                return
            }
            do {
                try expireLeases()
                if claims.hasWaiters { claims.serve() }
                if ContinuousClock.now - lastRetentionCheck >= .seconds(1) {
                    lastRetentionCheck = .now
                    try removeOldJobs()
                }
            } catch {
                logger.error("job sweep failed", metadata: ["error": "\(error)"])
            }
        }
    }

    func expireLeases() throws {
        let backoff = policy.backoff
        guard let expiry = try store.read({ state, now in state.decideExpiry(backoff: backoff, now: now) }) else { return }
        let applied = try store.commit(expiry)
        for job in applied.jobs {
            logger.info("job lease ended", metadata: ["job": "\(job.id)", "status": "\(job.status.word)", "error": "\(job.error)"])
        }
        if applied.readiedJobs { claims.serve() }
    }

    func removeOldJobs() throws {
        let cutoff = policy.retentionMs
        let due = try store.read { state, now in state.jobs.hasFinished(olderThan: now - Int64(clamping: cutoff)) }
        guard due else { return }
        let removed = try store.commit(.with { $0.jobsClear = .with { $0.olderThanMs = cutoff } }).jobs
        logger.info("removed finished jobs past retention", metadata: ["count": "\(removed.count)"])
    }
}
