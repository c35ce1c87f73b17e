import Logging
import RipCore
import RipEngine
import RipProto
import ServiceLifecycle

/// Keeps the job queue moving between calls: returns jobs whose lease ran out to the queue,
/// fails attempts that ran over their timeout, hands scheduled jobs that came due to parked
/// claims, fires the schedules' ticks, and removes finished and dead jobs past their retention.
public struct JobSweeper: Service {
    let store: any StateEngine
    let claims: ClaimDispatcher
    let policy: JobPolicy
    /// Where a scheduled job's limit key comes from.
    let suffixes: PublicSuffixList
    let logger: Logger

    public init(store: any StateEngine, claims: ClaimDispatcher, policy: JobPolicy, suffixes: PublicSuffixList, logger: Logger) {
        self.store = store
        self.claims = claims
        self.policy = policy
        self.suffixes = suffixes
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
                try fireSchedules()
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

    /// Fires every schedule tick that is due, one commit each (a tick that became due while
    /// ripd was down included: its schedule's catch-up decides whether it submits).
    func fireSchedules() throws {
        for _ in 0..<1000 {
            guard try store.read({ state, now in state.schedules.hasDue(at: now) }) else { return }
            let id = RipID.job.generate()
            let suffixes = self.suffixes
            let store = self.store
            let (applied, tick) = try store.commit(changing: { state, now -> (RipMutation?, Applied, RipScheduleTick?) in
                guard let mutation = state.decideNextTick(id: id, suffixes: suffixes, now: now) else { return (nil, Applied(), nil) }
                let (recorded, applied, _) = try type(of: store).applying(mutation, to: &state, at: now)
                return (recorded, applied, mutation.scheduleTick)
            }, durability: nil)
            guard let tick else { return }
            if tick.hasJob {
                logger.info("schedule fired", metadata: ["schedule": "\(tick.name)", "job": "\(tick.job.id)"])
            } else {
                logger.info("schedule tick skipped", metadata: ["schedule": "\(tick.name)", "reason": "\(tick.skipReason)"])
            }
            if applied.readiedJobs { claims.serve() }
        }
    }

    /// Removes finished jobs past `--job-retention`, and dead ones past `--dead-retention`.
    func removeOldJobs() throws {
        let finished = RipClearJobsRequest.with { $0.olderThanMs = policy.retentionMs }
        let dead = RipClearJobsRequest.with {
            $0.dead = true
            $0.olderThanMs = policy.deadRetentionMs
        }
        for request in [finished, dead] {
            guard try store.read({ state, now in state.jobs.hasClearable(request, now: now) }) else { continue }
            let removed = try store.commit(.with { $0.jobsClear = request }).jobs
            logger.info(
                request.dead ? "removed dead jobs past retention" : "removed finished jobs past retention",
                metadata: ["count": "\(removed.count)"])
        }
    }
}
